// The whole run has a time budget: when it runs out, the lines not finished are skipped as interrupted with
// the reason, and the report holds every line, as on SIGTERM.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runEngine } from '../../src/engine/engine.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import { mirrorIdentical } from '../../testkit/mirror.js';
import { startProxy, type TestProxy } from '../../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let stalling: TestProxy;
let dir: string;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-run-timeout-'));
  await seedStandardImages(upstream, 'upstream');
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'upstream/multi:1.0');
  stalling = await startProxy(mirror.url, { transform: () => 'stall' });
}, 60_000);
afterAll(async () => {
  await stalling?.close();
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

test('the run timeout ends a run stuck on a silent registry: unfinished lines interrupted, with why', async () => {
  await writeFile(
    join(dir, 'list.txt'),
    `${upstream.host}/upstream/multi ${mirror.host}/upstream/multi 1.0\n` +
      `${upstream.host}/upstream/multi ${stalling.host}/upstream/multi 1.0\n`,
  );
  const started = Date.now();
  const results = await runEngine(
    {
      listFile: join(dir, 'list.txt'),
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 2,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 120_000,
      runTimeoutMs: 1_500,
    },
    { log: () => undefined },
    async (report) => report.results.toArray(),
  );
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(results.map((result) => result.status)).toEqual(['passed', 'skipped']);
  expect(results[1]).toMatchObject({
    reason: 'interrupted',
    detail: expect.stringMatching(
      /interrupted while this line was being validated \(the run's timeout of 2 s ran out\)/,
    ),
  });
});
