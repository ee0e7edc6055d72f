// A destination that accepts connections and never answers: how long the committed command-line bundle takes
// to fail a list of it, at the default request timeout and retries. `npm run bench:silent -- --lines 1000`.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startProxy } from '../testkit/proxy.js';
import { startRegistry } from '../testkit/registry.js';
import { seedStandardImages } from '../testkit/seed.js';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000' }, jobs: { type: 'string', default: '8' } },
});
const LINES = Number(values.lines);
const root = join(import.meta.dirname, '..');
const upstream = await startRegistry('plain');
const mirror = await startRegistry('plain');
const silent = await startProxy(mirror.url, { transform: () => 'stall' });
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-silent-'));
try {
  await seedStandardImages(upstream, 'upstream');
  const list = join(work, 'list.txt');
  await writeFile(
    list,
    Array.from({ length: LINES }, (_, n) => `upstream/multi mirror/r${n} 1.0`).join('\n') + '\n',
  );
  const started = Date.now();
  const child = spawn(
    'node',
    [
      join(root, 'dist', 'cli', 'index.js'),
      '-f',
      list,
      '-s',
      upstream.host,
      '-d',
      silent.host,
      '--tls-verify=false',
      '-j',
      values.jobs,
      '-o',
      join(work, 'failed.txt'),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let last = '';
  child.stdout.on('data', (chunk: Buffer) => (last = chunk.toString().trim().split('\n').at(-2) ?? last));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `${LINES} lines to a destination that never answers, ${values.jobs} jobs: exit ${code} after ${seconds} s; the destination saw ${silent.seen.length} request(s)\n${last}`,
  );
} finally {
  await silent.close();
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
