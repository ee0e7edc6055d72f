// One source/destination pair, compared with the fewest requests: the two HEADs at once, then both manifests,
// then what the rules need of the destination's children (HEADs to prove they exist, GETs to compare them), and in
// deep mode every blob. The source side is a registry or an archive (see SourceSide); every verdict comes from the
// pure rules (rules.ts, reasons.ts).
import type { ValidateOptions } from '../../config/settings.js';
import { platformOfConfig, type Manifest, type Platform } from '../../registry/manifest.js';
import type { ManifestHead, RegistryReader } from '../../registry/reader.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import { isAttestation, selectedByFilter } from './platform.js';
import { errorVerdict, fetchErrorVerdict, identicalPlatforms, isAbsent, missingVerdict } from './reasons.js';
import type { Verdict } from './result.js';
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

const CONFIG_MAX_BYTES = 1024 * 1024;

async function configPlatform(
  reader: Pick<RegistryReader, 'getBlob'>,
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
  return platformOfConfig(JSON.parse(new TextDecoder().decode(bytes)));
}

/** Deep mode: which blobs of these manifests the destination repository lacks. */
export async function missingBlobs(
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

/**
 * Where the source side is read: a registry (its HEAD shared between pairs, see shared-heads.ts), or an archive
 * carried across the air gap (archive-pair.ts), which answers the same questions from its own members.
 */
export interface SourceSide {
  head(ref: ImageReference, signal: AbortSignal): Promise<ManifestHead>;
  reader: Pick<RegistryReader, 'getManifest' | 'getBlob'>;
}

/** Validates one source/destination pair. Throws only for interruption and the per-image timeout. */
export async function validatePair(
  source: ImageReference,
  destination: ImageReference,
  options: ValidateOptions,
  reader: RegistryReader,
  signal: AbortSignal,
  sourceSide: SourceSide,
): Promise<Verdict> {
  const references = { source: formatReference(source), destination: formatReference(destination) };
  const [sourceHead, destinationHead] = await Promise.allSettled([
    sourceSide.head(source, signal),
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
    const sourceGet = sourceSide.reader.getManifest({ ...source, digest: digests.sourceDigest }, signal);
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
        platform: await configPlatform(sourceSide.reader, source, fetched.manifest, signal),
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
