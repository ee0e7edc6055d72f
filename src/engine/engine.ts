// The engine: list file in, per-line results out. Knows nothing of GitHub; the action and the CLI call it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
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
import type { ListEntry, ResolvedEntry } from './list/entries.js';
import { governHeap } from './heap.js';
import { readList } from './list/read-list.js';
import { archiveList, withArchive } from './list/archive-list.js';
import { openArchive } from '../archive/open.js';
import { readArchiveContents } from '../archive/kinds.js';
import { ArchiveError, type ArchiveMembers } from '../archive/members.js';
import type { ArchiveContents } from '../archive/images.js';
import { requireDestination } from './list/yaml-list.js';
import { readMirrorConfig } from './mirrors/read-config.js';
import { routeEntries } from './mirrors/route-entries.js';
import { expandPatterns } from './list/tag-patterns.js';
import type { ListRead } from './list/yaml-list.js';
import { lineInFolder, readListSource, type ListSegment } from './list-file.js';
import type { RunReport } from './report.js';
import {
  DEFAULT_SYNC_OPTIONS,
  failedFormatProblem,
  type FailedFormat,
  type LineSelection,
  type ListFormat,
  type RunSettings,
} from '../config/settings.js';
import type { LineResults } from './validate/line-results.js';
import type { LineResult } from './validate/result.js';
import { selectEntries } from './list/select.js';
import { validateEntries } from './validate/runner.js';

/** What the front door is told as the run goes, and how it stops the run: apart from the settings. */
export interface RunHooks {
  /** Messages for a person (warnings, what a selection kept). */
  log: (message: string) => void;
  debug?: (message: string) => void;
  /** Told how many lines will be validated, before the first starts. */
  onStart?: (lines: number) => void;
  /** Each line's result as it settles, with how many have settled (the front doors show progress). */
  onResult?: (result: LineResult, done: number) => void;
  /** Aborting marks the lines not yet finished `skipped` / `interrupted`. */
  signal?: AbortSignal;
  /** A value read from the list that must never be shown (a password in a sync config's creds). */
  onSecret?: (secret: string) => void;
}

/**
 * Credentials by registry host: the explicit source credential for the hosts the list reads from, the explicit
 * destination credential for the hosts it compares against, the Docker config for everything else.
 */
export function credentialsFor(
  entries: readonly ListEntry[],
  config: RunSettings,
  fromList: Record<string, Credential> = {},
): CredentialResolver {
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
    if (entry.kind !== 'image' && entry.kind !== 'pattern' && entry.kind !== 'registry') continue;
    assign(entry.source.registry, config.sourceCredential, 'source');
    assign(entry.destination.registry, config.destinationCredential, 'destination');
  }
  // The list's own credentials (regsync creds, skopeo sync credentials) come after the explicit ones.
  for (const [host, credential] of Object.entries(fromList))
    if (!Object.hasOwn(explicit, host)) explicit[host] = credential;
  return withExplicit(explicit, dockerConfigResolver(config.env));
}

/** An archive opened as the source, and what it carries. */
interface OpenArchive {
  members: ArchiveMembers;
  contents: ArchiveContents;
  /** Its size on disk: the file's, or the sum of a folder's files. */
  bytes: number;
}

/**
 * The lines: the list read in its format (a folder of manifests told by its segments), each line read from the
 * source archive when there is one; or, with an archive and no list, every image the archive carries.
 */
async function readLines(
  config: RunSettings,
  mirrored: boolean,
  archive: OpenArchive | undefined,
): Promise<{ list: ListRead; segments?: ListSegment[] }> {
  if (archive && config.sourceArchive?.asList) {
    const destination = mirrored
      ? undefined
      : requireDestination(
          config.destination,
          config.listFile,
          'is the source archive: give the registry it was loaded into',
        );
    return { list: archiveList(archive.members, archive.contents, destination, config.defaultProject) };
  }
  const { text, segments } = await readListSource(config.listPath ?? config.listFile, config.listFile);
  const list = readList(text, {
    mirrored,
    fileName: config.listFile,
    filePath: config.listPath ?? config.listFile,
    source: config.source,
    destination: config.destination,
    defaultProject: config.defaultProject,
    format: config.listFormat,
    syncOptions: config.syncOptions ?? DEFAULT_SYNC_OPTIONS,
    env: config.env ?? process.env,
    registryCatalog: config.registryCatalog ?? false,
  });
  if (archive) list.entries = withArchive(list.entries, archive.members, archive.contents);
  return { list, ...(segments ? { segments } : {}) };
}

