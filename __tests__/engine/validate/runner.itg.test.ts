// Verdicts against real distribution registries, mirrored the two ways users mirror, and broken on purpose.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { createRegistryClient, type ClientOptions } from '../../../src/registry/client.js';
import { withExplicit } from '../../../src/registry/credentials.js';
import { DEFAULT_VALIDATE_OPTIONS, type ValidateOptions } from '../../../src/config/settings.js';
import type { FailedLine, LineResult } from '../../../src/engine/validate/result.js';
import { validateEntries } from '../../../src/engine/validate/runner.js';
import { mirrorIdentical, mirrorRebuilt } from '../../../testkit/mirror.js';
import { freePort, startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { startProxy, type ProxyHooks, type TestProxy } from '../../../testkit/proxy.js';
import {
  deleteBlob,
  deleteManifest,
  digestOf,
  linux,
  pushImage,
  pushIndex,
  seedStandardImages,
  type StandardImages,
} from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let images: StandardImages;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  images = await seedStandardImages(upstream);
  await Promise.all([
    mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'same/multi:1.0'),
    mirrorIdentical(upstream, 'upstream/chart:1.0', mirror, 'same/chart:1.0'),
    mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'upstream/multi:1.0'),
    mirrorIdentical(upstream, 'upstream/attested:1.0', mirror, 'same/attested:1.0'),
    mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'rebuilt/multi:1.0'),
    mirrorRebuilt(upstream, 'upstream/attested:1.0', mirror, 'rebuilt/attested:1.0'),
    mirrorRebuilt(upstream, 'upstream/attested:1.0', mirror, 'rebuilt-noprov/attested:1.0', {
      provenance: false,
    }),
    mirrorRebuilt(upstream, 'upstream/single-oci:1.0', mirror, 'rebuilt/single-oci:1.0'),
    mirrorRebuilt(upstream, 'upstream/single-docker:1.0', mirror, 'rebuilt/single-docker:1.0'),
    mirrorRebuilt(upstream, 'upstream/windows:1.0', mirror, 'rebuilt/windows:1.0'),
    mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'one/multi:1.0', { all: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

async function validate(
  lines: string[],
  options: Partial<ValidateOptions> = {},
  client: ClientOptions = { tlsVerify: false, retries: 1, backoffMs: 5 },
  source = upstream.host,
  destination = mirror.host,
) {
  const reader = createRegistryClient(client);
  try {
    const entries = parseImageList(lines.join('\n'), { source, destination, defaultProject: 'library' });
    const results = (
      await validateEntries({
        entries,
        options: { ...DEFAULT_VALIDATE_OPTIONS, ...options },
        jobs: 4,
        imageTimeoutMs: 10_000,
        reader,
      })
    ).toArray();
    return { results, stats: reader.stats() };
  } finally {
    reader.close();
  }
}

const verdict = (result: LineResult | undefined) =>
  result?.status === 'passed' ? `passed ${result.rule}` : `${result?.status} ${result?.reason}`;

describe('passing mirrors', () => {
  test.each([
    ['digest-identical multi-arch (skopeo copy --all)', 'upstream/multi same/multi 1.0', 'passed identical'],
    ['digest-identical Helm chart', 'upstream/chart same/chart 1.0', 'passed identical'],
    [
      'rebuilt index; s390x and arm/v7 filtered out and absent',
      'upstream/multi rebuilt/multi 1.0',
      'passed platforms',
    ],
    [
      'rebuilt index with attestations, provenance on',
      'upstream/attested rebuilt/attested 1.0',
      'passed platforms',
    ],
    [
      'single OCI manifest in a one-entry index',
      'upstream/single-oci rebuilt/single-oci 1.0',
      'passed platforms',
    ],
    [
      'single Docker manifest in a one-entry index',
      'upstream/single-docker rebuilt/single-docker 1.0',
      'passed platforms',
    ],
    [
      'Windows entries differing only in os.version',
      'upstream/windows rebuilt/windows 1.0',
      'passed platforms',
    ],
  ])('%s', async (_name, line, expected) => {
    const { results } = await validate([line]);
    expect(verdict(results[0]), results[0]?.detail).toBe(expected);
  });

  test('filtered-out platforms are listed as such', async () => {
    const { results } = await validate(['upstream/multi rebuilt/multi 1.0']);
    const result = results[0];
    expect(result?.status === 'passed' && result.platforms.map((p) => `${p.platform}:${p.status}`)).toEqual([
      'linux/amd64:ok',
      'linux/arm64:ok',
      'linux/arm/v7:filtered-out',
      'linux/s390x:filtered-out',
    ]);
  });

  test('an identical mirror costs one manifest HEAD per side and no GET', async () => {
    const { results, stats } = await validate(['upstream/multi same/multi 1.0']);
    expect(verdict(results[0])).toBe('passed identical');
    for (const host of [upstream.host, mirror.host]) {
      expect(stats[host]?.manifestHeads).toBe(1);
      expect(stats[host]?.manifestGets).toBe(0);
      expect(stats[host]?.byMethod).toEqual({ HEAD: 1 });
    }
  });

  test('a digest-referenced line and a duplicated line (validated once, reported on each)', async () => {
    const { results, stats } = await validate(
      [
        `upstream/multi@${images.dockerList.digest}`,
        'upstream/multi same/multi 1.0',
        'upstream/multi same/multi 1.0',
      ],
      {},
      undefined,
      upstream.host,
      mirror.host,
    );
    expect(results.map(verdict)).toEqual(['passed identical', 'passed identical', 'passed identical']);
    expect(stats[upstream.host]?.manifestHeads).toBe(2);
  });

  test('skopeo copy without --all leaves one plain manifest: passes when the filter selects only that platform', async () => {
    const selectedOnly = await validate(['upstream/multi one/multi 1.0'], {
      filter: { arch: ['amd64'], os: ['linux'], variant: [] },
    });
    expect(verdict(selectedOnly.results[0])).toBe('passed platforms');
    const both = await validate(['upstream/multi one/multi 1.0']);
    expect(verdict(both.results[0])).toBe('failed platform-missing');
  });

  test('provenance off ignores attestations; on, a mirror without them fails', async () => {
    const off = await validate(['upstream/attested rebuilt-noprov/attested 1.0'], { provenance: false });
    expect(verdict(off.results[0])).toBe('passed platforms');
    const on = await validate(['upstream/attested rebuilt-noprov/attested 1.0']);
    expect(verdict(on.results[0])).toBe('failed platform-missing');
    expect(on.results[0]?.detail).toMatch(/linux\/amd64 attestation/);
  });

  test('require-identical fails a rebuilt index and passes an identical one', async () => {
    const { results } = await validate(
      ['upstream/multi rebuilt/multi 1.0', 'upstream/multi same/multi 1.0'],
      {
        requireIdentical: true,
      },
    );
    expect(results.map(verdict)).toEqual(['failed digest-mismatch', 'passed identical']);
  });

  test('a filter that selects no source platform skips the line', async () => {
    const { results } = await validate(['upstream/multi rebuilt/multi 1.0'], {
      filter: { arch: ['ppc64le'], os: ['linux'], variant: [] },
    });
    expect(verdict(results[0])).toBe('skipped no-matching-platform');
  });
});

describe('broken mirrors', () => {
  test('source-missing and destination-missing', async () => {
    const { results } = await validate([
      'upstream/nothing same/nothing 1.0',
      'upstream/multi nowhere/multi 1.0',
    ]);
    expect(results.map(verdict)).toEqual(['failed source-missing', 'failed destination-missing']);
    expect((results[0] as FailedLine).findings.map((f) => f.reason)).toEqual([
      'source-missing',
      'destination-missing',
    ]);
  });

  test('digest-mismatch: same platforms, other images (upstream moved)', async () => {
    const other = await Promise.all([
      pushImage(mirror, 'moved/multi', undefined, { platform: linux('amd64'), format: 'docker' }),
      pushImage(mirror, 'moved/multi', undefined, { platform: linux('arm64'), format: 'docker' }),
    ]);
    await pushIndex(mirror, 'moved/multi', '1.0', other);
    const { results } = await validate(['upstream/multi moved/multi 1.0']);
    expect(verdict(results[0])).toBe('failed digest-mismatch');
    expect(results[0]?.detail).toMatch(
      /linux\/amd64: destination has sha256:.* but source has .*upstream moved/,
    );
  });

  test('platform-missing names the platform', async () => {
    await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'partial/multi:1.0', { arch: ['amd64'] });
    const { results } = await validate(['upstream/multi partial/multi 1.0']);
    expect(verdict(results[0])).toBe('failed platform-missing');
    expect(results[0]?.detail).toMatch(/lacks linux\/arm64/);
  });

  test('platform-mismatch names the field and both values', async () => {
    const [amd64, arm64] = images.dockerList.children;
    await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'liar/multi:1.0');
    await pushIndex(mirror, 'liar/multi', '1.0', [
      { ...amd64!, platform: linux('amd64') },
      { ...arm64!, platform: linux('arm', 'v7') },
    ]);
    const { results } = await validate(['upstream/multi liar/multi 1.0']);
    expect(verdict(results[0])).toBe('failed platform-mismatch');
    expect(results[0]?.detail).toMatch(/architecture "arm", source says "arm64"/);
  });

  test('manifest-missing: the index lists a child the repository lost', async () => {
    await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'dangling/multi:1.0');
    await deleteManifest(mirror, 'dangling/multi', images.dockerList.children[1]!.digest);
    const { results } = await validate(['upstream/multi dangling/multi 1.0']);
    expect(verdict(results[0])).toBe('failed manifest-missing');
  });

  test('blob-missing in deep mode only', async () => {
    await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'holed/multi:1.0');
    await deleteBlob(mirror, 'holed/multi', images.dockerList.children[0]!.layers[0]!.digest);
    const shallow = await validate(['upstream/multi holed/multi 1.0']);
    expect(verdict(shallow.results[0])).toBe('passed platforms');
    const deep = await validate(['upstream/multi holed/multi 1.0'], { deep: true });
    expect(verdict(deep.results[0])).toBe('failed blob-missing');
    expect(deep.results[0]?.detail).toMatch(/linux\/amd64: 1 blob missing/);
  });

  test('Windows: an index with only one os.version misses the other', async () => {
    const [first] = images.windows.children;
    await mirrorRebuilt(upstream, 'upstream/windows:1.0', mirror, 'win/windows:1.0');
    await pushIndex(mirror, 'win/windows', '1.0', [first!]);
    const { results } = await validate(['upstream/windows win/windows 1.0']);
    expect(verdict(results[0])).toBe('failed platform-missing');
    expect(results[0]?.detail).toMatch(/windows\/amd64 10\.0\.20348\.1/);
  });

  test('a different Helm chart under the tag: digest-mismatch', async () => {
    await pushImage(mirror, 'other/chart', '1.0', { platform: linux('amd64') });
    const { results } = await validate(['upstream/chart other/chart 1.0']);
    expect(verdict(results[0])).toBe('failed digest-mismatch');
  });
});

