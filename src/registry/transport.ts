// HTTP to registries: keep-alive agents, TLS verified unless the registry is insecure (tls-verify off, or listed
// in insecure-registries), plain HTTP only for an insecure registry whose TLS port answered in plain HTTP,
// credentials over plain HTTP only to a listed registry, per-request timeouts, bounded retries with backoff
// and Retry-After, manual redirects that drop credentials on a change of host, and a cap on response bodies.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { RegistryError } from './errors.js';
import { answeredPlainHttp, requestFailure, systemCode } from './system-errors.js';
import { deadline } from './deadline.js';
import { Health } from './health.js';
import { exchange, readCapped, REDIRECTS, type ResponseHeaders } from './http-exchange.js';
import { parseRetryAfter } from './retry-after.js';

export type { ResponseHeaders } from './http-exchange.js';

export interface TransportOptions {
  /** false: every registry is insecure (hangar's flag): certificates are not checked, plain HTTP is allowed. */
  tlsVerify: boolean;
  /**
   * Registries (`host[:port]`) that are insecure whatever tls-verify says, and the only ones credentials may
   * reach over plain HTTP (Docker's insecure-registries, containers' registries.conf `insecure = true`).
   */
  insecureRegistries?: readonly string[];
  /** PEM certificates trusted besides the system's (ca-file, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS). */
  extraCaCertificates?: readonly string[];
  /** Called once per registry first used over plain HTTP; `listed`: credentials may go to it. */
  onPlainHttp?: (registry: string, listed: boolean) => void;
  /** How often a registry marked down is asked again (one request lets through); default 30 s. */
  downProbeMs?: number;
  timeoutMs: number;
  retries: number;
  /** First backoff step; doubled per attempt, with jitter. */
  backoffMs: number;
  /** Longest wait a Retry-After may impose before the request is given up as rate-limited. */
  maxRetryAfterMs: number;
  maxSocketsPerHost: number;
  onDebug?: (message: string) => void;
  /** Called for every request actually sent (retries included), to count them. */
  onSend?: (registry: string, method: string) => void;
  onRetry?: (registry: string) => void;
  onHeaders?: (registry: string, headers: ResponseHeaders) => void;
}

export interface HttpRequest {
  /** Registry name as the user wrote it (docker.io), for errors and counts. */
  registry: string;
  method: 'GET' | 'HEAD' | 'POST';
  /** Path and query, starting with `/`, or an absolute URL (token realms). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Refuse bodies larger than this. */
  maxBytes: number;
  /**
   * The Authorization header or the body carries the user's credentials, or a token got with them: such a
   * request never goes over plain HTTP to a registry not listed as insecure. (An anonymous token may.)
   */
  credentialed?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  url: string;
}

