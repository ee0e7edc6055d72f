// Benchmark, run on demand (`npm run bench -- --images 1000`), never by the test command.
// Seeds N images into a local upstream registry (60% multi-platform lists of 2–4 platforms, 40% single),
// mirrors them digest-identical and as rebuilt indexes, then measures side by side, at one concurrency:
//   - this tool (the committed CLI bundle);
//   - the way hangar mirror-validate 1.6 does it: skopeo inspect --raw of source, destination and each
//     destination child, in parallel with xargs -P;
//   - the ceiling: the two manifest HEADs per image and nothing else, fired by wrk.
// Prints a table and appends it to bench/RESULTS.md with the date and the machine.
import { execFile } from 'node:child_process';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startRegistry, type TestRegistry } from '../testkit/registry.js';
import { machineLine, markdownTable, runTool, seedBench, type Seeded, type ToolRun } from './images.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const IMAGES = argument('images', 1000);
const CONCURRENCY = argument('concurrency', 20);
const HANGAR_SAMPLE = Math.min(IMAGES, argument('hangar-sample', 200));
/** hangar 1.6's way: skopeo inspect --raw of the source, the destination and each destination child. */
async function runHangarWay(
  work: string,
  upstream: TestRegistry,
  mirror: TestRegistry,
  seeded: Seeded[],
  prefix: string,
): Promise<number> {
  const script = join(work, 'hangar-way.sh');
  await writeFile(
    script,
    [
      '#!/bin/sh',
      '# $1: image index. Source, destination, then every child of the destination list, as hangar 1.6 does.',
      `src="docker://${upstream.host}/bench/image-$1:1.0"`,
      `dst="docker://${mirror.host}/${prefix}/image-$1:1.0"`,
      'skopeo inspect --raw --tls-verify=false "$src" >/dev/null || exit 0',
      'raw=$(skopeo inspect --raw --tls-verify=false "$dst") || exit 0',
      'case "$raw" in *\'"manifests"\'*) ;; *) exit 0 ;; esac',
      'for digest in $(printf "%s" "$raw" | grep -o \'"digest":"sha256:[a-f0-9]*"\' | cut -d\\" -f4); do',
      `  skopeo inspect --raw --tls-verify=false "docker://${mirror.host}/${prefix}/image-$1@$digest" >/dev/null || true`,
      'done',
      '',
    ].join('\n'),
  );
  const indexes = seeded
    .slice(0, HANGAR_SAMPLE)
    .map((_, index) => String(index))
    .join('\n');
  await writeFile(join(work, 'indexes.txt'), indexes + '\n');
  const started = process.hrtime.bigint();
  await run('sh', ['-c', `xargs -P ${CONCURRENCY} -n 1 sh ${script} < ${join(work, 'indexes.txt')}`], {
    env: { ...process.env, REGISTRY_AUTH_FILE: join(work, 'auth.json') },
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return HANGAR_SAMPLE / seconds;
}

/** The ceiling: one wrk per registry, half the connections each, HEADs of the tags only. */
async function runCeiling(
  work: string,
  upstream: TestRegistry,
  mirror: TestRegistry,
  prefix: string,
): Promise<number> {
  const sourcePaths = join(work, 'source-paths.txt');
  const destinationPaths = join(work, 'destination-paths.txt');
  await writeFile(
    sourcePaths,
    Array.from({ length: IMAGES }, (_, i) => `/v2/bench/image-${i}/manifests/1.0`).join('\n'),
  );
  await writeFile(
    destinationPaths,
    Array.from({ length: IMAGES }, (_, i) => `/v2/${prefix}/image-${i}/manifests/1.0`).join('\n'),
  );
  const half = Math.max(1, CONCURRENCY / 2);
  const wrk = (url: string, paths: string) =>
    run('wrk', ['-t', '1', '-c', String(half), '-d', '5s', '-s', join(root, 'bench', 'ceiling.lua'), url], {
      env: { ...process.env, CEILING_PATHS: paths },
    }).then(({ stdout }) => {
      const match = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
      if (!match) throw new Error(`wrk printed no rate: ${stdout}`);
      return Number(match[1]);
    });
  const [source, destination] = await Promise.all([
    wrk(upstream.url, sourcePaths),
    wrk(mirror.url, destinationPaths),
  ]);
  // Each image needs one HEAD on each side: the slower side sets the pace.
  return Math.min(source, destination);
}

function perImage(report: ToolRun['report'], host: string, field: 'manifestHeads' | 'manifestGets') {
  return (report.requests[host]?.[field] ?? 0) / report.totals.lines;
}

const upstream = await startRegistry('plain');
const mirror = await startRegistry('plain');
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-bench-'));
try {
  await writeFile(join(work, 'auth.json'), '{"auths":{}}');
  const { seeded, identicalList, rebuiltList } = await seedBench(upstream, mirror, IMAGES, work);

  const cacheDir = join(work, 'cache');
  const rows: string[][] = [];
  const results: Record<string, number> = {};
  for (const [style, file, prefix] of [
    ['digest-identical', identicalList, 'same'],
    ['rebuilt index', rebuiltList, 'rebuilt'],
  ] as const) {
    const tool = await runTool(work, file, upstream.host, mirror.host, CONCURRENCY, [
      '--tls-verify=false',
      '--cache-dir',
      cacheDir,
    ]);
    if (tool.report.totals.passed !== IMAGES)
      throw new Error(`${style}: only ${tool.report.totals.passed} of ${IMAGES} passed`);
    const warm = await runTool(work, file, upstream.host, mirror.host, CONCURRENCY, [
      '--tls-verify=false',
      '--cache-dir',
      cacheDir,
    ]);
    const hangar = await runHangarWay(work, upstream, mirror, seeded, prefix);
    const ceiling = await runCeiling(work, upstream, mirror, prefix);
    // Validation rate from the engine's own start and finish (list read to last verdict), comparable with the
    // steady-state rate of a load tool; the whole-process rate (Node start, module load, report) beside it.
    const engineSeconds = (Date.parse(tool.report.finishedAt) - Date.parse(tool.report.startedAt)) / 1000;
    const rate = IMAGES / engineSeconds;
    const processRate = IMAGES / tool.seconds;
    const sourceRequests =
      (tool.report.requests[upstream.host]?.manifestHeads ?? 0) +
      (tool.report.requests[upstream.host]?.manifestGets ?? 0);
    const allManifestRequests = Object.values(tool.report.requests).reduce(
      (sum, r) => sum + r.manifestHeads + r.manifestGets,
      0,
    );
    results[`${style} this/hangar`] = rate / hangar;
    results[`${style} this/ceiling`] = rate / ceiling;
    rows.push([
      style,
      rate.toFixed(0),
      processRate.toFixed(0),
      hangar.toFixed(1),
      ceiling.toFixed(0),
      (rate / hangar).toFixed(1),
      `${((rate / ceiling) * 100).toFixed(0)}%`,
      (allManifestRequests / IMAGES).toFixed(2),
      tool.report.perLine.requests.toFixed(2),
      (sourceRequests / IMAGES).toFixed(2),
      String(tool.report.requests[upstream.host]?.manifestGets ?? 0),
      String(warm.report.requests[upstream.host]?.manifestGets ?? 0),
      `${(tool.peakRss / 1024 / 1024).toFixed(0)} MB`,
    ]);
    console.log(
      `${style}: ${rate.toFixed(0)} images/s (hangar way ${hangar.toFixed(1)}, ceiling ${ceiling.toFixed(0)}); source HEADs/image ${perImage(tool.report, upstream.host, 'manifestHeads').toFixed(2)}`,
    );
  }

  const header = [
    'mirror',
    'this tool img/s',
    'whole process img/s',
    'hangar way img/s',
    'ceiling img/s',
    'this/hangar',
    'this/ceiling',
    'manifest req/img',
    'all req/img',
    'source req/img',
    'source GETs',
    'source GETs, warm cache',
    'peak RSS',
  ];
  const table = markdownTable(header, rows);
  const machine = machineLine();
  const text = [
    '',
    `Loopback run ${new Date().toISOString()} on ${machine}.`,
    `${IMAGES} images (60% multi-platform lists of 2–4 platforms, 40% single), concurrency ${CONCURRENCY}, local distribution registries over HTTP.`,
    "This tool's rate runs from reading the list to the last verdict (its report's startedAt and finishedAt); the whole-process rate adds Node's start and the report writing.",
    `The hangar way (skopeo inspect --raw of source, destination and each destination child, xargs -P ${CONCURRENCY}) is timed on the first ${HANGAR_SAMPLE} images; the ceiling is wrk firing only the two manifest requests per image, as GETs because wrk stalls on HEAD responses (${CONCURRENCY / 2} connections per registry, 5 s).`,
    '',
    table,
    '',
    'Run it with `npm run bench -- --images 1000` (options: --concurrency, --hangar-sample).',
    '',
  ].join('\n');
  console.log(`\n${table}`);
  await appendFile(join(root, 'bench', 'RESULTS.md'), text);
} finally {
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
