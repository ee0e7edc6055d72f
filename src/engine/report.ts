// The report model: everything a run found, as the front doors and the report writers read it.
import type { RegistryRequestStats } from '../registry/reader.js';
import type { ValidateOptions } from './validate/options.js';
import type { LineResult, Totals } from './validate/result.js';

export interface RunReport {
  listFile: string;
  /** How the list was narrowed (a shard, a pull request's changes), when it was. */
  selection?: string;
  startedAt: string;
  finishedAt: string;
  options: ValidateOptions;
  source?: string;
  destination?: string;
  results: LineResult[];
  totals: Totals;
  /** Request counts per registry host. */
  requests: Record<string, RegistryRequestStats>;
}
