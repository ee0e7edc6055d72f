// The command line from source (runCli, in this process, with its own working folder and environment):
// hangar's flags, exit codes, failed list and report. The committed bundle has its smoke test in bundles.itg.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mirrorIdentical } from '../../testkit/mirror.js';
import { runCli } from '../../src/cli/main.js';
import { junitErrors } from '../../testkit/junit-schema.js';
import { schemaErrors } from '../../testkit/report-schema.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;

async function run(args: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('basic-tls')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-cli-'));
  await seedStandardImages(upstream);
  await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'upstream/multi:1.0');
  await mirrorIdentical(upstream, 'upstream/chart:1.0', mirror, 'charts/chart:1.0');
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('mirror-validate command', () => {
  test('all passed: exit 0, empty failed list, a report; the password never printed', async () => {
    await writeFile(
      join(dir, 'ok.txt'),
      '# both formats\nupstream/multi:1.0\nupstream/chart charts/chart 1.0\n',
    );
    const result = await run(
      [
        '-f',
        'ok.txt',
        '-s',
        upstream.host,
        '-d',
        mirror.host,
        '--tls-verify=false',
        '--report',
        'report.json',
        '--debug',
        '--destination-username',
        mirror.username!,
      ],
      { MIRROR_VALIDATE_DESTINATION_PASSWORD: mirror.password! },
    );
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/OK: 2 lines, 2 passed, 0 failed, 0 skipped/);
    expect(result.stdout + result.stderr).not.toContain(mirror.password!);
    expect(await readFile(join(dir, 'mirror-validate-failed.txt'), 'utf8')).toBe('');
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as {
      version: number;
      results: { line: number; status: string; rule: string }[];
    };
    expect(report.version).toBe(1);
    // A real run's report is what the published schema says (the nightly workflow's script relies on it).
    expect(schemaErrors(report)).toEqual([]);
    expect(report.results.map((r) => [r.line, r.status, r.rule])).toEqual([
      [2, 'passed', 'identical'],
      [3, 'passed', 'identical'],
    ]);
  });

  test('a failed line: exit 1 and the raw line in the failed list (hangar -o)', async () => {
    await writeFile(join(dir, 'bad.txt'), 'upstream/multi:1.0\nupstream/single-oci:1.0\n');
    const result = await run([
      '-f',
      'bad.txt',
      '-s',
      upstream.host,
      '-d',
      mirror.host,
      '--tls-verify=false',
      '-o',
      'failed.txt',
      '--destination-username',
      mirror.username!,
      '--destination-password',
      mirror.password!,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bad\.txt:2 .* → FAIL destination-missing/);
    expect(result.stdout + result.stderr).not.toContain(mirror.password!);
    expect(await readFile(join(dir, 'failed.txt'), 'utf8')).toBe('upstream/single-oci:1.0\n');
  });

  test('--junit: JUnit XML of a real run, valid against the JUnit schema, one case per line', async () => {
    await writeFile(
      join(dir, 'junit-list.txt'),
      'upstream/multi:1.0\nupstream/single-oci:1.0\nNot A Reference\n',
    );
    const result = await run([
      '-f',
      'junit-list.txt',
      '-s',
      upstream.host,
      '-d',
      mirror.host,
      '--tls-verify=false',
      '--junit',
      'junit.xml',
      '--destination-username',
      mirror.username!,
      '--destination-password',
      mirror.password!,
    ]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('JUnit XML: junit.xml');
    const xml = await readFile(join(dir, 'junit.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuite name="junit-list.txt" tests="3" failures="1" errors="1" skipped="0"/);
    expect(xml).toMatch(
      /<testcase name="line 2: [^"]*upstream\/single-oci:1.0[^"]*"[^>]*><failure type="destination-missing"/,
    );
    expect(xml).not.toContain(mirror.password!);
  });

  test('credentials from a Docker config, never a prompt', async () => {
    await mkdir(join(dir, 'docker'), { recursive: true });
    const auth = Buffer.from(`${mirror.username}:${mirror.password}`).toString('base64');
    await writeFile(
      join(dir, 'docker', 'config.json'),
      JSON.stringify({ auths: { [mirror.host]: { auth } } }),
    );
    await writeFile(join(dir, 'one.txt'), 'upstream/multi:1.0\n');
    const withConfig = await run(
      ['-f', 'one.txt', '-s', upstream.host, '-d', mirror.host, '--tls-verify=false'],
      {
        DOCKER_CONFIG: join(dir, 'docker'),
      },
    );
    expect(withConfig.code, withConfig.stdout + withConfig.stderr).toBe(0);
    const without = await run([
      '-f',
      'one.txt',
      '-s',
      upstream.host,
      '-d',
      mirror.host,
      '--tls-verify=false',
    ]);
    expect(without.code).toBe(1);
    expect(without.stdout).toMatch(/FAIL auth/);
  });

  test.each([
    [['--help'], 0, /Usage: mirror-validate -f LIST/],
    [[], 2, /the image list is required: -f FILE/],
    [['-f', 'x.txt', '-j', '0'], 2, /--jobs must be a whole number from 1 to 20, not "0"/],
    [['-f', 'x.txt', '-j', '21'], 2, /--jobs must be a whole number from 1 to 20, not "21"/],
    [['-f', 'x.txt', '-j', 'abc'], 2, /--jobs must be a whole number from 1 to 20, not "abc"/],
    [['-f', 'x.txt', '-a', ''], 2, /--arch must name at least one value/],
    [['-f', 'x.txt', '--tls-verify=maybe'], 2, /--tls-verify must be true or false, not "maybe"/],
    [['-f', 'x.txt', '--bogus'], 2, /unknown flag "--bogus"/],
    [['-f', 'missing.txt', '-d', 'reg.local'], 2, /image list "missing.txt" does not exist/],
    [
      ['-f', 'x.txt', '-o', 'no/such/dir/failed.txt'],
      2,
      /--failed: the folder of "no\/such\/dir\/failed.txt" does not exist/,
    ],
    [['-f', 'x.txt', '--source-username', 'u'], 2, /--source-username and --source-password go together/],
  ])('%j exits %i', async (args, code, message) => {
    const result = await run(args);
    expect(result.code).toBe(code);
    expect(result.stdout + result.stderr).toMatch(message);
  });

  test.each([
    ['an empty file', '', /names no image/],
    ['only comments', '# a\n// b\n\n', /names no image/],
    ['a binary file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]), /is not a text file/],
  ])('%s is a configuration error', async (_name, content, message) => {
    await writeFile(join(dir, 'input.txt'), content);
    const result = await run(['-f', 'input.txt', '-d', mirror.host]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  test('a failed-list path under a file, not a folder, is named', async () => {
    await writeFile(join(dir, 'plain-file'), '');
    const result = await run(['-f', 'x.txt', '-o', 'plain-file/failed.txt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--failed: ".*plain-file" is not a folder/);
  });
});
