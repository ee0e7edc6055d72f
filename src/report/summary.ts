// The job summary, reason first: the verdict and where the failed lines are (the artifact), what was compared,
// one row per reason that occurred (count, meaning, what to do), then the lines of each reason (open when few,
// folded and capped when many), passed lines folded by rule, and request counts. A row says what is wrong
// without repeating what the page already said (the registries, the line's own references). Every value is
// escaped; the whole stays well under GitHub's 1 MiB per step.
import { requestsPerLine, type ArchiveSummary, type RunReport } from '../engine/report.js';
import { formatReferrers } from '../config/settings.js';
import { REFERRER_KINDS } from '../config/settings.js';
import type { LineResult, ReferrerResult } from '../engine/validate/result.js';
import { failedCounts, isProblem, problemCount, whatIsWrong } from './outcome.js';
import { escapeHtml } from './escape.js';
import { REASON_TEXTS } from './reasons.js';

/** GitHub drops a step summary over 1 MiB; stop adding rows well before. */
export const SUMMARY_BUDGET = 900 * 1024;
/** Lines shown per reason (and per passing rule) before "and N more". */
export const ROWS_PER_REASON = 50;
/** A reason with at most this many lines is shown open. */
const OPEN_UP_TO = 20;

export { escapeHtml };

/** Escaped on one line: a line break from a registry would end GitHub's HTML block (a blank line). */
const oneLine = (value: unknown) => escapeHtml(String(value ?? '').replace(/\s+/g, ' '));

/**
 * Escaped, with break opportunities (`<wbr>`, which GitHub keeps) after the separators of references and
 * inside long runs such as digests, so one long reference cannot push a table past the page.
 */
export function breakable(value: unknown): string {
  return oneLine(value)
    .replace(/([/:@,])(?=[^\s])/g, '$1<wbr>')
    .replace(/[^\s<>&;-]{32,}/g, (run) => run.replace(/(.{16})(?=.)/g, '$1<wbr>'));
}

/** A cell already written as HTML (its values escaped by whoever wrote it). */
interface Html {
  html: string;
}
const isHtml = (cell: unknown): cell is Html =>
  typeof cell === 'object' && cell !== null && typeof (cell as Html).html === 'string';

const row = (cells: unknown[], tag = 'td') =>
  `<tr>${cells.map((cell) => `<${tag}>${isHtml(cell) ? cell.html : oneLine(cell)}</${tag}>`).join('')}</tr>`;

const code = (value: unknown) => `<code>${escapeHtml(value)}</code>`;

export interface SummaryOptions {
  /** Where every line is ("the artifact X", "the report Y"), for the "and N more in …" notes. */
  fullResultsHint: string;
  budget?: number;
  title?: string;
  /** The URL of a list line at the run's commit (GitHub only); line numbers are plain text without it. */
  lineLink?: (line: number, file?: string) => string;
  /** The URL of a reason's section in docs/reasons.md; reason codes are plain text without it. */
  reasonLink?: (reason: string) => string;
  /** The uploaded artifact holding the failed list and the report. */
  artifact?: { name: string; url: string };
}

const registryOf = (reference: string) => reference.split('/')[0] ?? reference;
const pathOf = (reference: string) => reference.slice(reference.indexOf('/') + 1);

/** Distinct registries of one side, from the option or else from the lines, said once above the tables. */
function registriesOf(report: RunReport, side: 'source' | 'destination', results: LineResult[]): string {
  const given = report[side];
  if (given) return code(given);
  const seen = new Set<string>();
  for (const result of results) {
    const reference = result[side];
    if (reference) seen.add(registryOf(reference));
    if (seen.size > 3) break;
  }
  if (seen.size === 0) return 'as listed';
  const names = [...seen].slice(0, 3).map(code).join(', ');
  return seen.size > 3 ? `${names}, …` : names;
}

