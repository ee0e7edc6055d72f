// Secrets never reach any output, even with debug on; a cancelled run still writes what it knows.
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nodeRuntimes } from '../testkit/node.js';
import { mirrorByApi } from '../testkit/mirror.js';
import { runNode } from '../testkit/process.js';
import { startProxy, type TestProxy } from '../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../testkit/registry.js';
import { seedStandardImages } from '../testkit/seed.js';

const root = join(import.meta.dirname, '..');
let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('token'), startRegistry('token')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-secrets-'));
  await seedStandardImages(upstream);
  await mirrorByApi(upstream, 'upstream/multi:1.0', mirror, 'upstream/multi:1.0');
  // Source credentials come from a credential helper named in the Docker config, as on a runner.
  await mkdir(join(dir, 'bin'), { recursive: true });
  await mkdir(join(dir, 'docker'), { recursive: true });
  await writeFile(
    join(dir, 'bin', 'docker-credential-vault'),
    `#!/bin/sh\nread server\necho '{"Username":"${upstream.username}","Secret":"${upstream.password}"}'\n`,
  );
  await chmod(join(dir, 'bin', 'docker-credential-vault'), 0o755);
  await writeFile(
    join(dir, 'docker', 'config.json'),
    JSON.stringify({ credHelpers: { [upstream.host]: 'vault' } }),
  );
  await writeFile(join(dir, 'images.txt'), 'upstream/multi:1.0\nupstream/attested:1.0\nnot/there:1\n');
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

function secrets(): string[] {
  const basic = (registry: TestRegistry) =>
    Buffer.from(`${registry.username}:${registry.password}`).toString('base64');
  return [
    upstream.password!,
    mirror.password!,
    basic(upstream),
    basic(mirror),
    ...upstream.tokenServer!.issued,
    ...mirror.tokenServer!.issued,
  ];
}

const execNode = (args: string[], env: Record<string, string>) => runNode(args, { cwd: dir, env });

describe('secrets', () => {
  test('the action with debug on: no secret in stdout, stderr, summary, report or failed list', async () => {
    const env = {
      PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
      HOME: dir,
      DOCKER_CONFIG: join(dir, 'docker'),
      GITHUB_WORKSPACE: dir,
      GITHUB_OUTPUT: join(dir, 'outputs'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
      ACTIONS_STEP_DEBUG: 'true',
      RUNNER_DEBUG: '1',
      INPUT_FILE: 'images.txt',
      INPUT_SOURCE: upstream.host,
      INPUT_DESTINATION: mirror.host,
      'INPUT_TLS-VERIFY': 'false',
      'INPUT_INSECURE-REGISTRIES': `${upstream.host},${mirror.host}`,
      'INPUT_DESTINATION-USERNAME': mirror.username!,
      'INPUT_DESTINATION-PASSWORD': mirror.password!,
    };
    await writeFile(env.GITHUB_OUTPUT, '');
    await writeFile(env.GITHUB_STEP_SUMMARY, '');
    const run = await execNode([join(root, 'dist', 'index.js')], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('::debug::');
    expect(upstream.tokenServer!.issued.length).toBeGreaterThan(0);
    expect(mirror.tokenServer!.issued.length).toBeGreaterThan(0);
    // The runner hides what ::add-mask:: names; everything else must not hold a secret at all.
    const stdout = run.stdout.replace(`::add-mask::${mirror.password}`, '');
    const outputs = [
      stdout,
      run.stderr,
      await readFile(env.GITHUB_STEP_SUMMARY, 'utf8'),
      await readFile(join(dir, 'mirror-validate-report.json'), 'utf8'),
      await readFile(join(dir, 'mirror-validate-failed.txt'), 'utf8'),
      await readFile(env.GITHUB_OUTPUT, 'utf8'),
    ];
    for (const secret of secrets()) {
      for (const output of outputs) expect(output.includes(secret), `a secret leaked`).toBe(false);
    }
  });

  test('the command line with --debug: no secret printed or written', async () => {
    const run = await execNode(
      [
        join(root, 'dist', 'cli', 'index.js'),
        '-f',
        'images.txt',
        '-s',
        upstream.host,
        '-d',
        mirror.host,
        '--tls-verify=false',
        '--insecure-registries',
        `${upstream.host},${mirror.host}`,
        '--debug',
        '--report',
        'cli-report.json',
        '--destination-username',
        mirror.username!,
        '--destination-password',
        mirror.password!,
      ],
      { PATH: `${join(dir, 'bin')}:${process.env.PATH}`, HOME: dir, DOCKER_CONFIG: join(dir, 'docker') },
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('debug: ');
    const outputs = [run.stdout, run.stderr, await readFile(join(dir, 'cli-report.json'), 'utf8')];
    for (const secret of secrets()) {
      for (const output of outputs) expect(output.includes(secret), `a secret leaked`).toBe(false);
    }
  });
});

describe('interruption', () => {
  let stalled: TestProxy;
  beforeAll(async () => {
    const plain = await startRegistry('plain');
    await seedStandardImages(plain);
    // Answers the first few requests, then never again: the run is cut off in the middle.
    let answered = 0;
    stalled = await startProxy(plain.url, { transform: () => (answered++ < 4 ? undefined : 'stall') });
    stalled.close = ((close) => async () => {
      await close();
      await plain.stop();
    })(stalled.close);
    await writeFile(
      join(dir, 'long.txt'),
      Array.from({ length: 30 }, (_, i) => `upstream/multi copy/multi-${i} 1.0`).join('\n') + '\n',
    );
  });
  afterAll(() => stalled?.close());

  test.each(
    nodeRuntimes().flatMap((runtime) =>
      (
        [
          ['SIGTERM', 143],
          ['SIGINT', 130],
        ] as const
      ).map(([signal, code]) => [signal, code, runtime.name, runtime.path] as const),
    ),
  )(
    '%s: failed list and report written, unfinished lines marked interrupted, exit %i (%s)',
    async (signal, code, _name, node) => {
      const tag = `${signal}-${node === process.execPath ? 'here' : '24'}`;
      const report = join(dir, `interrupted-${tag}.json`);
      const child = spawn(
        node,
        [
          join(root, 'dist', 'cli', 'index.js'),
          '-f',
          'long.txt',
          '-s',
          stalled.host,
          '-d',
          stalled.host,
          '--tls-verify=false',
          '--insecure-registries',
          `${upstream.host},${mirror.host}`,
          '-j',
          '2',
          '-o',
          `failed-${tag}.txt`,
          '--report',
          report,
        ],
        { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir } },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      child.kill(signal);
      const exit = await new Promise<number | null>((resolve) =>
        child.on('exit', (status) => resolve(status)),
      );
      expect(exit).toBe(code);
      expect(stderr).toMatch(new RegExp(`${signal} received`));
      const written = JSON.parse(await readFile(report, 'utf8')) as {
        totals: { lines: number };
        results: { status: string; reason?: string; raw: string }[];
      };
      expect(written.totals.lines).toBe(30);
      expect(written.results.filter((r) => r.reason === 'interrupted').length).toBeGreaterThan(20);
      // The failed list is written too, and holds exactly the lines the report says failed.
      const failedRaw = written.results.filter((r) => r.status === 'failed').map((r) => `${r.raw.trim()}\n`);
      expect(await readFile(join(dir, `failed-${tag}.txt`), 'utf8')).toBe(failedRaw.join(''));
    },
  );
});
