// The command line as a person runs it: in a pseudo-terminal (tmux) on 300 lines against the real registry,
// behind a relay that adds 30 ms of round-trip time so the run lasts long enough to watch. The progress line
// must appear and be replaced in place (never two on screen), only failures are listed, and the end table
// counts what the report says. Piped, no escape sequence may reach the output.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MediaType } from '../../src/registry/manifest.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { startRelay, type Relay } from '../../testkit/relay.js';
import { getManifestBytes, linux, pushManifest, pushMultiPlatform } from '../../testkit/seed.js';
import { mirrorByApi } from '../../testkit/mirror.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'dist', 'cli', 'index.js');
const LINES = 300;
const MISSING = [50, 150, 250];

let upstream: TestRegistry;
let mirror: TestRegistry;
let relays: Relay[];
let dir: string;
const socket = `mv-terminal-${process.pid}`;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-terminal-'));
  await pushMultiPlatform(upstream, 'app/web', 'seed', [linux('amd64'), linux('arm64')]);
  await mirrorByApi(upstream, 'app/web:seed', mirror, 'app/web:seed');
  const { bytes } = await getManifestBytes(upstream, 'app/web', 'seed');
  for (let n = 1; n <= LINES; n += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, LINES - n + 1) }, async (_, k) => {
        const line = n + k;
        await pushManifest(upstream, 'app/web', `t${line}`, bytes, MediaType.ociIndex);
        if (!MISSING.includes(line))
          await pushManifest(mirror, 'app/web', `t${line}`, bytes, MediaType.ociIndex);
      }),
    );
  }
  relays = await Promise.all([startRelay(upstream.host, 30), startRelay(mirror.host, 30)]);
  await writeFile(
    join(dir, 'list.txt'),
    Array.from({ length: LINES }, (_, i) => `app/web:t${i + 1}`).join('\n') + '\n',
  );
}, 120_000);
afterAll(async () => {
  await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
  await Promise.all([...(relays ?? []).map((r) => r.close()), upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

const args = () => [
  cli,
  '-f',
  'list.txt',
  '-s',
  relays[0]!.host,
  '-d',
  relays[1]!.host,
  '--tls-verify=false',
  '-j',
  '2',
  '--report',
  'report.json',
];

const PROGRESS = /\[(\d+)\/300\] \d+% · \d+ failing/;

describe('the command line in a terminal', () => {
  test('a live progress line replaced in place, only failures listed, an end table that matches the report', async () => {
    const tmux = (...rest: string[]) =>
      run('tmux', ['-L', socket, ...rest], { env: { ...process.env, TMUX_TMPDIR: dir } });
    const command = [process.execPath, ...args()].map((word) => `'${word}'`).join(' ');
    await tmux(
      'new-session',
      '-d',
      '-x',
      '160',
      '-y',
      '50',
      '-c',
      dir,
      `${command}; echo "EXIT:$?"; sleep 60`,
    );
    const screens: string[] = [];
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { stdout } = await tmux('capture-pane', '-p');
      screens.push(stdout);
      if (/EXIT:\d+/.test(stdout) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const last = screens.at(-1)!;
    expect(last).toContain('EXIT:1');
    // The progress line was there while the run went on, with counts that moved...
    const counts = new Set(
      screens.flatMap((screen) => [...screen.matchAll(new RegExp(PROGRESS, 'g'))].map((m) => m[1])),
    );
    expect(counts.size).toBeGreaterThan(3);
    // ... never twice on one screen (it is redrawn in place, not printed line after line), and gone at the end.
    for (const screen of screens)
      expect(screen.match(new RegExp(PROGRESS, 'g'))?.length ?? 0).toBeLessThanOrEqual(1);
    expect(last).not.toMatch(PROGRESS);
    // Only the failures are listed.
    expect(last).not.toContain('PASS');
    expect(last.match(/FAIL destination-missing/g)).toHaveLength(MISSING.length);
    for (const line of MISSING) expect(last).toContain(`list.txt:${line} `);
    // The end table counts what the report says.
    const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')) as {
      totals: { lines: number; passed: number; failed: number };
    };
    expect(report.totals).toMatchObject({
      lines: LINES,
      passed: LINES - MISSING.length,
      failed: MISSING.length,
    });
    expect(last).toMatch(
      new RegExp(`destination-missing +${report.totals.failed} +Run the mirror step again`),
    );
    expect(last).toContain(
      `FAILED: ${LINES} lines, ${report.totals.passed} passed, ${report.totals.failed} failed`,
    );
    expect(last).toContain('failed list: mirror-validate-failed.txt, report: report.json');
  });

  test('piped: no escape sequence at all, one line per failure', async () => {
    const child = spawn(process.execPath, args(), {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'xterm-256color' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(output).not.toContain('\u001b');
    expect(output).not.toContain('\r');
    expect(output.match(/FAIL destination-missing/g)).toHaveLength(MISSING.length);
    expect(output).not.toContain('PASS');
  });
});
