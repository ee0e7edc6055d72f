// Annotations on the list file: GitHub shows 10 per kind per step, so the first ones are annotated and a
// notice says how many more there are.
import type { LineResult } from '../engine/validate/result.js';
import { fileOf } from './outcome.js';

export const ANNOTATIONS_PER_KIND = 10;

export interface Annotation {
  kind: 'error' | 'warning' | 'notice';
  message: string;
  title?: string;
  file?: string;
  startLine?: number;
}

export function planAnnotations(
  results: Iterable<LineResult>,
  file: string,
  limit = ANNOTATIONS_PER_KIND,
): Annotation[] {
  const onLine = (kind: 'error' | 'warning', result: LineResult & { reason: string }): Annotation => ({
    kind,
    title: `mirror-validate: ${result.reason}`,
    message: `${result.raw.trim()}: ${result.detail}`,
    file: fileOf(result, file),
    startLine: result.line,
  });
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  for (const result of results) {
    if (result.status === 'failed') errors.push(onLine('error', result));
    else if (result.status === 'skipped' && result.reason !== 'interrupted')
      warnings.push(onLine('warning', result));
  }
  const plan = [...errors.slice(0, limit), ...warnings.slice(0, limit)];
  const hidden = Math.max(0, errors.length - limit) + Math.max(0, warnings.length - limit);
  if (hidden > 0) {
    plan.push({
      kind: 'notice',
      message: `${hidden} more line${hidden === 1 ? '' : 's'} with problems (${Math.max(0, errors.length - limit)} failed, ${Math.max(0, warnings.length - limit)} skipped) are not annotated: GitHub shows ${limit} per kind; see the job summary and the report.`,
    });
  }
  return plan;
}
