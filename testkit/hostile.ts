// A hostile registry: HTTPS on loopback (its own self-signed certificate, trusted through ca-file), where each
// repository name is one way a registry, a token service or a proxy can be wrong or malicious. Used by
// __tests__/registry/hostile.itg.test.ts; what each case sends is said beside it. Also hostile list files (an
// alias bomb) for the list readers.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { selfSignedCertificate } from './registry.js';

export const HOSTILE_CASES = [
  'big-length',
  'big-chunked',
  'endless',
  'drip',
  'gzip-bomb',
  'huge-index',
  'wide-index',
  'nested-index',
  'redirect-loop',
  'redirect-to-http',
  'redirect-to-file',
  'redirect-cut',
  'redirect-stall',
  'token-silent',
  'token-html',
  'token-huge',
  'token-expires-zero',
  'challenge-garbage',
  'challenge-no-realm',
  'challenge-http-realm',
  'retry-after-day',
  'retry-after-week',
  'type-mismatch',
  'sha512-right',
  'sha512-wrong',
  'digest-unknown-algorithm',
  'huge-headers',
] as const;
export type HostileCase = (typeof HOSTILE_CASES)[number];

export interface HostileRegistry {
  host: string;
  /** The certificate to trust (ca-file). */
  caFile: string;
  /** Requests that carried an Authorization header to the plain-HTTP realm (must stay empty). */
  credentialsOverHttp: string[];
  close(): Promise<void>;
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sha512 = (bytes: Buffer) => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function index(entries: number, mediaType = OCI_MANIFEST): Buffer {
  const manifests = Array.from({ length: entries }, (_, n) => ({
    mediaType,
    digest: `sha256:${n.toString(16).padStart(64, '0')}`,
    size: 1,
    platform: { architecture: 'amd64', os: 'linux' },
  }));
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/** A small valid image manifest (its blobs do not exist; no case gets as far as asking for them). */
const IMAGE = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: {
      mediaType: 'application/vnd.oci.image.config.v1+json',
      digest: sha256(Buffer.from('{}')),
      size: 2,
    },
    layers: [],
  }),
);

