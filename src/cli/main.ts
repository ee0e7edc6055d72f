// The command line: hangar's flags over the same engine the action uses. No GitHub here.
import packageJson from '../../package.json' with { type: 'json' };
import { ConfigurationError, runEngine, type Credential, type EngineConfig } from '../engine/engine.js';
import { FLAGS, helpText, parseFlags, UsageError, type ParsedFlags } from './flags.js';
import { exitCodeFor, formatOutcomeLine } from '../report/outcome.js';
import { checkWritable, writeResultFiles } from '../report/files.js';
import { inShard, parseShard, type Shard } from '../engine/list/select.js';
import { parseJobs, parseList, parsePositiveSeconds } from '../config/parse.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../engine/validate/options.js';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const version = (): string => packageJson.version;

/** Replaces every secret in a text with ***, so nothing the user passed as a password is printed. */
export function redactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  const known = secrets.filter(
    (secret): secret is string => typeof secret === 'string' && secret.length >= 3,
  );
  return (text) => known.reduce((result, secret) => result.split(secret).join('***'), text);
}

function stringFlag(flags: ParsedFlags, name: string): string | undefined {
  const value = flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function booleanFlag(flags: ParsedFlags, name: string, fallback: boolean): boolean {
  const value = flags.get(name);
  return typeof value === 'boolean' ? value : fallback;
}

function credential(
  username: string | undefined,
  password: string | undefined,
  side: string,
): Credential | undefined {
  if (username === undefined && password === undefined) return undefined;
  if (!username || !password) {
    throw new UsageError(`--${side}-username and --${side}-password go together`);
  }
  return { username, password };
}

function shardSelection(shard: Shard | undefined): Pick<EngineConfig, 'select' | 'selection'> {
  if (!shard) return {};
  return { select: (entry) => inShard(entry, shard), selection: `shard ${shard.index}/${shard.count}` };
}

/** Turns flags into the engine's configuration; throws UsageError naming the flag on a bad value. */
export function configFromFlags(
  flags: ParsedFlags,
  env: NodeJS.ProcessEnv,
  log: (message: string) => void,
): EngineConfig & { failedFile: string; reportFile?: string } {
  const listFile = stringFlag(flags, 'file');
  if (!listFile) throw new UsageError('the image list is required: -f FILE');
  const setting = <T>(parse: () => T): T => {
    try {
      return parse();
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  };
  const defaults = DEFAULT_VALIDATE_OPTIONS;
  const flagName = (name: string) => `--${name}`;
  return {
    listFile,
    source: stringFlag(flags, 'source') || undefined,
    destination: stringFlag(flags, 'destination') || undefined,
    defaultProject: stringFlag(flags, 'default-project') ?? 'library',
    jobs: setting(() => parseJobs(stringFlag(flags, 'jobs') ?? '10', flagName('jobs'))),
    tlsVerify: booleanFlag(flags, 'tls-verify', true),
    imageTimeoutMs:
      setting(() =>
        parsePositiveSeconds(stringFlag(flags, 'image-timeout') ?? '300', flagName('image-timeout')),
      ) * 1000,
    options: {
      filter: {
        arch: setting(() =>
          parseList(stringFlag(flags, 'arch') ?? defaults.filter.arch.join(','), flagName('arch')),
        ),
        os: setting(() => parseList(stringFlag(flags, 'os') ?? defaults.filter.os.join(','), flagName('os'))),
        variant: setting(() =>
          parseList(stringFlag(flags, 'variant') ?? '', flagName('variant'), { allowEmpty: true }),
        ),
      },
      provenance: booleanFlag(flags, 'provenance', defaults.provenance),
      deep: booleanFlag(flags, 'deep', defaults.deep),
      requireIdentical: booleanFlag(flags, 'require-identical', defaults.requireIdentical),
    },
    sourceCredential: credential(
      stringFlag(flags, 'source-username'),
      stringFlag(flags, 'source-password') ?? (env.MIRROR_VALIDATE_SOURCE_PASSWORD || undefined),
      'source',
    ),
    destinationCredential: credential(
      stringFlag(flags, 'destination-username'),
      stringFlag(flags, 'destination-password') ?? (env.MIRROR_VALIDATE_DESTINATION_PASSWORD || undefined),
      'destination',
    ),
    cacheDir: stringFlag(flags, 'cache-dir') || undefined,
    ...shardSelection(setting(() => parseShard(stringFlag(flags, 'shard') ?? '', flagName('shard')))),
    failedFile: stringFlag(flags, 'failed') ?? 'mirror-validate-failed.txt',
    reportFile: stringFlag(flags, 'report'),
    log,
  };
}

/** Runs the command line; returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let redact = redactor([
    io.env.MIRROR_VALIDATE_SOURCE_PASSWORD,
    io.env.MIRROR_VALIDATE_DESTINATION_PASSWORD,
  ]);
  const out = (text: string) => io.stdout(redact(text) + '\n');
  const err = (text: string) => io.stderr(redact(text) + '\n');
  let flags: ParsedFlags;
  let config: ReturnType<typeof configFromFlags>;
  try {
    flags = parseFlags(argv);
    redact = redactor([
      io.env.MIRROR_VALIDATE_SOURCE_PASSWORD,
      io.env.MIRROR_VALIDATE_DESTINATION_PASSWORD,
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
    config = configFromFlags(flags, io.env, out);
  } catch (error) {
    if (error instanceof UsageError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (flags.get('debug')) config.debug = (message) => err(`debug: ${message}`);
  config.signal = io.signal;

  try {
    await checkWritable(config.failedFile, '--failed');
    if (config.reportFile) await checkWritable(config.reportFile, '--report');
  } catch (error) {
    err(`mirror-validate: ${(error as Error).message}`);
    return EXIT.usage;
  }
  try {
    const report = await runEngine(config);
    const written = await writeResultFiles(report, {
      failedFile: config.failedFile,
      reportFile: config.reportFile,
    });
    out(formatOutcomeLine(report));
    out(`failed list: ${written.failedFile}${written.reportFile ? `, report: ${written.reportFile}` : ''}`);
    return exitCodeFor(report);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      err(`mirror-validate: ${error.message}`);
      return EXIT.usage;
    }
    err(`mirror-validate: ${(error as Error).stack ?? String(error)}`);
    return EXIT.usage;
  }
}

export { FLAGS };
