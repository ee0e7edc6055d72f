// The engine: list file in, per-line results out. Knows nothing of GitHub; the action and the CLI call it.
import { readFile } from 'node:fs/promises';
import { createRegistryClient } from '../registry/client.js';
import {
  dockerConfigResolver,
  sameCredential,
  withExplicit,
  type Credential,
  type CredentialResolver,
} from '../registry/credentials.js';
import { loadDriftState, recordPasses, refineDrift, saveDriftState } from './drift.js';
import { ConfigurationError } from './errors.js';
import { parseImageList, type ListEntry } from './list/image-list.js';
import { readListFile } from './list-file.js';
import type { RunReport } from './report.js';
import type { ValidateOptions } from './validate/options.js';
import type { LineResult } from './validate/result.js';
import { validateEntries } from './validate/runner.js';

export interface EngineConfig {
  /** Path of the image list, as the user gave it (used in messages and annotations). */
  listFile: string;
  /** Where to read it, when that differs from listFile (resolved against the workspace or working folder). */
  listPath?: string;
  /** Registry overrides (hangar's --source / --destination). */
  source?: string;
  destination?: string;
  defaultProject: string;
  options: ValidateOptions;
  /** 1–20, checked by the configuration parsers. */
  jobs: number;
  tlsVerify: boolean;
  /** Registries (`host[:port]`) insecure whatever tls-verify says: the only ones credentials reach over HTTP. */
  insecureRegistries?: readonly string[];
  /** A PEM bundle trusted besides the system's CAs (SSL_CERT_FILE and NODE_EXTRA_CA_CERTS are read too). */
  caFile?: string;
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
  /** Milliseconds the whole run may take; then the lines not yet finished are `skipped` / `interrupted`. */
  runTimeoutMs?: number;
  /** Aborting marks the lines not yet finished `skipped` / `interrupted`. */
  signal?: AbortSignal;
  /** Where the Docker config and credential helpers are found; the process's environment by default. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines for a person (`[n/N] list.txt:12 … → PASS identical`). */
  /** Told how many lines will be validated, before the first starts. */
  onStart?: (lines: number) => void;
  /** Each line's result as it settles, with how many have settled (the front doors show progress). */
  onResult?: (result: LineResult, done: number) => void;
  log: (message: string) => void;
  debug?: (message: string) => void;
}

/**
 * Credentials by registry host: the explicit source credential for the hosts the list reads from, the explicit
 * destination credential for the hosts it compares against, the Docker config for everything else.
 */
export function credentialsFor(entries: readonly ListEntry[], config: EngineConfig): CredentialResolver {
  const explicit: Record<string, Credential> = {};
  const assign = (host: string, credential: Credential | undefined, side: string) => {
    if (!credential) return;
    const existing = Object.hasOwn(explicit, host) ? explicit[host] : undefined;
    if (existing && !sameCredential(existing, credential)) {
      throw new ConfigurationError(
        `${host} is both a source and a destination registry but was given two different credentials (${side})`,
      );
    }
    explicit[host] = credential;
  };
  for (const entry of entries) {
    if (entry.kind !== 'image') continue;
    assign(entry.source.registry, config.sourceCredential, 'source');
    assign(entry.destination.registry, config.destinationCredential, 'destination');
  }
  return withExplicit(explicit, dockerConfigResolver(config.env));
}

/** The caller's signal, and the run's timeout: whichever comes first stops the run. */
function runSignal(config: EngineConfig): { signal?: AbortSignal; dispose: () => void } {
  if (!config.runTimeoutMs) return { signal: config.signal, dispose: () => undefined };
  const controller = new AbortController();
  const seconds = Math.round(config.runTimeoutMs / 1000);
  const timer = setTimeout(
    () => controller.abort(new Error(`the run's timeout of ${seconds} s ran out`)),
    config.runTimeoutMs,
  );
  const stop = () => controller.abort(config.signal?.reason);
  if (config.signal?.aborted) stop();
  else config.signal?.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      config.signal?.removeEventListener('abort', stop);
    },
  };
}

/** The CA bundles to trust besides the system's: ca-file, then SSL_CERT_FILE and NODE_EXTRA_CA_CERTS. */
async function readCaCertificates(config: EngineConfig): Promise<string[]> {
  const env = config.env ?? process.env;
  const files = [
    ...(config.caFile ? [{ path: config.caFile, name: 'ca-file' }] : []),
    ...(env.SSL_CERT_FILE ? [{ path: env.SSL_CERT_FILE, name: 'SSL_CERT_FILE' }] : []),
    ...(env.NODE_EXTRA_CA_CERTS ? [{ path: env.NODE_EXTRA_CA_CERTS, name: 'NODE_EXTRA_CA_CERTS' }] : []),
  ];
  const pems: string[] = [];
  for (const { path, name } of files) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new ConfigurationError(`${name} "${path}" cannot be read: ${(error as Error).message}`);
    }
    const certificates = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!certificates) throw new ConfigurationError(`${name} "${path}" holds no PEM certificate`);
    pems.push(...certificates);
  }
  return pems;
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
    insecureRegistries: config.insecureRegistries,
    extraCaCertificates: await readCaCertificates(config),
    onPlainHttp: (registry, listed) =>
      config.log(
        `warning: ${registry} is used over plain HTTP${listed ? '' : ' (no credentials are sent to it: it is not in insecure-registries)'}`,
      ),
    credentials: credentialsFor(entries, config),
    onDebug: config.debug,
    cacheDir: config.cacheDir,
  });
  config.onStart?.(entries.length);
  const run = runSignal(config);
  try {
    const drift = config.cacheDir ? await loadDriftState(config.cacheDir) : undefined;
    const results = await validateEntries({
      entries,
      options: config.options,
      jobs: config.jobs,
      imageTimeoutMs: config.imageTimeoutMs,
      reader: client,
      signal: run.signal,
      ...(drift ? { refine: (result) => refineDrift(result, drift) } : {}),
      onResult: config.onResult,
    });
    if (config.cacheDir && drift) {
      try {
        await saveDriftState(config.cacheDir, recordPasses(drift, results.passed(), startedAt));
      } catch (error) {
        results.close();
        throw error;
      }
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
      totals: results.totals,
      requests: client.stats(),
    };
  } finally {
    run.dispose();
    client.close();
  }
}
