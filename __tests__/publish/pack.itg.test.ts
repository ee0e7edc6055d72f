// The command line as a user outside GitHub gets it: `npm pack` of this package, installed from the tarball
// into an empty folder (no network: the package has no dependencies, its bundle holds them), then the
// installed `mirror-validate` bin run on each Node runtime against the real test registries.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mirrorIdentical } from '../../testkit/mirror.js';
import { nodeRuntimes } from '../../testkit/node.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
let dir: string;
let bin: string;
let upstream: TestRegistry;
let mirror: TestRegistry;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-pack-'));
  const [{ stdout }] = await Promise.all([
    run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root }),
    (async () => {
      [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
      await seedStandardImages(upstream);
      await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'upstream/multi:1.0');
    })(),
  ]);
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const install = join(dir, 'install');
  await run('mkdir', ['-p', install]);
  await run(
    'npm',
    ['install', '--offline', '--no-audit', '--no-fund', '--prefix', install, join(dir, packed!.filename)],
    { cwd: install },
  );
  bin = join(install, 'node_modules', '.bin', 'mirror-validate');
}, 120_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

test('the tarball holds the command-line bundle, its notices, the schema and the docs, nothing else', async () => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], { cwd: root });
  const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path).sort();
  expect(files).toContain('dist/cli/index.js');
  expect(files).toContain('dist/cli/licenses.txt');
  expect(files).toContain('schema/report.schema.json');
  expect(files).toContain('docs/reasons.md');
  expect(files).toContain('CHANGELOG.md');
  expect(
    files.filter(
      (path) =>
        !/^(dist\/cli\/|schema\/|docs\/reasons.md|README.md|CHANGELOG.md|LICENSE|SECURITY.md|package.json)/.test(
          path,
        ),
    ),
  ).toEqual([]);
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  // Installing it pulls nothing: everything it runs is in the bundle.
  expect(manifest.dependencies).toBeUndefined();
  expect(manifest.private).toBeUndefined();
});

describe.each(nodeRuntimes())('installed bin on $name', (runtime) => {
  // The bin's `#!/usr/bin/env node` finds this runtime first on PATH.
  const env = () => ({ PATH: `${dirname(runtime.path)}:${process.env.PATH ?? ''}`, HOME: dir });

  test('--help and --version', async () => {
    const help = await run(bin, ['--help'], { env: env() });
    expect(help.stdout).toMatch(/^Usage: mirror-validate /m);
    const version = await run(bin, ['--version'], { env: env() });
    const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(manifest.version);
    const node = await run('node', ['--version'], { env: env() });
    expect(node.stdout.trim()).toBe((await run(runtime.path, ['--version'])).stdout.trim());
  });

  test('a validation against the real registries: one line passes, one fails, exit 1', async () => {
    const work = await mkdtemp(join(dir, 'run-'));
    await writeFile(join(work, 'list.txt'), 'upstream/multi:1.0\nupstream/single-oci:1.0\n');
    const result = await run(
      bin,
      ['-f', 'list.txt', '-s', upstream.host, '-d', mirror.host, '--tls-verify=false', '-o', 'failed.txt'],
      { env: env(), cwd: work },
    ).catch((error: { code: number; stdout: string }) => error);
    expect('code' in result ? result.code : 0).toBe(1);
    expect(result.stdout).toMatch(/FAILED: 2 lines, 1 passed, 1 failed, 0 skipped/);
    expect(await readFile(join(work, 'failed.txt'), 'utf8')).toBe('upstream/single-oci:1.0\n');
  });
});