export async function startHostileRegistry(dir: string): Promise<HostileRegistry> {
  const { cert, key } = await selfSignedCertificate(dir, 'hostile');
  const credentialsOverHttp: string[] = [];
  const sockets = new Set<Duplex>();
  let host = '';
  // The plain-HTTP token realm of `challenge-http-realm`: it records any credentials that reach it.
  const plainRealm = http.createServer((request, response) => {
    if (request.headers.authorization) credentialsOverHttp.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ token: 'plain-realm-token', expires_in: 300 }));
  });
  const tokenFor = new Map<string, string>();

  const server = https.createServer(
    { cert: await readFile(cert), key: await readFile(key) },
    (request, response) => {
      const url = new URL(request.url ?? '/', `https://${host}`);
      const send = (status: number, headers: http.OutgoingHttpHeaders, body: Buffer | string = '') => {
        response.writeHead(status, headers);
        response.end(request.method === 'HEAD' ? undefined : body);
      };
      if (url.pathname === '/v2/') return send(200, { 'content-type': 'application/json' }, '{}');

      // Token services of the token-* cases.
      const token = /^\/token\/(.+)$/.exec(url.pathname)?.[1];
      if (token === 'token-silent') return; // accepted, never answered
      if (token === 'token-html') return send(200, { 'content-type': 'text/html' }, '<html>login</html>');
      if (token === 'token-huge')
        return send(
          200,
          { 'content-type': 'application/json' },
          `{"token":"${'x'.repeat(10 * 1024 * 1024)}"}`,
        );
      if (token === 'token-expires-zero') {
        tokenFor.set('token-expires-zero', 'zero-token');
        return send(200, { 'content-type': 'application/json' }, '{"token":"zero-token","expires_in":0}');
      }

      const match = /^\/v2\/hostile\/([a-z0-9-]+)\/manifests\//.exec(url.pathname);
      if (!match)
        return send(404, { 'content-type': 'application/json' }, '{"errors":[{"code":"NAME_UNKNOWN"}]}');
      const name = match[1] as HostileCase;
      const plain = { 'content-type': OCI_MANIFEST };
      const head = request.method === 'HEAD';
      // Most cases answer HEAD without a digest, so the client GETs the body, where the trouble is.
      switch (name) {
        case 'big-length':
          if (head) return send(200, plain);
          response.writeHead(200, { ...plain, 'content-length': String(5 * 1024 * 1024) });
          response.write(Buffer.alloc(1024, 0x20));
          return; // never completes
        case 'big-chunked':
        case 'endless': {
          if (head) return send(200, plain);
          response.writeHead(200, plain); // chunked
          let sent = 0;
          const chunk = Buffer.alloc(64 * 1024, 0x20);
          const pump = () => {
            while (!response.destroyed && (name === 'endless' || sent < 5 * 1024 * 1024)) {
              sent += chunk.length;
              if (!response.write(chunk)) return void response.once('drain', pump);
            }
            if (!response.destroyed) response.end();
          };
          return pump();
        }
        case 'drip': {
          if (head) return send(200, plain);
          response.writeHead(200, { ...plain, 'content-length': String(IMAGE.length) });
          let at = 0;
          const timer = setInterval(() => {
            if (response.destroyed || at >= IMAGE.length) return clearInterval(timer);
            response.write(IMAGE.subarray(at, at + 1));
            at += 1;
          }, 1000);
          response.on('close', () => clearInterval(timer));
          return;
        }
        case 'gzip-bomb':
          // 64 MiB of spaces, gzipped to about 64 KiB, announced as gzip though we asked for no encoding.
          if (head) return send(200, plain);
          return send(
            200,
            { ...plain, 'content-encoding': 'gzip' },
            gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)),
          );
        case 'huge-index':
          if (head) return send(200, { 'content-type': OCI_INDEX });
          return send(200, { 'content-type': OCI_INDEX }, index(100_000));
        case 'wide-index':
          if (head) return send(200, { 'content-type': OCI_INDEX });
          return send(200, { 'content-type': OCI_INDEX }, index(5_000));
        case 'nested-index': {
          // An index whose one entry is an index that names itself: nesting without end.
          const body = index(1, OCI_INDEX);
          if (head) return send(200, { 'content-type': OCI_INDEX, 'docker-content-digest': sha256(body) });
          return send(200, { 'content-type': OCI_INDEX }, body);
        }
        case 'redirect-loop':
          return send(307, { location: url.pathname });
        case 'redirect-to-http':
          return send(307, { location: `http://${host}${url.pathname}` });
        case 'redirect-to-file':
          return send(307, { location: 'file:///etc/passwd' });
        case 'redirect-cut':
          // The GET is redirected, and the redirect's body (never read) is cut off: the connection drops after
          // its first bytes.
          if (head) return send(200, plain);
          response.writeHead(307, { location: url.pathname, 'content-length': '1000' });
          response.write('<html>');
          return void setTimeout(() => request.socket.destroy(), 50);
        case 'redirect-stall':
          // The GET is redirected, and the redirect's body never ends (its connection stays open).
          if (head) return send(200, plain);
          response.writeHead(307, { location: url.pathname, 'content-length': '1000' });
          return void response.write('<html>');
        case 'token-silent':
        case 'token-html':
        case 'token-huge':
        case 'token-expires-zero': {
          const given = request.headers.authorization;
          if (name === 'token-expires-zero' && given === 'Bearer zero-token')
            return send(
              200,
              { ...plain, 'docker-content-digest': sha256(IMAGE), 'content-length': IMAGE.length },
              IMAGE,
            );
          return send(401, {
            'content-type': 'application/json',
            'www-authenticate': `Bearer realm="https://${host}/token/${name}",service="hostile"`,
          });
        }
        case 'challenge-garbage':
          return send(401, { 'www-authenticate': '%%% garbage,,,= "unterminated' });
        case 'challenge-no-realm':
          return send(401, { 'www-authenticate': 'Bearer service="hostile",scope="repository:x:pull"' });
        case 'challenge-http-realm': {
          const realmPort = (plainRealm.address() as net.AddressInfo).port;
          if (request.headers.authorization === 'Bearer plain-realm-token')
            return send(200, { ...plain, 'docker-content-digest': sha256(IMAGE) });
          return send(401, {
            'www-authenticate': `Bearer realm="http://127.0.0.1:${realmPort}/token",service="hostile"`,
          });
        }
        case 'retry-after-day':
          return send(
            429,
            { 'retry-after': '86400', 'content-type': 'application/json' },
            '{"errors":[{"code":"TOOMANYREQUESTS"}]}',
          );
        case 'retry-after-week':
          return send(429, {
            'retry-after': new Date(Date.now() + 7 * 86_400_000).toUTCString(),
            'content-type': 'application/json',
          });
        case 'type-mismatch': {
          // The body is an index; the Content-Type says image manifest.
          const body = index(2);
          return send(200, { ...plain, 'content-length': body.length }, body);
        }
        case 'sha512-right':
          return send(
            200,
            { ...plain, 'docker-content-digest': sha512(IMAGE), 'content-length': IMAGE.length },
            IMAGE,
          );
        case 'sha512-wrong':
          return send(
            200,
            {
              ...plain,
              'docker-content-digest': sha512(Buffer.from('something else')),
              'content-length': IMAGE.length,
            },
            IMAGE,
          );
        case 'digest-unknown-algorithm':
          return send(
            200,
            { ...plain, 'docker-content-digest': `md5:${'0'.repeat(32)}`, 'content-length': IMAGE.length },
            IMAGE,
          );
        case 'huge-headers':
          return send(200, { ...plain, 'x-padding': 'p'.repeat(1024 * 1024) }, IMAGE);
      }
    },
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  plainRealm.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await Promise.all([
    new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => plainRealm.listen(0, '127.0.0.1', resolve)),
  ]);
  host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    host,
    caFile: cert,
    credentialsOverHttp,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        [server, plainRealm].map((one) => new Promise<void>((resolve) => one.close(() => resolve()))),
      );
    },
  };
}

/**
 * A "billion laughs" YAML list: seven levels, each an anchor repeating the one below ten times (10^7 values
 * once expanded), under a regsync-looking `sync:` key so the reader that gets it is the one at risk.
 */
export function aliasBomb(): string {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
  for (const [name, previous] of [
    ['b', 'a'],
    ['c', 'b'],
    ['d', 'c'],
    ['e', 'd'],
    ['f', 'e'],
    ['g', 'f'],
  ])
    bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(',')}]`);
  return `${bomb.join('\n')}\nsync: []\n`;
}
