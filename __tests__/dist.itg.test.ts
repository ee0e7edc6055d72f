// Users run the committed bundles, not src/: rebuild both into a temp folder and compare byte for byte.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

const scratch = await mkdtemp(join(tmpdir(), 'mv-dist-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe.each([
  ['src/action/index.ts', 'dist'],
  ['src/cli/index.ts', 'dist/cli'],
])('%s bundle', (entry, committed) => {
  test(`${committed}/ is what ncc builds from the current source`, { timeout: 180_000 }, async () => {
    const out = join(scratch, committed);
    await run('npx', ['ncc', 'build', entry, '-o', out, '--source-map', '--license', 'licenses.txt'], {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    });
    const built = (await listFiles(out)).filter((file) => !file.startsWith('cli/'));
    const have = (await listFiles(join(root, committed))).filter((file) => !file.startsWith('cli/'));
    expect(have, `files in ${committed}/ (run "npm run bundle" and commit dist/)`).toEqual(built);
    for (const file of built) {
      const [a, b] = await Promise.all([readFile(join(out, file)), readFile(join(root, committed, file))]);
      expect(a.equals(b), `${committed}/${file} is stale: run "npm run bundle" and commit dist/`).toBe(true);
    }
  });
});
