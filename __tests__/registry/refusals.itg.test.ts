// Refused, missing or unreachable, against real distribution registries behind fronts that answer the way
// rate-limited registries and HEAD-blind proxies do; and the tag-listing verb, pages and hostile links.
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseImageList } from '../../src/engine/list/image-list.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { LineResult } from '../../src/engine/validate/result.js';
import { validateEntries } from '../../src/engine/validate/runner.js';
import { createRegistryClient, type ClientOptions } from '../../src/registry/client.js';
import { RegistryError } from '../../src/registry/errors.js';
import { MAX_TAG_PAGES, MAX_TAGS } from '../../src/registry/tags.js';
import { mirrorByApi, mirrorRebuilt } from '../../testkit/mirror.js';
import { startProxy, type ProxiedResponse, type ProxyHooks, type TestProxy } from '../../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { deleteManifest, linux, pushImage, pushMultiPlatform } from '../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
const proxies: TestProxy[] = [];

// identical, rebuilt, single, destination missing, source deleted, a platform missing at the destination.
const LIST = [
  'app/multi:1.0',
  'app/rebuilt:1.0',
  'app/single:1.0',
  'app/unmirrored:1.0',
  'app/gone:1.0',
  'app/partial:1.0',
];

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  await pushMultiPlatform(upstream, 'app/multi', '1.0', [linux('amd64'), linux('arm64')]);
  await mirrorByApi(upstream, 'app/multi:1.0', mirror, 'app/multi:1.0');
  await pushMultiPlatform(upstream, 'app/rebuilt', '1.0', [linux('amd64'), linux('arm64')]);
  await mirrorRebuilt(upstream, 'app/rebuilt:1.0', mirror, 'app/rebuilt:1.0');
  await pushImage(upstream, 'app/single', '1.0', { platform: linux('amd64') });
  await mirrorByApi(upstream, 'app/single:1.0', mirror, 'app/single:1.0');
  await pushImage(upstream, 'app/unmirrored', '1.0', { platform: linux('amd64') });
  const gone = await pushImage(upstream, 'app/gone', '1.0', { platform: linux('amd64') });
  await mirrorByApi(upstream, 'app/gone:1.0', mirror, 'app/gone:1.0');
  await deleteManifest(upstream, 'app/gone', gone.digest);
  await pushMultiPlatform(upstream, 'app/partial', '1.0', [linux('amd64'), linux('arm64')]);
  await mirrorRebuilt(upstream, 'app/partial:1.0', mirror, 'app/partial:1.0', { arch: ['amd64'] });
  for (let tag = 0; tag < 30; tag += 1)
    await pushImage(upstream, 'app/tagged', `v1.${tag}`, { platform: linux('amd64') });
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

const verdict = (result: LineResult) =>
  `${result.line} ${result.status} ${result.status === 'passed' ? result.rule : result.reason}`;

async function front(target: TestRegistry, hooks: ProxyHooks) {
  const proxy = await startProxy(target.url, hooks);
  proxies.push(proxy);
  return proxy;
}

async function validate(
  source: string,
  destination: string,
  list = LIST,
  client: Partial<ClientOptions> = {},
) {
  const messages: string[] = [];
  const reader = createRegistryClient({
    tlsVerify: false,
    retries: 2,
    backoffMs: 2,
    onHeadMisread: (registry) => messages.push(`head misread ${registry}`),
    ...client,
  });
  try {
    const results = (
      await validateEntries({
        entries: parseImageList(list.join('\n'), { source, destination, defaultProject: 'library' }),
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 1,
        imageTimeoutMs: 20_000,
        reader,
      })
    ).toArray();
    return { results, verdicts: results.map(verdict), stats: reader.stats(), messages };
  } finally {
    reader.close();
  }
}

const tooMany = (retryAfter?: string): ProxiedResponse => ({
  status: 429,
  headers: { 'content-type': 'application/json', ...(retryAfter ? { 'retry-after': retryAfter } : {}) },
  body: Buffer.from('{"errors":[{"code":"TOOMANYREQUESTS","message":"pull rate limit"}]}'),
});
const isPing = (request: http.IncomingMessage) => request.method === 'GET' && request.url === '/v2/';

let direct: string[];
beforeAll(async () => {
  ({ verdicts: direct } = await validate(upstream.host, mirror.host));
});

test('the direct run has the verdicts the fronts must keep', () => {
  expect(direct).toEqual([
    '1 passed identical',
    '2 passed platforms',
    '3 passed identical',
    '4 failed destination-missing',
    '5 failed source-missing',
    '6 failed platform-missing',
  ]);
});

