// Writes docs/reasons.md from the one table of reason texts (src/report/reasons.ts): a section per code,
// which the job summary and the command line's --help link to. `npx tsx scripts/reasons-doc.ts`; a test
// fails when the committed page is not what this writes.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FAILURE_REASONS, SKIP_REASONS } from '../src/engine/validate/result.js';
import { REASON_TEXTS } from '../src/report/reasons.js';

export function reasonsPage(): string {
  const section = (code: string, kind: string) => {
    const text = REASON_TEXTS[code as keyof typeof REASON_TEXTS];
    return `## ${code}\n\n${kind}. ${text.meaning}\n\n**What to do:** ${text.remedy}\n`;
  };
  return [
    '# Reason codes',
    '',
    'Every line of a list ends as passed, failed with a reason, or skipped with a reason. A failed line has',
    'one reason, the first of its findings in this order; the report lists all its findings. Skipped lines',
    'fail the run too, except `no-matching-platform`. This page is generated from `src/report/reasons.ts`',
    '(`npx tsx scripts/reasons-doc.ts`).',
    '',
    ...FAILURE_REASONS.map((code) => section(code, 'Failed')),
    ...SKIP_REASONS.map((code) =>
      section(
        code,
        code === 'no-matching-platform' ? 'Skipped (a warning, not a failure)' : 'Skipped (fails the run)',
      ),
    ),
  ].join('\n');
}

if (import.meta.filename === process.argv[1]) {
  await writeFile(join(import.meta.dirname, '..', 'docs', 'reasons.md'), reasonsPage());
}
