// JUnit XML from a run's results: one test suite, one test case per line, failures with the reason code,
// platform-filter skips as <skipped>, unreadable lines as <error>; valid against the JUnit schema CI systems read.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { LineResult } from '../../src/engine/validate/result.js';
import { writeJunit } from '../../src/report/junit.js';
import { junitErrors } from '../../testkit/junit-schema.js';
import { passedLine, reportOf } from '../../testkit/results.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-junit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const results: LineResult[] = [
  {
    ...passedLine(1),
    raw: 'nginx:1.27',
    source: 'docker.io/library/nginx:1.27',
    destination: 'reg.local/library/nginx:1.27',
  },
  {
    line: 3,
    raw: 'sig-storage/csi-node-driver-registrar:v2.13.0',
    source: 'registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.13.0',
    destination: 'reg.local/sig-storage/csi-node-driver-registrar:v2.13.0',
    status: 'failed',
    reason: 'platform-missing',
    detail: 'linux/arm64 is not in the destination index',
    findings: [
      { reason: 'platform-missing', platform: 'linux/arm64', message: 'not in the destination index' },
      { reason: 'manifest-missing', platform: 'linux/amd64', message: 'listed but absent' },
    ],
    platforms: [],
  },
  {
    line: 4,
    raw: 'windows-only:1.0',
    source: 'docker.io/library/windows-only:1.0',
    destination: 'reg.local/library/windows-only:1.0',
    status: 'skipped',
    reason: 'no-matching-platform',
    detail: 'no platform of the source is selected by the filter',
    platforms: [],
  },
  {
    line: 5,
    raw: 'bad <ref> & "quotes" \u0001\u001b[31m',
    source: null,
    destination: null,
    status: 'skipped',
    reason: 'invalid-line',
    detail: 'uppercase letters in a repository name',
    platforms: [],
  },
];

const report = (lines: LineResult[]) =>
  reportOf(lines, {
    listFile: 'images/list.txt',
    startedAt: '2026-12-03T10:00:00.123Z',
    finishedAt: '2026-12-03T10:00:02.623Z',
  });

async function junitOf(lines: LineResult[]): Promise<string> {
  const path = join(dir, `junit-${lines.length}.xml`);
  await writeJunit(path, report(lines));
  return readFile(path, 'utf8');
}

describe('JUnit XML', () => {
  test('valid against the JUnit schema, with hostile characters in a line', async () => {
    const xml = await junitOf(results);
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml.includes('\u0001') || xml.includes('\u001b')).toBe(false);
  });

  test('the validator does refuse what the schema does not allow', async () => {
    // A <skipped> with attributes and a test case without a name: both outside the schema.
    const bad = (await junitOf(results))
      .replace('<skipped>', '<skipped message="x">')
      .replace(/<testcase name="[^"]*"/, '<testcase');
    const errors = await junitErrors(bad);
    expect(errors.join('\n')).toMatch(/skipped/);
    expect(errors.join('\n')).toMatch(/name/);
  });

  test('one suite named after the list, one case per line, counts that add up', async () => {
    const xml = await junitOf(results);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toMatch(
      /<testsuite name="images\/list.txt" tests="4" failures="1" errors="1" skipped="1" time="2.500" timestamp="2026-12-03T10:00:00"/,
    );
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain(
      '<testcase name="line 1: docker.io/library/nginx:1.27 → reg.local/library/nginx:1.27" classname="images/list.txt" time="0"/>',
    );
  });

  test('a failure carries the reason code, the detail and every finding', async () => {
    const xml = await junitOf(results);
    const failure = /<failure type="([^"]+)" message="([^"]+)">([^<]*)<\/failure>/.exec(xml);
    expect(failure?.[1]).toBe('platform-missing');
    expect(failure?.[2]).toBe('linux/arm64 is not in the destination index');
    expect(failure?.[3]).toContain('manifest-missing (linux/amd64): listed but absent');
    expect(failure?.[3]).toContain('line 3: sig-storage/csi-node-driver-registrar:v2.13.0');
  });

  test('a filter skip is <skipped>; an unreadable line is an <error> (it fails the run)', async () => {
    const xml = await junitOf(results);
    expect(xml).toContain(
      '<skipped>no-matching-platform: no platform of the source is selected by the filter</skipped>',
    );
    expect(xml).toMatch(
      /<testcase name="line 5: bad &lt;ref&gt; &amp; &quot;quotes&quot; [^"]*"[^>]*><error type="invalid-line"/,
    );
  });

  test('an empty list is a valid empty suite', async () => {
    const xml = await junitOf([]);
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuite name="images\/list.txt" tests="0"/);
  });
});
