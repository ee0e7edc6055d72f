// Inside the air gap: real archives made by skopeo from the test registry (oci:, oci-archive:, docker-archive:,
// skopeo sync --dest dir), and hangar, Zarf and hauler archives built from their tools' documented formats,
// loaded into the destination the way users load them, then validated with the source registry stopped. Every
// line passes; then each kind of damage gives its own reason.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_VALIDATE_OPTIONS, type RunSettings } from '../../src/config/settings.js';
import { runEngine } from '../../src/engine/engine.js';
import { buildJsonReport } from '../../src/report/json-report.js';
import { schemaErrors } from '../../testkit/report-schema.js';
import type { LineResult } from '../../src/engine/validate/result.js';
import { zarfLoadedAs } from '../../src/archive/kinds.js';
import { parseReference, formatReference } from '../../src/registry/reference.js';
import { folderMembers, put, sha256Hex, writeTar, writeZip } from '../../testkit/archives.js';
import { mirrorRebuilt, skopeo } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { nodeRuntimes } from '../../testkit/node.js';
import { runNode } from '../../testkit/process.js';
import {
  deleteBlob,
  getManifestBytes,
  linux,
  pushImage,
  pushManifest,
  pushMultiPlatform,
} from '../../testkit/seed.js';

const run = promisify(execFile);

let upstream: TestRegistry;
let destination: TestRegistry;
let dir: string;
const archives: Record<string, string> = {};

const copy = (from: string, to: string, ...flags: string[]) =>
  skopeo([
    'copy',
    '--retry-times=0',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--src-no-creds',
    ...flags,
    from,
    to,
  ]);

