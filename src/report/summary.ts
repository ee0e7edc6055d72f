// The job summary: a verdict line, what was compared, failed and skipped lines, passed lines folded, and
// request counts. Every value is escaped; the whole stays under GitHub's 1 MiB per step.
import { requestsPerLine, type RunReport } from '../engine/report.js';
import type { LineResult } from '../engine/validate/result.js';
import { problemCount } from './outcome.js';

/** GitHub drops a step summary over 1 MiB; stop adding rows well before. */
export const SUMMARY_BUDGET = 900 * 1024;

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A cell already written as HTML (its values escaped by whoever wrote it). */
interface Html {
  html: string;
}
const isHtml = (cell: unknown): cell is Html =>
  typeof cell === 'object' && cell !== null && typeof (cell as Html).html === 'string';

const row = (cells: unknown[], tag = 'td') =>
  `<tr>${cells.map((cell) => `<${tag}>${isHtml(cell) ? cell.html : escapeHtml(cell)}</${tag}>`).join('')}</tr>`;

const code = (value: unknown) => `<code>${escapeHtml(value)}</code>`;

interface Section {
  heading: string;
  header: string[];
  /** How many rows `rows` yields (they are produced one at a time: passed lines are read from a spool). */
  count: number;
  rows: Iterable<unknown[]>;
  folded?: boolean;
}

export interface SummaryOptions {
  /** Where the complete results are, for the truncation note. */
  fullResultsHint: string;
  budget?: number;
  title?: string;
  /** The URL of a list line at the run's commit (GitHub only); line numbers are plain text without it. */
  lineLink?: (line: number) => string;
}

function reasonOf(result: LineResult): string {
  if (result.status === 'failed' && result.drift)
    return `${result.reason} (upstream moved since ${result.drift.since})`;
  return result.status === 'passed' ? result.rule : result.reason;
}

export function buildSummary(report: RunReport, options: SummaryOptions): string {
  const budget = options.budget ?? SUMMARY_BUDGET;
  const { totals } = report;
  const problems = problemCount(report);
  const filter = report.options.filter;
  const rules = new Map<string, number>();
  for (const result of report.results.passed()) rules.set(result.rule, (rules.get(result.rule) ?? 0) + 1);
  const parts: string[] = [];
  parts.push(
    `<h2>${problems > 0 ? '❌' : '✅'} ${escapeHtml(options.title ?? 'Mirror validation')}: ${totals.failed} failed${totals.drifted ? ` (${totals.drifted} drifted: upstream moved, mirror unchanged)` : ''}, ${totals.passed} passed, ${totals.skipped} skipped of ${totals.lines} lines</h2>`,
  );
  parts.push(
    `<p>List ${code(report.listFile)}${report.selection ? ` (${escapeHtml(report.selection)})` : ''}; source ${code(report.source ?? 'as listed')} → destination ${code(report.destination ?? 'as listed')}. ` +
      `Platforms: arch ${code(filter.arch.join(','))}, os ${code(filter.os.join(','))}, variant ${code(filter.variant.join(',') || 'any')}; ` +
      `provenance ${report.options.provenance ? 'on' : 'off'}, deep ${report.options.deep ? 'on' : 'off'}, require-identical ${report.options.requireIdentical ? 'on' : 'off'}.` +
      (rules.size > 0
        ? ` Passed by rule: ${[...rules].map(([rule, count]) => `${escapeHtml(rule)} ×${count}`).join(', ')}.`
        : '') +
      `</p>`,
  );
  const lineCell = (line: number) =>
    options.lineLink ? { html: `<a href="${escapeHtml(options.lineLink(line))}">${line}</a>` } : line;
  const lineCells = (result: LineResult) => [
    lineCell(result.line),
    result.source ?? result.raw,
    result.destination ?? '',
    reasonOf(result),
    result.detail,
  ];
  const notPassed = report.results.problems();
  const failed = notPassed.filter((r) => r.status === 'failed');
  const skipped = notPassed.filter((r) => r.status === 'skipped');
  const sections: Section[] = [
    {
      heading: `Failed (${totals.failed})`,
      header: ['Line', 'Source', 'Destination', 'Reason', 'Detail'],
      count: failed.length,
      rows: failed.map(lineCells),
    },
    {
      heading: `Skipped (${totals.skipped})`,
      header: ['Line', 'Source', 'Destination', 'Reason', 'Detail'],
      count: skipped.length,
      rows: skipped.map(lineCells),
    },
    {
      heading: `Passed (${totals.passed})`,
      header: ['Line', 'Source', 'Destination', 'Rule', 'Detail'],
      count: totals.passed,
      rows: (function* () {
        for (const result of report.results.passed()) yield lineCells(result);
      })(),
      folded: true,
    },
  ];
  const requests = Object.entries(report.requests).map(([registry, stats]) => [
    registry,
    stats.byMethod.HEAD ?? 0,
    stats.byMethod.GET ?? 0,
    stats.tokenRequests,
    stats.retries,
    stats.cacheHits,
    stats.rateLimit
      ? `${stats.rateLimit.remaining ?? '?'} of ${stats.rateLimit.limit ?? '?'}`
      : 'not reported',
  ]);
  const perLine = requestsPerLine(report);
  const plain = Object.entries(report.requests)
    .filter(([, stats]) => stats.plainHttp)
    .map(([registry]) => `<code>${escapeHtml(registry)}</code>`);
  const plainNote =
    plain.length > 0
      ? `<p>⚠️ Used over plain HTTP (not encrypted): ${plain.join(', ')}. Credentials go over plain HTTP only to registries listed in <code>insecure-registries</code>.</p>`
      : '';
  const tail =
    plainNote +
    (requests.length > 0
      ? `<h3>Registry requests</h3><table>${row(['Registry', 'HEAD', 'GET', 'Tokens', 'Retries', 'From cache', 'Rate limit remaining'], 'th')}${requests.map((cells) => row(cells)).join('')}</table><p>Per line of the list: ${perLine.requests} requests, ${perLine.tokenRequests} token requests.</p>`
      : '');

  let size = Buffer.byteLength(parts.join('')) + Buffer.byteLength(tail) + 512;
  let truncated = 0;
  for (const section of sections) {
    if (section.count === 0) continue;
    const open = section.folded
      ? `<details><summary><b>${escapeHtml(section.heading)}</b></summary>`
      : `<h3>${escapeHtml(section.heading)}</h3>`;
    const head = `${open}<table>${row(section.header, 'th')}`;
    const close = `</table>${section.folded ? '</details>' : ''}`;
    size += Buffer.byteLength(head) + Buffer.byteLength(close);
    const rows: string[] = [];
    let index = 0;
    for (const cells of section.rows) {
      const html = row(cells);
      if (size + Buffer.byteLength(html) > budget) {
        truncated += section.count - index;
        break;
      }
      index += 1;
      size += Buffer.byteLength(html);
      rows.push(html);
    }
    parts.push(head + rows.join('') + close);
  }
  if (truncated > 0) {
    parts.push(
      `<p><b>${truncated} more row${truncated === 1 ? '' : 's'} left out to keep this summary under GitHub's size limit</b>; ${escapeHtml(options.fullResultsHint)}.</p>`,
    );
  }
  parts.push(tail);
  return parts.join('\n');
}
