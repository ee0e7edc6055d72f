// The runner: fetches what the rules need, with bounded concurrency and the fewest requests, and turns every
// list entry into exactly one result. Registry failures of one image are that image's result; every verdict
// comes from the pure rules (rules.ts, reasons.ts).
import { comparisonKey, type ImageEntry, type ResolvedEntry } from '../list/entries.js';
import { deadline } from '../../registry/deadline.js';
import type { Manifest, Platform } from '../../registry/manifest.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import type { ManifestHead, RegistryReader } from '../../registry/reader.js';
import { FairQueue } from './fair-queue.js';
import { SharedHeads } from './shared-heads.js';
import { checkReferrers } from './referrers.js';
import { LineResults } from './line-results.js';
import type { ValidateOptions } from '../../config/settings.js';
import { isAttestation, selectedByFilter } from './platform.js';
import {
  errorVerdict,
  fetchErrorVerdict,
  identicalPlatforms,
  isAbsent,
  missingVerdict,
  timeoutVerdict,
  unexpectedVerdict,
} from './reasons.js';
import type { LineIdentity, LineResult, Verdict } from './result.js';
import {
  blobsOf,
  childrenToCheck,
  childrenToFetch,
  compare,
  identicalVerdict,
  isArtifact,
  judge,
  verdictFromDigests,
  type Observations,
} from './rules.js';

export interface RunnerInput {
  entries: readonly ResolvedEntry[];
  options: ValidateOptions;
  /** Validations at once (the configuration checks the range). */
  jobs: number;
  imageTimeoutMs: number;
  reader: RegistryReader;
  signal?: AbortSignal;
  /** Refines a result as it settles (drift), before it is reported or kept. */
  refine?: (result: LineResult) => LineResult;
  onResult?: (result: LineResult, done: number, total: number) => void;
}

const CONFIG_MAX_BYTES = 1024 * 1024;

async function configPlatform(
  reader: RegistryReader,
  ref: ImageReference,
  manifest: Manifest,
  signal: AbortSignal,
): Promise<Platform | undefined> {
  if (manifest.kind !== 'image' || isArtifact(manifest)) return undefined;
  const bytes = await reader.getBlob(
    ref.registry,
    ref.repository,
    manifest.config.digest,
    CONFIG_MAX_BYTES,
    signal,
  );
  const config = JSON.parse(new TextDecoder().decode(bytes)) as Partial<Platform>;
  return {
    os: String(config.os ?? ''),
    architecture: String(config.architecture ?? ''),
    ...(config.variant ? { variant: String(config.variant) } : {}),
    ...(config['os.version'] ? { 'os.version': String(config['os.version']) } : {}),
  };
}

/** Deep mode: which blobs of these manifests the destination repository lacks. */
async function missingBlobs(
  reader: RegistryReader,
  destination: ImageReference,
  manifests: ReadonlyMap<string, Manifest>,
  signal: AbortSignal,
): Promise<Map<string, string[]>> {
  const missing = new Map<string, string[]>();
  const checked = new Map<string, Promise<boolean>>();
  for (const [digest, manifest] of manifests) {
    const blobs = blobsOf(manifest);
    const present = await Promise.all(
      blobs.map((blob) => {
        let exists = checked.get(blob);
        if (!exists) {
          exists = reader.blobExists(destination.registry, destination.repository, blob, signal);
          checked.set(blob, exists);
        }
        return exists;
      }),
    );
    missing.set(
      digest,
      blobs.filter((_, index) => !present[index]),
    );
  }
  return missing;
}