/** The host actually contacted for a registry name. */
export function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class Transport {
  private readonly health: Health;
  private readonly httpAgent: http.Agent;
  #httpsAgent: https.Agent | undefined;
  private readonly agentOptions: http.AgentOptions;
  /** For insecure registries: certificates not checked. */
  private readonly insecureHttpsAgent: https.Agent;
  private readonly insecure: ReadonlySet<string>;
  /** Registries already used over plain HTTP (said once). */
  private readonly plainHttp = new Set<string>();
  /** Per host: the scheme that answered, once known. */
  private readonly schemes = new Map<string, 'https' | 'http'>();
  /** Per registry: when requests may go out again after a 429. */
  private readonly pausedUntil = new Map<string, number>();

  constructor(private readonly options: TransportOptions) {
    const agentOptions = {
      keepAlive: true,
      maxSockets: options.maxSocketsPerHost,
      maxFreeSockets: options.maxSocketsPerHost,
    };
    this.httpAgent = new http.Agent(agentOptions);
    this.agentOptions = agentOptions;
    this.insecureHttpsAgent = new https.Agent({ ...agentOptions, rejectUnauthorized: false });
    this.health = new Health(options.downProbeMs ?? 30_000);
    this.insecure = new Set((options.insecureRegistries ?? []).map((host) => apiHost(host.toLowerCase())));
  }

  /**
   * The verifying HTTPS agent, made when first needed. Extra CAs go in one secure context made then: given as
   * `ca`, the agent would parse Node's ~140 root certificates again for every connection and join them into
   * its pool key on every request (a Basic-auth run over TLS spent 70% of its CPU there). Made lazily because
   * even once it costs about 0.14 s with a system bundle in SSL_CERT_FILE, which a plain-HTTP run never needs.
   */
  private get httpsAgent(): https.Agent {
    this.#httpsAgent ??= new https.Agent({
      ...this.agentOptions,
      ...(this.options.extraCaCertificates?.length
        ? {
            secureContext: tls.createSecureContext({
              ca: [...tls.rootCertificates, ...this.options.extraCaCertificates],
            }),
          }
        : {}),
    });
    return this.#httpsAgent;
  }

  /** Aborts what was sent without a line's signal (a token batch asked for ahead) once the client closes. */
  readonly #closed = new AbortController();

  close(): void {
    this.#closed.abort(new Error('the registry client was closed'));
    this.httpAgent.destroy();
    this.#httpsAgent?.destroy();
    this.insecureHttpsAgent.destroy();
  }

  /** Listed in insecure-registries: self-signed accepted, plain HTTP allowed, credentials included. */
  private listed(registry: string): boolean {
    return this.insecure.has(apiHost(registry.toLowerCase()));
  }

  /** Certificates not checked and plain HTTP allowed: tls-verify off, or listed. */
  private relaxed(registry: string): boolean {
    return !this.options.tlsVerify || this.listed(registry);
  }

  /** The base URL for a registry: HTTPS, or HTTP once an insecure registry's TLS port answered plain HTTP. */
  private baseUrl(registry: string): string {
    const host = apiHost(registry);
    return `${this.schemes.get(host) ?? 'https'}://${host}`;
  }

  /** Sends with retries; returns any HTTP status (the caller maps 4xx); throws RegistryError on transport failure. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const { retries, backoffMs, maxRetryAfterMs } = this.options;
    // Work of no line (a batch asked for ahead) ends with the client: no retry after close().
    if (!request.signal) request = { ...request, signal: this.#closed.signal };
    if (request.signal?.aborted) throw request.signal.reason;
    for (let attempt = 0; ; attempt += 1) {
      let response: HttpResponse | undefined;
      let failure: RegistryError | undefined;
      // A registry that said "too many requests" is given its pause by every request, not just the one told.
      const pausedUntil = this.pausedUntil.get(request.registry) ?? 0;
      if (pausedUntil > Date.now()) await sleep(pausedUntil - Date.now(), request.signal);
      try {
        this.health.check(request.registry);
        response = await this.sendFollowingRedirects(request);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        failure = error;
      }
      const retryable = response
        ? response.status === 429 || response.status >= 500
        : failure?.retryable === true;
      if (!retryable || attempt >= retries) {
        if (failure) throw failure;
        return response as HttpResponse;
      }
      const retryAfter = response ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
      if (retryAfter !== undefined && retryAfter * 1000 > maxRetryAfterMs) {
        return response as HttpResponse; // the caller reports rate-limited with the registry's own wait
      }
      const backoff = backoffMs * 2 ** attempt;
      const delay = retryAfter !== undefined ? retryAfter * 1000 : backoff / 2 + Math.random() * backoff;
      if (response?.status === 429) {
        this.pausedUntil.set(
          request.registry,
          Math.max(this.pausedUntil.get(request.registry) ?? 0, Date.now() + delay),
        );
      }
      this.options.onRetry?.(request.registry);
      this.options.onDebug?.(
        `${request.method} ${request.registry}${request.path.startsWith('/') ? request.path : ''}: ` +
          `${response ? `HTTP ${response.status}` : failure?.message}; retry ${attempt + 1}/${retries} in ${Math.round(delay)} ms`,
      );
      await sleep(delay, request.signal);
    }
  }

  private async sendFollowingRedirects(request: HttpRequest): Promise<HttpResponse> {
    let url = request.path.startsWith('/')
      ? `${this.baseUrl(request.registry)}${request.path}`
      : request.path;
    const originHost = new URL(url).host;
    let headers = { ...request.headers };
    let method = request.method;
    for (let hop = 0; hop < 6; hop += 1) {
      const response = await this.sendOnce(request, url, method, headers);
      const location = response.headers.get('location');
      if (!REDIRECTS.has(response.status) || !location) return response;
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new RegistryError(
          'http',
          request.registry,
          `${request.registry} redirected to an unusable address`,
        );
      }
      if (url.startsWith('https:') && next.protocol === 'http:' && !this.relaxed(request.registry)) {
        throw new RegistryError(
          'tls',
          request.registry,
          `${request.registry} redirected from HTTPS to plain HTTP (${next.host}); not followed`,
        );
      }
      if (next.host !== originHost && request.body !== undefined && request.credentialed) {
        throw new RegistryError(
          'http',
          request.registry,
          `${request.registry} redirected a request carrying credentials to ${next.host}; not followed`,
        );
      }
      if (next.host !== originHost) {
        // Credentials belong to the registry, never to the storage or host it redirects to.
        const { authorization: _dropped, Authorization: _alsoDropped, ...rest } = headers;
        headers = rest;
      }
      if (response.status === 303) method = 'GET';
      url = next.toString();
    }
    throw new RegistryError('http', request.registry, `too many redirects for ${request.path}`);
  }

  private async sendOnce(
    request: HttpRequest,
    url: string,
    method: string,
    headers: Record<string, string>,
  ): Promise<HttpResponse> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new RegistryError(
        'http',
        request.registry,
        `refusing to follow ${request.registry} to a ${target.protocol} address`,
      );
    }
    const carriesCredentials =
      request.credentialed === true && (headers.authorization !== undefined || request.body !== undefined);
    if (target.protocol === 'http:' && carriesCredentials && !this.listed(request.registry)) {
      throw new RegistryError(
        'tls',
        request.registry,
        `refusing to send credentials over plain HTTP to ${target.host}: list ${request.registry} in insecure-registries to allow it`,
      );
    }
    const timeout = deadline(this.options.timeoutMs, request.signal);
    let answered = false;
    const signal = timeout.signal;
    this.options.onDebug?.(`${method} ${target.protocol}//${target.host}${target.pathname}`);
    try {
      // No Accept-Encoding is sent: manifests are small JSON, read as they come.
      const response = await exchange(target, {
        method,
        headers,
        body: request.body,
        signal,
        agent:
          target.protocol === 'http:'
            ? this.httpAgent
            : this.relaxed(request.registry)
              ? this.insecureHttpsAgent
              : this.httpsAgent,
      });
      // Counted once answered: a TLS probe of a plain-HTTP registry never reached it as a request.
      this.options.onSend?.(request.registry, method);
      this.health.answered(request.registry);
      answered = true;
      this.schemes.set(target.host, target.protocol === 'http:' ? 'http' : 'https');
      if (target.protocol === 'http:' && !this.plainHttp.has(request.registry)) {
        this.plainHttp.add(request.registry);
        this.options.onPlainHttp?.(request.registry, this.listed(request.registry));
      }
      this.options.onHeaders?.(request.registry, response.headers);
      const body =
        method === 'HEAD' || REDIRECTS.has(response.status)
          ? (response.body.resume(), Buffer.alloc(0))
          : await readCapped(response, request.maxBytes, request.registry);
      // The next request of this line would otherwise open a connection (a round trip) while this one's socket
      // is a tick away from being free. Not for a redirect, whose body is not read and may never end.
      if (!REDIRECTS.has(response.status)) await response.released;
      return { status: response.status, headers: response.headers, body, url };
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (request.signal?.aborted) throw request.signal.reason;
      if (timeout.expired) {
        const what = `${method} ${target.host}${target.pathname} timed out after ${this.options.timeoutMs} ms`;
        if (!answered) this.health.silent(request.registry, what);
        throw new RegistryError(
          'timeout',
          request.registry,
          `${method} ${target.host}${target.pathname} timed out after ${this.options.timeoutMs} ms`,
          // A stalled answer is worth another try, within the image's own time budget.
          { cause: error, retryable: true },
        );
      }
      const code = systemCode(error);
      if (
        target.protocol === 'https:' &&
        this.relaxed(request.registry) &&
        this.schemes.get(target.host) !== 'https' &&
        answeredPlainHttp(error, code)
      ) {
        // An insecure registry whose TLS port speaks plain HTTP: use HTTP for it from now on. Never on a reset
        // or a timeout, which an attacker on the path can cause at will.
        this.schemes.set(target.host, 'http');
        return this.sendOnce(request, url.replace(/^https:/, 'http:'), method, headers);
      }
      throw requestFailure(error, code, request.registry, target.host);
    } finally {
      timeout.clear();
    }
  }
}
