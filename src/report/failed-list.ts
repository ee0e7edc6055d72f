// The failed list, in hangar's format: the raw failing lines in input order, so it can be fed back to a mirror.
import type { LineResult } from '../engine/validate/result.js';

export function formatFailedList(results: Iterable<LineResult>): string {
  const lines = [...results]
    .filter((result) => result.status === 'failed')
    .map((result) => result.raw.trim());
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
