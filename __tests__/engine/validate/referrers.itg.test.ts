// Signatures, attestations and SBOMs travel with the image: against the real distribution registry, images
// signed the cosign way (.sig and .att tags), an image whose referrers tag schema lists SBOMs, and images whose
// referrers only the OCI 1.1 referrers API lists, each mirrored with and without them.
//
// The referrers API itself goes through testkit/referrers-front.ts: distribution 2.8 does not serve it (a plain
// 404), so the front answers `GET /v2/<name>/referrers/<digest>` from the manifests the registry stores and
// passes everything else to it. Every other request, and every verdict's evidence, is the real registry's.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseReferrers } from '../../../src/config/parse.js';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../../src/config/settings.js';
import type { FailedLine, LineResult } from '../../../src/engine/validate/result.js';
import { validateEntries } from '../../../src/engine/validate/runner.js';
import { createRegistryClient } from '../../../src/registry/client.js';
import type { Descriptor } from '../../../src/registry/manifest.js';
import { copyImageManifest, mirrorIdentical, mirrorRebuilt, skopeo } from '../../../testkit/mirror.js';
import { startProxy, type ProxiedResponse, type TestProxy } from '../../../testkit/proxy.js';
import { startReferrersFront, type ReferrersFront } from '../../../testkit/referrers-front.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { linux, pushMultiPlatform, type PushedIndex, type PushedImage } from '../../../testkit/seed.js';
import { pushCosignTag, pushReferrer } from '../../../testkit/signatures.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let upstreamApi: ReferrersFront;
let mirrorApi: ReferrersFront;
let signed: PushedIndex & { children: PushedImage[] };
let sig: Descriptor & { tag: string };
let att: Descriptor & { tag: string };
let sbomImage: PushedIndex & { children: PushedImage[] };
let indexSbom: Descriptor;
let childSbom: Descriptor;
let apiImage: PushedIndex & { children: PushedImage[] };
let apiSignature: Descriptor;
let apiNotation: Descriptor;
let apiSbom: Descriptor;

const SPDX = 'application/spdx+json';
const COSIGN_SIG = 'application/vnd.dev.cosign.artifact.sig.v1+json';
const NOTATION = 'application/vnd.cncf.notary.signature';

/** skopeo copy --all of a tag, as a user copies cosign tags and referrers tags (see the tag-schema note). */
async function copyTag(from: string, to: string) {
  // Without --preserve-digests: skopeo 1.9 refuses to copy a referrers index with it ("Manifest list must be
  // converted"), and rewrites the index without the entries' artifactType; the entries' digests stay.
  await skopeo([
    'copy',
    '--all',
    '--retry-times=0',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-no-creds',
    `docker://${upstream.host}/${from}`,
    `docker://${mirror.host}/${to}`,
  ]);
}