describe('the "is this a registry?" probe', () => {
  test('answered 429 with Retry-After at first: the deleted upstream image is source-missing', async () => {
    let pings = 0;
    const source = await front(upstream, {
      answer: (request) => {
        if (!isPing(request)) return Promise.resolve(undefined);
        pings += 1;
        return Promise.resolve(pings <= 2 ? tooMany('1') : undefined);
      },
    });
    const { verdicts } = await validate(source.host, mirror.host, ['app/gone:1.0']);
    expect(verdicts).toEqual(['1 failed source-missing']);
    expect(pings).toBe(3);
  });

  test('still 429 after the retries: rate-limited, not unreachable, and asked again by the next line', async () => {
    let pings = 0;
    const source = await front(upstream, {
      answer: (request) => {
        if (!isPing(request)) return Promise.resolve(undefined);
        pings += 1;
        // The first line's probe and its two retries are refused; the next line's probe is answered.
        return Promise.resolve(pings <= 3 ? tooMany('0') : undefined);
      },
    });
    const { results, verdicts } = await validate(source.host, mirror.host, ['app/gone:1.0', 'app/never:1.0']);
    expect(verdicts).toEqual(['1 failed rate-limited', '2 failed source-missing']);
    expect(results[0]?.detail).toMatch(/rate limit reached \(GET \/v2\/\)/);
    expect(pings).toBe(4);
  });

  test('a probe answered 503 is the line’s failure and is not kept', async () => {
    let pings = 0;
    const source = await front(upstream, {
      answer: (request) => {
        if (!isPing(request)) return Promise.resolve(undefined);
        pings += 1;
        return Promise.resolve(
          pings <= 3 ? { status: 503, headers: {}, body: Buffer.from('busy') } : undefined,
        );
      },
    });
    const { verdicts } = await validate(source.host, mirror.host, ['app/gone:1.0', 'app/never:1.0']);
    expect(verdicts).toEqual(['1 failed unreachable', '2 failed source-missing']);
  });
});

describe('a front whose HEAD answers 404 for manifests that GET serves', () => {
  const headBlind = (target: TestRegistry) =>
    front(target, {
      answer: (request) =>
        Promise.resolve(
          request.method === 'HEAD' && request.url?.includes('/manifests/')
            ? {
                status: 404,
                headers: { 'content-type': 'application/json' },
                body: Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'),
              }
            : undefined,
        ),
    });

  test('every line gets the direct verdict; the registry is read by GET once seen, and said once', async () => {
    const destination = await headBlind(mirror);
    const { verdicts, stats, messages } = await validate(upstream.host, destination.host);
    expect(verdicts).toEqual(direct);
    expect(stats[destination.host]?.headMisread).toBe(true);
    expect(messages).toEqual([`head misread ${destination.host}`]);
    // After the first line, no manifest HEAD goes to it any more.
    expect(destination.seen.filter((request) => request.startsWith('HEAD ')).length).toBe(1);
  });

  test('on both sides at once, the verdicts are the direct ones too', async () => {
    const [source, destination] = await Promise.all([headBlind(upstream), headBlind(mirror)]);
    const { verdicts } = await validate(source.host, destination.host);
    expect(verdicts).toEqual(direct);
  });

  test('a healthy registry pays one GET for each missing line, and nothing for the others', async () => {
    const destination = await front(mirror, {});
    const { verdicts, stats, messages } = await validate(upstream.host, destination.host);
    expect(verdicts).toEqual(direct);
    expect(messages).toEqual([]);
    // The one missing line (4) confirmed its HEAD's 404 with one GET by tag.
    const byTag = destination.seen.filter((request) =>
      /^GET \/v2\/app\/unmirrored\/manifests\/1\.0$/.test(request),
    );
    expect(byTag).toHaveLength(1);
    expect(stats[destination.host]?.headMisread).toBeUndefined();
  });
});

