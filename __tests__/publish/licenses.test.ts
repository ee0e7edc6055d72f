// The notices the committed bundles owe: every package whose code a bundle holds (its source maps name the
// node_modules folders) is listed in its licenses.txt, under a license from the allow list, with its text.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { allowed, BUNDLES, bundledPackageFolders } from '../../scripts/licenses.js';

const root = join(import.meta.dirname, '..', '..');

async function listed(bundle: string): Promise<Map<string, string>> {
  const text = await readFile(join(root, bundle, 'licenses.txt'), 'utf8');
  const entries = new Map<string, string>();
  for (const match of text.matchAll(/^={78}\n(\S+)\nLicense: (.+)$/gm)) entries.set(match[1]!, match[2]!);
  return entries;
}

describe.each(BUNDLES)('%s/licenses.txt', (bundle) => {
  test('lists every bundled package', async () => {
    const entries = await listed(bundle);
    const folders = await bundledPackageFolders(bundle);
    expect(folders.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const folder of folders) {
      const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
      };
      if (!entries.has(`${manifest.name}@${manifest.version}`)) missing.push(folder);
    }
    expect(missing).toEqual([]);
  });

  test("ncc's sourcemap-register.cjs, which has no source map, is covered: source-map-support and its parts", async () => {
    const ids = [...(await listed(bundle)).keys()];
    for (const name of ['source-map-support', 'source-map', 'buffer-from'])
      expect(
        ids.some((id) => id.startsWith(`${name}@`)),
        name,
      ).toBe(true);
  });

  test('every license is on the allow list', async () => {
    const refused = [...(await listed(bundle))].filter(([, license]) => !allowed(license));
    expect(refused).toEqual([]);
  });

  test('no package without a license (buffers, under unzip-stream, is kept out of the bundle)', async () => {
    const entries = await listed(bundle);
    expect([...entries.keys()].filter((id) => id.startsWith('buffers@'))).toEqual([]);
    expect([...entries.values()]).not.toContain('UNKNOWN');
  });
});

describe('license allow list', () => {
  test.each([
    ['MIT', true],
    ['(MIT OR GPL-3.0)', true],
    ['(Apache-2.0 AND BSD-3-Clause)', true],
    ['(MIT AND GPL-3.0)', false],
    ['GPL-3.0', false],
    ['UNKNOWN', false],
    ['SEE LICENSE IN LICENSE.md', false],
  ])('%s → %s', (expression, expected) => {
    expect(allowed(expression)).toBe(expected);
  });
});
