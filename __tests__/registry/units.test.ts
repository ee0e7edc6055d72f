// Pure pieces of the registry client: Retry-After, manifests, Docker config credentials (challenges: challenge.test.ts).
import { mkdir, mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidManifestError, MediaType, parseManifest } from '../../src/registry/manifest.js';
import { dockerConfigResolver } from '../../src/registry/credentials.js';
import { parseRetryAfter } from '../../src/registry/retry-after.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  test.each([
    ['10', 10],
    [' 0 ', 0],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));
const descriptor = { mediaType: MediaType.ociManifest, digest: `sha256:${'a'.repeat(64)}`, size: 10 };

describe('parseManifest', () => {
  test.each([
    [{ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [descriptor] }, undefined, 'index'],
    [{ schemaVersion: 2, manifests: [descriptor] }, MediaType.dockerManifestList, 'index'],
    [{ schemaVersion: 2, manifests: [] }, undefined, 'index'],
    [
      { schemaVersion: 2, mediaType: MediaType.dockerManifest, config: descriptor, layers: [descriptor] },
      undefined,
      'image',
    ],
    [{ schemaVersion: 2, config: descriptor, layers: [] }, 'application/json', 'image'],
    [
      {
        schemaVersion: 1,
        architecture: 'amd64',
        fsLayers: [{ blobSum: descriptor.digest }],
        history: [{ v1Compatibility: '{}' }],
      },
      undefined,
      'schema1',
    ],
    [{ schemaVersion: 1, fsLayers: [], signatures: [] }, MediaType.dockerSchema1Signed, 'schema1'],
  ])('%j (%s) → %s', (body, contentType, kind) => {
    expect(parseManifest(bytes(body), contentType).kind).toBe(kind);
  });

  test.each([
    ['not json', /not JSON/],
    ['[]', /not a JSON object/],
    [JSON.stringify({ schemaVersion: 2 }), /no recognisable media type/],
    [JSON.stringify({ mediaType: 'application/vnd.example+json' }), /unsupported manifest media type/],
    [JSON.stringify({ mediaType: MediaType.ociIndex }), /without a manifests array/],
    [
      JSON.stringify({ mediaType: MediaType.ociIndex, manifests: [{ digest: 'nope' }] }),
      /manifests\[0\] has no valid digest/,
    ],
  ])('rejects %j', (text, message) => {
    expect(() => parseManifest(new TextEncoder().encode(text))).toThrow(InvalidManifestError);
    expect(() => parseManifest(new TextEncoder().encode(text))).toThrow(message);
  });

  test('keeps platform, os.version, annotations and urls', () => {
    const manifest = parseManifest(
      bytes({
        mediaType: MediaType.ociIndex,
        manifests: [
          {
            ...descriptor,
            platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' },
            annotations: { a: 'b' },
            urls: ['https://x'],
          },
        ],
      }),
    );
    expect(manifest.kind === 'index' && manifest.manifests[0]).toMatchObject({
      platform: { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' },
      annotations: { a: 'b' },
      urls: ['https://x'],
    });
  });
});

describe('Docker config credentials', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mv-creds-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function resolverFor(name: string, config: object, helper?: string) {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'config.json'), JSON.stringify(config));
    if (helper) {
      await writeFile(join(folder, 'docker-credential-store'), helper);
      await chmod(join(folder, 'docker-credential-store'), 0o755);
    }
    return dockerConfigResolver({ DOCKER_CONFIG: folder, PATH: `${folder}:${process.env.PATH}` });
  }

  test('auths by host, Docker Hub legacy key, identity tokens', async () => {
    const resolve = await resolverFor('auths', {
      auths: {
        'https://index.docker.io/v1/': { auth: Buffer.from('hubuser:hubpass').toString('base64') },
        'https://harbor.example.com': { auth: Buffer.from('h:p:with:colons').toString('base64') },
        'ecr.example.com': { username: 'AWS', identitytoken: 'refresh-me' },
      },
    });
    expect(await resolve('docker.io')).toEqual({ username: 'hubuser', password: 'hubpass' });
    expect(await resolve('harbor.example.com')).toEqual({ username: 'h', password: 'p:with:colons' });
    expect(await resolve('ecr.example.com')).toEqual({ username: 'AWS', identityToken: 'refresh-me' });
    expect(await resolve('quay.io')).toBeUndefined();
  });

  test('credsStore runs docker-credential-<name> get with the server on stdin', async () => {
    const resolve = await resolverFor(
      'store',
      { credsStore: 'store' },
      '#!/bin/sh\nread server\nif [ "$server" = "registry.example.com" ]; then echo \'{"Username":"u","Secret":"s"}\'; ' +
        'elif [ "$server" = "token.example.com" ]; then echo \'{"Username":"<token>","Secret":"idt"}\'; ' +
        'else echo "credentials not found in native keychain"; exit 1; fi\n',
    );
    expect(await resolve('registry.example.com')).toEqual({ username: 'u', password: 's' });
    expect(await resolve('token.example.com')).toEqual({ identityToken: 'idt' });
    expect(await resolve('other.example.com')).toBeUndefined();
  });

  test('REGISTRY_AUTH_FILE is read after the Docker config', async () => {
    const authFile = join(dir, 'auth.json');
    await writeFile(
      authFile,
      JSON.stringify({ auths: { 'quay.io': { auth: Buffer.from('q:w').toString('base64') } } }),
    );
    const resolve = dockerConfigResolver({ DOCKER_CONFIG: join(dir, 'none'), REGISTRY_AUTH_FILE: authFile });
    expect(await resolve('quay.io')).toEqual({ username: 'q', password: 'w' });
  });
});
