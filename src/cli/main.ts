// The command line: hangar's flags over the same engine the action uses. No GitHub here.
import { resolve } from 'node:path';
import packageJson from '../../package.json' with { type: 'json' };
import { DEFAULTS, defaultText } from '../config/defaults.js';
import {
  parseCredential,
  parseJobs,
  parseList,
  parsePositiveSeconds,
  parseRegistries,
  parseReferrers,
  parseShard,
  type Shard,
} from '../config/parse.js';
import { runEngine, type EngineConfig } from '../engine/engine.js';
import type { RunReport } from '../engine/report.js';
import { ConfigurationError } from '../engine/errors.js';
import { shardFilter } from '../engine/list/select.js';
import { checkWritable, writeResultFiles } from '../report/files.js';
import { colorAllowed, createConsoleReporter } from '../report/console.js';
import { exitCodeFor } from '../report/outcome.js';
import { helpText, parseFlags, REASONS_DOC, UsageError, type ParsedFlags } from './flags.js';
import { redactor } from './redact.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Where relative paths are read from and written to; the process's working folder by default. */
  cwd?: string;
  signal?: AbortSignal;
  /** Whether stderr is a terminal (a live progress line there), and its width. */
  terminal?: { stderr: boolean; columns?: number };
}

/** Exit statuses; the README's table says the same. */
export const EXIT = { ok: 0, usage: 2, internal: 3 } as const;

const version = (): string => packageJson.version;

function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function booleanFlag(flags: ParsedFlags, name: string, fallback: boolean): boolean {
  const value = flags.get(name);
  return typeof value === 'boolean' ? value : fallback;
}

const shardOption = (shard: Shard | undefined) => (shard ? shardFilter(shard) : {});

export type CliConfig = EngineConfig & { failedFile: string; reportFile?: string; junitFile?: string };

/** Turns flags into the engine's configuration; throws UsageError naming the flag on a bad value. */
export function configFromFlags(
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
  cwd: string = process.cwd(),
): CliConfig {
  const listFile = stringFlag(flags, 'file');
  if (!listFile) throw new UsageError('the image list is required: -f FILE');
  const setting = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const text = (name: string, fallback: string) => stringFlag(flags, name) ?? fallback;
  const credential = (side: 'source' | 'destination', fromEnv: string | undefined) =>
    setting(() =>
      parseCredential(
        stringFlag(flags, `${side}-username`),
        stringFlag(flags, `${side}-password`) ?? (fromEnv || undefined),
        { username: `--${side}-username`, password: `--${side}-password` },
      ),
    );
  const reportFile = stringFlag(flags, 'report');
  const junitFile = stringFlag(flags, 'junit');
  const cacheDir = stringFlag(flags, 'cache-dir');
  return {
    listFile,
    listPath: resolve(cwd, listFile),
    source: stringFlag(flags, 'source') || undefined,
    destination: stringFlag(flags, 'destination') || undefined,
    defaultProject: text('default-project', DEFAULTS.defaultProject),
    jobs: setting(() => parseJobs(text('jobs', defaultText('jobs')), '--jobs')),
    tlsVerify: booleanFlag(flags, 'tls-verify', DEFAULTS.tlsVerify),
    insecureRegistries: setting(() =>
      parseRegistries(text('insecure-registries', DEFAULTS.insecureRegistries), '--insecure-registries'),
    ),
    ...(stringFlag(flags, 'ca-file') ? { caFile: resolve(cwd, stringFlag(flags, 'ca-file') as string) } : {}),
    runTimeoutMs:
      setting(() => parsePositiveSeconds(text('timeout', defaultText('timeout')), '--timeout')) * 1000,
    imageTimeoutMs:
      setting(() =>
        parsePositiveSeconds(text('image-timeout', defaultText('imageTimeout')), '--image-timeout'),
      ) * 1000,
    options: {
      filter: {
        arch: setting(() => parseList(text('arch', DEFAULTS.arch), '--arch')),
        os: setting(() => parseList(text('os', DEFAULTS.os), '--os')),
        variant: setting(() =>
          parseList(text('variant', DEFAULTS.variant), '--variant', { allowEmpty: true }),
        ),
      },
      provenance: booleanFlag(flags, 'provenance', DEFAULTS.provenance),
      deep: booleanFlag(flags, 'deep', DEFAULTS.deep),
      requireIdentical: booleanFlag(flags, 'require-identical', DEFAULTS.requireIdentical),
      referrers: setting(() => parseReferrers(text('referrers', DEFAULTS.referrers), '--referrers')),
    },
    sourceCredential: credential('source', env.MIRROR_VALIDATE_SOURCE_PASSWORD),
    destinationCredential: credential('destination', env.MIRROR_VALIDATE_DESTINATION_PASSWORD),
    cacheDir: cacheDir ? resolve(cwd, cacheDir) : undefined,
    ...shardOption(setting(() => parseShard(text('shard', DEFAULTS.shard), '--shard'))),
    failedFile: resolve(cwd, text('failed', DEFAULTS.failedFile)),
    reportFile: reportFile ? resolve(cwd, reportFile) : undefined,
    junitFile: junitFile ? resolve(cwd, junitFile) : undefined,
    env,
    log,
  };
}

