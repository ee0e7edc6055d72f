// Nightly drift: two runs with the upstream re-pushed between them. The line whose mirror is unchanged since
// it passed is drift ("upstream moved since"); a line whose mirror was changed to something wrong is broken.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runEngine } from '../../src/engine/engine.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { FailedLine, PassedLine } from '../../src/engine/validate/result.js';
import { recordPasses, refineDrift } from '../../src/engine/drift.js';
import { mirrorByApi } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { linux, pushImage, pushMultiPlatform, seedStandardImages } from '../../testkit/seed.js';
import { writeFile } from 'node:fs/promises';

let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-drift-'));
  await seedStandardImages(upstream);
  for (const name of ['multi', 'single-oci', 'attested'])
    await mirrorByApi(upstream, `upstream/${name}:1.0`, mirror, `upstream/${name}:1.0`);
  await writeFile(
    join(dir, 'list.txt'),
    'upstream/multi:1.0\nupstream/single-oci:1.0\nupstream/attested:1.0\n',
  );
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const run = () =>
  runEngine(
    {
      listFile: join(dir, 'list.txt'),
      source: upstream.host,
      destination: mirror.host,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 10_000,
      cacheDir: join(dir, 'cache'),
    },
    { log: () => undefined },
    async (report) => ({ ...report, lines: report.results.toArray() }),
  );

describe('drift across runs', () => {
  test('upstream moved: drift with the date of the last pass; a changed mirror: broken', async () => {
    const first = await run();
    expect(first.totals).toMatchObject({ passed: 3, failed: 0, drifted: 0 });

    // Upstream re-pushes two tags; the mirror of one of them is also replaced, by something wrong.
    await pushMultiPlatform(upstream, 'upstream/multi', '1.0', [linux('amd64'), linux('arm64')]);
    await pushImage(upstream, 'upstream/single-oci', '1.0', { platform: linux('arm64') });
    await pushImage(mirror, 'upstream/single-oci', '1.0', { platform: linux('arm64') });

    const second = await run();
    const [multi, single, attested] = second.lines as [FailedLine, FailedLine, FailedLine];
    expect(multi).toMatchObject({
      status: 'failed',
      reason: 'digest-mismatch',
      drift: { since: first.startedAt },
    });
    expect(multi.detail).toMatch(
      new RegExp(`^upstream moved since ${first.startedAt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(single).toMatchObject({ status: 'failed', reason: 'digest-mismatch' });
    expect(single.drift).toBeUndefined();
    expect(attested.status).toBe('passed');
    expect(second.totals).toMatchObject({ failed: 2, drifted: 1, passed: 1 });
  });
});

describe('refineDrift', () => {
  const failed = (sourceDigest: string, destinationDigest: string): FailedLine => ({
    line: 1,
    raw: 'a:1',
    source: 'src/a:1',
    destination: 'dst/a:1',
    status: 'failed',
    reason: 'digest-mismatch',
    findings: [],
    detail: 'differs',
    sourceDigest,
    destinationDigest,
    platforms: [],
  });
  const passed: PassedLine = {
    line: 1,
    raw: 'a:1',
    source: 'src/a:1',
    destination: 'dst/a:1',
    status: 'passed',
    rule: 'identical',
    detail: 'same',
    sourceDigest: 'sha256:s1',
    destinationDigest: 'sha256:d1',
    platforms: [],
  };
  const state = recordPasses({ version: 1, passed: {} }, [passed], '2026-01-01T00:00:00.000Z');

  test.each([
    ['source moved, destination unchanged', failed('sha256:s2', 'sha256:d1'), true],
    ['destination changed', failed('sha256:s2', 'sha256:d2'), false],
    ['nothing recorded for the line', { ...failed('sha256:s2', 'sha256:d1'), source: 'src/b:1' }, false],
  ])('%s: drift %s', (_name, result, drift) => {
    const classified = refineDrift(result, state);
    expect(classified.status === 'failed' && classified.drift !== undefined).toBe(drift);
  });
});
