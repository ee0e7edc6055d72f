// What a person sees in a terminal and in a CI log, from a run's results: pure, with a clock of our own.
import { describe, expect, test } from 'vitest';
import type { LineResult } from '../../src/engine/validate/result.js';
import { colorAllowed, createConsoleReporter } from '../../src/report/console.js';
import { passedLine, reportOf } from '../../testkit/results.js';

const passed = passedLine;
const failedWith = (line: number, message: string): LineResult => ({
  ...passed(line),
  status: 'failed',
  reason: 'destination-missing',
  findings: [{ reason: 'destination-missing', message }],
  detail: message,
});
const failed = (line: number) => failedWith(line, 'destination does not exist \u001b[2J');

function run(
  results: LineResult[],
  options: { tty: boolean; github?: boolean; verbose?: boolean; color?: boolean },
) {
  let clock = 0;
  let out = '';
  let err = '';
  const view = createConsoleReporter({
    out: (text) => (out += text),
    err: (text) => (err += text),
    tty: options.tty,
    columns: 60,
    color: options.color ?? false,
    verbose: options.verbose ?? false,
    github: options.github ?? false,
    listFile: 'list.txt',
    now: () => clock,
    reasonsDoc: 'docs/reasons.md',
  });
  view.start(results.length);
  results.forEach((result, index) => {
    clock += 1000; // one line a second
    view.onResult(result, index + 1);
  });
  view.finish(reportOf(results, { listFile: 'list.txt' }), [{ label: 'failed list', path: 'failed.txt' }]);
  return { out, err };
}

const lines = [...Array.from({ length: 30 }, (_, i) => passed(i + 1)), failed(31), passed(32), failed(33)];

describe('on a terminal', () => {
  test('a progress line on stderr, cleared before each failure and drawn again; passes not printed', () => {
    const { out, err } = run(lines, { tty: true });
    expect(err).toContain('\r\u001b[2K');
    expect(err).toMatch(/\[33\/33\] 100% · 2 failing · 1\.0 lines\/s/);
    // Every progress line fits the terminal's width (60 columns).
    for (const drawn of err.split('\r\u001b[2K').filter(Boolean)) expect(drawn.length).toBeLessThan(60);
    expect(out).not.toContain('PASS');
    expect(out.match(/FAIL destination-missing/g)).toHaveLength(2);
  });

  test('--verbose prints passes too; colour only when allowed', () => {
    expect(run(lines, { tty: true, verbose: true }).out.match(/PASS identical/g)).toHaveLength(31);
    expect(run(lines, { tty: true, color: true }).out).toContain('\u001b[31m');
    expect(run(lines, { tty: true, color: false }).out).not.toContain('\u001b[31m');
  });

  test('ends with a table by reason, its remedy, and where the files went', () => {
    const { out } = run(lines, { tty: true });
    expect(out).toMatch(/reason +lines +what to do\ndestination-missing +2 +Run the mirror step again/);
    expect(out).toContain('every reason explained: docs/reasons.md');
    expect(out).toContain('FAILED: 33 lines, 31 passed, 2 failed, 0 skipped');
    expect(out).toContain('failed list: failed.txt');
  });
});

describe('in a log', () => {
  test('no control characters at all, not even from a registry detail; a progress line every 10 s', () => {
    const { out, err } = run(lines, { tty: false });
    expect(err).toBe('');
    // eslint-disable-next-line no-control-regex
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
    expect(out.match(/^\[\d+\/33\] /gm)).toHaveLength(3); // at 10, 20 and 30 s
    expect(out.match(/FAIL destination-missing/g)).toHaveLength(2);
  });

  test('a line break from a registry never starts a log line of its own (a workflow command)', () => {
    const hostile = failedWith(1, 'not found\n::stop-commands::x\r\n::error::forged');
    const { out } = run([hostile], { tty: false, github: true });
    expect(out).not.toMatch(/^::(stop-commands|error)/m);
    expect(out).toContain('not found ::stop-commands::x ::error::forged');
  });

  test('on GitHub: the passes in one collapsed group at the end', () => {
    const { out } = run(lines, { tty: false, github: true });
    const group = /::group::31 passed lines\n((?:.*\n)*?)::endgroup::/.exec(out);
    expect(group?.[1]?.match(/PASS identical/g)).toHaveLength(31);
    expect(out.indexOf('::group::')).toBeGreaterThan(out.lastIndexOf('FAIL destination-missing'));
  });
});

test.each([
  [{}, true, false, true],
  [{}, false, false, false],
  [{ NO_COLOR: '1' }, true, false, false],
  [{}, true, true, false],
  [{ FORCE_COLOR: '1' }, false, false, true],
  [{ FORCE_COLOR: '0' }, true, false, true],
  [{ TERM: 'dumb' }, true, false, false],
])('colour with env %j, tty %s, --no-color %s: %s', (env, tty, flag, expected) => {
  expect(colorAllowed(env, tty, flag)).toBe(expected);
});
