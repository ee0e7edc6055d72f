// The engine: list file in, per-line results out. Knows nothing of GitHub; the action and the CLI call it.
import { readFile } from 'node:fs/promises';
import { parseImageList, type ListEntry } from './list/image-list.js';
import { createRegistryClient } from '../registry/client.js';
import { classifyDrift, loadDriftState, recordPasses, saveDriftState } from './drift.js';
import { heapKeeper } from '../memory.js';
import { dockerConfigResolver, type CredentialResolver } from '../registry/credentials.js';
import type { RegistryRequestStats } from '../registry/reader.js';
import { validateEntries } from './validate/runner.js';
import type { ValidateOptions } from './validate/options.js';
import { countTotals, type LineResult, type Totals } from './validate/result.js';

/** A problem with the configuration or the list file as a whole: the CLI exits 2, the action fails at once. */
export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export interface Credential {
  username?: string;
  password?: string;
  identityToken?: string;
}

export interface EngineConfig {
  /** Path of the image list, as the user gave it (used in messages and annotations). */
  listFile: string;
  /** Where to read it, when that differs from listFile (the action resolves it against the workspace). */
  listPath?: string;
  /** Registry overrides (hangar's --source / --destination). */
  source?: string;
  destination?: string;
  defaultProject: string;
  options: ValidateOptions;
  /** 1–20. */
  jobs: number;
  tlsVerify: boolean;
  sourceCredential?: Credential;
  destinationCredential?: Credential;
  /** Per-image time budget. */
  imageTimeoutMs: number;
  /** A folder where manifests fetched by digest are kept across runs (content-addressed, verified on read). */
  cacheDir?: string;
  /** Only the entries this accepts are validated and reported (a shard, a pull request's changes). */
  select?: (entry: ListEntry) => boolean;
  /** Said in the report and summary when `select` narrowed the list. */
  selection?: string;
  /** Aborting marks the lines not yet finished `skipped` / `interrupted`. */
  signal?: AbortSignal;
  /** Progress lines for a person (`[n/N] list.txt:12 … → PASS identical`). */
  log: (message: string) => void;
  debug?: (message: string) => void;
}

export interface RunReport {
  listFile: string;
  /** How the list was narrowed (a shard, a pull request's changes), when it was. */
  selection?: string;
  startedAt: string;
  finishedAt: string;
  options: ValidateOptions;
  source?: string;
  destination?: string;
  results: LineResult[];
  totals: Totals;
  /** Request counts per registry host. */
  requests: Record<string, RegistryRequestStats>;
}

/** Reads the list as UTF-8 text; a missing, unreadable or binary file is a ConfigurationError naming it. */
export async function readListFile(path: string, name: string = path): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : (error as Error).message;
    throw new ConfigurationError(`image list "${name}" ${why}${name !== path ? ` (${path})` : ''}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new ConfigurationError(`image list "${name}" is not a text file (a zero byte at offset ${nul})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigurationError(`image list "${name}" is not UTF-8 text`);
  }
}

/**
 * Credentials by registry host: the explicit source credential for the hosts the list reads from, the explicit
 * destination credential for the hosts it compares against, the Docker config for everything else.
 */
export function credentialsFor(entries: readonly ListEntry[], config: EngineConfig): CredentialResolver {
  const explicit = new Map<string, Credential>();
  const assign = (host: string, credential: Credential | undefined, side: string) => {
    if (!credential) return;
    const existing = explicit.get(host);
    if (existing && existing !== credential) {
      throw new ConfigurationError(
        `${host} is both a source and a destination registry but was given two different credentials (${side})`,
      );
    }
    explicit.set(host, credential);
  };
  for (const entry of entries) {
    if (entry.kind !== 'image') continue;
    assign(entry.source.registry, config.sourceCredential, 'source');
    assign(entry.destination.registry, config.destinationCredential, 'destination');
  }
  const fallback = dockerConfigResolver();
  return async (host) => explicit.get(host) ?? fallback(host);
}

/** Progress lines: every failure and skip, and passes at most every few seconds on long lists. */
function progressLogger(config: EngineConfig, total: number) {
  const quietAfter = 100;
  let lastPassLog = 0;
  return (result: LineResult, done: number) => {
    const now = Date.now();
    const always = result.status !== 'passed' || total <= quietAfter || done === total;
    if (!always && now - lastPassLog < 5000) return;
    if (result.status === 'passed') lastPassLog = now;
    const what =
      result.status === 'passed'
        ? `PASS ${result.rule}`
        : `${result.status === 'failed' ? 'FAIL' : 'SKIP'} ${result.reason}`;
    const subject =
      result.source && result.destination ? `${result.source} → ${result.destination}` : result.raw;
    const detail = result.status === 'passed' ? '' : `: ${result.detail}`;
    config.log(`[${done}/${total}] ${config.listFile}:${result.line} ${subject} → ${what}${detail}`);
  };
}

export async function runEngine(config: EngineConfig): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const text = await readListFile(config.listPath ?? config.listFile, config.listFile);
  const listed = parseImageList(text, {
    source: config.source,
    destination: config.destination,
    defaultProject: config.defaultProject,
  });
  if (listed.length === 0) {
    throw new ConfigurationError(
      `image list "${config.listFile}" names no image (only blank lines and comments)`,
    );
  }
  const entries = config.select ? listed.filter(config.select) : listed;
  if (config.selection) config.log(`${config.selection}: ${entries.length} of ${listed.length} lines`);
  const client = createRegistryClient({
    tlsVerify: config.tlsVerify,
    credentials: credentialsFor(entries, config),
    onDebug: config.debug,
    cacheDir: config.cacheDir,
  });
  const logProgress = progressLogger(config, entries.length);
  const keepHeapSmall = heapKeeper();
  try {
    const validated = await validateEntries({
      entries,
      listName: config.listFile,
      options: config.options,
      jobs: config.jobs,
      imageTimeoutMs: config.imageTimeoutMs,
      reader: client,
      signal: config.signal,
      onResult: (result, done) => {
        logProgress(result, done);
        keepHeapSmall();
      },
    });
    let results = validated;
    if (config.cacheDir) {
      const state = await loadDriftState(config.cacheDir);
      results = classifyDrift(validated, state);
      await saveDriftState(config.cacheDir, recordPasses(state, validated, startedAt));
    }
    return {
      listFile: config.listFile,
      selection: config.selection,
      startedAt,
      finishedAt: new Date().toISOString(),
      options: config.options,
      source: config.source,
      destination: config.destination,
      results,
      totals: countTotals(results),
      requests: client.stats(),
    };
  } finally {
    client.close();
  }
}
