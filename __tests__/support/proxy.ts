// A loopback HTTP proxy in front of a registry, with a hook that may rewrite or replace each response.
// Fault injection and tampering tests are built on it.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';

export interface ProxiedResponse {
  status: number;
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

export interface ProxyHooks {
  /** Return a response to send instead (after the upstream answered), or undefined to pass it on. */
  transform?: (
    request: http.IncomingMessage,
    response: ProxiedResponse,
  ) => ProxiedResponse | undefined | 'reset' | 'stall';
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
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
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
            if (changed === 'reset') {
              request.socket.destroy();
              return;
            }
            const final = changed ?? original;
            if (changed && request.method !== 'HEAD')
              final.headers['content-length'] = String(final.body.length);
            response.writeHead(final.status, final.headers);
            response.end(request.method === 'HEAD' ? undefined : final.body);
          });
        },
      );
      forward.on('error', () => response.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
