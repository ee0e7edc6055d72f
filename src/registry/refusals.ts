// Refused, missing, or unreachable? The one place where a registry's "no" is read. Registries answer a
// repository that does not exist and one the caller may not read alike (Docker Hub: 401 "repository does not
// exist or may require 'docker login'"), and a wrong address can answer 404 for everything; so a "no" is read
// together with what the registry says of who we are, and of itself, asked by a probe only when needed.
//
// | answer to the request                         | probe (each through the transport's retries)          | error code   | reason (engine)  |
// | --------------------------------------------- | ----------------------------------------------------- | ------------ | ---------------- |
// | 2xx                                           | none                                                  | (answer)     |                  |
// | manifest HEAD 404                             | GET of the same reference: 2xx                        | (answer)     | (HEAD misread)   |
// | 404 (a manifest HEAD: its GET says 404 too)   | GET /v2/ answers 200 or 401 like a registry           | not-found    | missing          |
// | 404                                           | GET /v2/ answers an HTML page or another status       | http         | unreachable      |
// | 404                                           | GET /v2/ still 429 after the retries                  | rate-limited | rate-limited     |
// | 404                                           | GET /v2/ 5xx, reset or refused after the retries      | http/network | unreachable      |
// | 401/403 with an anonymous token granted       | none                                                  | denied       | missing          |
// | 401/403                                       | GET /v2/ with the same Authorization answers 200      | denied       | missing          |
// | 401/403                                       | GET /v2/ refuses that Authorization (401/403)         | unauthorized | auth             |
// | 401/403                                       | GET /v2/ still 429 / 5xx after the retries            | rate-limited | rate-limited / unreachable |
// | 401 with a challenge that cannot be used      | none                                                  | unauthorized | auth             |
// | token service 4xx but 404 and 429             | token without a scope granted to the same client      | denied       | missing          |
// | token service 4xx but 404 and 429             | token without a scope refused                         | unauthorized | auth             |
// | token service 429 (after the retries)         | none                                                  | rate-limited | rate-limited     |
// | 429 (after the retries, or a Retry-After too long) | none                                             | rate-limited | rate-limited     |
// | 5xx (after the retries), other statuses       | none                                                  | http         | unreachable      |
//
// A probe's answer is kept for the run only when it decides something (the registry looks like one or not;
// it accepts who we are or not). An answer that decides nothing (429, 5xx, no answer) is that line's own
// failure and the next line that needs the probe asks again: one unlucky probe must not turn every later 404
// of a registry into `unreachable`.
//
// Sources: the API version check, "GET /v2/ … 200 to an authenticated client, 401 otherwise"
// (https://distribution.github.io/distribution/spec/api/#api-version-check); Docker Hub's 401 for a
// repository that does not exist (jupyterhub/binderhub#1664); ghcr.io's anonymous token refusal for a private
// or unpublished package (openai/tunnel-client#75); Harbor's token without access for wrong credentials
// (goharbor/harbor#20930); a 429 whenever Docker Hub's pull budget is spent
// (https://docs.docker.com/docker-hub/usage/pulls/).
import { RegistryError, type RegistryErrorCode } from './errors.js';
import { parseRetryAfter } from './retry-after.js';
import type { HttpResponse, Transport } from './transport.js';

/** What a request was finally sent with (see auth.ts), as far as reading its refusal needs. */
export interface SentWith {
  response: HttpResponse;
  authorization: string | undefined;
  /** Whether credentials went into that authorization (directly, or into the token request). */
  withCredentials: boolean;
  /** A 401's WWW-Authenticate that could not be parsed, so no authentication was tried. */
  unusableChallenge?: string;
}

/**
 * What a registry left open when it refused a repository while accepting who asked: several registries answer
 * so for a repository that does not exist.
 */
export const deniedProblem = (registry: string, withCredentials: boolean) =>
  withCredentials
    ? 'does not exist, or the credentials given may not read it'
    : `does not exist, or is private (no credentials were given for ${registry})`;

/** The classes of failure a line can end in, as the engine names its reasons. */
export type FailureClass =
  'missing' | 'auth' | 'rate-limited' | 'timeout' | 'tls' | 'integrity' | 'invalid-manifest' | 'unreachable';

const CLASS_OF: Record<RegistryErrorCode, FailureClass> = {
  // Refused by a registry that accepts who we are: missing on that side.
  denied: 'missing',
  unauthorized: 'auth',
  forbidden: 'auth',
  'rate-limited': 'rate-limited',
  timeout: 'timeout',
  tls: 'tls',
  'digest-mismatch': 'integrity',
  'invalid-manifest': 'invalid-manifest',
  'too-large': 'invalid-manifest',
  // A bare 404 that reaches a line's verdict was not a missing manifest (those are settled before: see
  // isAbsent), so the address or the route is wrong.
  'not-found': 'unreachable',
  network: 'unreachable',
  http: 'unreachable',
};

/** The class of a failure; anything not from a registry is `unreachable`. */
export const failureClass = (error: unknown): FailureClass =>
  error instanceof RegistryError ? CLASS_OF[error.code] : 'unreachable';

