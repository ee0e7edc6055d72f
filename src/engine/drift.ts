// Drift: telling "upstream moved, the mirror did not" apart from a broken mirror, across runs.
// What each line looked like when it last passed is kept beside the manifest cache; a digest mismatch whose
// destination is still what passed then is drift, dated by that pass.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pairKey } from './list/entries.js';
import type { LineResult } from './validate/result.js';

export interface PassRecord {
  sourceDigest: string;
  destinationDigest: string;
  /** When the line last passed (ISO time). */
  at: string;
}

export interface DriftState {
  version: 1;
  /** By `source destination`. */
  passed: Record<string, PassRecord>;
}

const key = (result: LineResult) => pairKey(result.source ?? '', result.destination ?? '');

/**
 * A digest mismatch whose destination is unchanged since the line last passed is drift; every other result
 * stays as it is. Pure; applied as each result settles, so the progress log and the report say the same.
 */
export function refineDrift(result: LineResult, state: DriftState): LineResult {
  if (result.status !== 'failed' || result.reason !== 'digest-mismatch') return result;
  const record = Object.hasOwn(state.passed, key(result)) ? state.passed[key(result)] : undefined;
  if (!record || !result.destinationDigest || !result.sourceDigest) return result;
  if (record.destinationDigest !== result.destinationDigest || record.sourceDigest === result.sourceDigest)
    return result;
  return {
    ...result,
    drift: { since: record.at, previousSourceDigest: record.sourceDigest },
    detail: `upstream moved since ${record.at} (the mirror still has what passed then); ${result.detail}`,
  };
}

/** The state after a run: every passed line recorded as of now; other lines keep their last pass. Pure. */
export function recordPasses(state: DriftState, results: Iterable<LineResult>, at: string): DriftState {
  const passed = { ...state.passed };
  for (const result of results) {
    if (result.status === 'passed') {
      passed[key(result)] = {
        sourceDigest: result.sourceDigest,
        destinationDigest: result.destinationDigest,
        at,
      };
    }
  }
  return { version: 1, passed };
}

const stateFile = (cacheDir: string) => join(cacheDir, 'passes.json');

export async function loadDriftState(cacheDir: string): Promise<DriftState> {
  try {
    const state = JSON.parse(await readFile(stateFile(cacheDir), 'utf8')) as DriftState;
    if (state.version === 1 && state.passed && typeof state.passed === 'object') return state;
  } catch {
    // no earlier run, or an unreadable file: nothing is known to have passed
  }
  return { version: 1, passed: {} };
}

export async function saveDriftState(cacheDir: string, state: DriftState): Promise<void> {
  try {
    await mkdir(cacheDir, { recursive: true });
    const temporary = `${stateFile(cacheDir)}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state));
    await rename(temporary, stateFile(cacheDir));
  } catch {
    // A cache folder that cannot be written loses drift dating for next time, not this run's results.
  }
}
