// Benchmark, run on demand (`npm run bench -- --images 1000`), never by the test command.
// Seeds N images into a local upstream registry (60% multi-platform lists of 2–4 platforms, 40% single),
// mirrors them digest-identical and as rebuilt indexes, then measures side by side, at one concurrency:
//   - this tool (the committed CLI bundle);
//   - the way hangar mirror-validate 1.6 does it: skopeo inspect --raw of source, destination and each
//     destination child, in parallel with xargs -P;
//   - the ceiling: the two manifest HEADs per image and nothing else, fired by wrk.
// Prints a table and writes bench/RESULTS.md with the date and the machine.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { MediaType, type Descriptor, type Platform } from '../src/registry/manifest.js';
import { startRegistry, type TestRegistry } from '../testkit/registry.js';
import { digestOf, pushBlob, pushManifest, registryRequest } from '../testkit/seed.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..');

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const IMAGES = argument('images', 1000);
const CONCURRENCY = argument('concurrency', 20);
const HANGAR_SAMPLE = Math.min(IMAGES, argument('hangar-sample', 200));
const PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 's390x' },
];

async function pool<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index] as T, index);
      }
    }),
  );
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Links a blob into a repository: mounted from the pool repository (same registry), uploaded once there. */
async function linkBlob(registry: TestRegistry, repository: string, bytes: Buffer, pooled: Set<string>) {
  const digest = digestOf(bytes);
  const key = `${registry.host} ${digest}`;
  if (!pooled.has(key)) {
    await pushBlob(registry, 'pool/blobs', bytes);
    pooled.add(key);
  }
  const mount = await registryRequest(
    registry,
    repository,
    'POST',
    `blobs/uploads/?mount=${digest}&from=pool/blobs`,
  );
  if (mount.status !== 201) await pushBlob(registry, repository, bytes);
}

interface Seeded {
  repository: string;
  multi: boolean;
  children: number;
}

/** One image: pushed upstream, digest-identical under same/, rebuilt (amd64+arm64 index) under rebuilt/. */
async function seedImage(
  upstream: TestRegistry,
  mirror: TestRegistry,
  index: number,
  layers: Buffer[],
  pooled: Set<string>,
): Promise<Seeded> {
  const repository = `bench/image-${index}`;
  const multi = index % 5 < 3;
  const platforms = multi ? PLATFORMS.slice(0, 2 + (index % 3)) : [PLATFORMS[index % 2] as Platform];
  const children: (Descriptor & { bytes: Buffer; config: Buffer; layer: Buffer })[] = [];
  for (const [position, platform] of platforms.entries()) {
    const layer = layers[(index + position) % layers.length] as Buffer;
    const config = json({
      ...platform,
      rootfs: { type: 'layers', diff_ids: [digestOf(layer)] },
      config: { Labels: { image: String(index) } },
    });
    const bytes = json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.ociConfig, digest: digestOf(config), size: config.length },
      layers: [
        {
          mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
          digest: digestOf(layer),
          size: layer.length,
        },
      ],
    });
    children.push({
      mediaType: MediaType.ociManifest,
      digest: digestOf(bytes),
      size: bytes.length,
      platform,
      bytes,
      config,
      layer,
    });
  }
  const targets: [TestRegistry, string][] = [
    [upstream, repository],
    [mirror, `same/image-${index}`],
    [mirror, `rebuilt/image-${index}`],
  ];
  for (const [registry, repo] of targets) {
    for (const child of children) {
      await linkBlob(registry, repo, child.layer, pooled);
      await pushBlob(registry, repo, child.config);
      await pushManifest(registry, repo, child.digest, child.bytes, MediaType.ociManifest);
    }
  }
  const manifests = children.map(({ mediaType, digest, size, platform }) => ({
    mediaType,
    digest,
    size,
    platform,
  }));
  if (multi) {
    const index_ = json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests });
    await pushManifest(upstream, repository, '1.0', index_, MediaType.ociIndex);
    await pushManifest(mirror, `same/image-${index}`, '1.0', index_, MediaType.ociIndex);
  } else {
    const only = children[0]!;
    await pushManifest(upstream, repository, '1.0', only.bytes, MediaType.ociManifest);
    await pushManifest(mirror, `same/image-${index}`, '1.0', only.bytes, MediaType.ociManifest);
  }
  const selected = manifests.filter((entry) => ['amd64', 'arm64'].includes(entry.platform!.architecture));
  const rebuilt = json({
    schemaVersion: 2,
    mediaType: MediaType.ociIndex,
    manifests: selected,
    annotations: { rebuilt: 'bench' },
  });
  await pushManifest(mirror, `rebuilt/image-${index}`, '1.0', rebuilt, MediaType.ociIndex);
  return { repository, multi, children: children.length };
}