const REFERRER_STATUS_TEXT: Record<ReferrerResult['status'], string> = {
  ok: '✅ arrived',
  missing: '❌ missing',
  unlisted: '❌ not listed',
  'tag-moved': '❌ tag moved',
  unchecked: '❓ unchecked',
  'not-carried': '⚠️ index only',
  'not-required': 'not required',
};

/** One kind's referrers of a line, counted by status (`1 ✅ arrived, 1 ❌ missing`); `—` when none. */
function referrerCell(referrers: readonly ReferrerResult[]): string {
  if (referrers.length === 0) return '—';
  const counts = new Map<ReferrerResult['status'], number>();
  for (const referrer of referrers) counts.set(referrer.status, (counts.get(referrer.status) ?? 0) + 1);
  return [...counts].map(([status, count]) => `${count} ${REFERRER_STATUS_TEXT[status]}`).join(', ');
}

/** The source archive, what kind it is and how little of it was read. */
function archiveText(archive: ArchiveSummary): string {
  const share = archive.bytes ? (archive.bytesRead / archive.bytes) * 100 : 0;
  const size =
    archive.bytes >= 1024 ** 3
      ? `${(archive.bytes / 1024 ** 3).toFixed(1)} GiB`
      : `${Math.ceil(archive.bytes / 1024 ** 2)} MiB`;
  return `archive ${code(archive.name)} (${escapeHtml(archive.kind)}, ${escapeHtml(archive.packing)}, ${size}: ${share < 0.01 ? '<0.01' : share.toFixed(2)}% read)`;
}

