// The verdict rules: manifests already fetched in, a verdict out. Pure: no I/O.
//
// Plan, then judge: `compare` matches what the source requires against the destination manifest and says
// which destination children must be checked (`childrenToCheck`) or fetched (`childrenToFetch`); the runner
// does exactly those requests and `judge` turns the observations into the verdict.
import { MediaType, type Descriptor, type Manifest, type Platform } from '../../registry/manifest.js';
import type { ValidateOptions } from '../../config/settings.js';
import {
  attestedDigest,
  formatPlatform,
  isAttestation,
  platformDifference,
  samePlatform,
  selectedByFilter,
} from './platform.js';
import { FAILURE_REASONS, type Finding, type PlatformResult, type Verdict } from './result.js';

export interface SourceView {
  digest: string;
  manifest: Manifest;
  /** The platform of a single-manifest source, read from its config. */
  platform?: Platform;
}

export interface DestinationView {
  digest: string;
  manifest: Manifest;
}

/** `sha256:1234567890ab…`; another algorithm's digest (a registry's word) is cut at 80 characters. */
export const short = (digest: string | undefined) =>
  !digest
    ? '?'
    : /^sha256:[a-f0-9]{12}/.test(digest)
      ? digest.replace(/^sha256:([a-f0-9]{12}).*$/, 'sha256:$1…')
      : digest.length > 80
        ? `${digest.slice(0, 80)}…`
        : digest;

/** What one required source entry found at the destination. */
interface Requirement {
  label: string;
  sourceDigest: string;
  attestation: boolean;
  /** The destination entry with the same digest, or with the same platform when the digest differs. */
  found?: Descriptor;
  outcome: 'present' | 'missing' | 'mismatch' | 'other-digest';
  difference?: { field: string; source: string; destination: string };
}

export type Comparison =
  | { kind: 'skip'; detail: string }
  | { kind: 'artifact' }
  | { kind: 'unsupported'; detail: string }
  | {
      kind: 'platforms';
      requirements: Requirement[];
      filteredOut: PlatformResult[];
      singleDestination: boolean;
    }
  | { kind: 'schema1'; platform: Platform; layers: string[]; destinationChild?: string };

const IMAGE_CONFIG_TYPES = new Set<string>([MediaType.ociConfig, MediaType.dockerConfig]);

/** A single manifest that is not a container image (Helm chart, signature, SBOM …): it has no platform. */
export function isArtifact(manifest: Manifest): boolean {
  return (
    manifest.kind === 'image' &&
    (!!manifest.artifactType || !IMAGE_CONFIG_TYPES.has(manifest.config.mediaType))
  );
}

/** The platform and non-empty layers (bottom first) of a schema 1 manifest. */
export function schema1Summary(manifest: Manifest & { kind: 'schema1' }): {
  platform: Platform;
  layers: string[];
} {
  let os = 'linux';
  try {
    const top = JSON.parse(manifest.history[0] ?? '{}') as { os?: string };
    if (top.os) os = top.os;
  } catch {
    // no usable history: keep linux, as schema 1 images were
  }
  const layers: string[] = [];
  manifest.fsLayers.forEach((blobSum, index) => {
    let throwaway: boolean;
    try {
      throwaway = (JSON.parse(manifest.history[index] ?? '{}') as { throwaway?: boolean }).throwaway === true;
    } catch {
      throwaway = false;
    }
    if (!throwaway) layers.push(blobSum);
  });
  return { platform: { os, architecture: manifest.architecture }, layers: layers.reverse() };
}

function requirementFor(
  label: string,
  sourceDigest: string,
  platform: Platform | undefined,
  attestation: boolean,
  destinationEntries: Descriptor[],
): Requirement {
  const byDigest = destinationEntries.find((entry) => entry.digest === sourceDigest);
  if (byDigest) {
    const difference =
      !attestation && platform && byDigest.platform
        ? platformDifference(platform, byDigest.platform)
        : undefined;
    return difference
      ? { label, sourceDigest, attestation, found: byDigest, outcome: 'mismatch', difference }
      : { label, sourceDigest, attestation, found: byDigest, outcome: 'present' };
  }
  const otherDigest =
    !attestation && platform
      ? destinationEntries.find(
          (entry) => !isAttestation(entry) && entry.platform && samePlatform(platform, entry.platform),
        )
      : undefined;
  if (otherDigest) return { label, sourceDigest, attestation, found: otherDigest, outcome: 'other-digest' };
  return { label, sourceDigest, attestation, outcome: 'missing' };
}

/**
 * A plain destination manifest has no platform of its own to compare (only its config says): when the source
 * needs exactly one platform and the digest differs, the destination holds another image for it.
 */
