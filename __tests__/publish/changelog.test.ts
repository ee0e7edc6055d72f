// The changelog the release workflow publishes from: a section for the version package.json names, and the
// script that cuts a tag's notes out of it, refusing a version without one.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

test('CHANGELOG.md has a section for the current version and one for what is not released yet', async () => {
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  const changelog = await readFile(join(root, 'CHANGELOG.md'), 'utf8');
  expect(changelog).toMatch(new RegExp(`^## ${version.replace(/\./g, '\\.')}$`, 'm'));
  expect(changelog).toMatch(/^## Unreleased$/m);
});

test("a tag's notes are its section, and only that", async () => {
  const { stdout } = await run('bash', [join(root, 'scripts', 'changelog-notes.sh'), 'v0.1.0']);
  expect(stdout.split('\n')[0]).toBe(
    'The first version: the GitHub Action and the command line over one engine.',
  );
  expect(stdout).not.toContain('## ');
  expect(stdout).not.toContain('Lists in the mirroring tools');
});

test('a version with no section is refused, naming it', async () => {
  const error = await run('bash', [join(root, 'scripts', 'changelog-notes.sh'), 'v9.9.9']).catch(
    (thrown: { code: number; stderr: string }) => thrown,
  );
  expect(error).toMatchObject({
    code: 1,
    stderr: expect.stringContaining('CHANGELOG.md has no section for 9.9.9'),
  });
});

test('the release workflow publishes those notes', async () => {
  const workflow = await readFile(join(root, '.github', 'workflows', 'release.yml'), 'utf8');
  expect(workflow).toContain('bash scripts/changelog-notes.sh "$GITHUB_REF_NAME"');
  expect(workflow).toContain('--notes-file');
  expect(workflow).not.toContain('--generate-notes');
});