const tagOf = (digest: string) => digest.replace(':', '-');
/** A cosign tag as messages write it: `sha256-<12 hex>….sig`. */
const shortTag = (tag: string) => `${tag.slice(0, 19)}…${tag.slice(71)}`;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  [upstreamApi, mirrorApi] = await Promise.all([startReferrersFront(upstream), startReferrersFront(mirror)]);
  const platforms = [linux('amd64'), linux('arm64')];

  // 1. Signed the cosign way: a .sig and an .att tag for the index.
  signed = await pushMultiPlatform(upstream, 'upstream/signed', '1.0', platforms);
  sig = await pushCosignTag(upstream, 'upstream/signed', signed.digest, 'sig');
  att = await pushCosignTag(upstream, 'upstream/signed', signed.digest, 'att');
  for (const name of ['signed-full', 'signed-bare', 'signed-sig'])
    await mirrorIdentical(upstream, 'upstream/signed:1.0', mirror, `mirror/${name}:1.0`);
  await copyTag(`upstream/signed:${sig.tag}`, `mirror/signed-full:${sig.tag}`);
  await copyTag(`upstream/signed:${att.tag}`, `mirror/signed-full:${att.tag}`);
  await copyTag(`upstream/signed:${sig.tag}`, `mirror/signed-sig:${sig.tag}`);
  await mirrorRebuilt(upstream, 'upstream/signed:1.0', mirror, 'mirror/signed-rebuilt:1.0');

  // 2. SBOMs in the referrers tag schema: one of the index, one of its linux/amd64 manifest.
  sbomImage = await pushMultiPlatform(upstream, 'upstream/sbom', '1.0', platforms);
  indexSbom = await pushReferrer(upstream, 'upstream/sbom', sbomImage, SPDX, { tagSchema: true });
  childSbom = await pushReferrer(upstream, 'upstream/sbom', sbomImage.children[0]!, SPDX, {
    tagSchema: true,
  });
  for (const name of ['sbom-full', 'sbom-bare'])
    await mirrorIdentical(upstream, 'upstream/sbom:1.0', mirror, `mirror/${name}:1.0`);
  await copyTag(`upstream/sbom:${tagOf(sbomImage.digest)}`, `mirror/sbom-full:${tagOf(sbomImage.digest)}`);
  const childTag = tagOf(sbomImage.children[0]!.digest);
  await copyTag(`upstream/sbom:${childTag}`, `mirror/sbom-full:${childTag}`);
  for (const name of ['sbom-rebuilt', 'sbom-rebuilt-bare'])
    await mirrorRebuilt(upstream, 'upstream/sbom:1.0', mirror, `mirror/${name}:1.0`);
  await copyTag(`upstream/sbom:${childTag}`, `mirror/sbom-rebuilt:${childTag}`);

  // 3. Referrers only the referrers API lists (no tags): a cosign signature of linux/arm64, a Notation
  // signature and an SBOM of the index. Mirrored by digest, as oras copy -r does.
  apiImage = await pushMultiPlatform(upstream, 'upstream/api', '1.0', platforms);
  apiSignature = await pushReferrer(upstream, 'upstream/api', apiImage.children[1]!, COSIGN_SIG);
  apiNotation = await pushReferrer(upstream, 'upstream/api', apiImage, NOTATION);
  apiSbom = await pushReferrer(upstream, 'upstream/api', apiImage, SPDX);
  const copies: Record<string, Descriptor[]> = {
    'api-full': [apiSignature, apiNotation, apiSbom],
    'api-nosbom': [apiSignature, apiNotation],
    'api-bare': [],
  };
  for (const [name, referrers] of Object.entries(copies)) {
    await mirrorIdentical(upstream, 'upstream/api:1.0', mirror, `mirror/${name}:1.0`);
    for (const referrer of referrers)
      await copyImageManifest(upstream, 'upstream/api', mirror, `mirror/${name}`, referrer.digest);
  }
}, 120_000);