/** The first error code of a registry's JSON error body (`MANIFEST_UNKNOWN`, `DENIED` …). */
export function registryErrorCode(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = parsed.errors?.[0]?.code;
    // The spec's codes are upper-case words (MANIFEST_UNKNOWN, DENIED): anything else is not repeated.
    return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

/** A non-2xx answer as the error it means on its own, when nothing more is known. */
export function statusError(
  registry: string,
  response: HttpResponse,
  what: string,
  withCredentials = false,
): RegistryError {
  const status = response.status;
  const registryCode = registryErrorCode(response.body);
  const details = { reference: what, status, registryCode };
  const code = registryCode ? ` (${registryCode})` : '';
  if (status === 404) return new RegistryError('not-found', registry, `not found${code}`, details);
  if (status === 401)
    return new RegistryError(
      'unauthorized',
      registry,
      withCredentials
        ? `${registry} refused the credentials given${code}`
        : `${registry} requires credentials; none were given${code}`,
      details,
    );
  if (status === 403)
    return new RegistryError(
      'forbidden',
      registry,
      withCredentials
        ? `access denied by ${registry} to the credentials given${code}`
        : `access denied by ${registry}; no credentials were given${code}`,
      details,
    );
  if (status === 429) return rateLimited(registry, response, details);
  return new RegistryError('http', registry, `${registry} answered HTTP ${status}${code}`, details);
}

function rateLimited(
  registry: string,
  response: HttpResponse,
  details: { reference?: string; status?: number; registryCode?: string } = {},
  what = 'rate limit reached',
): RegistryError {
  const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
  const wait = retryAfterSeconds !== undefined ? ` (retry after ${retryAfterSeconds} s)` : '';
  return new RegistryError('rate-limited', registry, `${registry} ${what}${wait}`, {
    status: 429,
    ...details,
    retryAfterSeconds,
  });
}

/**
 * A probe's answer that decides nothing (still 429 or 5xx after the transport's retries): that line's failure,
 * never kept.
 */
function undecided(registry: string, answer: HttpResponse, probe: string): RegistryError | undefined {
  if (answer.status === 429) return rateLimited(registry, answer, {}, `rate limit reached (${probe})`);
  if (answer.status >= 500)
    return new RegistryError('http', registry, `${registry} answered HTTP ${answer.status} to ${probe}`, {
      status: answer.status,
    });
  return undefined;
}

/** Per-registry findings kept for the run: only decisive ones (see the table above). */
class Findings<T> {
  readonly #kept = new Map<string, Promise<T>>();

  /** The finding for a registry, asked once at a time; a probe that failed or decided nothing is not kept. */
  get(registry: string, ask: () => Promise<T>): Promise<T> {
    let pending = this.#kept.get(registry);
    if (!pending) {
      pending = ask();
      this.#kept.set(registry, pending);
      pending.catch((error: unknown) => {
        // "Does not look like a registry" is a finding; a failure to find out is not.
        const decisive =
          error instanceof RegistryError && error.code === 'http' && error.status === undefined;
        if (!decisive && this.#kept.get(registry) === pending) this.#kept.delete(registry);
      });
    }
    return pending;
  }
}

export interface RefusalOptions {
  transport: Transport;
  /** Counts a request to a token service. */
  onTokenRequest?: (registry: string) => void;
}

export class Refusals {
  /** Per registry: whether GET /v2/ answers like a registry (asked after a first 404). */
  readonly #isRegistry = new Findings<void>();
  /** Per registry: whether GET /v2/ accepts the authorization of a refused request. */
  readonly #accepts = new Findings<boolean>();
  /** Per registry: whether its token service serves our client at all, scope aside. */
  readonly #welcomes = new Findings<boolean>();

  constructor(private readonly options: RefusalOptions) {}

  /** Reads a non-2xx answer of the registry API (after authentication) as the error it means. */
  async refusal(
    registry: string,
    sent: SentWith,
    what: string,
    signal?: AbortSignal,
  ): Promise<RegistryError> {
    const { response } = sent;
    if (response.status === 404) await this.confirmRegistry(registry, signal);
    const challenge = sent.unusableChallenge;
    if (challenge !== undefined && !sent.authorization) {
      return new RegistryError(
        'unauthorized',
        registry,
        `${registry} asks for authentication with a challenge that cannot be used: ${JSON.stringify(challenge.slice(0, 120))}`,
        { reference: what, status: 401 },
      );
    }
    // Who we are is accepted when an anonymous token was granted (the token service let us in as nobody), or
    // when GET /v2/ accepts the authorization sent.
    const anonymousToken = !sent.withCredentials && sent.authorization?.startsWith('Bearer ') === true;
    if (
      (response.status === 401 || response.status === 403) &&
      (anonymousToken || (await this.accepts(registry, sent, signal)))
    ) {
      const code = registryErrorCode(response.body);
      return new RegistryError(
        'denied',
        registry,
        `${deniedProblem(registry, sent.withCredentials)}${code ? ` (HTTP ${response.status} ${code})` : ` (HTTP ${response.status})`}`,
        { reference: what, status: response.status, registryCode: code },
      );
    }
    return statusError(registry, response, what, sent.withCredentials);
  }

  /**
   * A 404 means "not found" only from a registry: GET /v2/ must answer like one (200 or 401, not an HTML
   * page); otherwise every line would read as missing when the address is wrong. Also asked when an HTML page
   * stands where a manifest should.
   */
  confirmRegistry(registry: string, signal?: AbortSignal): Promise<void> {
    return this.#isRegistry.get(registry, async () => {
      const answer = await this.ping(registry, signal);
      const failure = undecided(registry, answer, 'GET /v2/');
      if (failure) throw failure;
      const type = answer.headers.get('content-type') ?? '';
      const apiVersion = answer.headers.get('docker-distribution-api-version');
      if ((answer.status === 200 || answer.status === 401) && (apiVersion || !/html/i.test(type))) return;
      throw new RegistryError(
        'http',
        registry,
        `${registry} does not look like a container registry: GET /v2/ answered HTTP ${answer.status}${type ? ` (${type.split(';')[0]})` : ''}`,
      );
    });
  }

  /**
   * Whether the registry accepts the authorization a refused request went with: GET /v2/ with the same header
   * answers 200. Asked once per registry (credentials do not change within a run) and only after a refusal.
   */
  private accepts(registry: string, sent: SentWith, signal?: AbortSignal): Promise<boolean> {
    return this.#accepts.get(registry, async () => {
      const answer = await this.ping(registry, signal, sent);
      const failure = undecided(registry, answer, 'GET /v2/ with the same authorization');
      if (failure) throw failure;
      return answer.status === 200;
    });
  }

  /**
   * The error a token service's refusal means. A 4xx other than 404 (a wrong realm) and 429 refuses who asks:
   * Artifactory answers an anonymous token request 406 when anonymous access is off (swarmpit/swarmpit#266),
   * Nexus 400 to missing or invalid credentials (GoogleContainerTools/jib#2898). When the same client gets a
   * token without a scope, the refusal is of the repository (ghcr.io, GitLab's /jwt/auth); a batch's refusal
   * says nothing of one repository. Undefined for a 200.
   */
  async tokenRefusal(
    registry: string,
    response: HttpResponse,
    asked: {
      scope: string;
      batch: boolean;
      /** Whether credentials went with the request, and whether they were Basic (not an identity token). */
      withCredentials: boolean;
      basicAuthorization?: string;
      realm: string;
      service?: string;
    },
    signal?: AbortSignal,
  ): Promise<RegistryError | undefined> {
    const status = response.status;
    if (status === 200) return undefined;
    if (status === 429) return rateLimited(registry, response, {}, 'token service: rate limit reached');
    const refused = status >= 400 && status < 500 && status !== 404;
    if (
      refused &&
      !asked.batch &&
      (!asked.withCredentials || asked.basicAuthorization !== undefined) &&
      (await this.welcomes(registry, asked.realm, asked.service, asked.basicAuthorization, signal))
    ) {
      return new RegistryError(
        'denied',
        registry,
        `${deniedProblem(registry, asked.basicAuthorization !== undefined)} (token HTTP ${status})`,
        { status },
      );
    }
    if (refused) {
      return new RegistryError(
        'unauthorized',
        registry,
        `${registry} refused a token for ${asked.scope}${asked.withCredentials ? ' with the credentials given' : ' without credentials'}${status === 401 || status === 403 ? '' : ` (HTTP ${status})`}`,
        { status },
      );
    }
    return new RegistryError('http', registry, `token service of ${registry} answered HTTP ${status}`, {
      status,
    });
  }

  /** Whether the token service gives who asks (these Basic credentials, or nobody) a token with no scope. */
  private welcomes(
    registry: string,
    realm: string,
    service: string | undefined,
    authorization: string | undefined,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.#welcomes.get(registry, async () => {
      const url = new URL(realm);
      if (service) url.searchParams.set('service', service);
      this.options.onTokenRequest?.(registry);
      const answer = await this.options.transport.send({
        registry,
        method: 'GET',
        path: url.toString(),
        headers: authorization ? { authorization } : {},
        credentialed: authorization !== undefined,
        signal,
        maxBytes: 1024 * 1024,
      });
      const failure = undecided(registry, answer, 'a token request without a scope');
      if (failure) throw failure;
      return answer.status === 200;
    });
  }

  /** GET /v2/, the API version check, anonymously or with what a request was sent with. */
  private ping(registry: string, signal?: AbortSignal, sent?: SentWith): Promise<HttpResponse> {
    return this.options.transport.send({
      registry,
      method: 'GET',
      path: '/v2/',
      headers: sent?.authorization ? { authorization: sent.authorization } : {},
      credentialed: sent?.withCredentials,
      signal,
      maxBytes: 64 * 1024,
    });
  }
}
