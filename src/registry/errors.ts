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

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The errno-style code of a request's failure, looking through the causes it is wrapped in. */
export function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'FETCH_ERROR') return code;
    current = (current as { cause?: unknown; erroredSysCall?: unknown }).cause;
  }
  const message = String((error as Error)?.message ?? '');
  if (/socket hang up|premature close/i.test(message)) return 'ECONNRESET';
  if (/wrong version number|packet length too long/i.test(message)) return 'ERR_SSL_WRONG_VERSION_NUMBER';
  return undefined;
}

export const isTlsFailure = (code: string | undefined) => code !== undefined && TLS_CODES.has(code);
export const isNetworkFailure = (code: string | undefined) => code !== undefined && NETWORK_CODES.has(code);
export const isRetryableFailure = (code: string | undefined) =>
  code !== undefined && RETRYABLE_CODES.has(code);

/** Not found, or refused the way a registry refuses a repository that does not exist. */
export const isAbsent = (error: unknown): boolean =>
  error instanceof RegistryError && (error.code === 'not-found' || error.code === 'denied');
