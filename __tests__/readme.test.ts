// Numbers the README states about the tool's behaviour are the ones the code uses.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { SCOPES_PER_BATCH } from '../src/registry/token-batches.js';
import { MANIFEST_MAX_BYTES, SOCKETS_PER_HOST } from '../src/registry/client.js';
import { MAX_ENTRIES } from '../src/registry/manifest.js';
import { ROWS_PER_REASON } from '../src/report/summary.js';
import { MAX_TAG_PAGES, MAX_TAGS } from '../src/registry/tags.js';
import { MAX_CATALOG_PAGES, MAX_REPOSITORIES } from '../src/registry/catalog.js';

const readme = (await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8')).replace(/\s+/g, ' ');

test.each([
  [`Up to ${SOCKETS_PER_HOST} keep-alive connections per registry`],
  [`asked for up to ${SCOPES_PER_BATCH} in one token request`],
  [`${MANIFEST_MAX_BYTES / 1024 / 1024} MiB for a manifest`],
  [`capped at ${MAX_ENTRIES.toLocaleString('en')} entries`],
  [`folded and capped at ${ROWS_PER_REASON}`],
  [`bounded at ${MAX_TAG_PAGES} pages and ${MAX_TAGS.toLocaleString('en')} tags`],
  [`bounded at ${MAX_CATALOG_PAGES} pages and ${MAX_REPOSITORIES.toLocaleString('en')} repositories`],
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

test('the migration table maps every flag of hangar mirror-validate to one this command line has', async () => {
  const { FLAGS } = await import('../src/cli/flags.js');
  const text = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  const start = text.indexOf('| hangar ', text.indexOf('## Migrating from hangar mirror-validate'));
  const rows = text.slice(start, text.indexOf('\n\n', start)).split('\n').slice(2);
  // hangar v1.6.1 commands/mirrorvalidate.go lines 54-61 and commands/hangar.go lines 48-49.
  const hangar = [
    'file',
    'arch',
    'os',
    'source',
    'destination',
    'failed',
    'jobs',
    'default-project',
    'debug',
    'tls-verify',
  ];
  const ours = new Set(FLAGS.map((flag) => flag.name));
  for (const flag of hangar) {
    const row = rows.find((one) => (one.split('|')[1] ?? '').includes(`--${flag}\``));
    expect(row, flag).toBeDefined();
    const mapped = [...(row!.split('|')[2] ?? '').matchAll(/--([a-z-]+)/g)].map((match) => match[1]);
    expect(
      mapped.some((name) => ours.has(name as string)),
      flag,
    ).toBe(true);
  }
});
