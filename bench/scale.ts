// Scale benchmark, run on demand (`npm run bench:scale -- --lines 100000`): a list of N distinct lines
// (N tags of a multi-platform image, mirrored digest-identical, a few left out) through the committed CLI
// bundle. Reports time and peak RSS; appends a row to bench/RESULTS.md.
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType } from '../src/registry/manifest.js';
import { startRegistry } from '../testkit/registry.js';
import { getManifestBytes, linux, pushManifest, pushMultiPlatform } from '../testkit/seed.js';
import { mirrorByApi } from '../testkit/mirror.js';
import { runTool } from './images.js';

const index = process.argv.indexOf('--lines');
const LINES = index >= 0 ? Number(process.argv[index + 1]) : 10_000;
const root = join(import.meta.dirname, '..');

const upstream = await startRegistry('plain');
const mirror = await startRegistry('plain');
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-scale-'));
try {
  await pushMultiPlatform(upstream, 'scale/app', 'seed', [linux('amd64'), linux('arm64')]);
  await mirrorByApi(upstream, 'scale/app:seed', mirror, 'scale/app:seed');
  const { bytes } = await getManifestBytes(upstream, 'scale/app', 'seed');
  console.log(`tagging ${LINES} lines …`);
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < LINES) {
        const n = next++;
        const tag = `t${n}`;
        await pushManifest(upstream, 'scale/app', tag, bytes, MediaType.ociIndex);
        // Every 1000th line is left out of the mirror, so the failed list is not empty.
        if ((n + 1) % 1000 !== 0) await pushManifest(mirror, 'scale/app', tag, bytes, MediaType.ociIndex);
      }
    }),
  );
  const list = join(work, 'list.txt');
  await writeFile(list, Array.from({ length: LINES }, (_, i) => `scale/app:t${i}`).join('\n') + '\n');
  const tool = await runTool(work, list, upstream.host, mirror.host, 20, ['--tls-verify=false']);
  const { seconds, peakRss: peak, exitCode: code } = tool;
  const totals = tool.report.totals;
  const failedLines = (await readFile(join(work, 'failed.txt'), 'utf8')).split('\n').filter(Boolean).length;
  const line = `| ${LINES} lines | ${seconds.toFixed(1)} s | ${(LINES / seconds).toFixed(0)} lines/s | peak RSS ${(peak / 1024 / 1024).toFixed(0)} MB | ${totals.passed} passed, ${totals.failed} failed (${failedLines} in the failed list), exit ${code} |`;
  console.log(line);
  await appendFile(
    join(root, 'bench', 'RESULTS.md'),
    `\nScale run ${new Date().toISOString()} (${cpus().length} cores, Node ${process.version}), \`npm run bench:scale -- --lines ${LINES}\`:\n\n| list | time | rate | memory | verdicts |\n| --- | --- | --- | --- | --- |\n${line}\n`,
  );
} finally {
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