/** Peak resident memory of a child process, read from /proc while it runs (VmHWM is the high-water mark). */
function trackPeakRss(pid: number): () => number {
  let peak = 0;
  const timer = setInterval(() => {
    readFile(`/proc/${pid}/status`, 'utf8')
      .then((status) => {
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        if (match) peak = Math.max(peak, Number(match[1]) * 1024);
      })
      .catch(() => undefined);
  }, 20);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

interface ToolRun {
  seconds: number;
  peakRss: number;
  report: {
    startedAt: string;
    finishedAt: string;
    totals: { lines: number; passed: number; failed: number };
    requests: Record<
      string,
      { byMethod: Record<string, number>; manifestHeads: number; manifestGets: number; tokenRequests: number }
    >;
  };
}

async function runTool(
  work: string,
  list: string,
  source: string,
  destination: string,
  extra: string[] = [],
): Promise<ToolRun> {
  const report = join(work, `report-${Date.now()}.json`);
  const started = process.hrtime.bigint();
  const child = spawn(
    'node',
    [
      join(root, 'dist', 'cli', 'index.js'),
      '-f',
      list,
      '-s',
      source,
      '-d',
      destination,
      '--tls-verify=false',
      '-j',
      String(CONCURRENCY),
      '-o',
      join(work, 'failed.txt'),
      '--report',
      report,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const peak = trackPeakRss(child.pid!);
  await new Promise((resolve) => child.on('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    seconds,
    peakRss: peak(),
    report: JSON.parse(await readFile(report, 'utf8')) as ToolRun['report'],
  };
}

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
  console.log(`seeding ${IMAGES} images …`);
  const seedStarted = Date.now();
  const layers = Array.from({ length: 16 }, () => gzipSync(randomBytes(2048)));
  const pooled = new Set<string>();
  const seeded: Seeded[] = new Array(IMAGES);
  await pool(
    Array.from({ length: IMAGES }, (_, i) => i),
    8,
    async (index) => {
      seeded[index] = await seedImage(upstream, mirror, index, layers, pooled);
    },
  );
  console.log(`seeded in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);
  const list = join(work, 'images.txt');
  await writeFile(
    list,
    seeded.map((_, i) => `bench/image-${i} IMAGE-PREFIX/image-${i} 1.0`).join('\n') + '\n',
  );
  const identicalList = join(work, 'identical.txt');
  const rebuiltList = join(work, 'rebuilt.txt');
  await writeFile(identicalList, (await readFile(list, 'utf8')).replaceAll('IMAGE-PREFIX', 'same'));
  await writeFile(rebuiltList, (await readFile(list, 'utf8')).replaceAll('IMAGE-PREFIX', 'rebuilt'));

  const cacheDir = join(work, 'cache');
  const rows: string[][] = [];
  const results: Record<string, number> = {};
  for (const [style, file, prefix] of [
    ['digest-identical', identicalList, 'same'],
    ['rebuilt index', rebuiltList, 'rebuilt'],
  ] as const) {
    const tool = await runTool(work, file, upstream.host, mirror.host, ['--cache-dir', cacheDir]);
    if (tool.report.totals.passed !== IMAGES)
      throw new Error(`${style}: only ${tool.report.totals.passed} of ${IMAGES} passed`);
    const warm = await runTool(work, file, upstream.host, mirror.host, ['--cache-dir', cacheDir]);
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
    const allRequests = Object.values(tool.report.requests).reduce(
      (sum, r) => sum + Object.values(r.byMethod).reduce((a, b) => a + b, 0),
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
      (allRequests / IMAGES).toFixed(2),
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
  const table = [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const text = [
    '# Benchmark results',
    '',
    `${new Date().toISOString()} on ${machine}.`,
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
  await writeFile(join(root, 'bench', 'RESULTS.md'), text);
} finally {
  await Promise.all([upstream.stop(), mirror.stop()]);
  await rm(work, { recursive: true, force: true });
}
