// Per-line results as a tagged union. Shared by the engine, the CLI and the action.

/**
 * Every failure reason, in precedence order: when several apply to a line, the first is its reason (the
 * comparison reasons first, as specified; the infrastructure ones never meet them on one line).
 */
export const FAILURE_REASONS = [
  'source-missing',
  'destination-missing',
  'digest-mismatch',
  'platform-missing',
  'platform-mismatch',
  'manifest-missing',
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

export const SKIP_REASONS = ['invalid-line', 'no-matching-platform', 'interrupted'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export const PASS_RULES = ['identical', 'platforms', 'schema1'] as const;
export type PassRule = (typeof PASS_RULES)[number];

/** One finding about one line; a failed line lists all of them, the first by precedence is its reason. */
export interface Finding {
  reason: FailureReason;
  /** Platform it concerns, as `os/arch[/variant][ os.version]`, when it concerns one. */
  platform?: string;
  message: string;
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

/** Which line a result is about: the same on every result, whatever its status. */
export interface LineIdentity {
  /** 1-based line number in the list file. */
  line: number;
  /** The line as written (without the line break). */
  raw: string;
  /** Normalised source reference; null when the line could not be read as an image. */
  source: string | null;
  /** Normalised destination reference; null when the line could not be read as an image. */
  destination: string | null;
}

interface Outcome {
  /** One human sentence: what was compared and what was found. */
  detail: string;
  /** How each source platform fared (empty for skipped lines). */
  platforms: PlatformResult[];
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
}
