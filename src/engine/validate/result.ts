// Per-line results as a tagged union. Shared by the engine, the CLI and the action.
import type { ReferrerKind } from '../../config/settings.js';

/**
 * Every failure reason, in precedence order: when several apply to a line, the first is its reason (the
 * comparison reasons first, as specified; the infrastructure ones never meet them on one line).
 */
export const FAILURE_REASONS = [
  'source-missing',
  'not-in-archive',
  'archive-incomplete',
  'not-mirrored',
  'reference-not-mirrored',
  'no-matching-tags',
  'destination-missing',
  'digest-mismatch',
  'platform-missing',
  'platform-mismatch',
  'manifest-missing',
  'referrer-missing',
  'blob-missing',
  'auth',
  'rate-limited',
  'timeout',
  'unreachable',
  'tls',
  'integrity',
  'invalid-manifest',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Reasons that say the line could not be checked (the registry refused the credentials, its certificate, its rate
 * limit, no answer, no verdict in time), never that the image is missing: counted apart as `notChecked`.
 */
export const NOT_CHECKED_REASONS: readonly FailureReason[] = [
  'auth',
  'rate-limited',
  'timeout',
  'unreachable',
  'tls',
];

export const isNotChecked = (reason: FailureReason): boolean => NOT_CHECKED_REASONS.includes(reason);

export const SKIP_REASONS = ['invalid-line', 'no-matching-platform', 'interrupted'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const PASS_RULES = ['identical', 'platforms', 'schema1', 'config'] as const;
export type PassRule = (typeof PASS_RULES)[number];

/** One finding about one line; a failed line lists all of them, the first by precedence is its reason. */
export interface Finding {
  reason: FailureReason;
  /** Platform it concerns, as `os/arch[/variant][ os.version]`, when it concerns one. */
  platform?: string;
  message: string;
  /**
   * The message without the line's own references, for where the line's image is already named (a summary
   * row, a terminal line); absent when the message names no reference of the line.
   */
  brief?: string;
}

/** How one platform (or attestation entry) of the source fared at the destination. */
export interface PlatformResult {
  platform: string;
  sourceDigest: string;
  destinationDigest?: string;
  /** `attestation` marks buildkit attestation entries (platform unknown/unknown). */
  attestation?: boolean;
  status: 'ok' | 'missing' | 'mismatch' | 'manifest-missing' | 'blob-missing' | 'filtered-out' | 'ignored';
}

/**
 * A referrer of a mirrored manifest (signature, attestation, SBOM …) found at the source, and how it fared at
 * the destination.
 */
export interface ReferrerResult {
  kind: ReferrerKind;
  /** The artifact type the source lists it with; absent for a cosign tag, whose suffix names only its kind. */
  artifactType?: string;
  digest: string;
  /** What it refers to: a platform (`linux/arm64`), `index` or `image`. */
  subject: string;
  subjectDigest: string;
  /** How the source lists it: the referrers API, the referrers tag schema, or a cosign tag. */
  via: 'referrers-api' | 'referrers-tag' | 'cosign-tag';
  /** The cosign tag (`sha256-<hex>.sig`), for `cosign-tag`. */
  tag?: string;
  /**
   * - ok: at the destination, and found there the way it is found at the source;
   * - missing: not at the destination;
   * - unlisted: at the destination by digest, but its referrers there do not list it (a verifier will not
   *   find it);
   * - tag-moved: the destination's cosign tag holds another digest;
   * - not-required: the policy does not ask for it, so it was not looked for at the destination;
   * - not-carried: it refers to the source's index, which a rebuilt index replaces (a warning, not a failure);
   * - unchecked: the destination could not be asked (the line's findings say why).
   */
  status: 'ok' | 'missing' | 'unlisted' | 'tag-moved' | 'not-required' | 'not-carried' | 'unchecked';
  /** For tag-moved: the digest the destination's tag holds. */
  destinationDigest?: string;
}

/** Which line a result is about: the same on every result, whatever its status. */
export interface LineIdentity {
  /** 1-based line number in the list file. */
  line: number;
  /** For a folder of manifests: the file the line is in, inside the folder (`/`-separated). */
  file?: string;
  /** The line as written (without the line break). */
  raw: string;
  /** Normalised source reference; null when the line could not be read as an image. */
  source: string | null;
  /** Normalised destination reference; null when the line could not be read as an image. */
  destination: string | null;
  /** For a list in a mirroring tool's format: the entry's index in the file, and the tag it expanded to. */
  origin?: { entry: number; tag?: string };
  /** With mirror-config: the rule that sent the image to this destination, and which mirror in pull order. */
  mirror?: string;
  /** Kubernetes workloads: every workload that names the image (`[file:]line Kind namespace/name`). */
  workloads?: string[];
}

interface Outcome {
  /** One human sentence: what was compared and what was found. */
  detail: string;
  /** How each source platform fared (empty for skipped lines). */
  platforms: PlatformResult[];
  /** The referrers found at the source, when the policy looks for them (see options.ts). */
  referrers?: ReferrerResult[];
  /** What is worth knowing without failing the line (referrers a rebuilt index cannot carry). */
  warnings?: string[];
}

export interface PassedLine extends LineIdentity, Outcome {
  status: 'passed';
  rule: PassRule;
  source: string;
  destination: string;
  sourceDigest: string;
  destinationDigest: string;
}

export interface FailedLine extends LineIdentity, Outcome {
  status: 'failed';
  reason: FailureReason;
  findings: Finding[];
  sourceDigest?: string;
  destinationDigest?: string;
  /** The registry that answered 429, for `rate-limited`. */
  registry?: string;
  /** For `digest-mismatch`: the destination is what passed on an earlier run; upstream moved since then. */
  drift?: { since: string; previousSourceDigest: string };
}

export interface SkippedLine extends LineIdentity, Outcome {
  status: 'skipped';
  reason: SkipReason;
}

/**
 * The one result type: what the runner returns for every line, what drift refines, and what the JSON report
 * writes as it is (schema/report.schema.json).
 */
export type LineResult = PassedLine | FailedLine | SkippedLine;

type WithoutIdentity<T> = T extends unknown ? Omit<T, keyof LineIdentity> : never;

/** What the verdict rules decide for a source/destination pair, before it is put on the lines that list it. */
export type Verdict = WithoutIdentity<LineResult>;

export interface Totals {
  lines: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Failed lines that are drift (upstream moved since the line last passed), counted in `failed` too. */
  drifted: number;
  /** Failed lines that could not be checked (NOT_CHECKED_REASONS), counted in `failed` too. */
  notChecked: number;
}