afterAll(async () => {
  await Promise.all([upstreamApi?.close(), mirrorApi?.close()]);
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

async function validate(lines: string[], referrers: string, client: { retries?: number } = {}) {
  const reader = createRegistryClient({ tlsVerify: false, ...client });
  try {
    const results = (
      await validateEntries({
        entries: parseImageList(lines.join('\n'), { defaultProject: 'library' }),
        options: { ...DEFAULT_VALIDATE_OPTIONS, referrers: parseReferrers(referrers, 'referrers') },
        jobs: 4,
        imageTimeoutMs: 30_000,
        reader,
      })
    ).toArray();
    return { results, stats: reader.stats() };
  } finally {
    reader.close();
  }
}

const line = (
  from: TestRegistry | TestProxy,
  name: string,
  to: TestRegistry | ReferrersFront,
  target: string,
) => `${from.host}/upstream/${name} ${to.host}/mirror/${target} 1.0`;

const verdict = (result: LineResult) =>
  result.status === 'passed' ? `passed ${result.rule}` : `${result.status} ${result.reason}`;

const statuses = (result: LineResult) =>
  (result.referrers ?? [])
    .map((referrer) => `${referrer.subject} ${referrer.kind} ${referrer.via} ${referrer.status}`)
    .sort();

describe('cosign tags', () => {
  const lines = () => [
    line(upstream, 'signed', mirror, 'signed-full'),
    line(upstream, 'signed', mirror, 'signed-bare'),
    line(upstream, 'signed', mirror, 'signed-sig'),
  ];

  test('require: passes with the .sig and .att tags mirrored, names each one missing otherwise', async () => {
    const { results } = await validate(lines(), 'require');
    expect(results.map(verdict)).toEqual([
      'passed identical',
      'failed referrer-missing',
      'failed referrer-missing',
    ]);
    expect(statuses(results[0]!)).toEqual([
      'index attestation cosign-tag ok',
      'index signature cosign-tag ok',
    ]);
    const bare = results[1] as FailedLine;
    expect(bare.findings.map((finding) => finding.message)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^signature sha256:${sig.digest.slice(7, 19)}… \\(cosign tag ${shortTag(sig.tag)}\\) of the index .* is not at the destination$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^attestation sha256:${att.digest.slice(7, 19)}… \\(cosign tag ${shortTag(att.tag)}\\)`),
      ),
    ]);
    const onlySig = results[2] as FailedLine;
    expect(onlySig.findings).toHaveLength(1);
    expect(onlySig.findings[0]!.message).toContain(shortTag(att.tag));
    expect(onlySig.referrers?.find((referrer) => referrer.kind === 'attestation')?.tag).toBe(att.tag);
  });

  test('sig: only signatures are required, so the mirror without the attestation passes', async () => {
    const { results } = await validate(lines(), 'sig');
    expect(results.map(verdict)).toEqual(['passed identical', 'failed referrer-missing', 'passed identical']);
    // Only the .sig tag is asked for: a policy of signatures sends no .att or .sbom HEAD.
    expect(statuses(results[2]!)).toEqual(['index signature cosign-tag ok']);
  });

  test('ignore: the verdicts of today and not one request more than without the feature', async () => {
    const ignored = await validate(lines(), 'ignore');
    expect(ignored.results.map(verdict)).toEqual(Array(3).fill('passed identical'));
    expect(ignored.results.every((result) => result.referrers === undefined)).toBe(true);
    // A HEAD per line at the mirror and one for the source the three lines share, nothing else: the
    // referrers are not looked for.
    for (const stats of Object.values(ignored.stats)) expect(stats.referrerGets).toBe(0);
    expect(ignored.stats[upstream.host]?.byMethod).toEqual({ HEAD: 1 });
    expect(ignored.stats[mirror.host]?.byMethod).toEqual({ HEAD: 3 });
  });

  test('a rebuilt index cannot carry the index signature: a warning, and the line passes', async () => {
    const { results } = await validate([line(upstream, 'signed', mirror, 'signed-rebuilt')], 'require');
    expect(results.map(verdict)).toEqual(['passed platforms']);
    expect(statuses(results[0]!)).toEqual([
      'index attestation cosign-tag not-carried',
      'index signature cosign-tag not-carried',
    ]);
    expect(results[0]!.warnings).toEqual([
      expect.stringContaining('1 signature, 1 attestation of the source index'),
    ]);
  });
});

describe('referrers tag schema', () => {
  test('SBOMs of the index and of linux/amd64 pass when their tags were mirrored, and are named when not', async () => {
    const { results } = await validate(
      [line(upstream, 'sbom', mirror, 'sbom-full'), line(upstream, 'sbom', mirror, 'sbom-bare')],
      'require',
    );
    expect(results.map(verdict)).toEqual(['passed identical', 'failed referrer-missing']);
    expect(statuses(results[0]!)).toEqual([
      'index sbom referrers-tag ok',
      'linux/amd64 sbom referrers-tag ok',
    ]);
    const bare = results[1] as FailedLine;
    expect(bare.findings.map((finding) => [finding.platform, finding.message])).toEqual([
      [
        undefined,
        expect.stringContaining(`SBOM sha256:${indexSbom.digest.slice(7, 19)}… (${SPDX}) of the index`),
      ],
      [
        'linux/amd64',
        expect.stringContaining(
          `SBOM sha256:${childSbom.digest.slice(7, 19)}… (${SPDX}) of linux/amd64 is not at the destination`,
        ),
      ],
    ]);
  });

  test('rebuilt: the platform SBOM is required, the index SBOM is a warning', async () => {
    const { results } = await validate(
      [line(upstream, 'sbom', mirror, 'sbom-rebuilt'), line(upstream, 'sbom', mirror, 'sbom-rebuilt-bare')],
      'sbom',
    );
    expect(results.map(verdict)).toEqual(['passed platforms', 'failed referrer-missing']);
    expect(statuses(results[0]!)).toEqual([
      'index sbom referrers-tag not-carried',
      'linux/amd64 sbom referrers-tag ok',
    ]);
    for (const result of results) expect(result.warnings).toHaveLength(1);
    expect((results[1] as FailedLine).findings.map((finding) => finding.platform)).toEqual(['linux/amd64']);
  });

  test('unchanged with ignore', async () => {
    const { results } = await validate(
      [line(upstream, 'sbom', mirror, 'sbom-full'), line(upstream, 'sbom', mirror, 'sbom-bare')],
      'ignore',
    );
    expect(results.map(verdict)).toEqual(['passed identical', 'passed identical']);
  });
});

describe('referrers API', () => {
  const lines = () => [
    line(upstreamApi, 'api', mirrorApi, 'api-full'),
    line(upstreamApi, 'api', mirrorApi, 'api-nosbom'),
    line(upstreamApi, 'api', mirrorApi, 'api-bare'),
  ];

  test('require: every referrer the API lists, for the index and each platform', async () => {
    const { results } = await validate(lines(), 'require');
    expect(results.map(verdict)).toEqual([
      'passed identical',
      'failed referrer-missing',
      'failed referrer-missing',
    ]);
    expect(statuses(results[0]!)).toEqual([
      'index sbom referrers-api ok',
      'index signature referrers-api ok',
      'linux/arm64 signature referrers-api ok',
    ]);
    expect((results[1] as FailedLine).findings.map((finding) => finding.message)).toEqual([
      expect.stringContaining(`SBOM sha256:${apiSbom.digest.slice(7, 19)}… (${SPDX}) of the index`),
    ]);
    expect((results[2] as FailedLine).findings.map((finding) => finding.platform ?? 'index').sort()).toEqual([
      'index',
      'index',
      'linux/arm64',
    ]);
  });

  test('what the destination API lists needs no HEAD: an identical mirror with 3 referrers, 1 HEAD there', async () => {
    const { results, stats } = await validate([line(upstreamApi, 'api', mirrorApi, 'api-full')], 'require');
    expect(results.map(verdict)).toEqual(['passed identical']);
    expect(stats[mirrorApi.host]).toMatchObject({ manifestHeads: 1, referrerGets: 2, manifestGets: 1 });
  });

  test('a list of kinds and types: sig requires the cosign and the Notation signature, not the SBOM', async () => {
    const { results } = await validate(lines(), 'sig');
    expect(results.map(verdict)).toEqual(['passed identical', 'passed identical', 'failed referrer-missing']);
    expect(statuses(results[1]!)).toEqual([
      'index sbom referrers-api not-required',
      'index signature referrers-api ok',
      'linux/arm64 signature referrers-api ok',
    ]);
  });

  test('one artifact type is filtered by the registry (OCI-Filters-Applied), or by us when it does not', async () => {
    const unfiltering = await startReferrersFront(upstream, { applyFilter: false, pageSize: 1 });
    try {
      for (const source of [upstreamApi, unfiltering]) {
        const before = source.referrersRequests.length;
        const { results } = await validate(
          [line(source, 'api', mirrorApi, 'api-nosbom'), line(source, 'api', mirrorApi, 'api-full')],
          SPDX,
        );
        expect(results.map(verdict)).toEqual(['failed referrer-missing', 'passed identical']);
        expect(statuses(results[1]!)).toEqual(['index sbom referrers-api ok']);
        const asked = source.referrersRequests.slice(before);
        expect(asked.every((path) => path.includes(`artifactType=${encodeURIComponent(SPDX)}`))).toBe(true);
      }
      // The front that does not filter answers one descriptor per page: the pages were followed.
      expect(unfiltering.referrersRequests.some((path) => path.includes('page=1'))).toBe(true);
    } finally {
      await unfiltering.close();
    }
  });

  test('a referrer at the destination that the destination does not list is unlisted', async () => {
    // The plain registry has no API and the copies made no referrers tag: a verifier finds nothing there.
    const { results } = await validate([line(upstreamApi, 'api', mirror, 'api-full')], 'require');
    expect(results.map(verdict)).toEqual(['failed referrer-missing']);
    expect(statuses(results[0]!).every((status) => status.endsWith(' unlisted'))).toBe(true);
    expect((results[0] as FailedLine).findings[0]!.message).toContain('do not list it');
  });

  test('unchanged with ignore, and no referrers request', async () => {
    const before = upstreamApi.referrersRequests.length + mirrorApi.referrersRequests.length;
    const { results } = await validate(lines(), 'ignore');
    expect(results.map(verdict)).toEqual(Array(3).fill('passed identical'));
    expect(upstreamApi.referrersRequests.length + mirrorApi.referrersRequests.length).toBe(before);
  });
});

describe('discovery (the client against the real registry, with and without the API)', () => {
  async function list(host: string, repository: string, digest: string, artifactType?: string) {
    const client = createRegistryClient({ tlsVerify: false });
    try {
      const listing = await client.listReferrers(host, repository, digest, artifactType);
      const stats = client.stats()[host]!;
      return {
        via: listing.via,
        digests: listing.descriptors.map((descriptor) => descriptor.digest).sort(),
        referrerGets: stats.referrerGets,
        manifestGets: stats.manifestGets,
      };
    } finally {
      client.close();
    }
  }
  const sorted = (...descriptors: Descriptor[]) => descriptors.map((descriptor) => descriptor.digest).sort();

  test('API present: one page, no tag read', async () => {
    expect(await list(upstreamApi.host, 'upstream/api', apiImage.digest)).toEqual({
      via: 'referrers-api',
      digests: sorted(apiNotation, apiSbom),
      referrerGets: 1,
      manifestGets: 0,
    });
  });

  test.each([
    ['distribution 2.8 itself (a plain 404)', undefined],
    ['a front answering 404', 'not-found' as const],
    ['a front answering a 200 HTML page', 'html' as const],
  ])('API absent, %s: the referrers tag schema is read', async (_, unsupported) => {
    const front = unsupported ? await startReferrersFront(upstream, { unsupported }) : undefined;
    try {
      expect(await list((front ?? upstream).host, 'upstream/sbom', sbomImage.digest)).toEqual({
        via: 'referrers-tag',
        digests: sorted(indexSbom),
        referrerGets: 1,
        manifestGets: 1,
      });
      // No API and no tag: no referrers, not an error.
      expect(await list((front ?? upstream).host, 'upstream/api', apiImage.digest)).toMatchObject({
        via: 'none',
        digests: [],
      });
    } finally {
      await front?.close();
    }
  });

  test('a repository found without the API is not asked again: the next subjects read the tag directly', async () => {
    const client = createRegistryClient({ tlsVerify: false });
    try {
      for (const subject of [sbomImage.digest, sbomImage.children[0]!.digest, sbomImage.children[1]!.digest])
        await client.listReferrers(upstream.host, 'upstream/sbom', subject, undefined);
      expect(client.stats()[upstream.host]).toMatchObject({ referrerGets: 1, manifestGets: 3 });
    } finally {
      client.close();
    }
  });

  test('pagination: every page is followed', async () => {
    const paged = await startReferrersFront(upstream, { pageSize: 1 });
    try {
      expect(await list(paged.host, 'upstream/api', apiImage.digest)).toMatchObject({
        via: 'referrers-api',
        digests: sorted(apiNotation, apiSbom),
        referrerGets: 2,
      });
    } finally {
      await paged.close();
    }
  });

  test.each([true, false])(
    'filter applied by the server: %s; the same referrers either way',
    async (applyFilter) => {
      const front = await startReferrersFront(upstream, { applyFilter });
      try {
        expect(await list(front.host, 'upstream/api', apiImage.digest, NOTATION)).toMatchObject({
          via: 'referrers-api',
          digests: sorted(apiNotation),
        });
        expect(front.referrersRequests).toEqual([
          `/v2/upstream/api/referrers/${apiImage.digest}?artifactType=${encodeURIComponent(NOTATION)}`,
        ]);
      } finally {
        await front.close();
      }
    },
  );
});

describe('hostile referrers answers (a front over the real registry answers the referrers path itself)', () => {
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  async function hostile(answer: (path: string) => ProxiedResponse) {
    return startProxy(upstream.url, {
      answer: async (request) => (request.url?.includes('/referrers/') ? answer(request.url) : undefined),
    });
  }
  const page = (manifests: unknown[], link?: string): ProxiedResponse => ({
    status: 200,
    headers: { 'content-type': INDEX, ...(link ? { link } : {}) },
    body: Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests })),
  });

  test('a Link to another host is not followed: nothing is sent there, the first page stands', async () => {
    const trap = await startProxy(upstream.url);
    const front = await hostile(() =>
      page(
        [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            digest: apiNotation.digest,
            size: 1,
            artifactType: NOTATION,
          },
        ],
        `<${trap.url}/v2/upstream/api/referrers/${apiImage.digest}?page=2>; rel="next"`,
      ),
    );
    try {
      const client = createRegistryClient({ tlsVerify: false });
      const listing = await client.listReferrers(front.host, 'upstream/api', apiImage.digest, undefined);
      client.close();
      expect(listing.descriptors.map((descriptor) => descriptor.digest)).toEqual([apiNotation.digest]);
      expect(trap.seen).toEqual([]);
    } finally {
      await Promise.all([front.close(), trap.close()]);
    }
  });

  test.each([
    [
      'a Link back to the same page',
      () => page([], `</v2/upstream/api/referrers/${apiImage.digest}>; rel="next"`),
      'invalid-manifest',
    ],
    [
      'an index of 5000 entries',
      () => page(Array.from({ length: 5000 }, () => ({ mediaType: 'x', digest: apiSbom.digest, size: 1 }))),
      'invalid-manifest',
    ],
    [
      '503 every time',
      (): ProxiedResponse => ({ status: 503, headers: {}, body: Buffer.from('down') }),
      'unreachable',
    ],
  ])('%s: the line fails with that reason, never passes, and the run goes on', async (_, answer, reason) => {
    const front = await hostile(answer);
    try {
      const { results } = await validate(
        [line(front, 'api', mirror, 'api-full'), line(upstream, 'signed', mirror, 'signed-full')],
        'require',
        { retries: 0 },
      );
      expect(results.map(verdict)).toEqual([`failed ${reason}`, 'passed identical']);
      expect((results[0] as FailedLine).findings[0]!.message).toMatch(/^source .*referrers of sha256:/);
    } finally {
      await front.close();
    }
  });

  test('more required referrers than one image has: not checked at the destination, the line fails', async () => {
    const many = Array.from({ length: 150 }, (_, n) => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: `sha256:${n.toString(16).padStart(64, '0')}`,
      size: 1,
      artifactType: COSIGN_SIG,
    }));
    const front = await hostile(() => page(many));
    try {
      const { results, stats } = await validate([line(front, 'api', mirror, 'api-full')], 'require');
      expect(results.map(verdict)).toEqual(['failed invalid-manifest']);
      expect((results[0] as FailedLine).findings[0]!.message).toMatch(
        /150 required referrers, more than 100/,
      );
      // The destination got the line's HEAD and its index GET (to know the platforms); no referrer HEADs.
      expect(stats[mirror.host]?.manifestHeads).toBe(1);
    } finally {
      await front.close();
    }
  });

  test('a huge artifact type is cut in the message', async () => {
    const long = `application/${'x'.repeat(5000)}`;
    const front = await hostile(() =>
      page([
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: apiSbom.digest,
          size: 1,
          artifactType: long,
        },
      ]),
    );
    try {
      const { results } = await validate([line(front, 'api', mirror, 'api-bare')], 'require');
      const finding = (results[0] as FailedLine).findings.find((f) => f.reason === 'referrer-missing')!;
      expect(finding.message.length).toBeLessThan(600);
      expect(finding.message).toContain('…');
    } finally {
      await front.close();
    }
  });
});
