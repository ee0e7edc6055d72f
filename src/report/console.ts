// What a person watching a run sees, in a terminal or a CI log. On a terminal: a live progress line on stderr
// (done/total, failures so far, rate, time left) that each printed failure replaces and that is redrawn
// after it; failures as they come; passes only when verbose; colour where allowed. In a log (not a terminal):
// no control characters, one line per failure, a progress line every ten seconds or so, and on GitHub the
// passes in a collapsed group at the end. Either way it ends with a table by reason (count and what to do)
// and where the result files went. Colours by picocolors (small, no dependencies, bundles cleanly); TTY and
// width from Node's own stream properties.
import pc from 'picocolors';
import type { RunReport } from '../engine/report.js';
import type { LineResult } from '../engine/validate/result.js';
import { fileOf, formatOutcomeLine, isProblem, whatIsWrong } from './outcome.js';
import { REASON_TEXTS } from './reasons.js';

export interface ConsoleOptions {
  /** Results: failures, the end table. */
  out: (text: string) => void;
  /** The live progress line (a terminal only). */
  err: (text: string) => void;
  /** Whether the progress stream is a terminal: a live line that is redrawn, instead of periodic lines. */
  tty: boolean;
  color: boolean;
  /** Terminal width, for keeping the progress line on one row. */
  columns?: number;
  verbose: boolean;
  /** A GitHub Actions log: passes go in a collapsed group at the end. */
  github: boolean;
  listFile: string;
  now?: () => number;
  /** How often a log gets a progress line; 10 s. */
  progressEveryMs?: number;
  /** Where the reason codes are explained. */
  reasonsDoc?: string;
}

/** Colour is allowed: not with --no-color or NO_COLOR, always with FORCE_COLOR (not 0), else on a terminal. */
export function colorAllowed(env: NodeJS.ProcessEnv, tty: boolean, noColorFlag: boolean): boolean {
  if (noColorFlag || (env.NO_COLOR !== undefined && env.NO_COLOR !== '')) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return tty && env.TERM !== 'dumb';
}

const duration = (seconds: number) => {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
};

/**
 * A list line as one line of text: where, the image as written, the verdict, and what is wrong (the line's
 * references are not repeated: the image as written says which it is).
 */
export function resultLine(result: LineResult, listFile: string): string {
  const what =
    result.status === 'passed'
      ? `PASS ${result.rule}`
      : `${result.status === 'failed' ? 'FAIL' : 'SKIP'} ${result.reason}`;
  const detail =
    result.status !== 'passed'
      ? `: ${whatIsWrong(result)}`
      : result.warnings?.length
        ? ` (warning: ${result.warnings.join('; ')})`
        : '';
  return `${fileOf(result, listFile)}:${result.line} ${result.raw.trim()} → ${what}${detail}`;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/**
 * What came from a list or a registry never moves the cursor, recolours the terminal, or starts a line of
 * its own (where a GitHub workflow command such as `::stop-commands::` would be read).
 */
const printable = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(CONTROL, '?');

export function createConsoleReporter(options: ConsoleOptions) {
  const colors = pc.createColors(options.color);
  const now = options.now ?? Date.now;
  const every = options.progressEveryMs ?? 10_000;
  let total = 0;
  let failures = 0;
  let startedAt = now();
  let lastProgress = startedAt;
  let progressShown = false;
  let done = 0;

  const progressText = () => {
    const seconds = (now() - startedAt) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const left = rate > 0 ? (total - done) / rate : Infinity;
    const percent = total > 0 ? Math.floor((done / total) * 100) : 100;
    return `[${done}/${total}] ${percent}% · ${failures} failing · ${rate.toFixed(rate < 10 ? 1 : 0)} lines/s · ${done < total ? `${duration(left)} left` : `${duration(seconds)}`}`;
  };
  const clearProgress = () => {
    if (options.tty && progressShown) options.err('\r\u001b[2K');
    progressShown = false;
  };
  const drawProgress = () => {
    if (!options.tty) return;
    const width = Math.max(20, (options.columns ?? 80) - 1);
    const text = progressText();
    options.err(`\r\u001b[2K${colors.dim(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`);
    progressShown = true;
  };
  const print = (text: string) => {
    clearProgress();
    options.out(`${text}\n`);
  };

  return {
    start(lines: number) {
      total = lines;
      startedAt = now();
      lastProgress = startedAt;
      drawProgress();
    },

    /** A message of the run's own (a warning, a selection): printed above the progress line. */
    note(message: string) {
      print(printable(message));
      if (options.tty && total > 0) drawProgress();
    },

    onResult(result: LineResult, settled: number) {
      done = settled;
      if (isProblem(result)) failures += 1;
      // The line is made only when printed: most results are passes, and those are not.
      const show = (color: (text: string) => string) =>
        print(color(printable(resultLine(result, options.listFile))));
      if (result.status === 'failed') show(colors.red);
      else if (result.status === 'skipped') show(isProblem(result) ? colors.red : colors.yellow);
      else if (options.verbose && !options.github) show(colors.green);
      const at = now();
      if (options.tty) drawProgress();
      else if (at - lastProgress >= every && done < total) {
        lastProgress = at;
        options.out(`${progressText()}\n`);
      }
    },

    /** The passes (on GitHub, folded), the table by reason, the outcome and where the files are. */
    finish(report: RunReport, files: { label: string; path: string }[]) {
      clearProgress();
      if (options.github && report.totals.passed > 0) {
        options.out(`::group::${report.totals.passed} passed lines\n`);
        for (const result of report.results.passed())
          options.out(`${printable(resultLine(result, options.listFile))}\n`);
        options.out('::endgroup::\n');
      }
      const byReason = new Map<string, number>();
      for (const result of report.results.problems())
        if (result.status !== 'passed') byReason.set(result.reason, (byReason.get(result.reason) ?? 0) + 1);
      if (byReason.size > 0) {
        const rows = [...byReason].sort(([, a], [, b]) => b - a);
        const width = Math.max(...rows.map(([reason]) => reason.length), 'reason'.length);
        const countWidth = Math.max(...rows.map(([, count]) => String(count).length), 'lines'.length);
        options.out(
          `\n${colors.bold(`${'reason'.padEnd(width)}  ${'lines'.padStart(countWidth)}  what to do`)}\n`,
        );
        for (const [reason, count] of rows) {
          const remedy = REASON_TEXTS[reason as keyof typeof REASON_TEXTS]?.remedy ?? '';
          options.out(`${reason.padEnd(width)}  ${String(count).padStart(countWidth)}  ${remedy}\n`);
        }
        if (options.reasonsDoc) options.out(colors.dim(`every reason explained: ${options.reasonsDoc}\n`));
      }
      const outcome = formatOutcomeLine(report);
      options.out(
        `\n${outcome.startsWith('OK') ? colors.green(outcome) : colors.red(colors.bold(outcome))}\n`,
      );
      options.out(`${files.map(({ label, path }) => `${label}: ${path}`).join(', ')}\n`);
    },
  };
}

export type ConsoleReporter = ReturnType<typeof createConsoleReporter>;
