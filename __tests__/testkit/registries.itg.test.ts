// The test support itself: real registries start, accept what we seed, and mirror the two ways users do.
import https from 'node:https';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseManifest } from '../../src/registry/manifest.js';
import { mirrorIdentical, mirrorRebuilt, skopeoInspectRaw } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { digestOf, registryRequest, seedStandardImages, type StandardImages } from '../../testkit/seed.js';

describe.each(['plain', 'basic-tls', 'token'] as const)('%s registry', (kind) => {
  let registry: TestRegistry;
  let images: StandardImages;
  beforeAll(async () => {
    registry = await startRegistry(kind);
    images = await seedStandardImages(registry);
  });
  afterAll(() => registry?.stop());

  test('what was seeded is what skopeo reads back', async () => {
    for (const [reference, digest] of [
      ['upstream/multi:1.0', images.dockerList.digest],
      ['upstream/attested:1.0', images.ociAttested.digest],
      ['upstream/single-docker:1.0', images.dockerSingle.digest],
      ['upstream/chart:1.0', images.helmChart.digest],
      ['upstream/windows:1.0', images.windows.digest],
    ] as const) {
      expect(digestOf(await skopeoInspectRaw(registry, reference)), reference).toBe(digest);
    }
  });

  test('anonymous requests are refused unless the registry is open', async () => {
    // The TLS registry's certificate is self-signed: ask it without verification, as tls-verify=false does.
    const status =
      kind === 'basic-tls'
        ? await new Promise<number | undefined>((resolve) => {
            https
              .get(`${registry.url}/v2/`, { rejectUnauthorized: false }, (response) => {
                response.resume();
                resolve(response.statusCode);
              })
              .on('error', () => resolve(undefined));
          })
        : (await fetch(`${registry.url}/v2/`).catch(() => undefined))?.status;
    expect(status).toBe({ plain: 200, 'basic-tls': 401, token: 401 }[kind]);
  });
});

describe('token server', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry('token');
  });
  afterAll(() => registry?.stop());

  test.each([
    ['no credentials', undefined],
    ['a wrong password', 'Basic ' + Buffer.from('mirror-tester:wrong').toString('base64')],
  ])('refuses %s', async (_name, authorization) => {
    const response = await fetch(`${registry.tokenServer!.url}?service=x&scope=repository:a:pull`, {
      headers: authorization ? { authorization } : {},
    });
    expect(response.status).toBe(401);
  });
});

describe('mirroring', () => {
  let source: TestRegistry;
  let destination: TestRegistry;
  let images: StandardImages;
  beforeAll(async () => {
    [source, destination] = await Promise.all([startRegistry('plain'), startRegistry('token')]);
    images = await seedStandardImages(source);
  });
  afterAll(async () => {
    await Promise.all([source?.stop(), destination?.stop()]);
  });

  test('mirrorIdentical keeps the digest', async () => {
    await mirrorIdentical(source, 'upstream/multi:1.0', destination, 'mirror/multi:1.0');
    expect(digestOf(await skopeoInspectRaw(destination, 'mirror/multi:1.0'))).toBe(images.dockerList.digest);
  });

  test('mirrorRebuilt pushes a new OCI index of the selected source children', async () => {
    const rebuilt = await mirrorRebuilt(source, 'upstream/multi:1.0', destination, 'rebuilt/multi:1.0');
    const raw = await skopeoInspectRaw(destination, 'rebuilt/multi:1.0');
    expect(digestOf(raw)).toBe(rebuilt.digest);
    expect(rebuilt.digest).not.toBe(images.dockerList.digest);
    const index = parseManifest(raw);
    expect(index.kind === 'index' && index.manifests.map((entry) => entry.digest)).toEqual(
      images.dockerList.children.slice(0, 2).map((child) => child.digest),
    );
    const child = await registryRequest(
      destination,
      'rebuilt/multi',
      'HEAD',
      `manifests/${images.dockerList.children[0]!.digest}`,
    );
    expect(child.status).toBe(200);
  });

  test('after stop the port is closed', async () => {
    const registry = await startRegistry('plain');
    const [host, port] = registry.host.split(':') as [string, string];
    await registry.stop();
    const connected = await new Promise<boolean>((resolve) => {
      const socket = net.connect(Number(port), host, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    expect(connected).toBe(false);
  });
});