/** The source archive opened and its contents read; an unreadable or hostile one is a ConfigurationError. */
async function openSourceArchive(config: RunSettings): Promise<OpenArchive | undefined> {
  if (!config.sourceArchive) return undefined;
  const { path, name } = config.sourceArchive;
  let members: ArchiveMembers | undefined;
  try {
    members = await openArchive(path, name);
    const info = await stat(path);
    const bytes = info.isDirectory()
      ? [...members.sizes.values()].reduce((sum, size) => sum + size, 0)
      : info.size;
    return { members, contents: await readArchiveContents(members), bytes };
  } catch (error) {
    await members?.close();
    if (error instanceof ArchiveError) throw new ConfigurationError(error.message);
    throw error;
  }
}

/** A selection's changed lines of a folder's files as lines of the folder's text. */
function inFolderLines(
  selection: LineSelection | undefined,
  segments: readonly ListSegment[],
): LineSelection | undefined {
  const files = selection?.changed?.files;
  if (!selection?.changed || !files) return selection;
  const lines = new Set<number>();
  for (const segment of segments)
    for (const line of files.get(segment.file) ?? []) lines.add(segment.first + line - 1);
  return { ...selection, changed: { ...selection.changed, lines } };
}

/** An entry of a folder's text told as its file's own line. */
function inFile<T extends ListEntry>(entry: T, segments: readonly ListSegment[]): T {
  const at = lineInFolder(segments, entry.line);
  if (!at) return entry;
  const offset = entry.line - at.line;
  return {
    ...entry,
    line: at.line,
    file: at.file,
    ...(entry.span ? { span: [entry.span[0] - offset, entry.span[1] - offset] as [number, number] } : {}),
    ...(entry.uses
      ? { uses: entry.uses.map((use) => ({ ...use, ...(lineInFolder(segments, use.line) ?? {}) })) }
      : {}),
  };
}

/** A failed format the list's format can be written as: every one but a skopeo sync file or Zarf package from another. */
function checkFailedFormat(format: ListFormat, failed: FailedFormat | undefined, listFile: string): void {
  const problem = failed && failedFormatProblem(format, failed);
  if (problem) throw new ConfigurationError(`${listFile}: ${problem}`);
}

/** The caller's signal, and the run's timeout: whichever comes first stops the run. */
function runSignal(config: RunSettings, hooks: RunHooks): { signal?: AbortSignal; dispose: () => void } {
  if (!config.runTimeoutMs) return { signal: hooks.signal, dispose: () => undefined };
  const controller = new AbortController();
  const seconds = Math.round(config.runTimeoutMs / 1000);
  const timer = setTimeout(
    () => controller.abort(new Error(`the run's timeout of ${seconds} s ran out`)),
    config.runTimeoutMs,
  );
  const stop = () => controller.abort(hooks.signal?.reason);
  if (hooks.signal?.aborted) stop();
  else hooks.signal?.addEventListener('abort', stop, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', stop);
    },
  };
}

