// Results and run reports built by hand, for the tests of what the report writers make of them.
import type { RunReport } from '../src/engine/report.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../src/config/settings.js';
import { LineResults } from '../src/engine/validate/line-results.js';
import type { LineResult } from '../src/engine/validate/result.js';

/** A line of `img<line>:1` that passed digest-identical. */
export const passedLine = (line: number): LineResult => ({
  line,
  raw: `img${line}:1`,
  source: `docker.io/library/img${line}:1`,
  destination: `reg.local/library/img${line}:1`,
  status: 'passed',
  rule: 'identical',
  detail: 'destination digest equals the source digest',
  sourceDigest: 'sha256:a',
  destinationDigest: 'sha256:a',
  platforms: [],
});

/** A run report over these results; the rest as given, or a plain default. */
export function reportOf(
  results: LineResult[],
  rest: Partial<Omit<RunReport, 'results' | 'totals'>> = {},
): RunReport {
  const all = LineResults.of(results);
  return {
    listFile: 'images.txt',
    format: 'hangar',
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    options: DEFAULT_VALIDATE_OPTIONS,
    requests: {},
    ...rest,
    results: all,
    totals: all.totals,
  };
}
