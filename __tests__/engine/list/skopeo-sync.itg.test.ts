// A real `skopeo sync` (Debian's skopeo) from a skopeo sync YAML into the test registry, with and without
// --scoped, then validated with the same YAML and the same destination argument; then a synced tag deleted and
// a tag re-copied without --all: exactly those lines fail, at their YAML lines; the failed YAML, synced again,
// repairs the mirror.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_VALIDATE_OPTIONS } from '../../../src/config/settings.js';
import { parseSyncOptions } from '../../../src/config/parse.js';
import { runEngine } from '../../../src/engine/engine.js';
import type { LineResult } from '../../../src/engine/validate/result.js';
import { writeResultFiles } from '../../../src/report/files.js';
import { skopeo } from '../../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import {
  deleteManifest,
  getManifestBytes,
  digestOf,
  linux,
  pushImage,
  pushMultiPlatform,
} from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;

// A loopback address of its own, so the source registry's name has no port (see testkit/registry.ts).
const address = `127.${20 + Math.floor(Math.random() * 200)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([
    startRegistry('plain', { tlsAddress: address }),
    startRegistry('plain'),
  ]);
  dir = await mkdtemp(join(tmpdir(), 'mv-skopeo-sync-'));
  await pushMultiPlatform(upstream, 'app/multi', '1.0', [linux('amd64'), linux('arm64')]);
  await pushMultiPlatform(upstream, 'app/multi', '2.0', [linux('amd64'), linux('arm64')]);
  await pushImage(upstream, 'app/single', '1.0', { platform: linux('amd64') });
  for (const tag of ['v1.2.0', 'v1.3.0', 'v2.0.0'])
    await pushMultiPlatform(upstream, 'tools/cli', tag, [linux('amd64'), linux('arm64')]);
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

// The shape of skopeo-sync(1)'s example (docs/skopeo-sync.1.md lines 237-259): tags, and a tag regex.
const yaml = () => `${upstream.host}:
  tls-verify: false
  images:
    app/multi:
      - "1.0"
      - "2.0"
    app/single: ["1.0"]
  images-by-tag-regex:
    tools/cli: ^v1\\.
`;

async function sync(file: string, destination: string, flags: string[]) {
  await skopeo([
    'sync',
    '--retry-times=0',
    '--dest-tls-verify=false',
    ...flags,
    '--src',
    'yaml',
    '--dest',
    'docker',
    file,
    destination,
  ]);
}

async function validate(file: string, destination: string, syncOptions: string) {
  const failedFile = join(dir, `failed-${Date.now()}.yaml`);
  return runEngine(
    {
      listFile: file,
      destination,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 20_000,
      syncOptions: parseSyncOptions(syncOptions, 'sync-options'),
      env: { HOME: dir },
    },
    { log: () => undefined },
    async (report) => {
      await writeResultFiles(report, { failedFile });
      return {
        results: report.results.toArray(),
        requests: report.requests,
        failed: await readFile(failedFile, 'utf8'),
        failedFile,
      };
    },
  );
}

const verdict = (result: LineResult) =>
  `${result.line} ${result.destination} ${result.status === 'passed' ? 'passed' : `${result.status} ${result.reason}`}`;

describe.each([
  ['without --scoped', '--all', 'plain'],
  ['with --scoped', '--all --scoped', 'scoped'],
])('skopeo sync %s', (_, options, prefix) => {
  let file: string;
  const destination = () => `${mirror.host}/${prefix}`;
  const at = (repository: string) =>
    prefix === 'scoped'
      ? `${destination()}/${upstream.host}/${repository}`
      : `${destination()}/${repository.split('/').at(-1)}`;

  beforeAll(async () => {
    file = join(dir, `${prefix}.yaml`);
    await writeFile(file, yaml());
    await sync(file, destination(), options.split(' '));
  });

  test('every line the sync wrote passes, each tag list read once', async () => {
    const { results, requests } = await validate(file, destination(), options);
    expect(results.map(verdict)).toEqual([
      `5 ${at('app/multi')}:1.0 passed`,
      `6 ${at('app/multi')}:2.0 passed`,
      `7 ${at('app/single')}:1.0 passed`,
      `9 ${at('tools/cli')}:v1.2.0 passed`,
      `9 ${at('tools/cli')}:v1.3.0 passed`,
    ]);
    expect(results.map((result) => result.origin)).toEqual([
      { entry: 0, tag: '1.0' },
      { entry: 0, tag: '2.0' },
      { entry: 1, tag: '1.0' },
      { entry: 2, tag: 'v1.2.0' },
      { entry: 2, tag: 'v1.3.0' },
    ]);
    expect(requests[upstream.host]?.tagGets).toBe(1);
  });

  test('a deleted tag and a platform lost fail at their YAML lines; the failed YAML synced again repairs them', async () => {
    const multi = at('app/multi').slice(mirror.host.length + 1);
    const cli = at('tools/cli').slice(mirror.host.length + 1);
    // 2.0 deleted at the destination (its manifest, and so its tag).
    const { bytes } = await getManifestBytes(mirror, multi, '2.0');
    await deleteManifest(mirror, multi, digestOf(bytes));
    // v1.3.0 re-copied without --all: only this machine's platform arrives, as a single manifest.
    await skopeo([
      'copy',
      '--retry-times=0',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      `docker://${upstream.host}/tools/cli:v1.3.0`,
      `docker://${mirror.host}/${cli}:v1.3.0`,
    ]);
    const broken = await validate(file, destination(), options);
    expect(broken.results.map(verdict)).toEqual([
      `5 ${at('app/multi')}:1.0 passed`,
      `6 ${at('app/multi')}:2.0 failed destination-missing`,
      `7 ${at('app/single')}:1.0 passed`,
      `9 ${at('tools/cli')}:v1.2.0 passed`,
      `9 ${at('tools/cli')}:v1.3.0 failed platform-missing`,
    ]);
    // The failed file is a skopeo sync YAML of just those two tags, with the registry's own settings.
    expect(broken.failed).toContain(
      `${upstream.host}:\n  tls-verify: false\n  images:\n    app/multi:\n      - "2.0"\n    tools/cli:\n      - v1.3.0\n`,
    );
    await sync(broken.failedFile, destination(), options.split(' '));
    const repaired = await validate(file, destination(), options);
    expect(repaired.results.every((result) => result.status === 'passed')).toBe(true);
  });
});
