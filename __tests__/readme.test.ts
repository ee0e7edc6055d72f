// Numbers the README states about the tool's behaviour are the ones the code uses.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SCOPES_PER_BATCH } from '../src/registry/token-batches.js';
import { MANIFEST_MAX_BYTES, SOCKETS_PER_HOST } from '../src/registry/client.js';
import { MAX_ENTRIES } from '../src/registry/manifest.js';
import { ROWS_PER_REASON } from '../src/report/summary.js';

const readme = (await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8')).replace(/\s+/g, ' ');

test.each([
  [`Up to ${SOCKETS_PER_HOST} keep-alive connections per registry`],
  [`asked for up to ${SCOPES_PER_BATCH} in one token request`],
  [`${MANIFEST_MAX_BYTES / 1024 / 1024} MiB for a manifest`],
  [`capped at ${MAX_ENTRIES.toLocaleString('en')} entries`],
  [`folded and capped at ${ROWS_PER_REASON}`],
])('the README says "%s"', (claim) => {
  expect(readme).toContain(claim);
});

test('the README’s inputs table lists every input action.yml declares, and no other', async () => {
  const { parse } = await import('yaml');
  const root = join(import.meta.dirname, '..');
  const action = parse(await readFile(join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, unknown>;
  };
  const text = await readFile(join(root, 'README.md'), 'utf8');
  const start = text.indexOf('| input ');
  const table = text.slice(start, text.indexOf('\n\n', start));
  const named = new Set(
    table
      .split('\n')
      .slice(2)
      .flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`([a-z-]+)`/g)].map((match) => match[1])),
  );
  expect([...named].sort()).toEqual(Object.keys(action.inputs).sort());
});
