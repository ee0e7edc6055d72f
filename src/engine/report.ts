// The report model: everything a run found, as the front doors and the report writers read it.
import type { RegistryRequestStats } from '../registry/reader.js';
import type { ValidateOptions } from './validate/options.js';
import type { LineResults } from './validate/line-results.js';
import type { Totals } from './validate/result.js';

export interface RunReport {
  listFile: string;
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
}
