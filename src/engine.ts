// CONTRACT FILE (the lead fills in runEngine once the list parser, client and runner land).
// The engine: list file in, per-line results out. Knows nothing of GitHub; the action and the CLI call it.
import type { RegistryRequestStats } from './registry/types.js';
import type { ValidateOptions } from './validate/options.js';
import type { LineResult, Totals } from './validate/result.js';

export interface Credential {
  username?: string;
  password?: string;
  identityToken?: string;
}

export interface EngineConfig {
  /** Path of the image list, as the user gave it (used in messages and annotations). */
  listFile: string;
  /** Registry overrides (hangar's --source / --destination). */
  source?: string;
  destination?: string;
  defaultProject: string;
  options: ValidateOptions;
  /** 1–20. */
  jobs: number;
  tlsVerify: boolean;
  sourceCredential?: Credential;
  destinationCredential?: Credential;
  /** Per-image time budget. */
  imageTimeoutMs: number;
  /** Aborting marks the lines not yet finished `skipped` / `interrupted`. */
  signal?: AbortSignal;
  /** Progress lines for a person (`[n/N] list.txt:12 … → PASS identical`). */
  log: (message: string) => void;
  debug?: (message: string) => void;
}

export interface RunReport {
  listFile: string;
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

export async function runEngine(_config: EngineConfig): Promise<RunReport> {
  throw new Error('runEngine: not wired yet');
}