export function buildSummary(report: RunReport, options: SummaryOptions): string {
  const budget = options.budget ?? SUMMARY_BUDGET;
  const { totals } = report;
  const problems = problemCount(report);
  const filter = report.options.filter;
  const notPassed = report.results.problems();
  const parts: string[] = [];

  parts.push(
    `<h2>${problems > 0 ? '❌' : '✅'} ${escapeHtml(options.title ?? 'Mirror validation')}: ${failedCounts(report)}${totals.notChecked ? ' (the registry refused or did not answer)' : ''}${totals.drifted ? ` (${totals.drifted} drifted: upstream moved, mirror unchanged)` : ''}, ${totals.passed} passed, ${totals.skipped} skipped of ${totals.lines} lines</h2>`,
  );
  if (options.artifact) {
    parts.push(
      `<p>📦 The failed lines and the full report: artifact <a href="${escapeHtml(options.artifact.url)}"><b>${escapeHtml(options.artifact.name)}</b></a> (the failed list is ready to feed back to the mirror step).</p>`,
    );
  }
  // One pass over the passed lines (they are read back from the spool): per rule, the count and the rows shown.
  // The lines with referrers too, those not all arrived first.
  const passedByRule = new Map<string, { count: number; shown: LineResult[] }>();
  const withReferrers = {
    count: 0,
    shown: notPassed.filter((result) => result.referrers?.length).slice(0, ROWS_PER_REASON),
  };
  withReferrers.count = notPassed.filter((result) => result.referrers?.length).length;
  let warned = notPassed.filter((result) => result.warnings?.length).length;
  for (const result of report.results.passed()) {
    const rule = passedByRule.get(result.rule) ?? { count: 0, shown: [] };
    rule.count += 1;
    if (rule.shown.length < ROWS_PER_REASON) rule.shown.push(result);
    passedByRule.set(result.rule, rule);
    if (result.warnings?.length) warned += 1;
    if (result.referrers?.length) {
      withReferrers.count += 1;
      if (withReferrers.shown.length < ROWS_PER_REASON) withReferrers.shown.push(result);
    }
  }
  const sample = [...notPassed.slice(0, 50), ...[...passedByRule.values()].flatMap((rule) => rule.shown)];
  parts.push(
    `<p>List ${code(report.listFile)}${report.selection ? ` (${escapeHtml(report.selection)})` : ''} · source ${report.archive ? archiveText(report.archive) : registriesOf(report, 'source', sample)} → destination ${registriesOf(report, 'destination', sample)} · ` +
      `arch ${code(filter.arch.join(','))}, os ${code(filter.os.join(','))}, variant ${code(filter.variant.join(',') || 'any')} · ` +
      `provenance ${report.options.provenance ? 'on' : 'off'}, deep ${report.options.deep ? 'on' : 'off'}, require-identical ${report.options.requireIdentical ? 'on' : 'off'}` +
      (report.options.referrers && report.options.referrers.mode !== 'ignore'
        ? ` · referrers ${code(formatReferrers(report.options.referrers))}`
        : '') +
      `</p>`,
  );

  // One group per reason, failures before skips, most lines first.
  const byReason = new Map<string, LineResult[]>();
  for (const result of notPassed) {
    if (result.status === 'passed') continue;
    const lines = byReason.get(result.reason) ?? [];
    lines.push(result);
    byReason.set(result.reason, lines);
  }
  const rank = (lines: LineResult[]) =>
    lines[0]?.status === 'failed' ? 0 : isProblem(lines[0] as LineResult) ? 1 : 2;
  const groups = [...byReason]
    .sort(([, a], [, b]) => rank(a) - rank(b) || b.length - a.length)
    .map(([key, lines]) => ({ key, lines }));

  const reasonCell = (reason: string) =>
    options.reasonLink
      ? { html: `<a href="${escapeHtml(options.reasonLink(reason))}"><code>${escapeHtml(reason)}</code></a>` }
      : { html: code(reason) };
  if (groups.length > 0) {
    const rows = groups.map(({ key, lines }) => {
      const text = REASON_TEXTS[key as keyof typeof REASON_TEXTS];
      const drifted = lines.filter((r) => r.status === 'failed' && r.drift).length;
      // Meaning and remedy share one cell: two long-text columns would squeeze the reason code to wrapping.
      return row([
        reasonCell(key),
        `${lines.length}${drifted ? ` (${drifted} drifted)` : ''}`,
        {
          html: `${escapeHtml(text?.meaning ?? '')}<br><b>What to do:</b> ${escapeHtml(text?.remedy ?? '')}`,
        },
      ]);
    });
    parts.push(
      `<table>${row(['Reason', 'Lines', 'What it means, and what to do'], 'th')}${rows.join('')}</table>`,
    );
  }

  const lineCell = (result: LineResult) => {
    const text = result.file ? `${escapeHtml(result.file)}:${result.line}` : String(result.line);
    return options.lineLink
      ? { html: `<a href="${escapeHtml(options.lineLink(result.line, result.file))}">${text}</a>` }
      : { html: text };
  };
  const destinationRegistry = report.destination;
  /** The image as written; the destination too when it is not the source's path on the destination registry. */
  const imageCell = (result: LineResult) => {
    const written = `<code>${breakable(result.raw.trim() || '(empty line)')}</code>`;
    const shown =
      result.source &&
      result.destination &&
      (pathOf(result.source) !== pathOf(result.destination) ||
        (destinationRegistry && registryOf(result.destination) !== destinationRegistry))
        ? `${written}<br>→ <code>${breakable(result.destination)}</code>`
        : written;
    return { html: shown };
  };
  const lineRow = (result: LineResult) =>
    row([
      lineCell(result),
      imageCell(result),
      {
        html:
          breakable(whatIsWrong(result)) +
          (result.status === 'passed' && result.warnings?.length
            ? `<br>⚠️ ${breakable(result.warnings.join('; '))}`
            : ''),
      },
    ]);

  let size = Buffer.byteLength(parts.join('')) + 4096;
  let cut = 0;
  /** A folded table of at most ROWS_PER_REASON lines, and fewer when the budget runs out. */
  const section = (
    heading: string,
    lines: readonly LineResult[],
    count: number,
    open: boolean,
    header: string[],
    more: string,
  ) => {
    const rows: string[] = [];
    for (const result of lines.slice(0, ROWS_PER_REASON)) {
      const html = lineRow(result);
      const bytes = Buffer.byteLength(html);
      if (size + bytes > budget) {
        cut += 1;
        break;
      }
      size += bytes;
      rows.push(html);
    }
    const rest = count - rows.length;
    const head = `<details${open ? ' open' : ''}><summary>${heading}</summary><table>${row(header, 'th')}`;
    const close = `</table>${rest > 0 ? `<p>… and ${rest} more ${more}.</p>` : ''}</details>`;
    size += Buffer.byteLength(head) + Buffer.byteLength(close);
    parts.push(head + rows.join('') + close);
  };
  for (const group of groups) {
    section(
      `${reasonCell(group.key).html} · ${group.lines.length} line${group.lines.length === 1 ? '' : 's'}`,
      group.lines,
      group.lines.length,
      group.lines.length <= OPEN_UP_TO,
      ['Line', 'Image', 'What is wrong'],
      `in ${escapeHtml(options.fullResultsHint)}`,
    );
  }
  if (withReferrers.count > 0) {
    const header = ['Line', 'Image', 'Signatures', 'Attestations', 'SBOMs', 'Other'];
    const rows: string[] = [];
    for (const result of withReferrers.shown) {
      const html = row([
        lineCell(result),
        imageCell(result),
        ...REFERRER_KINDS.map((kind) =>
          referrerCell((result.referrers ?? []).filter((r) => r.kind === kind)),
        ),
      ]);
      if (size + Buffer.byteLength(html) > budget) {
        cut += 1;
        break;
      }
      size += Buffer.byteLength(html);
      rows.push(html);
    }
    const rest = withReferrers.count - rows.length;
    const note = warned
      ? `<p>⚠️ ${warned} line${warned === 1 ? ' has' : 's have'} referrers of the source index that a rebuilt index cannot carry (a warning; the platforms' referrers are required).</p>`
      : '';
    parts.push(
      `<details${withReferrers.count <= OPEN_UP_TO ? ' open' : ''}><summary>🔏 Signatures, attestations and SBOMs · ${withReferrers.count} line${withReferrers.count === 1 ? '' : 's'} with referrers</summary>${note}<table>${row(header, 'th')}${rows.join('')}</table>${rest > 0 ? `<p>… and ${rest} more in the report.</p>` : ''}</details>`,
    );
  }
  for (const [rule, { count, shown }] of passedByRule) {
    section(
      `✅ passed, rule <code>${escapeHtml(rule)}</code> · ${count} line${count === 1 ? '' : 's'}`,
      shown,
      count,
      false,
      ['Line', 'Image', 'Why it passed'],
      `in the report`,
    );
  }
  if (cut > 0) {
    parts.push(
      `<p><b>Rows were left out to keep this summary under GitHub's size limit</b>; every line is in ${escapeHtml(options.fullResultsHint)}.</p>`,
    );
  }

  const plain = Object.entries(report.requests)
    .filter(([, stats]) => stats.plainHttp)
    .map(([registry]) => code(registry));
  if (plain.length > 0) {
    parts.push(
      `<p>⚠️ Used over plain HTTP (not encrypted): ${plain.join(', ')}. Credentials go over plain HTTP only to registries listed in <code>insecure-registries</code>.</p>`,
    );
  }
  const requests = Object.entries(report.requests).map(([registry, stats]) => [
    { html: code(registry) },
    stats.byMethod.HEAD ?? 0,
    stats.byMethod.GET ?? 0,
    stats.tokenRequests,
    stats.retries,
    stats.cacheHits,
    stats.rateLimit
      ? `${stats.rateLimit.remaining ?? '?'} of ${stats.rateLimit.limit ?? '?'}`
      : 'not reported',
  ]);
  if (requests.length > 0) {
    const perLine = requestsPerLine(report);
    parts.push(
      `<details><summary>Registry requests</summary><table>${row(['Registry', 'HEAD', 'GET', 'Tokens', 'Retries', 'From cache', 'Rate limit remaining'], 'th')}${requests.map((cells) => row(cells)).join('')}</table><p>Per line of the list: ${perLine.requests} requests, ${perLine.tokenRequests} token requests.</p></details>`,
    );
  }
  return parts.join('\n');
}
