// The runner: fetches what the rules need, with bounded concurrency and the fewest requests, and turns every
// list entry into exactly one result. Registry failures of one image are that image's result.
import { deadline } from '../../registry/deadline.js';
import { FairQueue } from './fair-queue.js';
import type { ListEntry } from '../list/image-list.js';
import type { Manifest, Platform } from '../../registry/manifest.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import { RegistryError } from '../../registry/errors.js';
import type { ManifestHead, RegistryReader } from '../../registry/reader.js';
import { JOBS_MAX, JOBS_MIN } from '../../config/parse.js';
import type { ValidateOptions } from './options.js';
import { formatPlatform, isAttestation, selectedByFilter } from './platform.js';
import type { FailureReason, LineResult, PlatformResult } from './result.js';
import {
  blobsOf,
  childrenToCheck,
  childrenToFetch,
  compare,
  identicalVerdict,
  isArtifact,
  judge,
  requireIdenticalVerdict,
  type Observations,
  type Verdict,
} from './rules.js';

export interface RunnerInput {
  entries: readonly ListEntry[];
  listName: string;
  options: ValidateOptions;
  jobs: number;
  imageTimeoutMs: number;
  reader: RegistryReader;
  signal?: AbortSignal;
  onResult?: (result: LineResult, done: number, total: number) => void;
}

type PairVerdict = Verdict & { sourceDigest?: string; destinationDigest?: string; registry?: string };

const CONFIG_MAX_BYTES = 1024 * 1024;

/** One place where registry failures become failure reasons. */
export function reasonForError(error: unknown): FailureReason {
  if (!(error instanceof RegistryError)) return 'unreachable';
  switch (error.code) {
    case 'unauthorized':
    case 'forbidden':
      return 'auth';
    case 'rate-limited':
      return 'rate-limited';
    case 'timeout':
      return 'timeout';
    case 'tls':
      return 'tls';
    case 'digest-mismatch':
      return 'integrity';
    case 'invalid-manifest':
    case 'too-large':
      return 'invalid-manifest';
    default:
      return 'unreachable';
  }
}

function failure(reason: FailureReason, message: string, extra: { registry?: string } = {}): PairVerdict {
  return {
    status: 'failed',
    reason,
    findings: [{ reason, message }],
    detail: message,
    platforms: [],
    ...extra,
  };
}

function errorVerdict(error: unknown, side: 'source' | 'destination', ref: ImageReference): PairVerdict {
  const reason = reasonForError(error);
  const text = (error as Error).message;
  // Client messages usually name the reference already; name it once.
  const message = text.startsWith(`${ref.registry}/${ref.repository}`)
    ? `${side} ${text}`
    : `${side} ${formatReference(ref)}: ${text}`;
  return failure(
    reason,
    message,
    error instanceof RegistryError && reason === 'rate-limited' ? { registry: error.registry } : {},
  );
}

