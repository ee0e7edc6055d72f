// A loopback HTTP proxy in front of a registry, with a hook that may rewrite or replace each response.
// Fault injection and tampering tests are built on it.
import http from 'node:http';
import https from 'node:https';
import { listenOnLoopback } from './listen.js';

export interface ProxiedResponse {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

export interface ProxyHooks {
  /** Answers a request itself instead of passing it on, when it returns a response. */
  answer?: (request: http.IncomingMessage) => Promise<ProxiedResponse | undefined>;
  /** Milliseconds to hold each answer (a slow registry). */
  delayMs?: number;
  /** Return a response to send instead (after the upstream answered), or undefined to pass it on. */
  transform?: (
    request: http.IncomingMessage,
    response: ProxiedResponse,
  ) => ProxiedResponse | undefined | 'reset' | 'stall' | 'truncate';
}

export interface TestProxy {
  host: string;
  url: string;
  /** Requests seen, by `METHOD path`. */
  seen: string[];
  close(): Promise<void>;
}

export async function startProxy(upstreamUrl: string, hooks: ProxyHooks = {}): Promise<TestProxy> {
  const upstream = new URL(upstreamUrl);
  const client = upstream.protocol === 'https:' ? https : http;
  const seen: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    const onEnd = async () => {
      const own = await hooks.answer?.(request).catch((error: Error): ProxiedResponse => ({
        status: 500,
        headers: {},
        body: Buffer.from(error.message),
      }));
      if (own) {
        response.writeHead(own.status, { ...own.headers, 'content-length': String(own.body.length) });
        response.end(request.method === 'HEAD' ? undefined : own.body);
        return;
      }
      const forward = client.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
          rejectUnauthorized: false,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const original: ProxiedResponse = {
              status: answer.statusCode ?? 502,
              headers: { ...answer.headers },
              body: Buffer.concat(body),
            };
            const changed = hooks.transform?.(request, original);
            if (changed === 'stall') return; // accepted, never answered
            if (changed === 'truncate') {
              // The full length is announced, half the body arrives, then the connection drops.
              response.writeHead(original.status, {
                ...original.headers,
                'content-length': String(original.body.length),
              });
              response.write(original.body.subarray(0, Math.floor(original.body.length / 2)));
              setImmediate(() => request.socket.destroy());
              return;
            }
            if (changed === 'reset') {
              request.socket.destroy();
              return;
            }
            const final = changed ?? original;
            if (hooks.delayMs) {
              setTimeout(() => {
                response.writeHead(final.status, final.headers);
                response.end(request.method === 'HEAD' ? undefined : final.body);
              }, hooks.delayMs);
              return;
            }
            if (changed && request.method !== 'HEAD')
              final.headers['content-length'] = String(final.body.length);
            response.writeHead(final.status, final.headers);
            response.end(request.method === 'HEAD' ? undefined : final.body);
          });
        },
      );
      forward.on('error', () => response.destroy());
      forward.end(Buffer.concat(chunks));
    };
    request.on('end', () => void onEnd());
  });
  const { port, close } = await listenOnLoopback(server);
  return { host: `127.0.0.1:${port}`, url: `http://127.0.0.1:${port}`, seen, close };
}

export interface FaultRates {
  /** 500, 502 or 503. */
  serverError?: number;
  /** 429, with Retry-After: 0 on every other one and without on the rest. */
  tooManyRequests?: number;
  /** The connection dropped before any answer. */
  reset?: number;
  /** Accepted and never answered. */
  stall?: number;
  /** Half a body, then the connection dropped (GET only). */
  truncate?: number;
  /** A wrong Content-Type on a manifest. */
  wrongContentType?: number;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A transform injecting faults at the given rates; `injected` counts what it did. */
export function faultInjector(rates: FaultRates, seed = 1) {
  const random = seededRandom(seed);
  const injected = {
    serverError: 0,
    tooManyRequests: 0,
    reset: 0,
    stall: 0,
    truncate: 0,
    wrongContentType: 0,
  };
  let tooMany = 0;
  const transform: NonNullable<ProxyHooks['transform']> = (request, response) => {
    let roll = random();
    const hit = (rate: number | undefined) => {
      if (!rate) return false;
      if (roll < rate) return true;
      roll -= rate;
      return false;
    };
    if (hit(rates.serverError)) {
      injected.serverError += 1;
      return {
        status: [500, 502, 503][injected.serverError % 3] as number,
        headers: {},
        body: Buffer.from('upstream trouble'),
      };
    }
    if (hit(rates.tooManyRequests)) {
      injected.tooManyRequests += 1;
      tooMany += 1;
      return {
        status: 429,
        headers:
          tooMany % 2
            ? { 'retry-after': '0', 'content-type': 'application/json' }
            : { 'content-type': 'application/json' },
        body: Buffer.from('{"errors":[{"code":"TOOMANYREQUESTS"}]}'),
      };
    }
    if (hit(rates.reset)) {
      injected.reset += 1;
      return 'reset';
    }
    if (hit(rates.stall)) {
      injected.stall += 1;
      return 'stall';
    }
    if (hit(rates.truncate) && request.method === 'GET' && response.body.length > 1) {
      injected.truncate += 1;
      return 'truncate';
    }
    if (hit(rates.wrongContentType) && request.url?.includes('/manifests/')) {
      injected.wrongContentType += 1;
      return { ...response, headers: { ...response.headers, 'content-type': 'text/plain' } };
    }
    return undefined;
  };
  return { transform, injected };
}
