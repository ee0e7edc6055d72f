// Pure report writers: failed list, JSON report, job summary (escaping, size budget), annotation caps.
import { describe, expect, test } from 'vitest';
import type { RunReport } from '../../src/engine/report.js';
import { ANNOTATIONS_PER_KIND, planAnnotations } from '../../src/report/annotations.js';
import { formatFailedList } from '../../src/report/failed-list.js';
import { buildJsonReport } from '../../src/report/json-report.js';
import { exitCodeFor, whatIsWrong } from '../../src/report/outcome.js';
import { buildSummary, escapeHtml, ROWS_PER_REASON } from '../../src/report/summary.js';
import { formatOutcomeLine } from '../../src/report/outcome.js';
import {
  FAILURE_REASONS,
  PASS_RULES,
  SKIP_REASONS,
  type Finding,
  type LineResult,
  type SkipReason,
} from '../../src/engine/validate/result.js';
import { reportSchema, resultErrors, schemaErrors } from '../../testkit/report-schema.js';
import { passedLine, reportOf } from '../../testkit/results.js';

const passed = passedLine;
const failed = (line: number, raw = `bad${line}:1`): LineResult => ({
  line,
  raw,
  source: `docker.io/library/${raw}`,
  destination: `reg.local/library/${raw}`,
  status: 'failed',
  reason: 'destination-missing',
  findings: [{ reason: 'destination-missing', message: 'destination does not exist' }],
  detail: 'destination does not exist',
  platforms: [],
});
const skipped = (line: number, reason: SkipReason = 'invalid-line'): LineResult => ({
  line,
  raw: `Bad${line}`,
  source: null,
  destination: null,
  status: 'skipped',
  reason,
  detail: 'uppercase',
  platforms: [],
});

function report(results: LineResult[]): RunReport {
  return reportOf(results, {
    destination: 'reg.local',
    requests: {
      'docker.io': {
        byMethod: { HEAD: 3 },
        manifestHeads: 3,
        manifestGets: 0,
        blobHeads: 0,
        blobGets: 0,
        referrerGets: 0,
        tagGets: 0,
        tokenRequests: 1,
        retries: 0,
        cacheHits: 0,
        rateLimit: { limit: '100;w=21600', remaining: '97;w=21600', seenAt: 'x' },
      },
    },
  });
}

describe('failed list', () => {
  test('raw failing lines, input order, trailing newline; empty when none failed', () => {
    expect(formatFailedList([passed(1), failed(2, '  nginx mirrored 1.0  '), skipped(3), failed(4)])).toBe(
      'nginx mirrored 1.0\nbad4:1\n',
    );
    expect(formatFailedList([passed(1), skipped(2)])).toBe('');
  });
});

describe('JSON report', () => {
  test('version 1 with totals, one result per line, requests', () => {
    const json = buildJsonReport(report([passed(1), failed(2), skipped(3)]));
    expect(json.version).toBe(1);
    expect(json.totals).toEqual({ lines: 3, passed: 1, failed: 1, skipped: 1, drifted: 0, notChecked: 0 });
    expect(json.results.map((r) => [r.line, r.status, 'rule' in r ? r.rule : r.reason])).toEqual([
      [1, 'passed', 'identical'],
      [2, 'failed', 'destination-missing'],
      [3, 'skipped', 'invalid-line'],
    ]);
    expect(json.requests['docker.io']?.tokenRequests).toBe(1);
    // 3 requests (the token request among them) over 3 lines.
    expect(json.perLine).toEqual({ requests: 1, tokenRequests: 0.333 });
  });

  test('exit status: 1 for a failed or invalid line, 0 for a platform-filter skip', () => {
    expect(exitCodeFor(report([passed(1)]))).toBe(0);
    expect(exitCodeFor(report([passed(1), skipped(2)]))).toBe(1);
    expect(exitCodeFor(report([passed(1), skipped(2, 'no-matching-platform')]))).toBe(0);
    expect(exitCodeFor(report([failed(1)]))).toBe(1);
  });
});