/** A manifest the registry just announced by digest but cannot serve: the registry contradicts itself. */
function fetchFailure(
  error: unknown,
  side: 'source' | 'destination',
  ref: ImageReference,
  digest: string,
): PairVerdict {
  if (error instanceof RegistryError && error.code === 'not-found') {
    return failure(
      'integrity',
      `${side} ${formatReference(ref)}: the registry announced ${digest} but has no manifest with that digest`,
    );
  }
  return errorVerdict(error, side, ref);
}

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
): Promise<PairVerdict> {
  const [sourceHead, destinationHead] = await Promise.allSettled([
    reader.headManifest(source, signal),
    reader.headManifest(destination, signal),
  ]);
  if (signal.aborted) throw signal.reason;
  const notFound = (result: PromiseSettledResult<ManifestHead>) =>
    result.status === 'rejected' &&
    result.reason instanceof RegistryError &&
    result.reason.code === 'not-found';
  if (notFound(sourceHead) || notFound(destinationHead)) {
    const findings = [
      ...(notFound(sourceHead)
        ? [{ reason: 'source-missing' as const, message: `source ${formatReference(source)} does not exist` }]
        : []),
      ...(notFound(destinationHead)
        ? [
            {
              reason: 'destination-missing' as const,
              message: `destination ${formatReference(destination)} does not exist`,
            },
          ]
        : []),
    ];
    return {
      status: 'failed',
      reason: (findings[0] as { reason: FailureReason }).reason,
      findings,
      detail: findings.map((finding) => finding.message).join('; '),
      platforms: [],
      ...(sourceHead.status === 'fulfilled' ? { sourceDigest: sourceHead.value.digest } : {}),
      ...(destinationHead.status === 'fulfilled' ? { destinationDigest: destinationHead.value.digest } : {}),
    };
  }
  if (sourceHead.status === 'rejected') return errorVerdict(sourceHead.reason, 'source', source);
  if (destinationHead.status === 'rejected')
    return errorVerdict(destinationHead.reason, 'destination', destination);
  const digests = { sourceDigest: sourceHead.value.digest, destinationDigest: destinationHead.value.digest };
  const destinationByDigest = { ...destination, digest: digests.destinationDigest };

  try {
    if (digests.sourceDigest === digests.destinationDigest) {
      // Equal digests: two HEADs were enough, unless every blob must be proven present too.
      if (!options.deep) return { ...identicalVerdict(digests.sourceDigest), ...digests };
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
      const platforms: PlatformResult[] = selected.map((entry) => ({
        platform: entry.platform ? formatPlatform(entry.platform) : 'unknown',
        sourceDigest: entry.digest,
        destinationDigest: entry.digest,
        status: (observations.missingBlobs.get(entry.digest) ?? []).length ? 'blob-missing' : 'ok',
      }));
      return { ...identicalVerdict(digests.sourceDigest, observations, platforms), ...digests };
    }

    if (options.requireIdentical) {
      return { ...requireIdenticalVerdict(digests.sourceDigest, digests.destinationDigest), ...digests };
    }
    let sourceView;
    try {
      const fetched = await reader.getManifest({ ...source, digest: digests.sourceDigest }, signal);
      sourceView = {
        digest: fetched.digest,
        manifest: fetched.manifest,
        platform: await configPlatform(reader, source, fetched.manifest, signal),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return { ...fetchFailure(error, 'source', source, digests.sourceDigest), ...digests };
    }
    let destinationView;
    try {
      const fetched = await reader.getManifest(destinationByDigest, signal);
      destinationView = { digest: fetched.digest, manifest: fetched.manifest };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      return { ...fetchFailure(error, 'destination', destination, digests.destinationDigest), ...digests };
    }
    const comparison = compare(sourceView, destinationView, options);
    const toCheck = childrenToCheck(comparison);
    const toFetch = childrenToFetch(comparison, options);
    const [present, children] = await Promise.all([
      Promise.all(
        toCheck.map((digest) =>
          reader.manifestExists(destination.registry, destination.repository, digest, signal),
        ),
      ),
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
    return { ...judge(comparison, sourceView, destinationView, observations), ...digests };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return { ...errorVerdict(error, 'destination', destination), ...digests };
  }
}

function toLine(entry: ListEntry & { kind: 'image' }, verdict: PairVerdict): LineResult {
  const base = {
    line: entry.line,
    raw: entry.raw,
    source: formatReference(entry.source),
    destination: formatReference(entry.destination),
    detail: verdict.detail,
  };
  const digests = {
    ...(verdict.sourceDigest ? { sourceDigest: verdict.sourceDigest } : {}),
    ...(verdict.destinationDigest ? { destinationDigest: verdict.destinationDigest } : {}),
  };
  if (verdict.status === 'passed') {
    return {
      ...base,
      status: 'passed',
      rule: verdict.rule,
      sourceDigest: verdict.sourceDigest ?? '',
      destinationDigest: verdict.destinationDigest ?? '',
      platforms: verdict.platforms,
    };
  }
  if (verdict.status === 'skipped') return { ...base, status: 'skipped', reason: verdict.reason };
  return {
    ...base,
    ...digests,
    status: 'failed',
    reason: verdict.reason,
    findings: verdict.findings,
    platforms: verdict.platforms,
    ...(verdict.registry ? { registry: verdict.registry } : {}),
  };
}

/** Validates every entry; results in input order, one per entry. */
export async function validateEntries(input: RunnerInput): Promise<LineResult[]> {
  const { entries, options, reader } = input;
  if (!Number.isInteger(input.jobs) || input.jobs < JOBS_MIN || input.jobs > JOBS_MAX) {
    throw new RangeError(`jobs must be a whole number from ${JOBS_MIN} to ${JOBS_MAX}, not ${input.jobs}`);
  }
  const results: (LineResult | undefined)[] = new Array(entries.length);
  let done = 0;
  const settle = (index: number, result: LineResult) => {
    results[index] = result;
    done += 1;
    input.onResult?.(result, done, entries.length);
  };

  // Lines with the same source and destination are validated once and reported on each line.
  const pairs = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    if (entry.kind === 'invalid') {
      settle(index, {
        line: entry.line,
        raw: entry.raw,
        status: 'skipped',
        reason: 'invalid-line',
        detail: entry.reason,
      });
      return;
    }
    const key = `${formatReference(entry.source)} ${formatReference(entry.destination)}`;
    pairs.set(key, [...(pairs.get(key) ?? []), index]);
  });

  const interrupt = (indexes: number[], detail: string) => {
    for (const index of indexes) {
      const entry = entries[index] as ListEntry & { kind: 'image' };
      settle(index, {
        line: entry.line,
        raw: entry.raw,
        source: formatReference(entry.source),
        destination: formatReference(entry.destination),
        status: 'skipped',
        reason: 'interrupted',
        detail,
      });
    }
  };

  // Grouped by source registry: a slow upstream may hold at most half the workers while others wait.
  const queue = new FairQueue(
    [...pairs.values()],
    (indexes) => (entries[indexes[0] as number] as ListEntry & { kind: 'image' }).source.registry,
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
    const entry = entries[indexes[0] as number] as ListEntry & { kind: 'image' };
    const timeout = deadline(input.imageTimeoutMs, input.signal);
    let verdict: PairVerdict;
    try {
      verdict = await validatePair(entry.source, entry.destination, options, reader, timeout.signal);
    } catch (error) {
      if (input.signal?.aborted) {
        interrupt(indexes, 'the run was interrupted while this line was being validated');
        return;
      }
      verdict = timeout.expired
        ? failure(
            'timeout',
            `no verdict within the image timeout of ${Math.round(input.imageTimeoutMs / 1000)} s`,
          )
        : failure('unreachable', `unexpected error: ${(error as Error).message}`);
    } finally {
      timeout.clear();
    }
    for (const index of indexes)
      settle(index, toLine(entries[index] as ListEntry & { kind: 'image' }, verdict));
  };
  await Promise.all(Array.from({ length: Math.min(input.jobs, Math.max(queue.pending, 1)) }, worker));
  return results.map((result) => result as LineResult);
}
