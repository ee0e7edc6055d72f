// regsync, oc-mirror, hauler and Zarf files, in the shapes of those projects' own documentation and test data
// (cited per test), mirrored into the test registry the way each tool names what it writes, and validated:
// the verdicts equal those of the equivalent hangar list (or, where hangar cannot name a destination, of the
// equivalent mapping), line by line; and the failed file comes back in the list's format.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_VALIDATE_OPTIONS, type RunSettings } from '../../../src/config/settings.js';
import { runEngine } from '../../../src/engine/engine.js';
import { zarfNames } from '../../../src/engine/list/zarf.js';
import type { LineResult } from '../../../src/engine/validate/result.js';
import { writeResultFiles } from '../../../src/report/files.js';
import { mirrorIdentical, mirrorRebuilt } from '../../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { digestOf, getManifestBytes, linux, pushImage, pushMultiPlatform } from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;
let alpine320: string;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-formats-'));
  for (const tag of ['3.19', '3.20', 'edge'])
    await pushMultiPlatform(upstream, 'library/alpine', tag, [linux('amd64'), linux('arm64')]);
  alpine320 = digestOf((await getManifestBytes(upstream, 'library/alpine', '3.20')).bytes);
  await pushImage(upstream, 'app/web', '1.0', { platform: linux('amd64') });
  await pushImage(upstream, 'app/missing', '1.0', { platform: linux('amd64') });
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function validate(name: string, text: string, extra: Partial<RunSettings> = {}) {
  const listFile = join(dir, name);
  await writeFile(listFile, text);
  const failedFile = join(dir, `${name}.failed`);
  return runEngine(
    {
      listFile,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 20_000,
      env: { HOME: dir },
      ...extra,
    },
    { log: () => undefined },
    async (report) => {
      await writeResultFiles(report, { failedFile });
      return { results: report.results.toArray(), failed: await readFile(failedFile, 'utf8'), report };
    },
  );
}

/** What a line compares and what came of it, by destination, to hold two lists' results side by side. */
const outcome = (result: LineResult) =>
  `${result.destination} ${result.status}${result.status === 'passed' ? '' : ` ${result.reason}`}`;
const sorted = (results: LineResult[]) => results.map(outcome).sort();

