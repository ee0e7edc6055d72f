// What the benchmarks share: seeding N images into an upstream and a mirror registry (60% multi-platform lists
// of 2–4 platforms, 40% single; mirrored digest-identical under same/ and as rebuilt amd64+arm64 indexes under
// rebuilt/), the lists that read them, and running the committed CLI bundle with its peak memory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MediaType, type Descriptor, type Platform } from '../src/registry/manifest.js';
import type { TestRegistry } from '../testkit/registry.js';
import { digestOf, pushBlob, pushManifest, registryRequest } from '../testkit/seed.js';

const root = join(import.meta.dirname, '..');

const PLATFORMS: Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64' },
  { os: 'linux', architecture: 'arm', variant: 'v7' },
  { os: 'linux', architecture: 's390x' },
];

export async function pool<T>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<void>,
) {
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

export interface Seeded {
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
export function trackPeakRss(pid: number): () => number {
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

export interface ToolRun {
  seconds: number;
  peakRss: number;
  exitCode: number | null;
  report: {
    startedAt: string;
    finishedAt: string;
    totals: { lines: number; passed: number; failed: number };
    results: { status: string; reason?: string }[];
    requests: Record<
      string,
      { byMethod: Record<string, number>; manifestHeads: number; manifestGets: number; tokenRequests: number }
    >;
    /** The report's own per-line counts (every request, and token requests). */
    perLine: { requests: number; tokenRequests: number };
  };
}

/** How busy the machine's CPUs were between the call and the returned function's call (0 to 1, /proc/stat). */
export async function machineBusy(): Promise<() => Promise<number>> {
  const sample = async () => {
    const fields = ((await readFile('/proc/stat', 'utf8')).split('\n')[0] as string)
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { idle, total: fields.reduce((a, b) => a + b, 0) };
  };
  const before = await sample();
  return async () => {
    const after = await sample();
    const total = after.total - before.total;
    return total > 0 ? 1 - (after.idle - before.idle) / total : 0;
  };
}

/** Runs the committed CLI bundle over a list, at `jobs`, and reads its JSON report. */
export async function runTool(
  work: string,
  list: string,
  source: string,
  destination: string,
  jobs: number,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ToolRun> {
  const report = join(work, `report-${Date.now()}.json`);
  const started = process.hrtime.bigint();
  // The runtime the benchmark runs on (machineLine names it): `PATH=.node24/…/bin:$PATH npm run bench:wan`.
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist', 'cli', 'index.js'),
      '-f',
      list,
      '-s',
      source,
      '-d',
      destination,
      '-j',
      String(jobs),
      '-o',
      join(work, 'failed.txt'),
      '--report',
      report,
      ...extra,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env },
  );
  const peak = trackPeakRss(child.pid!);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    seconds,
    exitCode,
    peakRss: peak(),
    report: JSON.parse(await readFile(report, 'utf8')) as ToolRun['report'],
  };
}

/** Seeds `images` images and writes the two lists: identical.txt (same/) and rebuilt.txt (rebuilt/). */
export async function seedBench(
  upstream: TestRegistry,
  mirror: TestRegistry,
  images: number,
  work: string,
): Promise<{ seeded: Seeded[]; identicalList: string; rebuiltList: string }> {
  console.log(`seeding ${images} images …`);
  const started = Date.now();
  const layers = Array.from({ length: 16 }, () => gzipSync(randomBytes(2048)));
  const pooled = new Set<string>();
  const seeded: Seeded[] = new Array(images);
  await pool(
    Array.from({ length: images }, (_, i) => i),
    8,
    async (index) => {
      seeded[index] = await seedImage(upstream, mirror, index, layers, pooled);
    },
  );
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const list = (prefix: string) =>
    seeded.map((_, i) => `bench/image-${i} ${prefix}/image-${i} 1.0`).join('\n') + '\n';
  const identicalList = join(work, 'identical.txt');
  const rebuiltList = join(work, 'rebuilt.txt');
  await writeFile(identicalList, list('same'));
  await writeFile(rebuiltList, list('rebuilt'));
  return { seeded, identicalList, rebuiltList };
}

/** A results table as markdown. */
export const markdownTable = (header: string[], rows: string[][]) =>
  [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');

/** The machine a result was measured on. */
export const machineLine = () =>
  `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
