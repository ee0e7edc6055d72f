// The payloads GitHub's API gets, built from a report: annotations in pages of 50, the conclusion, the hidden
// marker, the comment's lines (only those the pull request touches, when known), the drift issue's sections.
import { describe, expect, test } from 'vitest';
import type { LineResult } from '../../src/engine/validate/result.js';
import { checkRunPayloads, commentBody, driftIssueBody, marker } from '../../src/report/github.js';
import { passedLine, reportOf } from '../../testkit/results.js';

const failed = (line: number, extra: Partial<LineResult> = {}): LineResult =>
  ({
    ...passedLine(line),
    status: 'failed',
    reason: 'destination-missing',
    findings: [
      {
        reason: 'destination-missing',
        message: `destination reg.local/library/img${line}:1 does not exist`,
        brief: 'destination does not exist',
      },
    ],
    detail: `destination reg.local/library/img${line}:1 does not exist`,
    ...extra,
  }) as LineResult;
const skipped = (line: number): LineResult =>
  ({
    ...passedLine(line),
    status: 'skipped',
    reason: 'invalid-line',
    detail: 'x',
    source: null,
    destination: null,
  }) as LineResult;

describe('check run', () => {
  test('every failure and warning, 50 a request; the conclusion follows fail-on-error', () => {
    const results = [...Array.from({ length: 101 }, (_, n) => failed(n + 1)), skipped(102), passedLine(103)];
    const payloads = checkRunPayloads(reportOf(results), {
      name: 'mirror-validate',
      headSha: 'a'.repeat(40),
      path: 'list.txt',
      failOnError: true,
    });
    expect([
      payloads.create.output.annotations.length,
      ...payloads.updates.map((update) => update.output.annotations.length),
    ]).toEqual([50, 50, 2]);
    expect(payloads.create.conclusion).toBe('failure');
    expect(payloads.updates[1]!.output.annotations[1]).toEqual({
      path: 'list.txt',
      start_line: 102,
      end_line: 102,
      annotation_level: 'warning',
      title: 'mirror-validate: invalid-line',
      message: 'img102:1: x',
    });
    expect(
      checkRunPayloads(reportOf(results), { name: 'm', headSha: 's', path: 'l', failOnError: false }).create
        .conclusion,
    ).toBe('neutral');
    expect(
      checkRunPayloads(reportOf([passedLine(1)]), { name: 'm', headSha: 's', path: 'l', failOnError: true })
        .create,
    ).toMatchObject({
      conclusion: 'success',
      output: { annotations: [] },
    });
  });
});

describe('comment and issue', () => {
  test('the marker names the list and shard, and no name can end the HTML comment', () => {
    expect(marker('comment', 'images.txt', 'shard 1/2')).toBe(
      '<!-- mirror-validate:comment images.txt shard 1/2 -->',
    );
    expect(marker('comment', 'a--> <b>.txt')).toBe('<!-- mirror-validate:comment a-\\-> <b>.txt -->');
  });

  test('only the failing lines the pull request touches are listed, the others counted; linked to their lines', () => {
    const body = commentBody(reportOf([failed(1), failed(2), failed(3), passedLine(4)]), {
      marker: '<!-- m -->',
      listFile: 'images.txt',
      lineLink: (line) => `https://example/blob/x/images.txt#L${line}`,
      touched: new Set([2]),
    });
    expect(
      body.startsWith(
        '<!-- m -->\n### ❌ Mirror validation of `images.txt`: FAILED: 4 lines, 1 passed, 3 failed, 0 skipped',
      ),
    ).toBe(true);
    expect(body).toContain(
      '| [2](https://example/blob/x/images.txt#L2) | `img2:1` | `destination-missing` | destination does not exist |',
    );
    expect(body).not.toContain('| [1](');
    expect(body).toContain('2 failing lines this pull request does not touch.');
  });

  test('a passing run says so, under the same marker', () => {
    expect(commentBody(reportOf([passedLine(1)]), { marker: '<!-- m -->', listFile: 'images.txt' })).toBe(
      '<!-- m -->\n### ✅ Mirror validation of `images.txt` passes\n\nOK: 1 line, 1 passed, 0 failed, 0 skipped\n',
    );
  });

  test('the drift issue lists drifted lines apart from broken ones', () => {
    const drifted = failed(5, {
      reason: 'digest-mismatch',
      drift: { since: '2026-12-01T00:00:00Z', previousSourceDigest: 'sha256:1' },
    } as Partial<LineResult>);
    const { title, body } = driftIssueBody(reportOf([drifted, failed(6), passedLine(7)]), {
      marker: '<!-- d -->',
      listFile: 'images.txt',
    });
    expect(title).toBe('Mirror drift: images.txt');
    expect(body).toMatch(/### Upstream moved, mirror unchanged \(1\)\n- line 5 /);
    expect(body).toMatch(
      /### Broken \(1\)\n- line 6 `img6:1`: `destination-missing` destination does not exist/,
    );
  });
});
