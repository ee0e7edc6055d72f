// A line whose source is an archive carried across the air gap: the archive is checked first (every manifest,
// index and config the comparison needs must be in it: else `archive-incomplete`, never `destination-missing`),
// then the destination is compared as strongly as the archive allows (archive/images.ts), and the verdict says
// which:
// - `index`: the archive's top manifest is the upstream's: compared exactly as a registry source (pair.ts);
// - `platforms`: the archive's platform manifests stand for the upstream index (hangar >= 1.7 keeps no index):
//   each must be in the destination index by digest with equal platform fields, as hangar's own `load validate`
//   asks (cnrancher/hangar pkg/hangar/loader.go:621-679) and further: platform fields and every child manifest;
// - `config`: only the image configs survived: the destination's manifest for each platform must carry the same.
// Nothing here asks the source registry.
import type { ValidateOptions } from '../../config/settings.js';
import { readBlob, sha256, ArchiveIncompleteError } from '../../archive/images.js';
import { ArchiveError } from '../../archive/members.js';
import {
  InvalidManifestError,
  MediaType,
  parseManifest,
  type Descriptor,
  type Manifest,
} from '../../registry/manifest.js';
import type { FetchedManifest, RegistryReader } from '../../registry/reader.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import type { ArchivedSource } from '../list/entries.js';
import { validatePair, missingBlobs, type SourceSide } from './pair.js';
import { formatPlatform, isAttestation, samePlatform, selectedByFilter } from './platform.js';
import { errorVerdict, isAbsent, missingVerdict } from './reasons.js';
import type { Finding, PlatformResult, Verdict } from './result.js';
import { blobFindings, failed, short } from './rules.js';

const PLATFORMS_ONLY = 'the archive holds the platform manifests, not the upstream index';
const CONFIG_ONLY = 'the manifest cannot be compared (the archive re-packed the layers)';

/** Whether a child of an index is one the comparison reads: selected by the filter, or an attestation kept. */
const needed = (entry: Descriptor, options: ValidateOptions) =>
  isAttestation(entry) ? options.provenance : selectedByFilter(entry.platform, options.filter);

/** What a child is called when the archive lacks it (`the linux/arm64 manifest`). */
const childLabel = (entry: Descriptor) =>
  isAttestation(entry)
    ? 'an attestation manifest'
    : `the ${formatPlatform(entry.platform ?? { os: '', architecture: '' })} manifest`;

/**
 * The archive read as a registry source of one image: its top manifest (or, with only platform manifests, an
 * index made of them), after checking that every manifest and config the comparison reads is there. Each
 * manifest is read, hashed and parsed once: the check's reads are the comparison's.
 */
async function archiveSide(archived: ArchivedSource, options: ValidateOptions): Promise<SourceSide> {
  const { image } = archived;
  const fetched = new Map<string, FetchedManifest>();
  /** A manifest from the archive, proven by its digest; `what` names it when the archive lacks it. */
  const read = async (descriptor: Descriptor, what: string): Promise<FetchedManifest> => {
    const known = fetched.get(descriptor.digest);
    if (known) return known;
    let bytes: Buffer;
    try {
      bytes = await readBlob(archived.members, archived.contents, descriptor.digest);
    } catch (error) {
      if (error instanceof ArchiveIncompleteError)
        throw new ArchiveIncompleteError(`the archive lacks ${what} ${descriptor.digest}`);
      throw error;
    }
    const manifest = parseManifest(bytes, descriptor.mediaType || undefined);
    const one = {
      digest: descriptor.digest,
      mediaType: manifest.mediaType,
      size: bytes.length,
      bytes,
      manifest,
    };
    fetched.set(descriptor.digest, one);
    return one;
  };
  /** An image manifest's config must be in the archive too (its platform is read from it). */
  const requireConfig = ({ manifest }: FetchedManifest, what: string) => {
    if (manifest.kind === 'image' && !archived.contents.blobMember(manifest.config.digest))
      throw new ArchiveIncompleteError(`the archive lacks the config ${manifest.config.digest} of ${what}`);
  };
  const requireChildren = async (children: readonly Descriptor[]) => {
    for (const entry of children.filter((one) => needed(one, options)))
      requireConfig(await read(entry, childLabel(entry)), childLabel(entry));
  };

  let top: Descriptor;
  if (image.strength === 'platforms') {
    const platforms = image.platforms ?? [];
    const bytes = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: platforms }),
    );
    top = { mediaType: MediaType.ociIndex, digest: sha256(bytes), size: bytes.length };
    fetched.set(top.digest, { ...top, bytes, manifest: parseManifest(bytes, MediaType.ociIndex) });
    await requireChildren(platforms);
  } else {
    top = image.top as Descriptor;
    const own = await read(top, 'its top manifest');
    requireConfig(own, 'its image manifest');
    if (own.manifest.kind === 'index') await requireChildren(own.manifest.manifests);
  }
  return {
    head: async () => ({ digest: top.digest, mediaType: top.mediaType, size: top.size }),
    reader: {
      getManifest: (ref) => read({ mediaType: '', digest: ref.digest as string, size: 0 }, 'the manifest'),
      getBlob: async (_registry, _repository, digest) =>
        readBlob(archived.members, archived.contents, digest),
    },
  };
}

const incomplete = (archived: ArchivedSource, error: Error): Verdict =>
  failed(
    [
      {
        reason: 'archive-incomplete',
        message: `${archived.members.name} (${archived.image.where}): ${error.message}`,
        brief: error.message,
      },
    ],
    [],
  );