beforeAll(async () => {
  [upstream, destination] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-archives-'));
  await pushMultiPlatform(upstream, 'app/web', '1.0', [linux('amd64'), linux('arm64')]);
  await pushImage(upstream, 'app/tool', '1.0', { platform: linux('amd64') });
  await pushImage(upstream, 'app/never', '1.0', { platform: linux('amd64') });
  const web = `${upstream.host}/app/web:1.0`;
  const tool = `${upstream.host}/app/tool:1.0`;
  // An OCI layout of two images (ref.name: the full reference after oci:PATH:), and an oci-archive of one.
  archives.layout = join(dir, 'layout');
  await copy(`docker://${web}`, `oci:${archives.layout}:${web}`, '--all');
  await copy(`docker://${tool}`, `oci:${archives.layout}:${tool}`, '--all');
  await copy(
    `docker://${upstream.host}/app/never:1.0`,
    `oci:${archives.layout}:${upstream.host}/app/never:1.0`,
  );
  archives.ociArchive = join(dir, 'web.oci.tar');
  await copy(`docker://${web}`, `oci-archive:${archives.ociArchive}:${web}`, '--all');
  // docker-archive: the layers re-packed, only the config survives.
  archives.dockerArchive = join(dir, 'tool.docker.tar');
  await copy(`docker://${tool}`, `docker-archive:${archives.dockerArchive}:${tool}`);
  // skopeo dir: one image, the folder named as skopeo sync names them.
  archives.dir = join(dir, 'tool:1.0');
  await copy(`docker://${tool}`, `dir:${archives.dir}`);
  // skopeo sync --dest dir: a folder per image, named name:tag.
  archives.syncDir = join(dir, 'sync');
  await skopeo([
    'sync',
    '--retry-times=0',
    '--src-tls-verify=false',
    '--src-no-creds',
    '--all',
    '--src',
    'docker',
    '--dest',
    'dir',
    `${upstream.host}/app/web`,
    archives.syncDir,
  ]);

  // Loaded the way users load them: skopeo copy from the archive (digests kept), and from the docker-archive
  // (re-packed), skopeo sync from the dir tree.
  await copy(
    `oci:${archives.layout}:${web}`,
    `docker://${destination.host}/app/web:1.0`,
    '--all',
    '--preserve-digests',
  );
  await copy(
    `oci:${archives.layout}:${tool}`,
    `docker://${destination.host}/app/tool:1.0`,
    '--all',
    '--preserve-digests',
  );
  await skopeo([
    'sync',
    '--retry-times=0',
    '--dest-tls-verify=false',
    '--all',
    '--src',
    'dir',
    '--dest',
    'docker',
    join(archives.syncDir, 'web:1.0'),
    destination.host,
  ]);
  await copy(`docker-archive:${archives.dockerArchive}`, `docker://${destination.host}/docker/tool:1.0`);
  await copy(`dir:${archives.dir}`, `docker://${destination.host}/tool:1.0`, '--preserve-digests');
}, 120_000);
afterAll(async () => {
  await Promise.all([upstream?.stop(), destination?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function validate(archive: string, extra: Partial<RunSettings> & { list?: string } = {}) {
  const { list, ...settings } = extra;
  const listFile = list ? join(dir, `list-${Math.random()}.txt`) : archive;
  if (list) await writeFile(listFile, list);
  const logs: string[] = [];
  return runEngine(
    {
      listFile,
      sourceArchive: { path: archive, name: archive, asList: !list },
      destination: destination.host,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 4,
      tls: { verify: false, insecureRegistries: [] },
      imageTimeoutMs: 20_000,
      env: { HOME: dir },
      ...settings,
    },
    { log: (line) => logs.push(line) },
    async (report) => ({
      results: report.results.toArray(),
      requests: report.requests,
      logs,
      json: buildJsonReport(report),
    }),
  );
}

const outcome = (result: LineResult) =>
  `${result.destination} ${result.status} ${result.status === 'passed' ? result.rule : result.reason}`;

describe('archives made by skopeo, the source registry stopped', () => {
  beforeAll(async () => {
    await upstream.stop();
  });

  test('an OCI layout folder: every image a line, at its path on the destination; the unloaded one is missing', async () => {
    const run = await validate(archives.layout as string);
    expect(run.results.map(outcome)).toEqual([
      `${destination.host}/app/web:1.0 passed identical`,
      `${destination.host}/app/tool:1.0 passed identical`,
      `${destination.host}/app/never:1.0 failed destination-missing`,
    ]);
    // No request reached the stopped source.
    expect(Object.keys(run.requests)).toEqual([destination.host]);
    // The report says what was read, and holds to its schema.
    expect(run.json.archive).toMatchObject({
      kind: 'OCI layout',
      packing: 'folder',
      bytesRead: expect.any(Number),
    });
    expect(run.json.archive!.bytesRead).toBeGreaterThan(0);
    expect(schemaErrors(run.json)).toEqual([]);
    expect(run.logs).toContainEqual(expect.stringMatching(/a OCI layout \(folder\) of 3 images/));
  });

  test('an oci-archive tar, and a list naming a line the archive lacks', async () => {
    const run = await validate(archives.ociArchive as string, {
      list: `${upstream.host}/app/web:1.0\n${upstream.host}/app/tool:1.0\n`,
    });
    expect(run.results.map(outcome)).toEqual([
      `${destination.host}/app/web:1.0 passed identical`,
      `${destination.host}/app/tool:1.0 failed not-in-archive`,
    ]);
  });

  test('a docker-archive: the same image config, said so', async () => {
    const run = await validate(archives.dockerArchive as string, {
      list: `${upstream.host}/app/tool docker/tool 1.0\n`,
    });
    expect(run.results.map(outcome)).toEqual([`${destination.host}/docker/tool:1.0 passed config`]);
    expect(run.results[0]?.detail).toMatch(
      /^same image config for linux\/amd64; the manifest cannot be compared \(the archive re-packed the layers\)$/,
    );
  });

  test('a skopeo dir: folder, named name:tag: its manifest compared', async () => {
    const run = await validate(archives.dir as string);
    expect(run.results.map(outcome)).toEqual([`${destination.host}/tool:1.0 passed identical`]);
  });

  test('a skopeo sync --dest dir tree: the folder name:tag is the image', async () => {
    const run = await validate(archives.syncDir as string);
    expect(run.results.map(outcome)).toEqual([`${destination.host}/web:1.0 passed identical`]);
  });

  test('damage, each with its own reason: a platform gone, a layer gone (deep), another config, a manifest blob missing from the archive', async () => {
    const broken = join(dir, 'broken');
    await cp(archives.layout as string, broken, { recursive: true });
    // The arm64 manifest of web removed from the archive: the archive is incomplete, whatever the mirror holds.
    const index = JSON.parse(await readFile(join(broken, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const webIndex = JSON.parse(
      await readFile(
        join(broken, 'blobs', 'sha256', (index.manifests[0]?.digest as string).slice(7)),
        'utf8',
      ),
    ) as { manifests: { digest: string; platform: { architecture: string } }[] };
    const arm = webIndex.manifests.find((entry) => entry.platform.architecture === 'arm64')?.digest as string;
    await rm(join(broken, 'blobs', 'sha256', arm.slice(7)));
    const incomplete = await validate(broken);
    expect(incomplete.results.map(outcome)[0]).toBe(
      `${destination.host}/app/web:1.0 failed archive-incomplete`,
    );
    expect(incomplete.results[0]?.detail).toContain(`the archive lacks the linux/arm64 manifest ${arm}`);

    // A layer of tool deleted at the destination: deep says blob-missing.
    const toolManifest = JSON.parse(
      (await getManifestBytes(destination, 'app/tool', '1.0')).bytes.toString(),
    ) as { layers: { digest: string }[] };
    await deleteBlob(destination, 'app/tool', toolManifest.layers[0]?.digest as string);
    const deep = await validate(archives.layout as string, {
      options: { ...DEFAULT_VALIDATE_OPTIONS, deep: true },
    });
    expect(deep.results.map(outcome)[1]).toBe(`${destination.host}/app/tool:1.0 failed blob-missing`);

    // Another image under the docker-archive's name: its config differs.
    await pushImage(destination, 'docker/tool', '1.0', { platform: linux('amd64'), layers: 2 });
    const other = await validate(archives.dockerArchive as string, {
      list: `${upstream.host}/app/tool docker/tool 1.0\n`,
    });
    expect(other.results.map(outcome)).toEqual([
      `${destination.host}/docker/tool:1.0 failed platform-mismatch`,
    ]);

    // A platform deleted at the destination: web's index put back with amd64 only.
    const { bytes, mediaType } = await getManifestBytes(destination, 'app/web', '1.0');
    const full = JSON.parse(bytes.toString()) as { manifests: { platform: { architecture: string } }[] };
    full.manifests = full.manifests.filter((entry) => entry.platform.architecture === 'amd64');
    await pushManifest(destination, 'app/web', '1.0', Buffer.from(JSON.stringify(full)), mediaType);
    const platform = await validate(archives.layout as string);
    expect(platform.results.map(outcome)[0]).toBe(`${destination.host}/app/web:1.0 failed platform-missing`);
  });
});

describe('archives in the tools own formats', () => {
  test('a hangar zip (ZIP64 records): platform manifests only, loaded as a rebuilt index; a platform removed fails', async () => {
    const restarted = await startRegistry('plain');
    try {
      await pushMultiPlatform(restarted, 'library/nginx', '1.27', [linux('amd64'), linux('arm64')]);
      const { bytes } = await getManifestBytes(restarted, 'library/nginx', '1.27');
      const index = JSON.parse(bytes.toString()) as {
        manifests: { digest: string; mediaType: string; platform: { os: string; architecture: string } }[];
      };
      // The archive as hangar writes it (pkg/hangar/archive/index.go, writer.go:152-163): per platform an OCI
      // layout in <hex>/, blobs once in share/sha256/, index.json last.
      const entries: { name: string; data: Buffer }[] = [];
      const images = [];
      const blobs = new Map<string, Buffer>();
      for (const child of index.manifests) {
        const manifestBytes = (await getManifestBytes(restarted, 'library/nginx', child.digest)).bytes;
        const manifest = JSON.parse(manifestBytes.toString()) as {
          config: { digest: string };
          layers: { digest: string }[];
        };
        const hex = child.digest.slice(7);
        blobs.set(hex, manifestBytes);
        for (const blob of [manifest.config, ...manifest.layers]) {
          const response = await fetch(`${restarted.url}/v2/library/nginx/blobs/${blob.digest}`);
          blobs.set(blob.digest.slice(7), Buffer.from(await response.arrayBuffer()));
        }
        entries.push({ name: `${hex}/oci-layout`, data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') });
        entries.push({
          name: `${hex}/index.json`,
          data: Buffer.from(
            JSON.stringify({
              schemaVersion: 2,
              manifests: [{ mediaType: child.mediaType, digest: child.digest, size: manifestBytes.length }],
            }),
          ),
        });
        images.push({
          arch: child.platform.architecture,
          os: child.platform.os,
          mediaType: child.mediaType,
          layers: manifest.layers.map((layer) => layer.digest),
          config: manifest.config.digest,
          digest: child.digest,
        });
      }
      for (const [hex, data] of blobs) entries.push({ name: `share/sha256/${hex}`, data });
      entries.push({
        name: 'index.json',
        data: Buffer.from(
          JSON.stringify({
            list: [
              {
                source: `docker.io/library/nginx`,
                tag: '1.27',
                archList: ['amd64', 'arm64'],
                osList: ['linux'],
                images,
              },
            ],
            version: 'v1.2.0',
            time: '2026-12-07T00:00:00Z',
          }),
        ),
      });
      const zip = join(dir, 'saved-images.zip');
      await writeZip(zip, entries, true);
      // hangar load: each platform pushed, then a new index (loader.go:446-511): a rebuilt index.
      await mirrorRebuilt(restarted, 'library/nginx:1.27', destination, 'library/nginx:1.27');
      await restarted.stop();
      const run = await validate(zip);
      expect(run.results.map(outcome)).toEqual([`${destination.host}/library/nginx:1.27 passed platforms`]);
      expect(run.results[0]?.detail).toMatch(
        /the archive holds the platform manifests, not the upstream index$/,
      );
      // Only the central directory and the JSON entries were read: a small part of the zip.
      const amd = index.manifests.find((child) => child.platform.architecture === 'amd64') as {
        digest: string;
        mediaType: string;
      };
      const only = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.index.v1+json',
          manifests: [
            {
              mediaType: amd.mediaType,
              digest: amd.digest,
              size: (blobs.get(amd.digest.slice(7)) as Buffer).length,
              platform: { architecture: 'amd64', os: 'linux' },
            },
          ],
        }),
      );
      const put_ = await fetch(`${destination.url}/v2/library/nginx/manifests/1.27`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
        body: only,
      });
      expect(put_.status).toBe(201);
      const removed = await validate(zip);
      expect(removed.results.map(outcome)).toEqual([
        `${destination.host}/library/nginx:1.27 failed platform-missing`,
      ]);
    } finally {
      await restarted.stop();
    }
  });

  test('a hangar <= 1.6 saved-images.tar.gz: layers re-packed by the save, the image config compared', async () => {
    const restarted = await startRegistry('plain');
    try {
      await pushMultiPlatform(restarted, 'library/redis', '7.4', [linux('amd64'), linux('arm64')]);
      const index = JSON.parse(
        (await getManifestBytes(restarted, 'library/redis', '7.4')).bytes.toString(),
      ) as {
        manifests: { digest: string; platform: { os: string; architecture: string } }[];
      };
      // As hangar 1.6 saves (pkg/mirror/image/save.go:46-55): each platform copied by skopeo into its own OCI
      // layout, layers re-compressed (gzip level 9), blobs in the shared share/ folder; then
      // saved-images-list.json (pkg/mirror/template.go:23-43) and the folder tarred as saved-image-cache/.
      const cache = join(dir, 'saved-image-cache');
      await mkdir(join(cache, 'share'), { recursive: true });
      const images = [];
      for (const [at, child] of index.manifests.entries()) {
        const folder = `folder${at}`;
        await copy(
          `docker://${restarted.host}/library/redis@${child.digest}`,
          `oci:${join(cache, folder)}`,
          '--dest-compress-format=gzip',
          '--dest-compress-level=9',
          `--dest-shared-blob-dir=${join(cache, 'share')}`,
        );
        images.push({
          Digest: child.digest,
          Arch: child.platform.architecture,
          OS: child.platform.os,
          Folder: folder,
        });
        // hangar 1.6 load: each platform pushed from its layout (the re-packed manifest), then an index of them.
        await copy(
          `oci:${join(cache, folder)}`,
          `docker://${destination.host}/library/redis:7.4-${child.platform.architecture}`,
          `--src-shared-blob-dir=${join(cache, 'share')}`,
        );
      }
      await put(
        join(cache, 'saved-images-list.json'),
        JSON.stringify({
          List: [
            {
              Source: 'docker.io/library/redis',
              Tag: '7.4',
              ArchList: ['amd64', 'arm64'],
              OsList: ['linux'],
              Images: images,
            },
          ],
          Version: 'v1.1.0',
          SavedTime: '2026-12-07',
        }),
      );
      const loaded = [];
      for (const image of images) {
        const { bytes, mediaType } = await getManifestBytes(
          destination,
          'library/redis',
          `7.4-${image.Arch}`,
        );
        loaded.push({
          mediaType,
          digest: `sha256:${sha256Hex(bytes)}`,
          size: bytes.length,
          platform: { os: image.OS, architecture: image.Arch },
        });
      }
      const indexType = 'application/vnd.oci.image.index.v1+json';
      await pushManifest(
        destination,
        'library/redis',
        '7.4',
        Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: indexType, manifests: loaded })),
        indexType,
      );
      const tarPath = join(dir, 'saved-images.tar');
      await writeTar(tarPath, await folderMembers(cache, 'saved-image-cache/'));
      await run('gzip', ['-f', tarPath]);
      await restarted.stop();
      const saved = await validate(`${tarPath}.gz`);
      expect(saved.results.map(outcome)).toEqual([`${destination.host}/library/redis:7.4 passed config`]);
      expect(saved.results[0]?.detail).toMatch(/^same image config for linux\/amd64, linux\/arm64;/);
      expect(saved.logs).toContainEqual(
        expect.stringMatching(/a hangar <= 1\.6 archive \(tar\+gzip\) of 1 image/),
      );
    } finally {
      await restarted.stop();
    }
  });

  test("a Zarf package (tar.zst) at Zarf's checksum tag, and a hauler store (tar.zst) at its path", async () => {
    const restarted = await startRegistry('plain');
    try {
      await pushImage(restarted, 'team/app', '2.0', { platform: linux('amd64') });
      const name = `${restarted.host}/team/app:2.0`;
      // Zarf: zarf.yaml and images/, an OCI layout whose ref.name and base.name are the full reference
      // (src/pkg/images/common.go:121-128).
      const zarfRoot = join(dir, 'zarf-root');
      await mkdir(zarfRoot, { recursive: true });
      await copy(`docker://${name}`, `oci:${join(zarfRoot, 'images')}:${name}`);
      const layoutIndex = JSON.parse(await readFile(join(zarfRoot, 'images', 'index.json'), 'utf8')) as {
        manifests: { annotations: Record<string, string> }[];
      };
      for (const entry of layoutIndex.manifests)
        entry.annotations['org.opencontainers.image.base.name'] = name;
      await writeFile(join(zarfRoot, 'images', 'index.json'), JSON.stringify(layoutIndex));
      await put(
        join(zarfRoot, 'zarf.yaml'),
        `kind: ZarfPackageConfig\nmetadata:\n  name: app\ncomponents:\n  - name: app\n    images:\n      - ${name}\n`,
      );
      const zarfTar = join(dir, 'zarf-package-app-amd64-1.0.0.tar');
      await writeTar(zarfTar, await folderMembers(zarfRoot));
      await run('zstd', ['-q', '-f', '--rm', zarfTar, '-o', `${zarfTar}.zst`]);
      const zarfName = formatReference(zarfLoadedAs(parseReference(name), destination.host));
      expect(zarfName).toMatch(new RegExp(`^${destination.host}/team/app:2\\.0-zarf-\\d+$`));
      await copy(`oci:${join(zarfRoot, 'images')}:${name}`, `docker://${zarfName}`, '--preserve-digests');

      // hauler: the store's index.json names the image in io.containerd.image.name, kind dev.hauler/image
      // (pkg/store/store.go:439-478); no oci-layout file; a signature entry beside it.
      const store = join(dir, 'store');
      await cp(join(zarfRoot, 'images'), store, { recursive: true });
      await rm(join(store, 'oci-layout'));
      const storeIndex = JSON.parse(await readFile(join(store, 'index.json'), 'utf8')) as {
        manifests: Record<string, unknown>[];
      };
      const image = storeIndex.manifests[0] as Record<string, unknown>;
      storeIndex.manifests = [
        {
          ...image,
          annotations: {
            kind: 'dev.hauler/image',
            'org.opencontainers.image.ref.name': 'team/app:2.0',
            'io.containerd.image.name': name,
          },
        },
        {
          ...image,
          annotations: { kind: 'dev.hauler/sigs', 'org.opencontainers.image.ref.name': 'team/app:2.0' },
        },
      ];
      await writeFile(join(store, 'index.json'), JSON.stringify(storeIndex));
      const haul = join(dir, 'haul.tar');
      await writeTar(haul, await folderMembers(store));
      await run('zstd', ['-q', '-f', '--rm', haul, '-o', `${haul}.zst`]);
      await copy(
        `oci:${join(zarfRoot, 'images')}:${name}`,
        `docker://${destination.host}/team/app:2.0`,
        '--preserve-digests',
      );
      await restarted.stop();

      const zarf = await validate(`${zarfTar}.zst`);
      expect(zarf.results.map(outcome)).toEqual([`${zarfName} passed identical`]);
      const hauled = await validate(`${haul}.zst`);
      expect(hauled.results.map(outcome)).toEqual([`${destination.host}/team/app:2.0 passed identical`]);
      expect(hauled.logs).toContainEqual(
        expect.stringMatching(/1 signature, attestation or SBOM entries of the store are not images/),
      );
      // The command-line bundle on Node 20 (zstd by fzstd) and Node 24 (zstd by Node's zlib) reads it alike.
      for (const runtime of nodeRuntimes()) {
        const cli = await runNode(
          [
            join(import.meta.dirname, '..', '..', 'dist', 'cli', 'index.js'),
            '--source-archive',
            `${haul}.zst`,
            '-d',
            destination.host,
            '--tls-verify=false',
            '-o',
            join(dir, 'cli-failed.txt'),
          ],
          { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir }, node: runtime.path },
        );
        expect(cli.stdout + cli.stderr, runtime.name).toMatch(/a hauler store \(tar\+zstd\) of 1 image/);
        expect(cli.code, runtime.name).toBe(0);
      }
    } finally {
      await restarted.stop();
    }
  });
});
