// Sync-config benchmark, run on demand (`npm run bench:regsync -- --sources 10000`): a regsync config of the
// shape Rancher's image-mirror generates (type: image entries, each source written to three registries, an
// x- anchor merged into every entry), against the same pairs as a hangar list, side by side in one run
// through the committed CLI bundle. Reports lines/s of each, source manifest requests per distinct source
// image, and peak RSS; appends the rows to bench/RESULTS.md.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaType } from '../src/registry/manifest.js';
import { mirrorByApi } from '../testkit/mirror.js';
import { startRegistry } from '../testkit/registry.js';
import { getManifestBytes, linux, pushManifest, pushMultiPlatform } from '../testkit/seed.js';
import { machineLine, pool, runTool, type ToolRun } from './images.js';

const index = process.argv.indexOf('--sources');
const SOURCES = index >= 0 ? Number(process.argv[index + 1]) : 10_000;
const TARGETS = ['rancher', 'prime', 'carbide'];
const root = join(import.meta.dirname, '..');

const upstream = await startRegistry('plain', { gogc: 800 });
const mirror = await startRegistry('plain', { gogc: 800 });
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-regsync-'));
try {
  await pushMultiPlatform(upstream, 'bench/app', 'seed', [linux('amd64'), linux('arm64')]);
  for (const target of TARGETS)
    await mirrorByApi(upstream, 'bench/app:seed', mirror, `${target}/bench/app:seed`);
  const { bytes } = await getManifestBytes(upstream, 'bench/app', 'seed');
  console.log(`tagging ${SOURCES} sources and ${SOURCES * TARGETS.length} targets …`);
  await pool(
    Array.from({ length: SOURCES }, (_, n) => n),
    16,
    async (n) => {
      await pushManifest(upstream, 'bench/app', `t${n}`, bytes, MediaType.ociIndex);
      for (const target of TARGETS)
        await pushManifest(mirror, `${target}/bench/app`, `t${n}`, bytes, MediaType.ociIndex);
    },
  );
  const yaml = [
    'version: 1',
    'creds:',
    `  - registry: ${upstream.host}`,
    '    tls: disabled',
    `  - registry: ${mirror.host}`,
    '    tls: disabled',
    'x-image: &image',
    '  type: image',
    'sync:',
  ];
  const hangar: string[] = [];
  for (let n = 0; n < SOURCES; n += 1) {
    for (const target of TARGETS) {
      yaml.push(
        '  - <<: *image',
        `    source: ${upstream.host}/bench/app:t${n}`,
        `    target: ${mirror.host}/${target}/bench/app:t${n}`,
      );
      hangar.push(`${upstream.host}/bench/app ${mirror.host}/${target}/bench/app t${n}`);
    }
  }
  const regsyncFile = join(work, 'regsync.yml');
  const hangarFile = join(work, 'images.txt');
  await writeFile(regsyncFile, `${yaml.join('\n')}\n`);
  await writeFile(hangarFile, `${hangar.join('\n')}\n`);
  const runs: [string, ToolRun][] = [];
  for (const [name, file] of [
    ['hangar list', hangarFile],
    ['regsync config', regsyncFile],
  ] as const) {
    const run = await runTool(work, file, '', '', 20, ['--tls-verify=false']);
    runs.push([name, run]);
  }
  const lines = SOURCES * TARGETS.length;
  const rows = runs.map(([name, run]) => {
    const engine = (Date.parse(run.report.finishedAt) - Date.parse(run.report.startedAt)) / 1000;
    const stats = run.report.requests[upstream.host];
    const perSource = ((stats?.manifestHeads ?? 0) + (stats?.manifestGets ?? 0)) / SOURCES;
    return {
      name,
      rate: lines / engine,
      row: `| ${name} | ${run.report.totals.lines} | ${engine.toFixed(1)} s | ${(lines / engine).toFixed(0)} | ${perSource.toFixed(2)} | ${(run.peakRss / 1024 / 1024).toFixed(0)} MB | ${run.report.totals.passed} passed, exit ${run.exitCode} |`,
    };
  });
  const ratio = ((rows[1]?.rate ?? 0) / (rows[0]?.rate ?? 1)) * 100;
  const table = [
    `\nSync-config run ${new Date().toISOString()}: \`npm run bench:regsync -- --sources ${SOURCES}\`, ${SOURCES} sources each written to ${TARGETS.length} targets (${lines} lines), an x- anchor merged into every entry. ${machineLine()}`,
    '',
    '| list | lines | engine time | lines/s | source manifest requests per distinct source | peak RSS | verdicts |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((one) => one.row),
    '',
    `regsync lines/s are ${ratio.toFixed(0)}% of the hangar list's.`,
  ].join('\n');
  console.log(table);
  await appendFile(join(root, 'bench', 'RESULTS.md'), `${table}\n`);
} finally {
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
