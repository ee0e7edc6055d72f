// The registry client against real distribution registries, and a proxy that alters what they answer.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseReference, type ImageReference } from '../../src/registry/reference.js';
import { createRegistryClient, type ClientOptions } from '../../src/registry/client.js';
import {
  dockerConfigResolver,
  withExplicit,
  type CredentialResolver,
} from '../../src/registry/credentials.js';
import { RegistryError } from '../../src/registry/errors.js';
import { skopeoInspectRaw } from '../../testkit/mirror.js';
import { startProxy } from '../../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { deleteManifest, digestOf, seedStandardImages, type StandardImages } from '../../testkit/seed.js';

const REFERENCES = [
  'upstream/multi:1.0',
  'upstream/attested:1.0',
  'upstream/single-docker:1.0',
  'upstream/single-oci:1.0',
  'upstream/chart:1.0',
];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'mv-client-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Writes a Docker config folder and returns a resolver reading it (as docker/login-action leaves it). */
async function configResolver(name: string, config: object, extraPath?: string): Promise<CredentialResolver> {
  const dir = join(scratch, name);
  await rm(dir, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dockerConfigResolver({
    DOCKER_CONFIG: dir,
    PATH: `${extraPath ? `${extraPath}:` : ''}${process.env.PATH}`,
  });
}

async function helperOnPath(name: string, username: string, password: string): Promise<string> {
  const dir = join(scratch, `bin-${name}`);
  await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
  const script = join(dir, `docker-credential-${name}`);
  await writeFile(
    script,
    `#!/bin/sh\nread server\nprintf '{"ServerURL":"%s","Username":"${username}","Secret":"${password}"}' "$server"\n`,
  );
  await chmod(script, 0o755);
  return dir;
}

describe.each(['plain', 'basic-tls', 'token'] as const)('against the %s registry', (kind) => {
  let registry: TestRegistry;
  let images: StandardImages;
  const resolvers: Record<string, () => Promise<CredentialResolver | undefined>> = {};
  beforeAll(async () => {
    registry = await startRegistry(kind);
    images = await seedStandardImages(registry);
    const auth = Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
    resolvers['config.json'] = () =>
      configResolver(`${kind}-auths`, { auths: { [registry.host]: { auth } } });
    resolvers['explicit credentials'] = async () =>
      withExplicit({ [registry.host]: { username: registry.username, password: registry.password } });
    resolvers['a credential helper'] = async () =>
      configResolver(
        `${kind}-helper`,
        { credHelpers: { [registry.host]: 'mvtest' } },
        await helperOnPath(`mvtest`, registry.username ?? '', registry.password ?? ''),
      );
  });
  afterAll(() => registry?.stop());

  test.each(['config.json', 'explicit credentials', 'a credential helper'])(
    'via %s: digests equal the sha256 of skopeo inspect --raw',
    async (how) => {
      const credentials = kind === 'plain' ? undefined : await resolvers[how]!();
      const client = createRegistryClient({
        tlsVerify: false,
        insecureRegistries: [registry.host],
        credentials,
      });
      try {
        for (const reference of REFERENCES) {
          const expected = digestOf(await skopeoInspectRaw(registry, reference));
          const ref = parseReference(`${registry.host}/${reference}`);
          expect((await client.headManifest(ref)).digest, reference).toBe(expected);
          const fetched = await client.getManifest({ ...ref, digest: expected });
          expect(fetched.digest).toBe(expected);
        }
        const kinds = (await client.getManifest(parseReference(`${registry.host}/upstream/multi:1.0`)))
          .manifest.kind;
        expect(kinds).toBe('index');
      } finally {
        client.close();
      }
    },
  );

  test('manifestExists and blobExists tell present from deleted', async () => {
    const client = createRegistryClient({
      tlsVerify: false,
      insecureRegistries: [registry.host],
      credentials: withExplicit({
        [registry.host]: { username: registry.username, password: registry.password },
      }),
    });
    try {
      const child = images.dockerList.children[3]!;
      expect(await client.manifestExists(registry.host, 'upstream/multi', child.digest)).toBe(true);
      await deleteManifest(registry, 'upstream/multi', child.digest);
      expect(await client.manifestExists(registry.host, 'upstream/multi', child.digest)).toBe(false);
      expect(
        await client.blobExists(
          registry.host,
          'upstream/multi',
          images.dockerList.children[0]!.layers[0]!.digest,
        ),
      ).toBe(true);
      expect(await client.blobExists(registry.host, 'upstream/multi', `sha256:${'0'.repeat(64)}`)).toBe(
        false,
      );
    } finally {
      client.close();
    }
  });
});

describe('TLS and authentication failures', () => {
  let tls: TestRegistry;
  let token: TestRegistry;
  beforeAll(async () => {
    [tls, token] = await Promise.all([startRegistry('basic-tls'), startRegistry('token')]);
    await seedStandardImages(token);
  });
  afterAll(async () => {
    await Promise.all([tls?.stop(), token?.stop()]);
  });

  test('tls-verify on: a self-signed registry fails with a TLS error that says so', async () => {
    const client = createRegistryClient({ tlsVerify: true, retries: 0 });
    try {
      const error = await client
        .headManifest(parseReference(`${tls.host}/a:1`))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe('tls');
      expect((error as RegistryError).message).toMatch(/ca-file, or list .* in insecure-registries/);
    } finally {
      client.close();
    }
  });

  test('wrong credentials at the token registry: unauthorized', async () => {
    const client = createRegistryClient({
      tlsVerify: false,
      insecureRegistries: [token.host],
      credentials: withExplicit({ [token.host]: { username: 'mirror-tester', password: 'wrong' } }),
    });
    try {
      const error = await client
        .headManifest(parseReference(`${token.host}/upstream/multi:1.0`))
        .catch((caught: unknown) => caught);
      expect((error as RegistryError).code).toBe('unauthorized');
    } finally {
      client.close();
    }
  });

  test('one token request per repository scope, however many requests', async () => {
    const before = token.tokenServer!.requests;
    token.tokenServer!.accessTokenOnly = true;
    const client = createRegistryClient({
      tlsVerify: false,
      insecureRegistries: [token.host],
      credentials: withExplicit({ [token.host]: { username: token.username, password: token.password } }),
    });
    try {
      const refs: ImageReference[] = ['multi', 'attested', 'single-oci'].flatMap((name) =>
        Array.from({ length: 5 }, () => parseReference(`${token.host}/upstream/${name}:1.0`)),
      );
      await Promise.all(refs.map((ref) => client.headManifest(ref)));
      expect(token.tokenServer!.requests - before).toBe(3);
      expect(client.stats()[token.host]?.tokenRequests).toBe(3);
    } finally {
      token.tokenServer!.accessTokenOnly = false;
      client.close();
    }
  });
});

describe('through a proxy', () => {
  let registry: TestRegistry;
  let images: StandardImages;
  beforeAll(async () => {
    registry = await startRegistry('plain');
    images = await seedStandardImages(registry);
  });
  afterAll(() => registry?.stop());

  const options: ClientOptions = { tlsVerify: false, retries: 2, backoffMs: 5 };

  test('without Docker-Content-Digest the digest still comes right (GET + sha256)', async () => {
    const proxy = await startProxy(registry.url, {
      transform: (_request, response) => {
        delete response.headers['docker-content-digest'];
        return response;
      },
    });
    const client = createRegistryClient(options);
    try {
      const head = await client.headManifest(parseReference(`${proxy.host}/upstream/multi:1.0`));
      expect(head.digest).toBe(images.dockerList.digest);
      expect(proxy.seen.filter((line) => line.startsWith('GET /v2/upstream/multi/manifests'))).toHaveLength(
        1,
      );
    } finally {
      client.close();
      await proxy.close();
    }
  });

  test('an altered manifest body fetched by digest is a digest mismatch', async () => {
    const proxy = await startProxy(registry.url, {
      transform: (request, response) =>
        request.method === 'GET' && request.url?.includes('/manifests/')
          ? {
              ...response,
              body: Buffer.from(response.body.toString().replace('"schemaVersion":2', '"schemaVersion": 2')),
            }
          : undefined,
    });
    const client = createRegistryClient(options);
    try {
      const ref = {
        ...parseReference(`${proxy.host}/upstream/single-oci:1.0`),
        digest: images.ociSingle.digest,
      };
      const error = await client.getManifest(ref).catch((caught: unknown) => caught);
      expect((error as RegistryError).code).toBe('digest-mismatch');
    } finally {
      client.close();
      await proxy.close();
    }
  });

  test('5xx and resets are retried; a persistent 503 ends as an HTTP error after the retries', async () => {
    let calls = 0;
    const proxy = await startProxy(registry.url, {
      transform: (_request, response) => {
        calls += 1;
        if (calls === 1) return { ...response, status: 503, body: Buffer.alloc(0) };
        if (calls === 2) return 'reset';
        return undefined;
      },
    });
    const client = createRegistryClient(options);
    try {
      const head = await client.headManifest(parseReference(`${proxy.host}/upstream/multi:1.0`));
      expect(head.digest).toBe(images.dockerList.digest);
      expect(client.stats()[proxy.host]?.retries).toBe(2);
    } finally {
      client.close();
      await proxy.close();
    }
  });

  test('429 with Retry-After is honoured, and reported as rate-limited when it never ends', async () => {
    const proxy = await startProxy(registry.url, {
      transform: (_request, response) => ({
        ...response,
        status: 429,
        headers: { ...response.headers, 'retry-after': '0', 'ratelimit-remaining': '0;w=21600' },
        body: Buffer.alloc(0),
      }),
    });
    const client = createRegistryClient(options);
    try {
      const error = await client
        .headManifest(parseReference(`${proxy.host}/upstream/multi:1.0`))
        .catch((caught: unknown) => caught);
      expect((error as RegistryError).code).toBe('rate-limited');
      expect(proxy.seen).toHaveLength(3);
      expect(client.stats()[proxy.host]?.rateLimit?.remaining).toBe('0;w=21600');
    } finally {
      client.close();
      await proxy.close();
    }
  });

  test('a 429 pauses every request to that registry, not only the one that got it', async () => {
    const seenAt: number[] = [];
    let limited = 0;
    const proxy = await startProxy(registry.url, {
      transform: (request, response) => {
        seenAt.push(Date.now());
        if (request.url?.includes('/attested/') && limited++ === 0) {
          return { status: 429, headers: { 'retry-after': '1' }, body: Buffer.alloc(0) };
        }
        return response;
      },
    });
    const client = createRegistryClient(options);
    try {
      await client.headManifest(parseReference(`${proxy.host}/upstream/multi:1.0`));
      const limitedRequest = client.headManifest(parseReference(`${proxy.host}/upstream/attested:1.0`));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const start = Date.now();
      await client.headManifest(parseReference(`${proxy.host}/upstream/single-oci:1.0`));
      await limitedRequest;
      // The third request waited out the pause the second one was given (about a second after the 429).
      expect(Date.now() - start).toBeGreaterThanOrEqual(600);
      expect(seenAt).toHaveLength(4);
    } finally {
      client.close();
      await proxy.close();
    }
  });
});
