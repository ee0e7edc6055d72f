// The referrer rules: which referrers a policy requires, what kind each is, and how their fate at the
// destination changes a line's verdict. Pure: no I/O (referrers.ts does the requests).
import type { ReferrerKind, ReferrerPolicy } from '../../config/settings.js';
import type { Finding, FailureReason, ReferrerResult, Verdict } from './result.js';
import { failed, short } from './rules.js';

/** A manifest whose referrers are looked for: the line's own, and each selected platform's. */
export interface Subject {
  /** A platform (`linux/arm64`), `index` or `image`. */
  label: string;
  digest: string;
  /** The destination has this manifest by digest (a rebuilt index has another digest than the source's). */
  atDestination: boolean;
}

/** cosign's tag suffixes (sigstore/cosign pkg/oci/remote/options.go), the tag being `sha256-<hex>.<suffix>`. */
export const COSIGN_SUFFIXES: Record<'sig' | 'att' | 'sbom', ReferrerKind> = {
  sig: 'signature',
  att: 'attestation',
  sbom: 'sbom',
};
export type CosignSuffix = keyof typeof COSIGN_SUFFIXES;

// Artifact types by kind, as the tools that push them write them:
// - cosign: `application/vnd.dev.cosign.artifact.<sig|sbom>.v1+json` for OCI 1.1 referrers, in-toto for
//   attestations written as referrers, the SBOM media types of pkg/types/media.go, and the simple-signing and
//   DSSE layer types of its tags (sigstore/cosign internal/pkg/oci/remote/remote.go, pkg/types);
// - Notation: config media type `application/vnd.cncf.notary.signature`, which the referrers API reports as
//   the artifact type (notaryproject/specifications specs/signature-specification.md).
const KINDS_BY_TYPE: Record<string, ReferrerKind> = {
  'application/vnd.dev.cosign.artifact.sig.v1+json': 'signature',
  'application/vnd.dev.cosign.simplesigning.v1+json': 'signature',
  'application/vnd.cncf.notary.signature': 'signature',
  'application/vnd.dev.cosign.artifact.att.v1+json': 'attestation',
  'application/vnd.in-toto+json': 'attestation',
  'application/vnd.dsse.envelope.v1+json': 'attestation',
  'application/vnd.dev.cosign.artifact.sbom.v1+json': 'sbom',
  'text/spdx': 'sbom',
  'text/spdx+json': 'sbom',
  'application/spdx+json': 'sbom',
  'application/vnd.cyclonedx+json': 'sbom',
  'application/vnd.cyclonedx+xml': 'sbom',
  'application/vnd.syft+json': 'sbom',
};

/**
 * Required referrers of one subject checked at the destination at most: a signed image has a few (a
 * signature or two, attestations, SBOMs), each costs the destination requests, and the list is the source's.
 */
export const MAX_REQUIRED_REFERRERS = 100;

/** A Sigstore bundle is a signature or an attestation; cosign tells them by this annotation. */
const BUNDLE_PREDICATE = 'dev.sigstore.bundle.predicateType';
/** The predicate cosign sign writes into a signature bundle (sigstore/cosign pkg/types/predicate.go). */
const SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** What kind of referrer an artifact type (and the annotations listed with it) stands for. */
export function kindOf(artifactType: string | undefined, annotations?: Record<string, string>): ReferrerKind {
  if (!artifactType) return 'other';
  if (Object.hasOwn(KINDS_BY_TYPE, artifactType)) return KINDS_BY_TYPE[artifactType] as ReferrerKind;
  if (artifactType.startsWith('application/vnd.dev.sigstore.bundle')) {
    const predicate = annotations?.[BUNDLE_PREDICATE];
    return predicate === undefined || predicate === SIGN_PREDICATE ? 'signature' : 'attestation';
  }
  return 'other';
}

/** Whether the policy requires a referrer of this kind and artifact type at the destination. */
export function isRequired(
  policy: ReferrerPolicy,
  referrer: { kind: ReferrerKind; artifactType?: string },
): boolean {
  switch (policy.mode) {
    case 'ignore':
      return false;
    case 'require':
      return true;
    case 'list':
      return (
        policy.kinds.includes(referrer.kind) ||
        (referrer.artifactType !== undefined && policy.artifactTypes.includes(referrer.artifactType))
      );
  }
}

/** The cosign tags worth asking for: those of the kinds the policy may require. */
export function cosignSuffixes(policy: ReferrerPolicy): CosignSuffix[] {
  return (Object.keys(COSIGN_SUFFIXES) as CosignSuffix[]).filter((suffix) =>
    isRequired(policy, { kind: COSIGN_SUFFIXES[suffix] }),
  );
}

/**
 * The artifact type to ask the referrers API to filter by: only when the policy requires exactly one
 * artifact type and no kind (a kind spans several types, and the API takes one).
 */
export function serverFilter(policy: ReferrerPolicy): string | undefined {
  return policy.mode === 'list' && policy.kinds.length === 0 && policy.artifactTypes.length === 1
    ? policy.artifactTypes[0]
    : undefined;
}

// A line whose mirror is there, whole or in part, has referrers worth checking; a line missing on a side,
// or failed by the registry, has nothing to check them against.
const CHECKED_FAILURES = new Set<FailureReason>([
  'platform-missing',
  'platform-mismatch',
  'manifest-missing',
  'blob-missing',
]);

/** Whether a verdict's referrers are looked for: passed lines, and lines whose mirror is partly there. */
export function checksReferrers(verdict: Verdict): boolean {
  if (verdict.status === 'passed') return verdict.rule !== 'schema1';
  return (
    verdict.status === 'failed' && verdict.findings.every((finding) => CHECKED_FAILURES.has(finding.reason))
  );
}