describe('job summary', () => {
  test('escapes every value', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
    const summary = buildSummary(report([failed(1, '<script>alert(1)</script>')]), {
      fullResultsHint: 'see the artifact',
    });
    expect(summary).not.toContain('<script>');
    expect(summary).toContain('&lt;script&gt;');
  });

  test('line numbers link to the list at the run commit when a link is given, escaped', () => {
    const summary = buildSummary(report([passed(1), failed(2)]), {
      fullResultsHint: 'see the artifact',
      lineLink: (line) => `https://github.com/acme/m/blob/abc/l"x.txt#L${line}`,
    });
    expect(summary).toContain('<td><a href="https://github.com/acme/m/blob/abc/l&quot;x.txt#L2">2</a></td>');
    expect(buildSummary(report([failed(2)]), { fullResultsHint: 'x' })).toContain('<tr><td>2</td>');
  });

  test('the headline counts the lines that could not be checked apart from the failed ones', () => {
    const unreachable: LineResult = {
      ...(failed(3) as Extract<LineResult, { status: 'failed' }>),
      reason: 'unreachable',
      findings: [{ reason: 'unreachable', message: 'destination: connection refused' }],
    };
    const summary = buildSummary(report([passed(1), failed(2), unreachable]), { fullResultsHint: 'x' });
    expect(summary).toContain(
      '1 failed, 1 not checked (the registry refused or did not answer), 1 passed, 0 skipped of 3 lines',
    );
    expect(formatOutcomeLine(report([passed(1), failed(2), unreachable]))).toBe(
      'FAILED: 3 lines, 1 passed, 1 failed, 1 not checked, 0 skipped',
    );
    expect(formatOutcomeLine(report([passed(1)]))).toBe('OK: 1 line, 1 passed, 0 failed, 0 skipped');
  });

  test('reason first: headline, artifact link, one row per reason with meaning and remedy, then its lines', () => {
    const summary = buildSummary(report([passed(1), failed(2), failed(4), skipped(3)]), {
      fullResultsHint: 'the artifact mirror-validate-failed',
      artifact: {
        name: 'mirror-validate-failed',
        url: 'https://github.com/acme/m/actions/runs/1/artifacts/9',
      },
      reasonLink: (reason) => `https://docs.example/reasons.md#${reason}`,
    });
    expect(summary).toContain('2 failed, 1 passed, 1 skipped of 4 lines');
    const artifactAt = summary.indexOf('href="https://github.com/acme/m/actions/runs/1/artifacts/9"');
    const reasonsAt = summary.indexOf('<th>What it means, and what to do</th>');
    expect(artifactAt).toBeGreaterThan(0);
    expect(reasonsAt).toBeGreaterThan(artifactAt);
    expect(summary).toMatch(
      /<tr><td><a href="https:\/\/docs.example\/reasons.md#destination-missing"><code>destination-missing<\/code><\/a><\/td><td>2<\/td><td>The image is not in the mirror/,
    );
    expect(summary).toContain('Run the mirror step again for these lines');
    // Failures before skips; a few lines are shown open.
    expect(summary.indexOf('destination-missing</code></a> · 2 lines')).toBeLessThan(
      summary.indexOf('invalid-line</code></a> · 1 line'),
    );
    expect(summary).toMatch(
      /<details open><summary><a [^>]*><code>destination-missing<\/code><\/a> · 2 lines/,
    );
    // Passed lines folded, by rule.
    expect(summary).toMatch(/<details><summary>✅ passed, rule <code>identical<\/code> · 1 line<\/summary>/);
    expect(summary).toContain('97;w=21600 of 100;w=21600');
    expect(summary).toContain('Per line of the list: 0.75 requests, 0.25 token requests.');
  });

  test('a row names the image as written and what is wrong, without its references again', () => {
    const summary = buildSummary(report([failed(2, 'sig-storage/csi-node-driver-registrar:v2.13.0')]), {
      fullResultsHint: 'x',
    });
    const row = /<tr><td>2<\/td><td>(.*?)<\/td><td>(.*?)<\/td><\/tr>/.exec(summary);
    expect(row?.[1]).toContain('csi-node-driver-registrar');
    expect(row?.[1]).not.toContain('→'); // the destination follows the pattern: not shown again
    expect(row?.[2]).toBe('destination does not exist');
  });

  test('a renamed destination is shown under the image; long references can break', () => {
    const renamed: LineResult = {
      ...failed(5),
      raw: 'upstream/app mirror/app@sha256:' + 'a'.repeat(64),
      destination: 'reg.local/mirror/app@sha256:' + 'a'.repeat(64),
      detail: `destination reg.local/mirror/app@sha256:${'a'.repeat(64)} does not exist`,
    };
    const summary = buildSummary(report([renamed]), { fullResultsHint: 'x' });
    expect(summary).toContain('<br>→ <code>reg.local/<wbr>mirror/<wbr>app@<wbr>sha256:<wbr>');
    expect(summary).not.toMatch(/[0-9a-z]{25}/);
  });

  test('100,000 lines, 10% failing for three reasons: under 1 MiB, and the top says how many failed and why', () => {
    const reasons = ['destination-missing', 'digest-mismatch', 'platform-missing'] as const;
    const lines = Array.from({ length: 100_000 }, (_, index): LineResult => {
      if (index % 10 !== 0) return passed(index + 1);
      const line = failed(index + 1, `registry.k8s.io/sig-storage/csi-node-driver-registrar:v${index}`);
      return { ...line, status: 'failed', reason: reasons[index % 3]! } as LineResult;
    });
    const summary = buildSummary(report(lines), { fullResultsHint: 'the artifact mirror-validate-failed' });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    const top = summary.slice(0, summary.indexOf('</table>'));
    expect(top).toContain('10000 failed, 90000 passed, 0 skipped of 100000 lines');
    for (const reason of reasons)
      expect(top).toMatch(new RegExp(`<code>${reason}</code></td><td>\\d{4}</td>`));
  });

  test('many lines of one reason: folded, capped, and the rest said to be in the artifact', () => {
    const many = Array.from({ length: 400 }, (_, index) => failed(index + 1));
    const summary = buildSummary(report(many), { fullResultsHint: 'the artifact mirror-validate-failed' });
    expect(summary).toMatch(/<details><summary><code>destination-missing<\/code> · 400 lines<\/summary>/);
    expect(summary.match(/<tr><td>\d+<\/td>/g)).toHaveLength(ROWS_PER_REASON);
    expect(summary).toContain(`… and ${400 - ROWS_PER_REASON} more in the artifact mirror-validate-failed.`);
    expect(Buffer.byteLength(summary)).toBeLessThan(40 * 1024);
  });

  test('registries used over plain HTTP are named once, and only then', () => {
    const plain = report([passed(1)]);
    expect(buildSummary(plain, { fullResultsHint: '' })).not.toContain('plain HTTP');
    plain.requests['docker.io']!.plainHttp = true;
    expect(buildSummary(plain, { fullResultsHint: '' })).toMatch(
      /Used over plain HTTP \(not encrypted\): <code>docker\.io<\/code>\. Credentials go over plain HTTP only to registries listed in <code>insecure-registries<\/code>/,
    );
  });

  test('stays under the budget and says where the rest is', () => {
    const many = Array.from({ length: 20_000 }, (_, index) =>
      failed(index + 1, `registry.example.com/project/image-${index}:${'v'.repeat(40)}`),
    );
    const summary = buildSummary(report(many), {
      fullResultsHint: 'the complete results are in the artifact mirror-validate-failed',
    });
    expect(Buffer.byteLength(summary)).toBeLessThan(1024 * 1024);
    expect(summary).toContain('more in the complete results are in the artifact mirror-validate-failed');
  });
});