describe('regsync', () => {
  // The shape of regclient's docs/examples/regsync.yml and cmd/regsync/testdata/config1.yml: creds with tls,
  // a repository entry with an allow list (anchored), image entries, an x- anchor merged in.
  const config = () => `version: 1
creds:
  - registry: ${upstream.host}
    tls: disabled
  - registry: ${mirror.host}
    tls: disabled
x-hub: &hub
  type: image
sync:
  - source: ${upstream.host}/library/alpine
    target: ${mirror.host}/hub/library/alpine
    type: repository
    tags:
      allow:
      - "3\\\\.\\\\d+"
  - <<: *hub
    source: ${upstream.host}/app/web:1.0
    target: ${mirror.host}/hub/app/web:1.0
  - <<: *hub
    source: ${upstream.host}/app/missing:1.0
    target: ${mirror.host}/hub/app/missing:1.0
  - source: ${upstream.host}/library/alpine
    target: ${mirror.host}/hub/never
    type: repository
    tags:
      allow: ["9\\\\..*"]
`;

  beforeAll(async () => {
    // regsync copies whole manifests (ImageCopy): the digests stay. 3.20 is then replaced by a rebuilt index
    // of amd64 alone, and app/missing is never copied.
    for (const tag of ['3.19', '3.20'])
      await mirrorIdentical(upstream, `library/alpine:${tag}`, mirror, `hub/library/alpine:${tag}`);
    await mirrorIdentical(upstream, 'app/web:1.0', mirror, 'hub/app/web:1.0');
    await mirrorRebuilt(upstream, 'library/alpine:3.20', mirror, 'hub/library/alpine:3.20', {
      arch: ['amd64'],
    });
  });

  test('the same verdicts as the hangar list of the same pairs; the tags expanded; no-matching-tags', async () => {
    const yaml = await validate('regsync.yml', config());
    const hangar = await validate(
      'regsync-equivalent.txt',
      [
        `${upstream.host}/library/alpine ${mirror.host}/hub/library/alpine 3.19`,
        `${upstream.host}/library/alpine ${mirror.host}/hub/library/alpine 3.20`,
        `${upstream.host}/app/web ${mirror.host}/hub/app/web 1.0`,
        `${upstream.host}/app/missing ${mirror.host}/hub/app/missing 1.0`,
      ].join('\n'),
    );
    const expanded = yaml.results.filter(
      (result) => !(result.status === 'failed' && result.reason === 'no-matching-tags'),
    );
    expect(sorted(expanded)).toEqual(sorted(hangar.results));
    expect(sorted(hangar.results)).toEqual([
      `${mirror.host}/hub/app/missing:1.0 failed destination-missing`,
      `${mirror.host}/hub/app/web:1.0 passed`,
      `${mirror.host}/hub/library/alpine:3.19 passed`,
      `${mirror.host}/hub/library/alpine:3.20 failed platform-missing`,
    ]);
    // Lines point at their entries; the pattern that matches nothing is its entry's failure.
    expect(yaml.results.map((result) => [result.line, result.origin])).toEqual([
      [10, { entry: 0, tag: '3.19' }],
      [10, { entry: 0, tag: '3.20' }],
      [16, { entry: 1 }],
      [19, { entry: 2 }],
      [22, { entry: 3 }],
    ]);
    expect(yaml.results[4]).toMatchObject({
      status: 'failed',
      reason: 'no-matching-tags',
      detail: expect.stringMatching(
        /^no tag of .*\/library\/alpine matches tags \{"allow":\["9\\\\\.\.\*"\]\} \(3 tags listed\)$/,
      ),
    });
    // One tag list read for the two entries of the repository.
    expect(yaml.report.requests[upstream.host]?.tagGets).toBe(1);
  });

  test('the failed file is a regsync config of the failed entries, narrowed to the failed tags', async () => {
    const { failed } = await validate('regsync.yml', config());
    const written = parse(failed) as { version: number; creds: unknown[]; sync: Record<string, unknown>[] };
    expect(written.version).toBe(1);
    expect(written.creds).toHaveLength(2);
    expect(written.sync).toEqual([
      {
        source: `${upstream.host}/library/alpine:3.20`,
        target: `${mirror.host}/hub/library/alpine:3.20`,
        type: 'image',
      },
      {
        type: 'image',
        source: `${upstream.host}/app/missing:1.0`,
        target: `${mirror.host}/hub/app/missing:1.0`,
      },
      {
        source: `${upstream.host}/library/alpine`,
        target: `${mirror.host}/hub/never`,
        type: 'repository',
        tags: { allow: ['9\\..*'] },
      },
    ]);
  });
});

describe('regsync type: registry, with registry-catalog', () => {
  // regclient cmd/regsync/root.go lines 466-516: the source's catalog, repos allow/deny, each repository to
  // target/<repository> with the entry's tag sets.
  test('the catalog read once; the repositories chosen expanded by their tags; off, the entry says how to turn it on', async () => {
    await mirrorIdentical(upstream, 'app/web:1.0', mirror, 'all/app/web:1.0');
    const config = `version: 1
sync:
  - source: ${upstream.host}
    target: ${mirror.host}/all
    type: registry
    repos:
      allow: ["app/.*"]
      deny: ["app/missing"]
`;
    const read = await validate('registry.yml', config, { registryCatalog: true });
    expect(read.results.map((result) => `${result.line} ${result.destination} ${result.status}`)).toEqual([
      `3 ${mirror.host}/all/app/web:1.0 passed`,
    ]);
    expect(read.report.requests[upstream.host]?.catalogGets).toBe(1);
    // Without the opt-in, the entry says how to turn it on.
    const off = await validate('registry.yml', config);
    expect(off.results[0]).toMatchObject({
      status: 'skipped',
      reason: 'invalid-line',
      detail: expect.stringMatching(/turn on registry-catalog/),
    });
  });
});

