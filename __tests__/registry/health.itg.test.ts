// A registry that stops answering is found out once, not once per line: its first contact (or three requests
// in a row) without an answer marks it down, its other lines fail at once naming it, other registries carry
// on, and one request per probe interval finds out when it is back.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseImageList } from '../../src/engine/list/image-list.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { LineResult } from '../../src/engine/validate/result.js';
import { validateEntries } from '../../src/engine/validate/runner.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { mirrorIdentical } from '../../testkit/mirror.js';
import { startProxy, type TestProxy } from '../../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let silent: TestProxy;
let answering = false;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  await seedStandardImages(upstream, 'upstream');
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'mirror/multi:1.0');
  // Accepts every connection and never answers, until told to.
  silent = await startProxy(mirror.url, { transform: () => (answering ? undefined : 'stall') });
}, 60_000);
afterAll(async () => {
  await silent?.close();
  await Promise.all([upstream?.stop(), mirror?.stop()]);
});

async function validate(lines: string[], downProbeMs: number) {
  const reader = createRegistryClient({
    tlsVerify: false,
    timeoutMs: 1_000,
    retries: 4,
    backoffMs: 5,
    downProbeMs,
  });
  try {
    const entries = parseImageList(lines.join('\n'), { defaultProject: 'library' });
    const started = Date.now();
    const results = (
      await validateEntries({
        entries,
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 10,
        imageTimeoutMs: 60_000,
        reader,
      })
    ).toArray();
    return { results, seconds: (Date.now() - started) / 1000, stats: reader.stats() };
  } finally {
    reader.close();
  }
}

const summary = (results: LineResult[]) =>
  results.map((result) => (result.status === 'failed' ? `failed ${result.reason}` : result.status));

test('1,000 lines to a registry that never answers fail at once after its first contact; the others pass', async () => {
  answering = false;
  const lines = [
    ...Array.from(
      { length: 1000 },
      (_, n) => `${upstream.host}/upstream/multi ${silent.host}/mirror/r${n} 1.0`,
    ),
    ...Array.from({ length: 5 }, () => `${upstream.host}/upstream/multi ${mirror.host}/mirror/multi 1.0`),
  ];
  const { results, seconds, stats } = await validate(lines, 60_000);
  expect(summary(results.slice(0, 1000))).toEqual(Array(1000).fill('failed timeout'));
  expect(summary(results.slice(1000))).toEqual(Array(5).fill('passed'));
  const detail = (results[999] as { detail: string }).detail;
  expect(detail).toMatch(
    new RegExp(`${silent.host} is not answering: marked down .* after its first request got no answer`),
  );
  // Without the health record each line waits out its own timeouts and retries: 1,000 lines × 5 attempts.
  // With it, the silent registry is asked a handful of times in all.
  expect(silent.seen.length).toBeLessThan(30);
  expect(stats[silent.host]?.byMethod.HEAD ?? 0).toBe(0);
  expect(seconds).toBeLessThan(30);
});

test('a registry that answers again is used again, after its probe', async () => {
  answering = false;
  const lines = [`${upstream.host}/upstream/multi ${silent.host}/mirror/multi 1.0`];
  const reader = createRegistryClient({
    tlsVerify: false,
    timeoutMs: 500,
    retries: 0,
    backoffMs: 5,
    downProbeMs: 300,
  });
  try {
    const entries = parseImageList(lines.join('\n'), { defaultProject: 'library' });
    const run = async () =>
      (
        await validateEntries({
          entries,
          options: DEFAULT_VALIDATE_OPTIONS,
          jobs: 1,
          imageTimeoutMs: 10_000,
          reader,
        })
      ).toArray();
    expect(summary(await run())).toEqual(['failed timeout']);
    answering = true;
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(summary(await run())).toEqual(['passed']);
  } finally {
    reader.close();
    answering = false;
  }
});