/** Only the configs survived: the destination's manifest for each platform must carry the same config. */
async function configVerdict(
  archived: ArchivedSource,
  destination: ImageReference,
  options: ValidateOptions,
  reader: RegistryReader,
  signal: AbortSignal,
): Promise<Verdict> {
  const configs = (archived.image.configs ?? []).filter((one) =>
    selectedByFilter(one.platform, options.filter),
  );
  if (configs.length === 0)
    return {
      status: 'skipped',
      reason: 'no-matching-platform',
      detail: 'the archive holds no platform the filter selects',
      platforms: [],
    };
  for (const one of configs) {
    if (!one.config) throw new ArchiveIncompleteError(`the archive lacks ${one.missing} (${one.where})`);
    if (!archived.contents.blobMember(one.config.digest))
      throw new ArchiveIncompleteError(`the archive lacks the config ${one.config.digest} (${one.where})`);
  }
  const reference = formatReference(destination);
  let head;
  try {
    head = await reader.headManifest(destination, signal);
  } catch (error) {
    if (isAbsent(error))
      return missingVerdict({ destination: error }, { source: '', destination: reference }, {});
    return errorVerdict(error, 'destination', reference);
  }
  const digests = { sourceDigest: configs[0]?.config?.digest, destinationDigest: head.digest };
  try {
    const top = await reader.getManifest({ ...destination, digest: head.digest }, signal);
    const findings: Finding[] = [];
    const platforms: PlatformResult[] = [];
    const matched = new Map<string, Manifest>();
    for (const one of configs) {
      const config = one.config as Descriptor;
      const label = formatPlatform(one.platform);
      let child: { digest: string; manifest: Manifest } | undefined;
      if (top.manifest.kind === 'index') {
        const entry = top.manifest.manifests.find(
          (candidate) =>
            !isAttestation(candidate) && candidate.platform && samePlatform(one.platform, candidate.platform),
        );
        if (entry)
          child = {
            digest: entry.digest,
            manifest: (await reader.getManifest({ ...destination, digest: entry.digest }, signal)).manifest,
          };
      } else if (configs.length === 1) child = { digest: top.digest, manifest: top.manifest };
      if (!child) {
        findings.push({
          reason: 'platform-missing',
          platform: label,
          message: `destination ${reference} has no ${label} manifest`,
          brief: `destination has no ${label} manifest`,
        });
        platforms.push({ platform: label, sourceDigest: config.digest, status: 'missing' });
        continue;
      }
      const theirs = child.manifest.kind === 'image' ? child.manifest.config.digest : undefined;
      if (theirs !== config.digest) {
        findings.push({
          reason: 'platform-mismatch',
          platform: label,
          message: `destination ${reference} ${label} carries config ${short(theirs)}, the archive ${short(config.digest)}: another image`,
          brief: `${label} carries config ${short(theirs)}, the archive ${short(config.digest)}: another image`,
        });
        platforms.push({
          platform: label,
          sourceDigest: config.digest,
          destinationDigest: child.digest,
          status: 'mismatch',
        });
        continue;
      }
      matched.set(child.digest, child.manifest);
      platforms.push({
        platform: label,
        sourceDigest: config.digest,
        destinationDigest: child.digest,
        status: 'ok',
      });
    }
    if (options.deep) {
      const missing = await missingBlobs(reader, destination, matched, signal);
      const platformOf = (digest: string) => platforms.find((one) => one.destinationDigest === digest);
      for (const [digest, blobs] of missing) {
        const result = platformOf(digest);
        if (blobs.length && result) result.status = 'blob-missing';
      }
      findings.push(...blobFindings(missing, (digest) => platformOf(digest)?.platform));
    }
    if (findings.length) return failed(findings, platforms, digests);
    return {
      status: 'passed',
      rule: 'config',
      sourceDigest: digests.sourceDigest as string,
      destinationDigest: head.digest,
      detail: `same image config for ${platforms.map((one) => one.platform).join(', ')}; ${CONFIG_ONLY}`,
      platforms,
    };
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    return errorVerdict(error, 'destination', reference, digests);
  }
}

/** Said on every verdict whose comparison the archive limited. */
const withStrength = (verdict: Verdict, said: string): Verdict =>
  verdict.status === 'passed' ? { ...verdict, detail: `${verdict.detail}; ${said}` } : verdict;

/** A referrers policy cannot be held against an archive: none of these formats lists referrers. */
const referrersNote = (verdict: Verdict, options: ValidateOptions): Verdict =>
  options.referrers.mode === 'ignore'
    ? verdict
    : {
        ...verdict,
        warnings: [
          ...(verdict.warnings ?? []),
          'referrers are not checked against an archive: it lists none',
        ],
      };

export async function validateArchived(
  archived: ArchivedSource,
  source: ImageReference,
  destination: ImageReference,
  options: ValidateOptions,
  reader: RegistryReader,
  signal: AbortSignal,
): Promise<Verdict> {
  try {
    if (archived.image.strength === 'config')
      return referrersNote(await configVerdict(archived, destination, options, reader, signal), options);
    const side = await archiveSide(archived, options);
    const verdict = await validatePair(source, destination, options, reader, signal, side);
    return referrersNote(
      archived.image.strength === 'platforms' ? withStrength(verdict, PLATFORMS_ONLY) : verdict,
      options,
    );
  } catch (error) {
    // A member missing, corrupt or no manifest at all: the archive is broken, whatever the mirror holds.
    if (
      error instanceof ArchiveIncompleteError ||
      error instanceof ArchiveError ||
      error instanceof InvalidManifestError
    )
      return incomplete(archived, error);
    throw error;
  }
}