describe('infrastructure failures are results, not crashes', () => {
  let token: TestRegistry;
  let tls: TestRegistry;
  beforeAll(async () => {
    [token, tls] = await Promise.all([startRegistry('token'), startRegistry('basic-tls')]);
  });
  afterAll(async () => {
    await Promise.all([token?.stop(), tls?.stop()]);
  });

  test('auth: wrong credentials at the token registry', async () => {
    const { results } = await validate(
      ['upstream/multi same/multi 1.0'],
      {},
      {
        tlsVerify: false,
        insecureRegistries: [token.host],
        retries: 0,
        credentials: withExplicit({ [token.host]: { username: 'mirror-tester', password: 'wrong' } }),
      },
      upstream.host,
      token.host,
    );
    expect(verdict(results[0])).toBe('failed auth');
  });

  test('unreachable: nothing listens', async () => {
    const port = await freePort();
    const { results } = await validate(
      ['upstream/multi same/multi 1.0'],
      {},
      undefined,
      upstream.host,
      `127.0.0.1:${port}`,
    );
    expect(verdict(results[0])).toBe('failed unreachable');
  });

  test('tls: tls-verify on against a self-signed registry', async () => {
    const { results } = await validate(
      ['upstream/multi same/multi 1.0'],
      {},
      { tlsVerify: true, retries: 0 },
      upstream.host,
      tls.host,
    );
    expect(verdict(results[0])).toBe('failed tls');
    expect(results[0]?.detail).toMatch(/give its CA with ca-file, or list .* in insecure-registries/);
  });

  describe('through a proxy in front of the source', () => {
    let proxy: TestProxy | undefined;
    afterAll(() => proxy?.close());
    const through = async (transform: ProxyHooks['transform'], client?: ClientOptions) => {
      await proxy?.close();
      proxy = await startProxy(upstream.url, { transform });
      return validate(['upstream/multi rebuilt/multi 1.0'], {}, client, proxy.host);
    };

    test('integrity: a manifest body altered on the way never passes', async () => {
      const { results } = await through((request, response) =>
        request.method === 'GET' && request.url?.includes('/manifests/')
          ? { ...response, body: Buffer.from(response.body.toString().replace('"size":', '"size": ')) }
          : undefined,
      );
      expect(verdict(results[0])).toBe('failed integrity');
    });

    test('invalid-manifest: a body that matches its digest but is no manifest', async () => {
      const body = Buffer.from('{"hello":"world"}');
      const { results } = await through((request, response) =>
        request.url?.includes('/manifests/')
          ? {
              ...response,
              status: 200,
              body,
              headers: {
                ...response.headers,
                'docker-content-digest': digestOf(body),
                'content-type': 'application/json',
              },
            }
          : undefined,
      );
      expect(verdict(results[0])).toBe('failed invalid-manifest');
    });

    test('rate-limited: 429 until the retries run out, naming the registry', async () => {
      const { results } = await through((_request, response) => ({
        ...response,
        status: 429,
        headers: { 'retry-after': '0' },
        body: Buffer.alloc(0),
      }));
      expect(verdict(results[0])).toBe('failed rate-limited');
      expect((results[0] as FailedLine).registry).toBe(proxy?.host);
    });

    test('a source whose HEAD carries no Docker-Content-Digest: each manifest is fetched once', async () => {
      const { results } = await through((request, response) => {
        if (request.method !== 'HEAD' || !request.url?.includes('/manifests/')) return undefined;
        const { 'docker-content-digest': _stripped, ...headers } = response.headers;
        return { ...response, headers };
      });
      expect(verdict(results[0])).toBe('passed platforms');
      const gets = proxy!.seen.filter((seen) => seen.startsWith('GET ') && seen.includes('/manifests/'));
      // The index by tag (to hash it), then nothing again by digest; no child manifest is needed.
      expect(gets).toEqual(['GET /v2/upstream/multi/manifests/1.0']);
    });

    test('timeout: a registry that never answers', async () => {
      const started = Date.now();
      const { results } = await through(() => 'stall', { tlsVerify: false, retries: 0, timeoutMs: 300 });
      expect(verdict(results[0])).toBe('failed timeout');
      expect(Date.now() - started).toBeLessThan(5000);
    });
  });
});
