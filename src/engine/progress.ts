// Progress lines for a person: every failure and skip, and passes at most every few seconds on long lists.
import type { LineResult } from './validate/result.js';

/** Logs each result as it settles; `total` decides when passes are thinned out. */
export function progressLogger(log: (message: string) => void, listFile: string, total: number) {
  const quietAfter = 100;
  let lastPassLog = 0;
  return (result: LineResult, done: number) => {
    const now = Date.now();
    const always = result.status !== 'passed' || total <= quietAfter || done === total;
    if (!always && now - lastPassLog < 5000) return;
    if (result.status === 'passed') lastPassLog = now;
    const what =
      result.status === 'passed'
        ? `PASS ${result.rule}`
        : `${result.status === 'failed' ? 'FAIL' : 'SKIP'} ${result.reason}`;
    const subject =
      result.source && result.destination ? `${result.source} → ${result.destination}` : result.raw;
    const detail = result.status === 'passed' ? '' : `: ${result.detail}`;
    log(`[${done}/${total}] ${listFile}:${result.line} ${subject} → ${what}${detail}`);
  };
}