/**
 * The subjects of a verdict: its platforms present at the destination, and the line's own manifest when it
 * is not one of them (an index). `sourceIsIndex` says which the line's own manifest is; for a line that passed
 * `identical` without platforms listed, the caller gives the destination index's selected entries.
 */
export function subjectsOf(
  verdict: Verdict,
  platforms: readonly { label: string; digest: string }[],
  sourceIsIndex: boolean,
): Subject[] {
  const sourceDigest = verdict.status === 'skipped' ? undefined : verdict.sourceDigest;
  if (!sourceDigest) return [];
  const identical = verdict.status !== 'skipped' && verdict.destinationDigest === sourceDigest;
  // One subject per digest: an index may list one manifest under two entries.
  const subjects: Subject[] = platforms
    .filter((platform, index) => platforms.findIndex((other) => other.digest === platform.digest) === index)
    .map((platform) => ({ ...platform, atDestination: true }));
  // A single image that is not at the destination (its platform is missing there) has nothing to carry its
  // referrers; only an index is replaced by a rebuilt one.
  if (!subjects.some((subject) => subject.digest === sourceDigest) && (sourceIsIndex || identical))
    subjects.unshift({
      label: sourceIsIndex ? 'index' : 'image',
      digest: sourceDigest,
      atDestination: identical,
    });
  return subjects;
}

/** A registry's string, cut for a message: media types are at most 255 characters (RFC 6838 4.2). */
const clip = (text: string) => (text.length > 255 ? `${text.slice(0, 255)}…` : text);

const KIND_NAMES: Record<ReferrerKind, string> = {
  signature: 'signature',
  attestation: 'attestation',
  sbom: 'SBOM',
  other: 'artifact',
};

/** `signature sha256:1234… (application/…)` or `signature sha256:1234… (cosign tag sha256-5678….sig)`. */
export function describeReferrer(referrer: ReferrerResult): string {
  const type = referrer.tag
    ? `cosign tag ${referrer.tag.replace(/^(sha256-[a-f0-9]{12})[a-f0-9]{52}/, '$1…')}`
    : referrer.artifactType
      ? clip(referrer.artifactType)
      : 'no artifact type';
  return `${KIND_NAMES[referrer.kind]} ${short(referrer.digest)} (${type})`;
}

const of = (referrer: ReferrerResult) =>
  referrer.subject === 'index' || referrer.subject === 'image'
    ? `of the ${referrer.subject} ${short(referrer.subjectDigest)}`
    : `of ${referrer.subject}`;

function findingFor(referrer: ReferrerResult): Finding | undefined {
  const what = `${describeReferrer(referrer)} ${of(referrer)}`;
  const platform =
    referrer.subject === 'index' || referrer.subject === 'image' ? {} : { platform: referrer.subject };
  switch (referrer.status) {
    case 'missing':
      return { reason: 'referrer-missing', ...platform, message: `${what} is not at the destination` };
    case 'unlisted':
      return {
        reason: 'referrer-missing',
        ...platform,
        message: `${what} is at the destination, but the destination's referrers of ${short(referrer.subjectDigest)} do not list it (a verifier will not find it)`,
      };
    case 'tag-moved':
      return {
        reason: 'referrer-missing',
        ...platform,
        message: `${what}: the destination's tag holds ${short(referrer.destinationDigest ?? '?')}`,
      };
    case 'ok':
    case 'not-required':
    case 'not-carried':
    case 'unchecked':
      return undefined;
  }
}

/** `2 signatures, 1 SBOM`: referrers counted by kind. */
export function countByKind(referrers: readonly ReferrerResult[]): string {
  const counts = new Map<ReferrerKind, number>();
  for (const referrer of referrers) counts.set(referrer.kind, (counts.get(referrer.kind) ?? 0) + 1);
  return [...counts].map(([kind, count]) => `${count} ${KIND_NAMES[kind]}${count > 1 ? 's' : ''}`).join(', ');
}

/**
 * The verdict once the referrers are known: each required referrer not at the destination, or not reachable
 * there the way it is at the source, is a `referrer-missing` finding; failures to list them are findings of
 * their own (`errors`). Referrers of a source index that a rebuilt index replaced are a warning.
 */
export function withReferrers(verdict: Verdict, referrers: ReferrerResult[], errors: Finding[]): Verdict {
  if (verdict.status === 'skipped') return verdict;
  const findings = [
    ...referrers.map(findingFor).filter((finding): finding is Finding => finding !== undefined),
    ...errors,
  ];
  const notCarried = referrers.filter((referrer) => referrer.status === 'not-carried');
  const warnings = notCarried.length
    ? [
        `${countByKind(notCarried)} of the source index ${short(notCarried[0]!.subjectDigest)} cannot be carried over: the destination is a rebuilt index with another digest, so only the platforms' referrers are required`,
      ]
    : [];
  const extra = {
    referrers,
    ...(warnings.length || verdict.warnings?.length
      ? { warnings: [...(verdict.warnings ?? []), ...warnings] }
      : {}),
  };
  const digests = { sourceDigest: verdict.sourceDigest, destinationDigest: verdict.destinationDigest };
  if (verdict.status === 'failed')
    return {
      ...verdict,
      ...failed([...verdict.findings, ...findings], verdict.platforms, digests),
      ...extra,
    };
  if (findings.length > 0) return { ...failed(findings, verdict.platforms, digests), ...extra };
  const arrived = referrers.filter((referrer) => referrer.status === 'ok');
  return {
    ...verdict,
    ...extra,
    detail:
      `${verdict.detail}; ` +
      (arrived.length
        ? `${countByKind(arrived)} at the destination as at the source`
        : 'no required referrer at the source'),
  };
}
