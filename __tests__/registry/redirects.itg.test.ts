// Redirects: transport behaviour that needs a misbehaving server.
import http from 'node:http';
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseReference } from '../../src/registry/reference.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';

describe('redirects', () => {
  let registry: http.Server;
  let storage: http.Server;
  const seenByStorage: (string | undefined)[] = [];
  const seenByRegistry: (string | undefined)[] = [];
  const port = (server: http.Server) => (server.address() as net.AddressInfo).port;
  beforeAll(async () => {
    storage = http.createServer((request, response) => {
      seenByStorage.push(request.headers.authorization);
      response.writeHead(200, { 'content-length': '0' });
      response.end();
    });
    registry = http.createServer((request, response) => {
      seenByRegistry.push(request.headers.authorization);
      if (!request.headers.authorization) {
        response.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
        response.end();
        return;
      }
      // The blob lives on another host (as with S3 or a CDN): credentials must not follow.
      response.writeHead(307, { location: `http://localhost:${port(storage)}/blob` });
      response.end();
    });
    await Promise.all([
      new Promise<void>((resolve) => storage.listen(0, '127.0.0.1', resolve)),
      new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve)),
    ]);
  });
  afterAll(() => {
    registry.close();
    storage.close();
  });

  test('a redirect to another host drops the Authorization header', async () => {
    const host = `127.0.0.1:${port(registry)}`;
    const client = createRegistryClient({
      tlsVerify: false,
      insecureRegistries: [host],
      credentials: async () => ({ username: 'u', password: 'secret' }),
    });
    try {
      expect(await client.blobExists(host, 'a/b', `sha256:${'1'.repeat(64)}`)).toBe(true);
      expect(seenByStorage).toEqual([undefined]);
    } finally {
      client.close();
    }
  });

  test('tls-verify off, registry not listed as insecure: plain HTTP is used, but never with credentials', async () => {
    const host = `127.0.0.1:${port(registry)}`;
    const plain: string[] = [];
    const client = createRegistryClient({
      tlsVerify: false,
      retries: 0,
      credentials: async () => ({ username: 'u', password: 'secret' }),
      onPlainHttp: (registry) => plain.push(registry),
    });
    const before = seenByRegistry.length;
    try {
      const error = await client
        .headManifest(parseReference(`${host}/a:1`))
        .catch((caught: unknown) => caught);
      expect((error as RegistryError).code).toBe('tls');
      expect((error as RegistryError).message).toMatch(/list .* in insecure-registries to allow it/);
      expect(seenByRegistry.slice(before).filter(Boolean)).toEqual([]);
      expect(plain).toEqual([host]);
    } finally {
      client.close();
    }
  });

  test('credentials are never sent over plain HTTP while tls-verify is on', async () => {
    const client = createRegistryClient({
      tlsVerify: true,
      retries: 0,
      credentials: async () => ({ username: 'u', password: 'secret' }),
    });
    const before = seenByRegistry.length;
    try {
      const error = await client
        .headManifest(parseReference(`127.0.0.1:${port(registry)}/a:1`))
        .catch((caught: unknown) => caught);
      // HTTPS to a plain-HTTP server fails at the TLS layer; nothing is sent in clear text.
      expect((error as { code?: string }).code).toBe('tls');
      expect(seenByRegistry.slice(before).filter(Boolean)).toEqual([]);
    } finally {
      client.close();
    }
  });
});