function singleDestinationMismatch(
  requirement: Requirement,
  entries: Descriptor[],
  single: boolean,
): Requirement {
  if (!single || requirement.outcome !== 'missing') return requirement;
  return { ...requirement, found: entries[0], outcome: 'other-digest' };
}

/** Matches the source's requirements against the destination manifest. */
export function compare(
  source: SourceView,
  destination: DestinationView,
  options: ValidateOptions,
): Comparison {
  const { manifest } = source;
  if (destination.manifest.kind === 'schema1') {
    return {
      kind: 'unsupported',
      detail: 'the destination is a Docker schema 1 manifest, which no mirror should produce',
    };
  }
  if (manifest.kind === 'schema1') {
    const { platform, layers } = schema1Summary(manifest);
    if (!selectedByFilter(platform, options.filter)) {
      return {
        kind: 'skip',
        detail: `the source's only platform ${formatPlatform(platform)} is not selected by the filter`,
      };
    }
    const child =
      destination.manifest.kind === 'index'
        ? destination.manifest.manifests.find(
            (entry) => !isAttestation(entry) && entry.platform && samePlatform(platform, entry.platform),
          )?.digest
        : undefined;
    return { kind: 'schema1', platform, layers, destinationChild: child };
  }
  if (manifest.kind === 'image' && isArtifact(manifest)) return { kind: 'artifact' };

  const singleDestination = destination.manifest.kind === 'image';
  const destinationEntries: Descriptor[] =
    destination.manifest.kind === 'index'
      ? destination.manifest.manifests
      : [{ mediaType: destination.manifest.mediaType, digest: destination.digest, size: 0 }];

  if (manifest.kind === 'image') {
    const platform = source.platform;
    if (platform && !selectedByFilter(platform, options.filter)) {
      return {
        kind: 'skip',
        detail: `the source's only platform ${formatPlatform(platform)} is not selected by the filter`,
      };
    }
    const label = platform ? formatPlatform(platform) : 'image';
    return {
      kind: 'platforms',
      requirements: [
        singleDestinationMismatch(
          requirementFor(label, source.digest, platform, false, destinationEntries),
          destinationEntries,
          singleDestination,
        ),
      ],
      filteredOut: [],
      singleDestination,
    };
  }

  const entries = manifest.manifests.filter((entry) => !isAttestation(entry));
  const selected = entries.filter((entry) => selectedByFilter(entry.platform, options.filter));
  const filteredOut: PlatformResult[] = entries
    .filter((entry) => !selected.includes(entry))
    .map((entry) => ({
      platform: entry.platform ? formatPlatform(entry.platform) : 'unknown',
      sourceDigest: entry.digest,
      status: 'filtered-out',
    }));
  if (selected.length === 0) {
    const available = entries
      .map((entry) => (entry.platform ? formatPlatform(entry.platform) : 'unknown'))
      .join(', ');
    return {
      kind: 'skip',
      detail: `no source platform is selected by the filter (the source has ${available || 'none'})`,
    };
  }
  const requirements = selected.map((entry) => {
    const label = entry.platform ? formatPlatform(entry.platform) : 'unknown';
    const requirement = requirementFor(label, entry.digest, entry.platform, false, destinationEntries);
    return selected.length === 1
      ? singleDestinationMismatch(requirement, destinationEntries, singleDestination)
      : requirement;
  });
  const selectedDigests = new Map(selected.map((entry) => [entry.digest, entry]));
  for (const entry of manifest.manifests.filter(isAttestation)) {
    const subject = selectedDigests.get(attestedDigest(entry) ?? '');
    if (!subject) continue;
    const label = `${subject.platform ? formatPlatform(subject.platform) : 'unknown'} attestation`;
    if (!options.provenance) {
      filteredOut.push({ platform: label, sourceDigest: entry.digest, attestation: true, status: 'ignored' });
      continue;
    }
    requirements.push(requirementFor(label, entry.digest, undefined, true, destinationEntries));
  }
  return { kind: 'platforms', requirements, filteredOut, singleDestination };
}

/** Destination children (by digest) whose presence in the destination repository must be checked. */
export function childrenToCheck(comparison: Comparison): string[] {
  if (comparison.kind !== 'platforms' || comparison.singleDestination) return [];
  return comparison.requirements.filter((r) => r.outcome === 'present').map((r) => r.sourceDigest);
}

/** Destination children to GET: the schema 1 match, and in deep mode every matched platform manifest. */
export function childrenToFetch(comparison: Comparison, options: ValidateOptions): string[] {
  if (comparison.kind === 'schema1') return comparison.destinationChild ? [comparison.destinationChild] : [];
  if (!options.deep || comparison.kind !== 'platforms' || comparison.singleDestination) return [];
  return comparison.requirements.filter((r) => r.outcome === 'present').map((r) => r.sourceDigest);
}

