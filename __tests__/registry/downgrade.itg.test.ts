// No silent downgrade: an attacker on the path resets the first TLS connection and answers plain HTTP with a
// Basic challenge, hoping the client falls back to HTTP and sends the password in clear. The front below does
// exactly that before the real TLS registry (htpasswd Basic auth); it terminates TLS itself (its own
// self-signed certificate, accepted by tls-verify false) so it can record the scheme of every request that
// carries an Authorization header.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runEngine } from '../../src/engine/engine.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import { selfSignedCertificate, startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

let registry: TestRegistry;
let dir: string;
let front: net.Server;
let frontHost: string;
const seen: { scheme: 'http' | 'https'; authorization: boolean }[] = [];
let resets = 0;
let servers: net.Server[] = [];

beforeAll(async () => {
  registry = await startRegistry('basic-tls');
  dir = await mkdtemp(join(tmpdir(), 'mv-downgrade-'));
  await seedStandardImages(registry, 'upstream');
  const { cert, key } = await selfSignedCertificate(dir, 'attacker');
  const upstream = new URL(registry.url);
  const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  const tlsSide = https.createServer(
    { cert: await readFile(cert), key: await readFile(key) },
    (request, response) => {
      seen.push({ scheme: 'https', authorization: Boolean(request.headers.authorization) });
      const forward = https.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: { ...request.headers, host: upstream.host },
          agent,
        },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      forward.on('error', () => response.destroy());
      request.pipe(forward);
    },
  );
  // The attacker's plain-HTTP side: asks for the password.
  const plainSide = http.createServer((request, response) => {
    seen.push({ scheme: 'http', authorization: Boolean(request.headers.authorization) });
    response.writeHead(401, {
      'www-authenticate': 'Basic realm="registry"',
      'content-type': 'application/json',
    });
    response.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  });
  await Promise.all(
    [tlsSide, plainSide].map(
      (server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)),
    ),
  );
  const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
  // The front: resets the very first connection, then passes TLS to the TLS side and anything else to the
  // plain side (a TCP relay, so the first bytes reach the right server untouched).
  let connections = 0;
  front = net.createServer((socket) => {
    connections += 1;
    if (connections === 1) {
      resets += 1;
      socket.resetAndDestroy();
      return;
    }
    socket.once('data', (chunk: Buffer) => {
      const inner = net.connect(portOf(chunk[0] === 0x16 ? tlsSide : plainSide), '127.0.0.1', () => {
        inner.write(chunk);
        socket.pipe(inner).pipe(socket);
      });
      inner.on('error', () => socket.destroy());
      socket.on('error', () => inner.destroy());
    });
  });
  servers = [tlsSide, plainSide];
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  frontHost = `127.0.0.1:${(front.address() as net.AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  front?.close();
  for (const server of servers) server.close();
  await registry?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('a reset of the first TLS connection: no credentials over plain HTTP, and the lines pass over HTTPS', async () => {
  await writeFile(
    join(dir, 'list.txt'),
    'upstream/multi:1.0\nupstream/attested:1.0\nupstream/single-oci:1.0\n',
  );
  const { report, results } = await runEngine(
    {
      listFile: join(dir, 'list.txt'),
      source: frontHost,
      destination: frontHost,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 30_000,
      sourceCredential: { username: registry.username, password: registry.password },
      destinationCredential: { username: registry.username, password: registry.password },
      env: { HOME: dir },
    },
    { log: () => undefined },
    async (report) => ({ report, results: report.results.toArray() }),
  );
  expect(resets).toBe(1);
  expect(results.map((result) => result.status)).toEqual(['passed', 'passed', 'passed']);
  expect(seen.filter((request) => request.scheme === 'http')).toEqual([]);
  expect(seen.filter((request) => request.authorization).length).toBeGreaterThan(0);
  expect(report.requests[frontHost]?.plainHttp).toBeUndefined();
});
