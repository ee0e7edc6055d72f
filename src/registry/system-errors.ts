// What a failed exchange with node:http means: the system error code behind it (looked for through the causes
// it is wrapped in), and the RegistryError a person reads for it: TLS, unreachable, reset (worth another try).
import { RegistryError } from './errors.js';

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
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The errno-style code of a request's failure, looking through the causes it is wrapped in. */
export function systemCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  const message = String((error as Error)?.message ?? '');
  if (/socket hang up|premature close/i.test(message)) return 'ECONNRESET';
  if (/wrong version number|packet length too long/i.test(message)) return 'ERR_SSL_WRONG_VERSION_NUMBER';
  return undefined;
}

const isTlsFailure = (code: string | undefined) => code !== undefined && TLS_CODES.has(code);
const isNetworkFailure = (code: string | undefined) => code !== undefined && NETWORK_CODES.has(code);
const isRetryableFailure = (code: string | undefined) => code !== undefined && RETRYABLE_CODES.has(code);

/**
 * The TLS port answered in plain HTTP: OpenSSL reads the HTTP status line as a TLS record ("wrong version
 * number", "packet length too long", "http request"). A reset, a refusal or a timeout is not this.
 */
export function answeredPlainHttp(error: unknown, code: string | undefined): boolean {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return true;
  const message =
    String((error as Error)?.message ?? '') + String((error as { cause?: Error })?.cause?.message ?? '');
  return code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message);
}

/** A request that got no answer, as the error a person reads: TLS, unreachable, reset (retryable), or other. */
export function requestFailure(
  error: unknown,
  code: string | undefined,
  registry: string,
  host: string,
): RegistryError {
  if (isTlsFailure(code)) {
    return new RegistryError(
      'tls',
      registry,
      `TLS failure talking to ${host} (${code}): the certificate is not trusted; give its CA with ca-file, or list ${registry} in insecure-registries`,
      { cause: error },
    );
  }
  if (isNetworkFailure(code))
    return new RegistryError('network', registry, `cannot reach ${host} (${code})`, { cause: error });
  if (isRetryableFailure(code)) {
    return new RegistryError('network', registry, `connection reset by ${host} (${code})`, {
      cause: error,
      retryable: true,
    });
  }
  return new RegistryError('network', registry, `request to ${host} failed: ${(error as Error).message}`, {
    cause: error,
  });
}