describe('oc-mirror mapping.txt', () => {
  // Lines as oc-mirror v1 writes them (v1/pkg/image/mapping.go WriteImageMapping: src=dst, a tag at the
  // destination) and v2's dry run (docker:// on both sides, a digest source to a tag).
  test('the same verdicts as the hangar list of the same pairs', async () => {
    await mirrorIdentical(upstream, 'library/alpine:3.19', mirror, 'ocp/alpine:3.19');
    await mirrorIdentical(upstream, `library/alpine@${alpine320}`, mirror, 'ocp/alpine:3.20');
    const mapping = [
      `${upstream.host}/library/alpine:3.19=${mirror.host}/ocp/alpine:3.19`,
      `docker://${upstream.host}/library/alpine@${alpine320}=docker://${mirror.host}/ocp/alpine:3.20`,
      `${upstream.host}/app/web:1.0=${mirror.host}/ocp/web:1.0`,
    ].join('\n');
    const read = await validate('mapping.txt', `${mapping}\n`);
    const hangar = await validate(
      'mapping-equivalent.txt',
      [
        `${upstream.host}/library/alpine ${mirror.host}/ocp/alpine 3.19`,
        `${upstream.host}/library/alpine ${mirror.host}/ocp/alpine ${alpine320}`,
        `${upstream.host}/app/web ${mirror.host}/ocp/web 1.0`,
      ].join('\n'),
    );
    expect(
      read.results.map(
        (result) => `${result.status} ${result.status === 'passed' ? result.rule : result.reason}`,
      ),
    ).toEqual(
      hangar.results.map(
        (result) => `${result.status} ${result.status === 'passed' ? result.rule : result.reason}`,
      ),
    );
    expect(read.results.map((result) => result.status)).toEqual(['passed', 'passed', 'failed']);
    // The failed file is the failing mapping line, as written: `oc image mirror -f` takes it back.
    expect(read.failed).toBe(`${upstream.host}/app/web:1.0=${mirror.host}/ocp/web:1.0\n`);
  });
});

describe('hauler', () => {
  // testdata/hauler-manifest.yaml's shape (hauler 923a92d); `hauler store copy registry://MIRROR` writes each
  // image under the mirror with its path (pkg/content/registry.go RewriteRefToRegistry).
  test('the same verdicts as the hangar list of the same pairs; platform is the entry’s own filter', async () => {
    await mirrorIdentical(upstream, 'library/alpine:3.19', mirror, 'library/alpine:3.19');
    // A platform-only copy of edge (what hauler stores for `platform: linux/amd64`), as a single manifest.
    await mirrorIdentical(upstream, 'library/alpine:edge', mirror, 'library/alpine:edge', { all: false });
    const manifest = `apiVersion: content.hauler.cattle.io/v1
kind: Images
metadata:
  name: hauler-content-images-example
spec:
  images:
    - name: ${upstream.host}/library/alpine:3.19
    - name: ${upstream.host}/library/alpine:edge
      platform: linux/amd64
    - name: ${upstream.host}/app/missing:1.0
`;
    const read = await validate('hauler.yaml', manifest, { destination: mirror.host });
    const hangar = await validate(
      'hauler-equivalent.txt',
      [
        `${upstream.host}/library/alpine ${mirror.host}/library/alpine 3.19`,
        `${upstream.host}/library/alpine ${mirror.host}/library/alpine edge`,
        `${upstream.host}/app/missing ${mirror.host}/app/missing 1.0`,
      ].join('\n'),
      { options: { ...DEFAULT_VALIDATE_OPTIONS, filter: { arch: ['amd64'], os: ['linux'], variant: [] } } },
    );
    const summary = (results: LineResult[]) =>
      results.map((result) => `${result.status} ${result.status === 'passed' ? result.rule : result.reason}`);
    expect(summary(read.results)).toEqual(summary(hangar.results));
    expect(summary(read.results)).toEqual([
      'passed identical',
      'passed platforms',
      'failed destination-missing',
    ]);
    expect(parse(read.failed)).toEqual({
      apiVersion: 'content.hauler.cattle.io/v1',
      kind: 'Images',
      metadata: { name: 'mirror-validate-failed' },
      spec: { images: [{ name: `${upstream.host}/app/missing:1.0` }] },
    });
  });
});