describe('listing tags', () => {
  const client = () => createRegistryClient({ tlsVerify: false, retries: 0, backoffMs: 1 });

  test('every tag of a repository from the real registry, in one request', async () => {
    const reader = client();
    try {
      const tags = await reader.listTags(upstream.host, 'app/tagged');
      expect([...tags].sort()).toEqual(Array.from({ length: 30 }, (_, tag) => `v1.${tag}`).sort());
      expect(reader.stats()[upstream.host]?.tagGets).toBe(1);
    } finally {
      reader.close();
    }
  });

  /** A front that serves the repository's tags in pages of 7, linked the way distribution 3 links them. */
  async function paged(link: (repository: string, last: string, page: number) => string | undefined) {
    let page = 0;
    return front(upstream, {
      transform: (request, response) => {
        const url = new URL(request.url ?? '', 'http://x');
        const match = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
        if (!match || response.status !== 200) return undefined;
        const all = ((JSON.parse(response.body.toString()) as { tags: string[] }).tags ?? []).sort();
        const last = url.searchParams.get('last');
        const start = last ? all.indexOf(last) + 1 : 0;
        const tags = all.slice(start, start + 7);
        page += 1;
        const next =
          start + 7 < all.length ? link(match[1] as string, tags.at(-1) as string, page) : undefined;
        return {
          status: 200,
          headers: { 'content-type': 'application/json', ...(next ? { link: next } : {}) },
          body: Buffer.from(JSON.stringify({ name: match[1], tags })),
        };
      },
    });
  }

  test('pages linked relatively are followed to the end', async () => {
    const proxy = await paged(
      (repository, last) => `</v2/${repository}/tags/list?n=7&last=${last}>; rel="next"`,
    );
    const reader = client();
    try {
      expect(await reader.listTags(proxy.host, 'app/tagged')).toHaveLength(30);
      expect(reader.stats()[proxy.host]?.tagGets).toBe(5);
    } finally {
      reader.close();
    }
  });

  test.each([
    [
      'a link to another host',
      (repository: string) => `<http://127.0.0.2:1/v2/${repository}/tags/list?n=7>; rel="next"`,
      7,
    ],
    [
      'a link out of the tag list',
      (repository: string) => `</v2/${repository}/manifests/latest>; rel="next"`,
      7,
    ],
  ])('%s is not followed', async (_, link, count) => {
    const proxy = await paged(link);
    const reader = client();
    try {
      expect(await reader.listTags(proxy.host, 'app/tagged')).toHaveLength(count);
    } finally {
      reader.close();
    }
  });

  test('a link back to a page already read ends the listing with an error', async () => {
    const proxy = await paged((repository) => `</v2/${repository}/tags/list?n=1000>; rel="next"`);
    const reader = client();
    try {
      const error = await reader.listTags(proxy.host, 'app/tagged').catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).message).toMatch(/links back to a page already read/);
    } finally {
      reader.close();
    }
  });

  test(`a list that never ends stops after ${MAX_TAG_PAGES} pages`, async () => {
    const endless = await front(upstream, {
      answer: (request) => {
        const url = new URL(request.url ?? '', 'http://x');
        if (!url.pathname.endsWith('/tags/list')) return Promise.resolve(undefined);
        const page = Number(url.searchParams.get('page') ?? 0);
        return Promise.resolve({
          status: 200,
          headers: {
            'content-type': 'application/json',
            link: `</v2/app/tagged/tags/list?page=${page + 1}>; rel="next"`,
          },
          body: Buffer.from(JSON.stringify({ name: 'app/tagged', tags: [`t${page}`] })),
        });
      },
    });
    const reader = client();
    try {
      const error = await reader.listTags(endless.host, 'app/tagged').catch((thrown: unknown) => thrown);
      expect((error as RegistryError).message).toMatch(`runs past ${MAX_TAG_PAGES} pages`);
      expect(reader.stats()[endless.host]?.tagGets).toBe(MAX_TAG_PAGES);
    } finally {
      reader.close();
    }
  });

  test(`a list of 100,000 tags is refused past ${MAX_TAGS}, with the bound said`, async () => {
    const huge = await front(upstream, {
      answer: (request) =>
        Promise.resolve(
          request.url?.includes('/tags/list')
            ? {
                status: 200,
                headers: { 'content-type': 'application/json' },
                body: Buffer.from(
                  JSON.stringify({
                    name: 'app/tagged',
                    tags: Array.from({ length: 100_000 }, (_, n) => `t${n}`),
                  }),
                ),
              }
            : undefined,
        ),
    });
    const reader = client();
    try {
      const error = await reader.listTags(huge.host, 'app/tagged').catch((thrown: unknown) => thrown);
      expect((error as RegistryError).message).toBe(
        `${huge.host}/app/tagged tags: more than ${MAX_TAGS} tags`,
      );
    } finally {
      reader.close();
    }
  });

  test('a missing repository is not-found; an answer that is no tag list is an error', async () => {
    const reader = client();
    const odd = await front(upstream, {
      answer: (request) =>
        Promise.resolve(
          request.url?.includes('/tags/list')
            ? {
                status: 200,
                headers: { 'content-type': 'application/json' },
                body: Buffer.from('{"tags":[1,2]}'),
              }
            : undefined,
        ),
    });
    try {
      const missing = await reader
        .listTags(upstream.host, 'app/nothing-here')
        .catch((thrown: unknown) => thrown);
      expect((missing as RegistryError).code).toBe('not-found');
      const bad = await reader.listTags(odd.host, 'app/tagged').catch((thrown: unknown) => thrown);
      expect((bad as RegistryError).message).toMatch(/"tags" holds 1, which is no tag/);
    } finally {
      reader.close();
    }
  });
});
