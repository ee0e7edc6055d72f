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
  parseChoice,
  parseShard,
  parseSyncOptions,
  parseMirrorSettings,
} from '../config/parse.js';
import { FAILED_FORMATS, LIST_FORMATS, type RunSettings } from '../config/settings.js';
import { runEngine } from '../engine/engine.js';
import type { LineResult } from '../engine/validate/result.js';
import { ConfigurationError } from '../engine/errors.js';
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

/** The list's format, the failed file's and skopeo sync's options, from their flags. */
function listSettings(
  flags: ParsedFlags,
  setting: <T>(parse: () => T) => T,
  cwd: string,
): Partial<RunSettings> {
  const mirrors = setting(() =>
    parseMirrorSettings(
      stringFlag(flags, 'mirror-config') ?? '',
      stringFlag(flags, 'mirror-policy') ?? '',
      { paths: '--mirror-config', policy: '--mirror-policy' },
      (path) => resolve(cwd, path),
    ),
  );
  const listFormat = setting(() =>
    parseChoice(stringFlag(flags, 'list-format') ?? '', '--list-format', LIST_FORMATS),
  );
  const failedFormat = setting(() =>
    parseChoice(stringFlag(flags, 'failed-format') ?? '', '--failed-format', FAILED_FORMATS),
  );
  return {
    ...(listFormat ? { listFormat } : {}),
    ...(failedFormat ? { failedFormat } : {}),
    syncOptions: setting(() => parseSyncOptions(stringFlag(flags, 'sync-options') ?? '', '--sync-options')),
    registryCatalog: booleanFlag(flags, 'registry-catalog', DEFAULTS.registryCatalog),
    ...(mirrors ? { mirrors } : {}),
  };
}

/** The run's settings and where its files go, as the flags say. */
export interface CliConfig {
  settings: RunSettings;
  files: { failedFile: string; reportFile?: string; junitFile?: string };
}

/** Turns flags into the run's settings; throws UsageError naming the flag on a bad value. */
export function configFromFlags(
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): CliConfig {
  const archive = stringFlag(flags, 'source-archive');
  const listFile = stringFlag(flags, 'file') ?? archive;
  if (!listFile)
    throw new UsageError(
      'the image list is required: -f FILE (or --source-archive PATH, whose images are the lines)',
    );
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
  const shard = setting(() => parseShard(text('shard', DEFAULTS.shard), '--shard'));
  const caFile = stringFlag(flags, 'ca-file');
  const settings: RunSettings = {
    listFile,
    listPath: resolve(cwd, listFile),
    ...(archive
      ? { sourceArchive: { path: resolve(cwd, archive), name: archive, asList: !stringFlag(flags, 'file') } }
      : {}),
    source: stringFlag(flags, 'source') || undefined,
    destination: stringFlag(flags, 'destination') || undefined,
    defaultProject: text('default-project', DEFAULTS.defaultProject),
    jobs: setting(() => parseJobs(text('jobs', defaultText('jobs')), '--jobs')),
    tls: {
      verify: booleanFlag(flags, 'tls-verify', DEFAULTS.tlsVerify),
      insecureRegistries: setting(() =>
        parseRegistries(text('insecure-registries', DEFAULTS.insecureRegistries), '--insecure-registries'),
      ),
      ...(caFile ? { caFile: resolve(cwd, caFile) } : {}),
    },
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
    ...(shard ? { selection: { shard } } : {}),
    ...listSettings(flags, setting, cwd),
    env,
  };
  return {
    settings,
    files: {
      failedFile: resolve(cwd, text('failed', DEFAULTS.failedFile)),
      reportFile: reportFile ? resolve(cwd, reportFile) : undefined,
      junitFile: junitFile ? resolve(cwd, junitFile) : undefined,
    },
  };
}

/** Runs the command line; returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const fromEnv = [io.env.MIRROR_VALIDATE_SOURCE_PASSWORD, io.env.MIRROR_VALIDATE_DESTINATION_PASSWORD];
  // Every secret known so far: from the environment, the flags, and what the list itself gives (its creds).
  const secrets: (string | undefined)[] = [...fromEnv];
  let redact = redactor(secrets);
  const out = (text: string) => io.stdout(redact(text) + '\n');
  const err = (text: string) => io.stderr(redact(text) + '\n');
  let flags: ParsedFlags;
  let config: CliConfig;
  try {
    flags = parseFlags(argv);
    secrets.push(stringFlag(flags, 'source-password'), stringFlag(flags, 'destination-password'));
    redact = redactor(secrets);
    if (flags.get('help')) {
      out(helpText(version()));
      return EXIT.ok;
    }
    if (flags.get('version')) {
      out(version());
      return EXIT.ok;
    }
    config = configFromFlags(flags, io.env, io.cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  const shownFailed = stringFlag(flags, 'failed') ?? DEFAULTS.failedFile;
  const shownReport = stringFlag(flags, 'report');
  const shownJunit = stringFlag(flags, 'junit');
  try {
    await checkWritable(config.files.failedFile, '--failed', shownFailed);
    if (config.files.reportFile) await checkWritable(config.files.reportFile, '--report', shownReport);
    if (config.files.junitFile) await checkWritable(config.files.junitFile, '--junit', shownJunit);
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
    listFile: config.settings.listFile,
    reasonsDoc: REASONS_DOC,
  });
  const hooks = {
    onSecret: (secret: string) => {
      secrets.push(secret);
      redact = redactor(secrets);
    },
    log: (message: string) => view.note(message),
    ...(flags.get('debug') ? { debug: (message: string) => err(`debug: ${message}`) } : {}),
    onStart: (lines: number) => view.start(lines),
    onResult: (result: LineResult, done: number) => view.onResult(result, done),
    signal: io.signal,
  };
  try {
    return await runEngine(config.settings, hooks, async (report) => {
      await writeResultFiles(report, config.files);
      view.finish(report, [
        { label: 'failed list', path: shownFailed },
        ...(shownReport ? [{ label: 'report', path: shownReport }] : []),
        ...(shownJunit ? [{ label: 'JUnit XML', path: shownJunit }] : []),
      ]);
      return exitCodeFor(report);
    });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    // Not the user's doing: a status of its own, so scripts can tell a bug from bad input.
    err(`mirror-validate: internal error: ${(error as Error).stack ?? String(error)}`);
    return EXIT.internal;
  }
}