describe('Zarf', () => {
  // examples/dos-games/zarf.yaml's shape (zarf 97a1b4d), with an architecture; Zarf pushes each image under
  // both names (src/pkg/images/push.go lines 176, 198), only the package's architecture.
  test('both names checked; the same verdicts as the mapping of the same pairs', async () => {
    const images = [`${upstream.host}/library/alpine:3.19`, `${upstream.host}/app/web:1.0`];
    for (const image of images) {
      const names = zarfNames(image, mirror.host);
      const from = image.slice(upstream.host.length + 1);
      await mirrorIdentical(upstream, from, mirror, names.plain.slice(mirror.host.length + 1), {
        all: false,
      });
      // The checksum name of web is never pushed.
      if (!image.endsWith('web:1.0'))
        await mirrorIdentical(upstream, from, mirror, names.checksum.slice(mirror.host.length + 1), {
          all: false,
        });
    }
    const zarf = `kind: ZarfPackageConfig
metadata:
  name: dos-games
  version: 1.3.0
  architecture: amd64
components:
  - name: baseline
    required: true
    images:
${images.map((image) => `      - ${image}`).join('\n')}
`;
    const read = await validate('zarf.yaml', zarf, { destination: mirror.host });
    const mapping = images
      .flatMap((image) => {
        const names = zarfNames(image, mirror.host);
        return [`${image}=${names.checksum}`, `${image}=${names.plain}`];
      })
      .join('\n');
    const equivalent = await validate('zarf-equivalent.txt', `${mapping}\n`, {
      options: { ...DEFAULT_VALIDATE_OPTIONS, filter: { arch: ['amd64'], os: ['linux'], variant: [] } },
    });
    expect(read.results.map(outcome)).toEqual(equivalent.results.map(outcome));
    expect(read.results.map((result) => `${result.line} ${result.status}`)).toEqual([
      '10 passed',
      '10 passed',
      '11 failed',
      '11 passed',
    ]);
    expect(parse(read.failed)).toEqual({
      kind: 'ZarfPackageConfig',
      metadata: { name: 'dos-games-failed', architecture: 'amd64' },
      components: [{ name: 'baseline', required: true, images: [`${upstream.host}/app/web:1.0`] }],
    });
  });
});

describe('Kubernetes workloads', () => {
  // A Deployment and a CronJob naming one image twice and one never mirrored, as `helm template` prints them.
  test('each image checked once at the mirror; the failed file is the failing references', async () => {
    await mirrorIdentical(upstream, 'app/web:1.0', mirror, 'app/web:1.0');
    const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: ${upstream.host}/app/web:1.0
        - name: sidecar
          image: ${upstream.host}/app/missing:1.0
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: init
              image: ${upstream.host}/app/web:1.0
`;
    const read = await validate('workloads.yaml', manifests, { destination: mirror.host });
    expect(
      read.results.map(
        (result) => `${result.line} ${result.status}${result.status === 'failed' ? ` ${result.reason}` : ''}`,
      ),
    ).toEqual(['10 passed', '12 failed destination-missing']);
    expect(read.results[0]!.raw).toBe(`${upstream.host}/app/web:1.0 (Deployment web, CronJob nightly)`);
    expect(read.report.requests[upstream.host]?.manifestHeads).toBe(2);
    expect(read.failed).toBe(`${upstream.host}/app/missing:1.0\n`);
  });
});
