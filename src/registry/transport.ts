// HTTP to registries: keep-alive agents, TLS verified unless the registry is insecure (tls-verify off, or listed
// in insecure-registries), plain HTTP only for an insecure registry whose TLS port answered in plain HTTP,
// credentials over plain HTTP only to a listed registry, per-request timeouts, bounded retries with backoff
// and Retry-After, manual redirects that drop credentials on a change of host, and a cap on response bodies.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { isNetworkFailure, isRetryableFailure, isTlsFailure, RegistryError, systemCode } from './errors.js';
import { deadline } from './deadline.js';
import { parseRetryAfter } from './retry-after.js';

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

/** An answer's header fields by name (any case); a repeated field comes joined with `, ` (Node's rule). */
export interface ResponseHeaders {
  get(name: string): string | null;
}

export interface HttpResponse {
  status: number;
  headers: ResponseHeaders;
  body: Buffer;
  url: string;
}

function headersOf(message: http.IncomingMessage): ResponseHeaders {
  const fields = message.headers;
  return {
    get(name) {
      const value = fields[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/** What was sent by default when a request names none. */
const DEFAULT_HEADERS: Record<string, string> = { accept: '*/*', 'user-agent': 'mirror-validate' };

/**
 * One HTTP exchange with node:http: resolves with the status, headers and the unread body once the answer's
 * head arrives. Straight on node:http rather than through a fetch layer: a HEAD is most of what a run sends,
 * and a fetch implementation's per-answer body pipeline and header objects cost more CPU than the request
 * itself (measured on 1000 identical images: see the WAN benchmark in bench/RESULTS.md).
 */
function exchange(
  url: URL,
  options: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    signal: AbortSignal;
    agent: http.Agent;
  },
): Promise<{
  status: number;
  headers: ResponseHeaders;
  body: http.IncomingMessage;
  /** Settles once the exchange is over and a kept-alive socket is back in its agent's pool. */
  released: Promise<void>;
}> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers)) headers[name.toLowerCase()] = value;
    for (const [name, value] of Object.entries(DEFAULT_HEADERS)) headers[name] ??= value;
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    let request: http.ClientRequest;
    try {
      request = (url.protocol === 'https:' ? https : http).request(url, {
        method: options.method,
        headers,
        agent: options.agent,
        signal: options.signal,
      });
    } catch (error) {
      // A header value no HTTP message may carry (a token service's answer with a line break in it).
      reject(error);
      return;
    }
    // The request's 'close' comes right before its socket is handed back ('free', in the same tick: Node's
    // _http_client emitFreeNT), so what awaits this sends its next request on that socket, not a new one.
    const released = new Promise<void>((settle) => request.once('close', () => settle()));
    // A body cut off later fails its reader; one not read (a redirect's) emits no error without a listener.
    request.once('response', (message) =>
      resolve({ status: message.statusCode ?? 0, headers: headersOf(message), body: message, released }),
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

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

async function readCapped(
  response: { headers: ResponseHeaders; body: http.IncomingMessage },
  maxBytes: number,
  registry: string,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    response.body.destroy();
    throw new RegistryError(
      'too-large',
      registry,
      `response of ${declared} bytes exceeds the ${maxBytes}-byte limit`,
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    total += buffer.length;
    if (total > maxBytes) {
      response.body.destroy();
      throw new RegistryError('too-large', registry, `response exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * The TLS port answered in plain HTTP: OpenSSL reads the HTTP status line as a TLS record ("wrong version
 * number", "packet length too long", "http request"). A reset, a refusal or a timeout is not this.
 */
function answeredPlainHttp(error: unknown, code: string | undefined): boolean {
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG') return true;
  const message =
    String((error as Error)?.message ?? '') + String((error as { cause?: Error })?.cause?.message ?? '');
  return code === 'EPROTO' && /wrong version number|packet length too long|http request/i.test(message);
}

/**
 * Per registry: is it answering? A registry whose first contact, or three requests in a row, got no answer
 * within the request timeout is marked down: its other requests fail at once instead of each waiting out its
 * own timeouts and retries, and one request every probe interval is let through to find out whether it is
 * back. Any answer (whatever the status) marks it up again.
 */
class Health {
  readonly #state = new Map<
    string,
    { answered: boolean; silent: number; down?: { since: number; what: string }; probeAt?: number }
  >();

  constructor(private readonly probeMs: number) {}

  #of(registry: string) {
    let state = this.#state.get(registry);
    if (!state) {
      state = { answered: false, silent: 0 };
      this.#state.set(registry, state);
    }
    return state;
  }

  /** Throws when the registry is down and this request is not the probe. */
  check(registry: string): void {
    const state = this.#of(registry);
    if (!state.down) return;
    const now = Date.now();
    if (state.probeAt === undefined || now >= state.probeAt) {
      state.probeAt = now + this.probeMs;
      return; // this one is the probe
    }
    throw new RegistryError(
      'timeout',
      registry,
      `${registry} is not answering: marked down ${Math.round((now - state.down.since) / 1000)} s ago after ${state.down.what}; asked again every ${Math.round(this.probeMs / 1000)} s`,
    );
  }

  answered(registry: string): void {
    const state = this.#of(registry);
    state.answered = true;
    state.silent = 0;
    state.down = undefined;
    state.probeAt = undefined;
  }

  silent(registry: string, what: string): void {
    const state = this.#of(registry);
    state.silent += 1;
    if (state.down) return;
    if (!state.answered || state.silent >= 3) {
      state.down = {
        since: Date.now(),
        what: state.answered
          ? `${state.silent} requests in a row got no answer (last: ${what})`
          : `its first request got no answer (${what})`,
      };
      state.probeAt = Date.now() + this.probeMs;
    }
  }
}

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
      if (isTlsFailure(code)) {
        throw new RegistryError(
          'tls',
          request.registry,
          `TLS failure talking to ${target.host} (${code}): the certificate is not trusted; give its CA with ca-file, or list ${request.registry} in insecure-registries`,
          { cause: error },
        );
      }
      if (isNetworkFailure(code)) {
        throw new RegistryError('network', request.registry, `cannot reach ${target.host} (${code})`, {
          cause: error,
        });
      }
      if (isRetryableFailure(code)) {
        throw new RegistryError('network', request.registry, `connection reset by ${target.host} (${code})`, {
          cause: error,
          retryable: true,
        });
      }
      throw new RegistryError(
        'network',
        request.registry,
        `request to ${target.host} failed: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    } finally {
      timeout.clear();
    }
  }
}
