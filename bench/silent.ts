// A destination that accepts connections and never answers: how long the committed command-line bundle takes
// to fail a list of it, at the default request timeout and retries. `npm run bench:silent -- --lines 1000`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startProxy } from '../testkit/proxy.js';
import { startRegistry } from '../testkit/registry.js';
import { seedStandardImages } from '../testkit/seed.js';
import { runTool } from './images.js';

const { values } = parseArgs({
  options: { lines: { type: 'string', default: '1000' }, jobs: { type: 'string', default: '8' } },
});
const LINES = Number(values.lines);
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
  const tool = await runTool(work, list, upstream.host, silent.host, Number(values.jobs), [
    '--tls-verify=false',
  ]);
  const reasons = new Map<string, number>();
  for (const result of tool.report.results)
    if (result.reason) reasons.set(result.reason, (reasons.get(result.reason) ?? 0) + 1);
  console.log(
    `${LINES} lines to a destination that never answers, ${values.jobs} jobs: exit ${tool.exitCode} after ${tool.seconds.toFixed(1)} s; the destination saw ${silent.seen.length} request(s); ${[...reasons].map(([reason, count]) => `${count} ${reason}`).join(', ')}`,
  );
} finally {
  await silent.close();
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
