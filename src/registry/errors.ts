// Registry errors as values: what failed (a code), where (the registry and the reference asked for), the HTTP
// status and the registry's own error code; the text a person reads is composed from them where it is shown.

export type RegistryErrorCode =
  | 'not-found'
  /**
   * The registry accepts who we are (it answers GET /v2/ with the same authorization) and still refused the
   * repository with 401 or 403: several registries answer so for a repository that does not exist.
   */
  | 'denied'
  | 'unauthorized'
  | 'forbidden'
  | 'rate-limited'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'digest-mismatch'
  | 'invalid-manifest'
  | 'too-large'
  | 'http';

export interface RegistryErrorDetails {
  /** What was asked for, as `registry/repository:tag`, `…@digest` or `… blobs/<digest>`. */
  reference?: string;
  status?: number;
  /** The first code of the registry's JSON error body (`MANIFEST_UNKNOWN`, `DENIED` …). */
  registryCode?: string;
  /** Seconds the registry asked to wait, for `rate-limited`. */
  retryAfterSeconds?: number;
  cause?: unknown;
  /** A connection reset or similar: worth another try. */
  retryable?: boolean;
}

/** A registry request that did not give what was asked, with what a person needs to act on it. */
export class RegistryError extends Error {
  override name = 'RegistryError';
  readonly code: RegistryErrorCode;
  readonly registry: string;
  /** What went wrong, without the reference (`not found (MANIFEST_UNKNOWN)`). */
  readonly problem: string;
  readonly reference?: string;
  readonly status?: number;
  readonly registryCode?: string;
  readonly retryAfterSeconds?: number;
  readonly retryable: boolean;

  constructor(
    code: RegistryErrorCode,
    registry: string,
    problem: string,
    details: RegistryErrorDetails = {},
  ) {
    super(
      details.reference ? `${details.reference}: ${problem}` : problem,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.code = code;
    this.registry = registry;
    this.problem = problem;
    this.reference = details.reference;
    this.status = details.status;
    this.registryCode = details.registryCode;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.retryable = details.retryable ?? false;
  }
}

/** Not found, or refused the way a registry refuses a repository that does not exist. */
export const isAbsent = (error: unknown): boolean =>
  error instanceof RegistryError && (error.code === 'not-found' || error.code === 'denied');