/** Runs the command line; returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const fromEnv = [io.env.MIRROR_VALIDATE_SOURCE_PASSWORD, io.env.MIRROR_VALIDATE_DESTINATION_PASSWORD];
  let redact = redactor(fromEnv);
  const out = (text: string) => io.stdout(redact(text) + '\n');
  const err = (text: string) => io.stderr(redact(text) + '\n');
  let flags: ParsedFlags;
  let config: CliConfig;
  try {
    flags = parseFlags(argv);
    redact = redactor([
      ...fromEnv,
      stringFlag(flags, 'source-password'),
      stringFlag(flags, 'destination-password'),
    ]);
    if (flags.get('help')) {
      out(helpText(version()));
      return EXIT.ok;
    }
    if (flags.get('version')) {
      out(version());
      return EXIT.ok;
    }
    config = configFromFlags(flags, io.env, out, io.cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (flags.get('debug')) config.debug = (message) => err(`debug: ${message}`);
  config.signal = io.signal;

  const shownFailed = stringFlag(flags, 'failed') ?? DEFAULTS.failedFile;
  const shownReport = stringFlag(flags, 'report');
  const shownJunit = stringFlag(flags, 'junit');
  try {
    await checkWritable(config.failedFile, '--failed', shownFailed);
    if (config.reportFile) await checkWritable(config.reportFile, '--report', shownReport);
    if (config.junitFile) await checkWritable(config.junitFile, '--junit', shownJunit);
  } catch (error) {
    err(`mirror-validate: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const tty = io.terminal?.stderr ?? false;
  const view = createConsoleReporter({
    out: (text) => io.stdout(redact(text)),
    err: (text) => io.stderr(redact(text)),
    tty,
    columns: io.terminal?.columns,
    color: colorAllowed(io.env, tty, flags.get('no-color') === true),
    verbose: flags.get('verbose') === true,
    github: false,
    listFile: config.listFile,
    reasonsDoc: REASONS_DOC,
  });
  config.log = (message) => view.note(message);
  config.onStart = (lines) => view.start(lines);
  config.onResult = (result, done) => view.onResult(result, done);
  let report: RunReport | undefined;
  try {
    report = await runEngine(config);
    await writeResultFiles(report, config);
    view.finish(report, [
      { label: 'failed list', path: shownFailed },
      ...(shownReport ? [{ label: 'report', path: shownReport }] : []),
      ...(shownJunit ? [{ label: 'JUnit XML', path: shownJunit }] : []),
    ]);
    return exitCodeFor(report);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    // Not the user's doing: a status of its own, so scripts can tell a bug from bad input.
    err(`mirror-validate: internal error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.internal;
  } finally {
    report?.results.close();
  }
}
