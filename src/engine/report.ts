// The report model: everything a run found, as the front doors and the report writers read it.
import type { FailedFormat, ListFormat } from '../config/settings.js';
import type { RegistryRequestStats } from '../registry/reader.js';
import type { ValidateOptions } from '../config/settings.js';
import type { LineResults } from './validate/line-results.js';
import type { Totals } from './validate/result.js';

export interface RunReport {
  listFile: string;
  /** The list's format, as read. */
  format: ListFormat;
  /** What the failed-list writer needs to write failures back in the list's own format. */
  document?: unknown;
  /** The failed file's format, when not the list's own. */
  failedFormat?: FailedFormat;
  /** How the list was narrowed (a shard, a pull request's changes), when it was. */
  selection?: string;
  startedAt: string;
  finishedAt: string;
  options: ValidateOptions;
  source?: string;
  destination?: string;
  /** Every line's result in line order; passed lines are read back from a spool (close() frees it). */
  results: LineResults;
  totals: Totals;
  /** Request counts per registry host. */
  requests: Record<string, RegistryRequestStats>;
  /** With source-archive: what it was, and how much of it was read to validate against it. */
  archive?: ArchiveSummary;
}

export interface ArchiveSummary {
  name: string;
  /** `hangar zip`, `OCI layout`, `docker-archive` … */
  kind: string;
  /** `zip`, `tar`, `tar+gzip`, `tar+zstd`, `folder`. */
  packing: string;
  /** Its size: the file's, or the sum of a folder's files. */
  bytes: number;
  /** Bytes read from it (compressed bytes, for a gzip or zstd stream). */
  bytesRead: number;
}

/** Requests of the run per line of the list: all requests (token requests are among them), and token requests. */
export function requestsPerLine(report: Pick<RunReport, 'requests' | 'totals'>): {
  requests: number;
  tokenRequests: number;
} {
  const stats = Object.values(report.requests);
  const tokenRequests = stats.reduce((sum, one) => sum + one.tokenRequests, 0);
  const requests = stats.reduce(
    (sum, one) => sum + Object.values(one.byMethod).reduce((a, b) => a + b, 0),
    0,
  );
  const lines = Math.max(report.totals.lines, 1);
  const round = (value: number) => Math.round((value / lines) * 1000) / 1000;
  return { requests: round(requests), tokenRequests: round(tokenRequests) };
}