describe('annotations', () => {
  test('at most 10 errors and 10 warnings, then one notice counting the rest', () => {
    const results = [
      ...Array.from({ length: 14 }, (_, i) => failed(i + 1)),
      ...Array.from({ length: 12 }, (_, i) => skipped(100 + i)),
    ];
    const plan = planAnnotations(results, 'lists/images.txt');
    expect(plan.filter((a) => a.kind === 'error')).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(plan.filter((a) => a.kind === 'warning')).toHaveLength(ANNOTATIONS_PER_KIND);
    expect(plan.filter((a) => a.kind === 'notice').map((a) => a.message)).toEqual([
      expect.stringMatching(/^6 more lines with problems \(4 failed, 2 skipped\)/),
    ]);
    expect(plan[0]).toMatchObject({
      file: 'lists/images.txt',
      startLine: 1,
      title: 'mirror-validate: destination-missing',
    });
  });

  test('no notice when everything fits', () => {
    expect(planAnnotations([failed(1), passed(2)], 'a.txt').map((a) => a.kind)).toEqual(['error']);
  });
});

describe('report file', () => {
  test('the streamed file is the same document as buildJsonReport', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { writeResultFiles } = await import('../../src/report/files.js');
    const dir = await mkdtemp(join(tmpdir(), 'mv-report-'));
    try {
      const run = report([passed(1), failed(2, 'a "quoted"\\line'), skipped(3)]);
      await writeResultFiles(run, {
        failedFile: join(dir, 'failed.txt'),
        reportFile: join(dir, 'report.json'),
      });
      expect(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(buildJsonReport(run))),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('report schema (schema/report.schema.json)', () => {
  const enumOf = (kind: string) =>
    (reportSchema.definitions as Record<string, { properties: Record<string, { enum?: string[] }> }>)[kind]
      ?.properties?.[kind === 'passed' ? 'rule' : 'reason']?.enum;

  test('names every reason and rule the engine has', () => {
    expect(enumOf('failed')).toEqual([...FAILURE_REASONS]);
    expect(enumOf('skipped')).toEqual([...SKIP_REASONS]);
    expect(enumOf('passed')).toEqual([...PASS_RULES]);
  });

  test('a report of every kind of line conforms', () => {
    const run = report([passed(1), failed(2), skipped(3), skipped(4, 'interrupted')]);
    expect(schemaErrors(JSON.parse(JSON.stringify(buildJsonReport(run))))).toEqual([]);
  });

  test.each([
    [
      'a result without a status',
      (r: Record<string, unknown>) => delete r.status,
      ["/ must have required property 'status'"],
    ],
    [
      'an unknown reason',
      (r: Record<string, unknown>) => (r.reason = 'gone'),
      ['/reason must be equal to one of the allowed values'],
    ],
    [
      'a field the schema does not know',
      (r: Record<string, unknown>) => (r.extra = 1),
      ['/ must NOT have additional properties (extra)'],
    ],
  ])('%s does not conform, for that reason alone', (_name, spoil, expected) => {
    const json = JSON.parse(JSON.stringify(buildJsonReport(report([failed(2)])))) as {
      results: Record<string, unknown>[];
    };
    expect(resultErrors('failed', json.results[0])).toEqual([]);
    spoil(json.results[0]!);
    expect(resultErrors('failed', json.results[0])).toEqual(expected);
    expect(schemaErrors(json)).toContain('/results/0 must match exactly one schema in oneOf');
  });
});

describe('docs/reasons.md', () => {
  test('is what scripts/reasons-doc.ts writes from the reason texts: a section per code', async () => {
    const { readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { reasonsPage } = await import('../../scripts/reasons-doc.js');
    const committed = await readFile(join(import.meta.dirname, '..', '..', 'docs', 'reasons.md'), 'utf8');
    expect(committed).toBe(reasonsPage());
    for (const code of [...FAILURE_REASONS, ...SKIP_REASONS]) expect(committed).toContain(`\n## ${code}\n`);
  });
});

describe('what is wrong, beside the line that names the image', () => {
  const line = (findings: Finding[], extra: Partial<LineResult> = {}) =>
    ({
      ...failed(3),
      findings,
      detail: findings.map((finding) => finding.message).join('; '),
      ...extra,
    }) as LineResult;

  test('composed from the findings in their brief form, whole sentences only', () => {
    const result = line([
      {
        reason: 'source-missing',
        message: 'source upstream/app:1 does not exist',
        brief: 'source does not exist',
      },
      {
        reason: 'destination-missing',
        message: 'destination mirror/app:1 does not exist',
        brief: 'destination does not exist',
      },
    ]);
    expect(whatIsWrong(result)).toBe('source does not exist; destination does not exist');
  });

  test('a finding that names no reference of the line is shown as written', () => {
    const message = 'destination index lacks linux/arm64 (source sha256:000700070007…)';
    expect(whatIsWrong(line([{ reason: 'platform-missing', platform: 'linux/arm64', message }]))).toBe(
      message,
    );
  });

  test('drift is said first; skipped lines keep their detail', () => {
    const drifted = line([{ reason: 'digest-mismatch', message: 'x' }], {
      drift: { since: '2026-12-01T00:00:00Z', previousSourceDigest: 'sha256:1' },
    });
    expect(whatIsWrong(drifted)).toBe(
      'upstream moved since 2026-12-01T00:00:00Z (the mirror has what passed then); x',
    );
    expect(whatIsWrong(skipped(4))).toBe(skipped(4).detail);
  });
});