async function fetchChildren(
  reader: RegistryReader,
  destination: ImageReference,
  digests: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, Manifest>> {
  const fetched = await Promise.all(
    digests.map((digest) =>
      reader.getManifest(
        { registry: destination.registry, repository: destination.repository, digest },
        signal,
      ),
    ),
  );
  return new Map(fetched.map((child) => [child.digest, child.manifest]));
}

/** Validates one source/destination pair. Throws only for interruption and the per-image timeout. */
async function validatePair(
  source: ImageReference,
  destination: ImageReference,
  options: ValidateOptions,
  reader: RegistryReader,
  signal: AbortSignal,
  heads: SharedHeads,
): Promise<Verdict> {
  const references = { source: formatReference(source), destination: formatReference(destination) };
  const [sourceHead, destinationHead] = await Promise.allSettled([
    heads.head(source, signal),
    reader.headManifest(destination, signal),
  ]);
  if (signal.aborted) throw signal.reason;
  const digestOf = (head: PromiseSettledResult<ManifestHead>) =>
    head.status === 'fulfilled' ? head.value.digest : undefined;
  const absent = (head: PromiseSettledResult<ManifestHead>) =>
    head.status === 'rejected' && isAbsent(head.reason) ? (head.reason as unknown) : undefined;
  const missing = { source: absent(sourceHead), destination: absent(destinationHead) };
  if (missing.source !== undefined || missing.destination !== undefined) {
    return missingVerdict(missing, references, {
      sourceDigest: digestOf(sourceHead),
      destinationDigest: digestOf(destinationHead),
    });
  }
  if (sourceHead.status === 'rejected') return errorVerdict(sourceHead.reason, 'source', references.source);
  if (destinationHead.status === 'rejected')
    return errorVerdict(destinationHead.reason, 'destination', references.destination);
  const digests = { sourceDigest: sourceHead.value.digest, destinationDigest: destinationHead.value.digest };
  const destinationByDigest = { ...destination, digest: digests.destinationDigest };

  try {
    const settled = verdictFromDigests(digests.sourceDigest, digests.destinationDigest, options);
    if (settled) return settled;
    if (digests.sourceDigest === digests.destinationDigest) {
      // Deep mode: equal digests, and every blob of every selected platform must be proven present too.
      const fetched = await reader.getManifest(destinationByDigest, signal);
      const selected =
        fetched.manifest.kind === 'index'
          ? fetched.manifest.manifests.filter(
              (entry) => !isAttestation(entry) && selectedByFilter(entry.platform, options.filter),
            )
          : [];
      const manifests =
        fetched.manifest.kind === 'index'
          ? await fetchChildren(
              reader,
              destination,
              selected.map((entry) => entry.digest),
              signal,
            )
          : new Map([[fetched.digest, fetched.manifest]]);
      const observations: Observations = {
        missingChildren: new Set(),
        children: manifests,
        missingBlobs: await missingBlobs(reader, destination, manifests, signal),
      };
      return identicalVerdict(
        digests.sourceDigest,
        observations,
        identicalPlatforms(selected, observations.missingBlobs),
      );
    }

    // Both manifests at once (one round trip, not two). A single-manifest source then needs its config blob
    // before the comparison can say which destination children to check; the only child it can be is the one
    // with the source's own digest, so that HEAD goes out beside the config fetch instead of after it.
    const heads = new Map<string, Promise<boolean>>();
    const exists = (digest: string) => {
      let pending = heads.get(digest);
      if (!pending) {
        pending = reader.manifestExists(destination.registry, destination.repository, digest, signal);
        pending.catch(() => undefined);
        heads.set(digest, pending);
      }
      return pending;
    };
    const sourceGet = reader.getManifest({ ...source, digest: digests.sourceDigest }, signal);
    const destinationGet = reader.getManifest(destinationByDigest, signal);
    void Promise.all([sourceGet, destinationGet]).then(
      ([own, other]) => {
        if (
          own.manifest.kind === 'image' &&
          other.manifest.kind === 'index' &&
          other.manifest.manifests.some((entry) => entry.digest === own.digest)
        )
          void exists(own.digest);
      },
      () => undefined,
    );
    const [sourceSettled, destinationSettled] = await Promise.allSettled([
      sourceGet.then(async (fetched) => ({
        digest: fetched.digest,
        manifest: fetched.manifest,
        platform: await configPlatform(reader, source, fetched.manifest, signal),
      })),
      destinationGet,
    ]);
    if (signal.aborted) throw signal.reason;
    // The source's failure is reported first, as when the two were fetched one after the other.
    if (sourceSettled.status === 'rejected')
      return fetchErrorVerdict(
        sourceSettled.reason,
        'source',
        references.source,
        digests.sourceDigest,
        digests,
      );
    if (destinationSettled.status === 'rejected') {
      return fetchErrorVerdict(
        destinationSettled.reason,
        'destination',
        references.destination,
        digests.destinationDigest,
        digests,
      );
    }
    const sourceView = sourceSettled.value;
    const destinationView = {
      digest: destinationSettled.value.digest,
      manifest: destinationSettled.value.manifest,
    };
    const comparison = compare(sourceView, destinationView, options);
    const toCheck = childrenToCheck(comparison);
    const toFetch = childrenToFetch(comparison, options);
    const [present, children] = await Promise.all([
      Promise.all(toCheck.map(exists)),
      fetchChildren(
        reader,
        destination,
        toFetch.filter((digest) => !toCheck.includes(digest)),
        signal,
      ),
    ]);
    const missingChildren = new Set(toCheck.filter((_, index) => !present[index]));
    const deepManifests = new Map(
      [...children].filter(([digest]) => options.deep && !missingChildren.has(digest)),
    );
    if (options.deep && comparison.kind === 'platforms' && comparison.singleDestination) {
      deepManifests.set(destinationView.digest, destinationView.manifest);
    }
    // Children checked by HEAD and also needed in deep mode are fetched only once they are known to exist.
    if (options.deep) {
      const more = toFetch.filter((digest) => toCheck.includes(digest) && !missingChildren.has(digest));
      for (const [digest, manifest] of await fetchChildren(reader, destination, more, signal))
        deepManifests.set(digest, manifest);
    }
    const observations: Observations = {
      missingChildren,
      children,
      missingBlobs: options.deep ? await missingBlobs(reader, destination, deepManifests, signal) : new Map(),
    };
    return judge(comparison, sourceView, destinationView, observations);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return errorVerdict(error, 'destination', references.destination, digests);
  }
}

const identityOf = (entry: ResolvedEntry): LineIdentity => ({
  line: entry.line,
  ...(entry.file ? { file: entry.file } : {}),
  raw: entry.raw,
  source:
    entry.kind === 'image' ? formatReference(entry.source) : entry.kind === 'settled' ? entry.source : null,
  destination:
    entry.kind === 'image'
      ? formatReference(entry.destination)
      : entry.kind === 'settled'
        ? entry.destination
        : null,
  ...(entry.origin ? { origin: entry.origin } : {}),
  ...(entry.kind === 'image' && entry.mirror ? { mirror: entry.mirror } : {}),
  ...(entry.uses
    ? { workloads: entry.uses.map((use) => `${use.file ? `${use.file}:` : ''}${use.line} ${use.workload}`) }
    : {}),
});

/** The run's options with what one entry changes for itself (its platforms, its referrers policy). */
const optionsFor = (entry: ImageEntry, options: ValidateOptions): ValidateOptions =>
  entry.overrides
    ? {
        ...options,
        ...(entry.overrides.filter ? { filter: entry.overrides.filter } : {}),
        ...(entry.overrides.referrers ? { referrers: entry.overrides.referrers } : {}),
      }
    : options;

/** Validates every entry; results in input order, one per entry (passed lines spooled, see LineResults). */
export async function validateEntries(input: RunnerInput): Promise<LineResults> {
  const { entries, options, reader } = input;
  const results = new LineResults(entries.length);
  let done = 0;
  const settle = (index: number, verdict: Verdict) => {
    const settled = { ...identityOf(entries[index] as ResolvedEntry), ...verdict } as LineResult;
    const result = input.refine ? input.refine(settled) : settled;
    results.set(index, result);
    done += 1;
    input.onResult?.(result, done, entries.length);
  };

  // Lines with the same source and destination are validated once and reported on each line.
  const pairs = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    if (entry.kind === 'invalid') {
      settle(index, { status: 'skipped', reason: 'invalid-line', detail: entry.reason, platforms: [] });
      return;
    }
    if (entry.kind === 'settled') {
      settle(index, entry.verdict);
      return;
    }
    const key = comparisonKey(entry);
    pairs.set(key, [...(pairs.get(key) ?? []), index]);
  });

  // The abort's reason says why (a signal, the run's timeout), when it was given as an Error.
  const why = () => {
    const reason: unknown = input.signal?.reason;
    return reason instanceof Error && reason.message ? ` (${reason.message})` : '';
  };
  const interrupt = (indexes: number[], detail: string) => {
    for (const index of indexes)
      settle(index, { status: 'skipped', reason: 'interrupted', detail: `${detail}${why()}`, platforms: [] });
  };

  // What each registry will be asked for, in queue order, so its token service can be asked in batches.
  if (reader.plan) {
    const repositories = new Map<string, string[]>();
    for (const indexes of pairs.values()) {
      const entry = entries[indexes[0] as number] as ImageEntry;
      for (const ref of [entry.source, entry.destination]) {
        const names = repositories.get(ref.registry) ?? [];
        names.push(ref.repository);
        repositories.set(ref.registry, names);
      }
    }
    for (const [registry, names] of repositories) reader.plan(registry, names);
  }

  // Grouped by source registry: a slow upstream may hold at most half the workers while others wait.
  // A source several pairs read is asked for once (see shared-heads.ts).
  const heads = new SharedHeads(
    reader,
    [...pairs.values()].map((indexes) => (entries[indexes[0] as number] as ImageEntry).source),
  );
  const queue = new FairQueue(
    [...pairs.values()],
    (indexes) => (entries[indexes[0] as number] as ImageEntry).source.registry,
    input.jobs,
  );
  const worker = async () => {
    while (queue.pending > 0) {
      const indexes = queue.take();
      if (!indexes) {
        await queue.changed();
        continue;
      }
      try {
        await validateGroup(indexes);
      } finally {
        queue.done(indexes);
      }
    }
  };
  const validateGroup = async (indexes: number[]) => {
    if (input.signal?.aborted) {
      interrupt(indexes, 'the run was interrupted before this line was validated');
      return;
    }
    const entry = entries[indexes[0] as number] as ImageEntry;
    const timeout = deadline(input.imageTimeoutMs, input.signal);
    let verdict: Verdict;
    try {
      const own = optionsFor(entry, options);
      verdict = await validatePair(entry.source, entry.destination, own, reader, timeout.signal, heads);
      verdict = await checkReferrers(verdict, entry.source, entry.destination, own, reader, timeout.signal);
    } catch (error) {
      if (input.signal?.aborted) {
        interrupt(indexes, 'the run was interrupted while this line was being validated');
        return;
      }
      verdict = timeout.expired ? timeoutVerdict(input.imageTimeoutMs) : unexpectedVerdict(error);
    } finally {
      timeout.clear();
      heads.release(entry.source);
    }
    for (const index of indexes) settle(index, verdict);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(input.jobs, Math.max(queue.pending, 1)) }, worker));
  } catch (error) {
    results.close();
    throw error;
  }
  return results;
}
