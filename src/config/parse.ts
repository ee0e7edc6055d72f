// Value parsers shared by the action's inputs and the command line's flags.
// Each throws an Error whose message names the setting (`jobs`, `--arch`, …) and the bad value.

export const JOBS_MIN = 1;
export const JOBS_MAX = 20;

export function parseJobs(text: string, name: string): number {
  const trimmed = text.trim();
  const jobs = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(jobs) || jobs < JOBS_MIN || jobs > JOBS_MAX) {
    throw new Error(`${name} must be a whole number from ${JOBS_MIN} to ${JOBS_MAX}, not "${text}"`);
  }
  return jobs;
}

/** A comma- or space-separated list; empty only when allowed. */
export function parseList(text: string, name: string, { allowEmpty = false } = {}): string[] {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0 && !allowEmpty) throw new Error(`${name} must name at least one value`);
  for (const item of items) {
    if (!/^[A-Za-z0-9._-]+$/.test(item)) throw new Error(`${name} has an invalid value "${item}"`);
  }
  return items;
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export function parseBooleanSetting(text: string, name: string): boolean {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Error(`${name} must be true or false, not "${text}"`);
}

export function parsePositiveSeconds(text: string, name: string): number {
  const trimmed = text.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(seconds > 0)) throw new Error(`${name} must be a positive number of seconds, not "${text}"`);
  return seconds;
}
