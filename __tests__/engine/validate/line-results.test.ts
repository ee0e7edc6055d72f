import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, test } from 'vitest';
import { LineResults } from '../../../src/engine/validate/line-results.js';
import type { FailureReason, LineResult } from '../../../src/engine/validate/result.js';

const digest = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const passed = (line: number): LineResult => ({
  line,
  raw: `app:${line}`,
  source: `docker.io/library/app:${line}`,
  destination: `reg.local/library/app:${line}`,
  status: 'passed',
  rule: 'identical',
  sourceDigest: digest(line),
  destinationDigest: digest(line),
  detail: `destination digest equals the source's (${digest(line).slice(0, 19)}) — “quoted”`,
  platforms: [
    { platform: 'linux/amd64', sourceDigest: digest(line), destinationDigest: digest(line), status: 'ok' },
  ],
});
const failed = (line: number): LineResult => ({
  line,
  raw: `app:${line}`,
  source: `docker.io/library/app:${line}`,
  destination: `reg.local/library/app:${line}`,
  status: 'failed',
  reason: 'destination-missing',
  findings: [{ reason: 'destination-missing', message: 'not there' }],
  detail: 'not there',
  platforms: [],
  drift: undefined,
});
const skipped = (line: number): LineResult => ({
  line,
  raw: `BAD ${line}`,
  source: null,
  destination: null,
  status: 'skipped',
  reason: 'invalid-line',
  detail: 'uppercase',
  platforms: [],
});

const spools = async () =>
  (await readdir(tmpdir())).filter((name) => name.startsWith('mirror-validate-results-'));

describe('line results', () => {
  test('set in any order, read in line order, each exactly as it was set', () => {
    const all = [passed(1), failed(2), passed(3), skipped(4), passed(5)];
    const store = new LineResults(all.length);
    for (const index of [4, 1, 0, 3, 2]) store.set(index, all[index] as LineResult);
    expect(store.toArray()).toEqual(JSON.parse(JSON.stringify(all)));
    expect([...store.json()]).toEqual(all.map((result) => JSON.stringify(result)));
    expect(store.at(2)).toEqual(passed(3));
    expect(store.problems().map((result) => result.line)).toEqual([2, 4]);
    expect([...store.passed()].map((result) => result.line)).toEqual([1, 3, 5]);
    expect(store.totals).toEqual({ lines: 5, passed: 3, failed: 1, skipped: 1, drifted: 0, notChecked: 0 });
    store.close();
  });

  test('counts drift among the failed lines; lines not yet set count only in lines', () => {
    const store = new LineResults(3);
    store.set(0, {
      ...(failed(1) as Extract<LineResult, { status: 'failed' }>),
      drift: { since: 'then', previousSourceDigest: digest(9) },
    });
    expect(store.totals).toEqual({ lines: 3, passed: 0, failed: 1, skipped: 0, drifted: 1, notChecked: 0 });
    expect(store.toArray()).toHaveLength(1);
    store.close();
  });

  test('counts the failed lines that could not be checked apart: every reason that is no finding about the image', () => {
    const reasons = [
      'auth',
      'rate-limited',
      'timeout',
      'unreachable',
      'tls',
      'destination-missing',
      'integrity',
    ];
    const store = LineResults.of(
      reasons.map((reason, index) => ({
        ...(failed(index + 1) as Extract<LineResult, { status: 'failed' }>),
        reason: reason as FailureReason,
      })),
    );
    expect(store.totals).toMatchObject({ failed: 7, notChecked: 5 });
    store.close();
  });

  test('passed lines live in the spool, not in memory: after close they cannot be read, problems still can', () => {
    const store = LineResults.of([passed(1), failed(2)]);
    store.close();
    expect(() => store.at(0)).toThrow(/closed/);
    expect(store.at(1)).toEqual(failed(2));
    expect(() => store.set(0, passed(1))).toThrow(/twice/);
  });

  test('a line is set once, within range', () => {
    const store = new LineResults(1);
    store.set(0, skipped(1));
    expect(() => store.set(0, skipped(1))).toThrow(/twice/);
    expect(() => store.set(1, skipped(2))).toThrow(/out of range/);
    store.close();
  });

  test('the spool leaves nothing in the temporary folder, even while open', async () => {
    const before = await spools();
    const store = LineResults.of(Array.from({ length: 50 }, (_, i) => passed(i + 1)));
    expect(await spools()).toEqual(before);
    expect([...store.passed()]).toHaveLength(50);
    store.close();
    expect(await spools()).toEqual(before);
  });
});
