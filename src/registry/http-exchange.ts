// One HTTP exchange on node:http, and a body read with a cap. Straight on node:http rather than through a fetch
// layer: a HEAD is most of what a run sends, and a fetch implementation's per-answer body pipeline and header
// objects cost more CPU than the request itself (measured on 1000 identical images: bench/RESULTS.md).
import http from 'node:http';
import https from 'node:https';
import { RegistryError } from './errors.js';

export const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** An answer's header fields by name (any case); a repeated field comes joined with `, ` (Node's rule). */
export interface ResponseHeaders {
  get(name: string): string | null;
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
export function exchange(
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

export async function readCapped(
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