/** The CA bundles to trust besides the system's: ca-file, the list's own, then SSL_CERT_FILE and NODE_EXTRA_CA_CERTS. */
async function readCaCertificates(
  config: RunSettings,
  list: ListRead,
  mirrorCaFiles: readonly string[],
): Promise<string[]> {
  const env = config.env ?? process.env;
  const folders: { path: string; name: string }[] = [];
  for (const folder of list.caFolders) {
    // skopeo's cert-dir: the *.crt files of a folder (containers-certs.d(5)).
    const names = await readdir(folder).catch((error: Error) => {
      throw new ConfigurationError(
        `cert-dir "${folder}" of ${config.listFile} cannot be read: ${error.message}`,
      );
    });
    for (const name of names.filter((one) => one.endsWith('.crt')).sort())
      folders.push({ path: join(folder, name), name: `cert-dir ${folder}` });
  }
  const files = [
    ...folders,
    ...mirrorCaFiles.map((path) => ({ path, name: 'the CA of a mirror-config host' })),
    ...(config.tls.caFile ? [{ path: config.tls.caFile, name: 'ca-file' }] : []),
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
  for (const pem of list.caCertificates) {
    const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
    if (!certificates)
      throw new ConfigurationError(`a regcert of ${config.listFile} holds no PEM certificate`);
    pems.push(...certificates);
  }
  return pems;
}

/**
 * Runs the validation and hands the report to `use` (writing files, outputs, the summary); the engine owns the
 * results and frees them (their spool) once `use` is done, whatever happens.
 */
export async function runEngine<T>(
  config: RunSettings,
  hooks: RunHooks,
  use: (report: RunReport) => Promise<T>,
): Promise<T> {
  const startedAt = new Date().toISOString();
  const heap = governHeap();
  try {
    return await runLines(config, hooks, use, startedAt);
  } finally {
    heap.stop();
  }
}

async function runLines<T>(
  config: RunSettings,
  hooks: RunHooks,
  use: (report: RunReport) => Promise<T>,
  startedAt: string,
): Promise<T> {
  const archive = await openSourceArchive(config);
  try {
    return await runArchiveLines(config, hooks, use, startedAt, archive);
  } finally {
    await archive?.members.close();
  }
}

async function runArchiveLines<T>(
  config: RunSettings,
  hooks: RunHooks,
  use: (report: RunReport) => Promise<T>,
  startedAt: string,
  archive: OpenArchive | undefined,
): Promise<T> {
  if (config.mirrors && config.destination)
    throw new ConfigurationError(
      "give destination or mirror-config, not both: the cluster's mirror configuration decides where each image must be",
    );
  const mirrors = config.mirrors ? await readMirrorConfig(config.mirrors.paths) : undefined;
  for (const note of mirrors?.notes ?? []) hooks.log(note);
  for (const secret of mirrors?.secrets ?? []) hooks.onSecret?.(secret);
  const { list, segments } = await readLines(config, mirrors !== undefined, archive);
  for (const secret of list.secrets) hooks.onSecret?.(secret);
  checkFailedFormat(list.format, config.failedFormat, config.listFile);
  for (const note of list.notes) hooks.log(note);
  const listed = list.entries;
  if (listed.length === 0) {
    throw new ConfigurationError(
      list.format === 'hangar'
        ? `image list "${config.listFile}" names no image (only blank lines and comments)`
        : `image list "${config.listFile}" (${list.format}) names no image`,
    );
  }
  if (segments && list.format !== 'kubernetes')
    throw new ConfigurationError(
      `image list "${config.listFile}" is a folder: it is read as Kubernetes manifests, and its files hold no workload`,
    );
  const { entries: selected, said } = selectEntries(
    listed,
    segments ? inFolderLines(config.selection, segments) : config.selection,
  );
  if (said) hooks.log(`${said}: ${selected.length} of ${listed.length} lines`);
  // Each image sent where the cluster's runtime pulls it from (no request for one it would pull upstream).
  const routed =
    mirrors && config.mirrors ? routeEntries(selected, mirrors, config.mirrors.policy) : selected;
  const chosen = segments ? routed.map((entry) => inFile(entry, segments)) : routed;
  const client = createRegistryClient({
    tlsVerify: config.tls.verify,
    insecureRegistries: [
      ...config.tls.insecureRegistries,
      ...list.insecureRegistries,
      ...(mirrors?.insecureRegistries ?? []),
    ],
    extraCaCertificates: await readCaCertificates(config, list, mirrors?.caFiles ?? []),
    onPlainHttp: (registry, listed) =>
      hooks.log(
        `warning: ${registry} is used over plain HTTP${listed ? '' : ' (no credentials are sent to it: it is not in insecure-registries)'}`,
      ),
    onHeadMisread: (registry) =>
      hooks.log(
        `warning: ${registry} answers HEAD 404 for manifests its GET serves; it is read by GET for the rest of the run`,
      ),
    credentials: credentialsFor(chosen, config, { ...mirrors?.credentials, ...list.credentials }),
    onDebug: hooks.debug,
    cacheDir: config.cacheDir,
  });
  const run = runSignal(config, hooks);
  let results: LineResults | undefined;
  let report: RunReport;
  try {
    // Tag patterns become lines: each source repository's tag list read once.
    const { entries } = chosen.some((entry) => entry.kind === 'pattern' || entry.kind === 'registry')
      ? await expandPatterns(
          chosen,
          (registry, repository, signal) => client.listTags(registry, repository, signal),
          {
            jobs: config.jobs,
            signal: run.signal,
            listRepositories: (registry, signal) => client.listRepositories(registry, signal),
          },
        )
      : { entries: chosen as ResolvedEntry[] };
    hooks.onStart?.(entries.length);
    const drift = config.cacheDir ? await loadDriftState(config.cacheDir) : undefined;
    results = await validateEntries({
      entries,
      options: config.options,
      jobs: config.jobs,
      imageTimeoutMs: config.imageTimeoutMs,
      reader: client,
      signal: run.signal,
      ...(drift ? { refine: (result) => refineDrift(result, drift) } : {}),
      onResult: hooks.onResult,
    });
    if (config.cacheDir && drift)
      await saveDriftState(config.cacheDir, recordPasses(drift, results.passed(), startedAt));
    report = {
      listFile: config.listFile,
      format: list.format,
      ...(list.document ? { document: list.document } : {}),
      ...(config.failedFormat ? { failedFormat: config.failedFormat } : {}),
      selection: said,
      startedAt,
      finishedAt: new Date().toISOString(),
      options: config.options,
      source: config.source,
      destination: config.destination,
      results,
      totals: results.totals,
      requests: client.stats(),
      ...(archive
        ? {
            archive: {
              name: archive.members.name,
              kind: archive.contents.kind,
              packing: archive.members.packing,
              bytes: archive.bytes,
              bytesRead: archive.members.bytesRead,
            },
          }
        : {}),
    };
  } catch (error) {
    results?.close();
    throw error;
  } finally {
    // The registries are done with before the front door writes what was found.
    run.dispose();
    client.close();
  }
  try {
    return await use(report);
  } finally {
    report.results.close();
  }
}