/** The blobs a manifest needs (config and layers; foreign layers with `urls` live elsewhere). */
export function blobsOf(manifest: Manifest): string[] {
  if (manifest.kind !== 'image') return [];
  return [manifest.config, ...manifest.layers]
    .filter((blob) => !blob.urls?.length)
    .map((blob) => blob.digest);
}

export interface Observations {
  /** Destination children checked and found absent from the repository. */
  missingChildren: ReadonlySet<string>;
  /** Destination child manifests fetched (schema 1 match, deep mode). */
  children: ReadonlyMap<string, Manifest>;
  /** Deep mode: blobs missing, by the manifest (digest) that needs them. */
  missingBlobs: ReadonlyMap<string, string[]>;
}

/** The digests a verdict carries, when they are known. */
export interface Digests {
  sourceDigest?: string;
  destinationDigest?: string;
}

/** A failed verdict: findings in precedence order, the first is the reason. */
export function failed(findings: Finding[], platforms: PlatformResult[], digests: Digests = {}): Verdict {
  const ordered = [...findings].sort(
    (a, b) => FAILURE_REASONS.indexOf(a.reason) - FAILURE_REASONS.indexOf(b.reason),
  );
  const reason = (ordered[0] as Finding).reason;
  return {
    status: 'failed',
    reason,
    findings: ordered,
    detail: ordered.map((finding) => finding.message).join('; '),
    platforms,
    ...(digests.sourceDigest ? { sourceDigest: digests.sourceDigest } : {}),
    ...(digests.destinationDigest ? { destinationDigest: digests.destinationDigest } : {}),
  };
}

/** Deep mode: a `blob-missing` finding for each manifest with blobs the destination lacks. */
export function blobFindings(
  missingBlobs: ReadonlyMap<string, readonly string[]>,
  platformOf: (digest: string) => string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  for (const [manifestDigest, blobs] of missingBlobs) {
    if (blobs.length === 0) continue;
    const platform = platformOf(manifestDigest);
    findings.push({
      reason: 'blob-missing',
      ...(platform ? { platform } : {}),
      message: `${platform ?? short(manifestDigest)}: ${blobs.length} blob${blobs.length > 1 ? 's' : ''} missing at the destination (${blobs.map(short).join(', ')})`,
    });
  }
  return findings;
}

/** The verdict for equal digests (rule `identical`), with deep-mode blob findings when there are any. */
export function identicalVerdict(
  digest: string,
  observations?: Observations,
  platforms: PlatformResult[] = [],
): Verdict {
  const findings = observations
    ? blobFindings(observations.missingBlobs, (d) => platforms.find((p) => p.sourceDigest === d)?.platform)
    : [];
  if (findings.length > 0)
    return failed(findings, platforms, { sourceDigest: digest, destinationDigest: digest });
  return {
    status: 'passed',
    rule: 'identical',
    sourceDigest: digest,
    destinationDigest: digest,
    detail: `destination digest equals the source's (${short(digest)})${observations ? '; every blob is present' : ''}`,
    platforms,
  };
}

/** With require-identical, differing digests fail whatever the manifests hold: no need to fetch them. */
function requireIdenticalVerdict(sourceDigest: string, destinationDigest: string): Verdict {
  return failed(
    [
      {
        reason: 'digest-mismatch',
        message: `destination has ${short(destinationDigest)} but source has ${short(sourceDigest)}; require-identical is on, so a rebuilt index does not pass`,
      },
    ],
    [],
    { sourceDigest, destinationDigest },
  );
}

/**
 * The verdict the two digests settle on their own, before any manifest is fetched: equal digests pass
 * `identical` (unless deep mode must see every blob), and with require-identical differing digests fail.
 * Undefined: the manifests must be compared.
 */
export function verdictFromDigests(
  sourceDigest: string,
  destinationDigest: string,
  options: ValidateOptions,
): Verdict | undefined {
  if (sourceDigest === destinationDigest) return options.deep ? undefined : identicalVerdict(sourceDigest);
  if (options.requireIdentical) return requireIdenticalVerdict(sourceDigest, destinationDigest);
  return undefined;
}

