// What goes to GitHub's API, built from the report: a check run carrying every failed and skipped line as an
// annotation (the Checks API takes 50 annotations a request: the first page with the create, the rest by
// update), a pull-request comment found again by a hidden marker, and a tracking issue for a nightly run's
// drift. Pure: payloads out, the action sends them (src/action/github.ts).
import type { RunReport } from '../engine/report.js';
import type { LineResult } from '../engine/validate/result.js';
import { escapeHtml } from './escape.js';
import { fileOf, formatOutcomeLine, isProblem, whatIsWrong } from './outcome.js';
import { REASON_TEXTS } from './reasons.js';

/** Annotations the Checks API takes in one request (docs.github.com, "Update a check run": "maximum of 50"). */
export const ANNOTATIONS_PER_REQUEST = 50;

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning';
  title: string;
  message: string;
}

/** Every failed line as a failure, every skipped one but interrupted as a warning, on its own line. */
export function checkAnnotations(problems: readonly LineResult[], path: string): CheckAnnotation[] {
  return problems
    .filter(
      (result) =>
        result.status === 'failed' || (result.status === 'skipped' && result.reason !== 'interrupted'),
    )
    .map((result) => ({
      path: fileOf(result, path),
      start_line: result.line,
      end_line: result.line,
      annotation_level: result.status === 'failed' ? 'failure' : 'warning',
      title: `mirror-validate: ${result.status === 'passed' ? '' : result.reason}`,
      // The Checks API caps a message at 64 KB; a line's is far shorter, but a registry's text is not ours.
      message: `${result.raw.trim()}: ${whatIsWrong(result)}`.slice(0, 4000),
    }));
}

/** The headline and a table of reasons, in Markdown, as the check run's summary and the comment show them. */
export function reasonTable(report: RunReport): string {
  const counts = new Map<string, number>();
  for (const result of report.results.problems())
    if (result.status !== 'passed') counts.set(result.reason, (counts.get(result.reason) ?? 0) + 1);
  if (counts.size === 0) return '';
  const rows = [...counts].map(([reason, lines]) => {
    const text = REASON_TEXTS[reason as keyof typeof REASON_TEXTS];
    return `| \`${reason}\` | ${lines} | ${escapeHtml(text?.meaning ?? '')} |`;
  });
  return ['| reason | lines | what it means |', '| --- | --- | --- |', ...rows].join('\n');
}

export interface CheckRunPayloads {
  create: {
    name: string;
    head_sha: string;
    status: 'completed';
    conclusion: 'success' | 'failure' | 'neutral';
    output: { title: string; summary: string; annotations: CheckAnnotation[] };
  };
  /** Further pages of annotations, one update each. */
  updates: { output: { title: string; summary: string; annotations: CheckAnnotation[] } }[];
}

export function checkRunPayloads(
  report: RunReport,
  options: { name: string; headSha: string; path: string; failOnError: boolean },
): CheckRunPayloads {
  const problems = report.results.problems();
  const failing = problems.filter(isProblem).length > 0;
  const annotations = checkAnnotations(problems, options.path);
  const title = formatOutcomeLine(report);
  const summary = [`**${title}**`, reasonTable(report)].filter(Boolean).join('\n\n');
  const pages: CheckAnnotation[][] = [];
  for (let at = 0; at < annotations.length; at += ANNOTATIONS_PER_REQUEST)
    pages.push(annotations.slice(at, at + ANNOTATIONS_PER_REQUEST));
  return {
    create: {
      name: options.name,
      head_sha: options.headSha,
      status: 'completed',
      conclusion: !failing ? 'success' : options.failOnError ? 'failure' : 'neutral',
      output: { title, summary, annotations: pages[0] ?? [] },
    },
    updates: pages.slice(1).map((page) => ({ output: { title, summary, annotations: page } })),
  };
}

/** The hidden marker a comment or an issue is found again by: one per list file and shard. */
export function marker(kind: 'comment' | 'drift', listFile: string, shard?: string): string {
  // `--` would end the HTML comment early: it is escaped, so no list name can close it.
  const safe = `${listFile}${shard ? ` ${shard}` : ''}`.replace(/-{2,}/g, (dashes) =>
    dashes.split('').join('\\'),
  );
  return `<!-- mirror-validate:${kind} ${safe} -->`;
}

const FAILED_ROWS = 50;

/** The pull-request comment: the headline, the reason table, the failed lines (the ones the pull request touches, when known). */
export function commentBody(
  report: RunReport,
  options: {
    marker: string;
    listFile: string;
    lineLink?: (line: number, file?: string) => string;
    /** Lines the pull request added or changed, when known: only those are listed, the others counted. */
    touched?: ReadonlySet<number>;
  },
): string {
  const problems = report.results.problems().filter(isProblem);
  if (problems.length === 0)
    return `${options.marker}\n### ✅ Mirror validation of \`${escapeHtml(options.listFile)}\` passes\n\n${formatOutcomeLine(report)}\n`;
  const shown = options.touched ? problems.filter((result) => options.touched!.has(result.line)) : problems;
  const rows = shown.slice(0, FAILED_ROWS).map((result) => {
    const line = options.lineLink
      ? `[${result.file ? `${result.file}:` : ''}${result.line}](${options.lineLink(result.line, result.file)})`
      : `${result.file ? `${result.file}:` : ''}${result.line}`;
    const reason = result.status === 'passed' ? '' : result.reason;
    return `| ${line} | \`${escapeHtml(result.raw.trim()).replace(/\|/g, '\\|')}\` | \`${reason}\` | ${escapeHtml(whatIsWrong(result)).replace(/\|/g, '\\|')} |`;
  });
  const untouched = problems.length - shown.length;
  return [
    options.marker,
    `### ❌ Mirror validation of \`${escapeHtml(options.listFile)}\`: ${formatOutcomeLine(report)}`,
    '',
    reasonTable(report),
    '',
    ...(rows.length
      ? ['| line | entry | reason | what is wrong |', '| --- | --- | --- | --- |', ...rows]
      : ['No failing line is one this pull request touches.']),
    ...(shown.length > FAILED_ROWS
      ? ['', `… and ${shown.length - FAILED_ROWS} more: see the job summary and the report.`]
      : []),
    ...(untouched > 0
      ? ['', `${untouched} failing line${untouched === 1 ? '' : 's'} this pull request does not touch.`]
      : []),
    '',
  ].join('\n');
}

/** The nightly tracking issue: its title, and its body listing drifted lines apart from broken ones. */
export function driftIssueBody(
  report: RunReport,
  options: { marker: string; listFile: string },
): { title: string; body: string } {
  const problems = report.results.problems().filter(isProblem);
  const drifted = problems.filter((result) => result.status === 'failed' && result.drift);
  const broken = problems.filter((result) => !(result.status === 'failed' && result.drift));
  const list = (results: LineResult[]) =>
    results
      .slice(0, 200)
      .map(
        (result) =>
          `- ${result.file ? `${result.file} ` : ''}line ${result.line} \`${escapeHtml(result.raw.trim())}\`: ${result.status === 'passed' ? '' : `\`${result.reason}\``} ${escapeHtml(whatIsWrong(result))}`,
      )
      .join('\n');
  return {
    title: `Mirror drift: ${options.listFile}`,
    body: [
      options.marker,
      `**${formatOutcomeLine(report)}** (run of ${report.finishedAt})`,
      '',
      ...(drifted.length
        ? [`### Upstream moved, mirror unchanged (${drifted.length})`, list(drifted), '']
        : []),
      ...(broken.length ? [`### Broken (${broken.length})`, list(broken), ''] : []),
    ].join('\n'),
  };
}
