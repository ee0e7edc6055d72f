// The outcome of a run in one line, and what it means for the exit status or the step.
import type { RunReport } from '../engine/report.js';
import type { LineResult } from '../engine/validate/result.js';

/** The file a result's line is in: the list, or for a folder of manifests the file inside it. */
export const fileOf = (result: LineResult, listFile: string): string =>
  result.file ? `${listFile.replace(/\/+$/, '')}/${result.file}` : listFile;

/** Whether a line makes a run fail: a failed line, or a skipped one other than by the platform filter. */
export const isProblem = (result: LineResult): boolean =>
  result.status === 'failed' || (result.status === 'skipped' && result.reason !== 'no-matching-platform');

/** Lines that make a run fail: failed ones, and list lines that could not be read as an image. */
export function problemCount(report: RunReport): number {
  return report.results.problems().filter(isProblem).length;
}

export function exitCodeFor(report: RunReport): number {
  return problemCount(report) > 0 ? 1 : 0;
}

/**
 * The failed lines as counted for a person: those found wrong, and apart from them those that could not be
 * checked (a registry that refused, failed or did not answer), which are never said to be missing.
 */
export function failedCounts(report: RunReport): string {
  const { failed, notChecked } = report.totals;
  return `${failed - notChecked} failed${notChecked ? `, ${notChecked} not checked` : ''}`;
}

export function formatOutcomeLine(report: RunReport): string {
  const { lines, passed, skipped } = report.totals;
  const verdict = problemCount(report) > 0 ? 'FAILED' : 'OK';
  return `${verdict}: ${lines} line${lines === 1 ? '' : 's'}, ${passed} passed, ${failedCounts(report)}, ${skipped} skipped`;
}

/**
 * What is wrong with a line, for where the line's image is already named (a summary row, a terminal line):
 * composed from its findings in their brief form, never cut out of the sentence written for the report.
 */
export function whatIsWrong(result: LineResult): string {
  let text =
    result.status === 'failed'
      ? result.findings.map((finding) => finding.brief ?? finding.message).join('; ')
      : result.detail;
  if (result.status === 'failed' && result.drift)
    text = `upstream moved since ${result.drift.since} (the mirror has what passed then); ${text}`;
  return text;
}