export function judge(
  comparison: Comparison,
  source: SourceView,
  destination: DestinationView,
  observations: Observations,
): Verdict {
  const moved = `(upstream moved or wrong image)`;
  const digests = { sourceDigest: source.digest, destinationDigest: destination.digest };
  switch (comparison.kind) {
    case 'skip':
      return { status: 'skipped', reason: 'no-matching-platform', detail: comparison.detail, platforms: [] };
    case 'unsupported':
      return failed([{ reason: 'invalid-manifest', message: comparison.detail }], [], digests);
    case 'artifact':
      return failed(
        [
          {
            reason: 'digest-mismatch',
            message: `artifact without platforms: destination has ${short(destination.digest)} but source has ${short(source.digest)} ${moved}`,
          },
        ],
        [],
        digests,
      );
    case 'schema1': {
      const label = formatPlatform(comparison.platform);
      const child = comparison.destinationChild
        ? observations.children.get(comparison.destinationChild)
        : undefined;
      const target = destination.manifest.kind === 'image' ? destination.manifest : child;
      const platforms: PlatformResult[] = [
        {
          platform: label,
          sourceDigest: source.digest,
          destinationDigest: comparison.destinationChild ?? destination.digest,
          status: 'ok',
        },
      ];
      if (!target) {
        return failed(
          [
            {
              reason: 'platform-missing',
              platform: label,
              message: `destination has no ${label} image for the schema 1 source`,
            },
          ],
          [{ ...platforms[0]!, status: 'missing' }],
          digests,
        );
      }
      const layers = target.kind === 'image' ? target.layers.map((layer) => layer.digest) : [];
      if (layers.join(',') !== comparison.layers.join(',')) {
        return failed(
          [
            {
              reason: 'digest-mismatch',
              platform: label,
              message: `${label}: destination layers differ from the schema 1 source's ${moved}`,
            },
          ],
          [{ ...platforms[0]!, status: 'mismatch' }],
          digests,
        );
      }
      return {
        status: 'passed',
        ...digests,
        rule: 'schema1',
        detail: `schema 1 source: ${label} and its ${layers.length} layers match`,
        platforms,
      };
    }
    case 'platforms': {
      const findings: Finding[] = [];
      const platforms: PlatformResult[] = [];
      for (const requirement of comparison.requirements) {
        const result: PlatformResult = {
          platform: requirement.label,
          sourceDigest: requirement.sourceDigest,
          ...(requirement.found ? { destinationDigest: requirement.found.digest } : {}),
          ...(requirement.attestation ? { attestation: true } : {}),
          status: 'ok',
        };
        if (requirement.outcome === 'missing') {
          result.status = 'missing';
          findings.push({
            reason: 'platform-missing',
            platform: requirement.label,
            message: comparison.singleDestination
              ? `${requirement.label} (source ${short(requirement.sourceDigest)}) is not the destination's single manifest ${short(destination.digest)} ${moved}`
              : `destination index lacks ${requirement.label} (source ${short(requirement.sourceDigest)})`,
          });
        } else if (requirement.outcome === 'other-digest') {
          result.status = 'mismatch';
          findings.push({
            reason: 'digest-mismatch',
            platform: requirement.label,
            message: `${requirement.label}: destination has ${short(requirement.found?.digest)} but source has ${short(requirement.sourceDigest)} ${moved}`,
          });
        } else if (requirement.outcome === 'mismatch') {
          result.status = 'mismatch';
          const difference = requirement.difference!;
          findings.push({
            reason: 'platform-mismatch',
            platform: requirement.label,
            message: `${short(requirement.sourceDigest)}: destination index says ${difference.field} "${difference.destination}", source says "${difference.source}"`,
          });
        } else if (observations.missingChildren.has(requirement.sourceDigest)) {
          result.status = 'manifest-missing';
          findings.push({
            reason: 'manifest-missing',
            platform: requirement.label,
            message: `destination index lists ${requirement.label} ${short(requirement.sourceDigest)} but the repository does not have that manifest`,
          });
        } else if ((observations.missingBlobs.get(requirement.sourceDigest) ?? []).length > 0) {
          result.status = 'blob-missing';
        }
        platforms.push(result);
      }
      findings.push(
        ...blobFindings(
          observations.missingBlobs,
          (digest) => comparison.requirements.find((r) => r.sourceDigest === digest)?.label,
        ),
      );
      platforms.push(...comparison.filteredOut);
      if (findings.length > 0) return failed(findings, platforms, digests);
      const required = comparison.requirements.filter((r) => !r.attestation);
      const attestations = comparison.requirements.length - required.length;
      const what = required.map((r) => r.label).join(', ');
      const excluded = comparison.filteredOut.filter((p) => p.status === 'filtered-out').length;
      return {
        status: 'passed',
        ...digests,
        rule: 'platforms',
        detail:
          `every selected platform is mirrored by digest (${what})` +
          (attestations ? ` with ${attestations} attestation${attestations > 1 ? 's' : ''}` : '') +
          (excluded ? `; ${excluded} platform${excluded > 1 ? 's' : ''} excluded by the filter` : ''),
        platforms,
      };
    }
  }
}
