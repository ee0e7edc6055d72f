// Hostile and broken archives: each ends with a clear error naming the archive and the member (or an
// archive-incomplete line), never a hang, a crash, or a file written anywhere: nothing is ever extracted.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decompressedChunks } from '../../src/archive/decompress.js';
import { readArchiveContents } from '../../src/archive/kinds.js';
import { MEMBER_MAX_BYTES } from '../../src/archive/members.js';
import { openArchive } from '../../src/archive/open.js';
import { readTarStream } from '../../src/archive/tar.js';
import { put, writeTar, writeZip, type TarMember } from '../../testkit/archives.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-hostile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A small OCI layout's members: one image whose manifest and config are JSON blobs. */
function layout(): TarMember[] {
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const digest = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: digest(config),
        size: config.length,
      },
      layers: [],
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: digest(manifest),
          size: manifest.length,
          annotations: { 'io.containerd.image.name': 'registry.example/app:1' },
        },
      ],
    }),
  );
  return [
    { name: 'oci-layout', data: Buffer.from('{"imageLayoutVersion":"1.0.0"}') },
    { name: 'index.json', data: index },
    { name: `blobs/sha256/${digest(manifest).slice(7)}`, data: manifest },
    { name: `blobs/sha256/${digest(config).slice(7)}`, data: config },
  ];
}

const tar = async (name: string, members: TarMember[]) => {
  const path = join(dir, name);
  await writeTar(path, members);
  return path;
};

const contentsOf = async (path: string) => {
  const members = await openArchive(path, name(path));
  try {
    return { contents: await readArchiveContents(members), bytesRead: members.bytesRead };
  } finally {
    await members.close();
  }
};
const name = (path: string) => path.split('/').pop() as string;

describe('hostile archives', () => {
  test('a member named ../../etc/passwd, in a tar and in a zip: refused, naming it; nothing written', async () => {
    const climbing = await tar('climb.tar', [
      ...layout(),
      { name: '../../etc/passwd', data: Buffer.from('root:x:0:0') },
    ]);
    await expect(contentsOf(climbing)).rejects.toThrow(
      'climb.tar: member "../../etc/passwd" climbs out of the archive: refused',
    );
    const zip = join(dir, 'climb.zip');
    await writeZip(zip, [{ name: '../evil.sh', data: Buffer.from('#!/bin/sh') }]);
    await expect(contentsOf(zip)).rejects.toThrow(
      'climb.zip: member "../evil.sh" climbs out of the archive: refused',
    );
    expect(await readdir(join(dir, '..'))).not.toContain('evil.sh');
  });

  test('a symbolic link where the index is: never followed, refused naming the member and its target', async () => {
    const linked = await tar('link.tar', [
      { name: 'oci-layout', data: Buffer.from('{}') },
      { name: 'index.json', type: '2', linkName: '/etc/passwd' },
      { name: 'blobs/sha256/x', data: Buffer.from('{}') },
    ]);
    await expect(contentsOf(linked)).rejects.toThrow(
      'link.tar: member "index.json" is a link (to "/etc/passwd"): refused',
    );
  });

  test('a 10 GB sparse member is walked past, not read: the layout after it is found reading a few kilobytes', async () => {
    const sparse = await tar('sparse.tar', [{ name: 'big.bin', sparseSize: 10 * 1024 ** 3 }, ...layout()]);
    const { contents, bytesRead } = await contentsOf(sparse);
    expect(contents.images.map((image) => image.where)).toEqual(['index.json manifests[0]']);
    expect(bytesRead).toBeLessThan(16 * 1024);
  });

  test('a member whose size only a pax header gives is skipped by that size, read and streamed alike', async () => {
    const members: TarMember[] = [
      { name: 'big.bin', data: Buffer.alloc(70_000, 7), paxSize: true },
      ...layout(),
    ];
    const path = await tar('pax-size.tar', members);
    expect((await contentsOf(path)).contents.images.map((image) => image.where)).toEqual([
      'index.json manifests[0]',
    ]);
    await writeFile(`${path}.gz`, zlib.gzipSync(await readFile(path)));
    expect((await contentsOf(`${path}.gz`)).contents.images.map((image) => image.where)).toEqual([
      'index.json manifests[0]',
    ]);
  });

  test('hostile pax records: a negative record length is not followed, a pax size that is no length is refused', async () => {
    // "-3 x3 \n": a record claiming -3 bytes, which would walk back forever; the records are ignored instead.
    const looping = await tar('pax-loop.tar', [
      { name: 'PaxHeader', type: 'x', data: Buffer.from('-3 x3 \n') },
      ...layout(),
    ]);
    expect((await contentsOf(looping)).contents.images).toHaveLength(1);
    const negative = await tar('pax-negative.tar', [
      { name: 'PaxHeader', type: 'x', data: Buffer.from('14 size=-1536\n') },
      ...layout(),
    ]);
    await expect(contentsOf(negative)).rejects.toThrow(
      'pax-negative.tar: member "oci-layout" has a pax size "-1536": refused',
    );
  });

  test("a GNU tar's times where ustar keeps a name prefix are not read as one", async () => {
    const path = await tar('gnu.tar', layout());
    const bytes = await readFile(path);
    // Every header turned GNU ("ustar  \0"), with an access time where POSIX has the prefix, checksums redone.
    for (let at = 0; at + 512 <= bytes.length; at += 512) {
      if (bytes.subarray(at + 257, at + 263).toString('latin1') !== 'ustar\0') continue;
      bytes.write('ustar  \0', at + 257, 'latin1');
      bytes.write('14757017453', at + 345, 'latin1');
      bytes.fill(32, at + 148, at + 156);
      let sum = 0;
      for (let index = 0; index < 512; index += 1) sum += bytes[at + index] as number;
      bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 'latin1');
    }
    await writeFile(path, bytes);
    expect((await contentsOf(path)).contents.images.map((image) => image.where)).toEqual([
      'index.json manifests[0]',
    ]);
  });

  test('a zip is read by its central directory and the JSON it needs: under 1% of a 32 MiB archive (README)', async () => {
    const zip = join(dir, 'in-place.zip');
    await writeZip(
      zip,
      [
        { name: `share/sha256/${'0'.repeat(64)}`, data: Buffer.alloc(32 * 1024 * 1024, 1) },
        { name: 'index.json', data: Buffer.from('{"list":[],"version":"v1.2.0"}') },
      ],
      true,
    );
    const { contents, bytesRead } = await contentsOf(zip);
    expect(contents.kind).toBe('hangar zip');
    expect(bytesRead).toBeGreaterThan(0);
    expect(bytesRead).toBeLessThan((await stat(zip)).size / 100);
  });

  test('one part of a split archive says to join the parts', async () => {
    const whole = await tar('split.tar', [
      { name: 'big.bin', data: Buffer.alloc(64 * 1024, 1) },
      ...layout(),
    ]);
    const part = join(dir, 'haul.tar.001');
    await writeFile(part, (await readFile(whole)).subarray(0, 20_000));
    await expect(contentsOf(part)).rejects.toThrow(
      /haul\.tar\.001: member "big\.bin" runs past the end of the file: truncated \(it looks like one part of a split archive: join the parts first, e\.g\. cat haul\.tar\.\* > haul\.tar\)/,
    );
  });

  test('a truncated tar: an error naming the archive and the member it ends inside', async () => {
    const whole = await tar('whole.tar', [
      { name: 'big.bin', data: Buffer.alloc(64 * 1024, 1) },
      ...layout(),
    ]);
    const cut = join(dir, 'cut.tar');
    await writeFile(cut, (await readFile(whole)).subarray(0, 512 + 10_000));
    await expect(contentsOf(cut)).rejects.toThrow(
      'cut.tar: member "big.bin" runs past the end of the file: truncated',
    );
    // The same, streamed (a .tar.gz): the stream ends inside the member.
    await writeFile(`${cut}.gz`, zlib.gzipSync((await readFile(whole)).subarray(0, 512 + 10_000)));
    await expect(contentsOf(`${cut}.gz`)).rejects.toThrow(
      /cut\.tar\.gz: the tar\+gzip ends inside member "big\.bin" before the tar's end-of-archive blocks: truncated/,
    );
  });

  test('a gzip bomb is refused once it expands past the ratio, with its sizes, before it is read through', async () => {
    const bomb = join(dir, 'bomb.tar.gz');
    // 256 MiB of zeros: about 250 KB of gzip.
    await pipeline(
      Readable.from(
        (function* () {
          for (let at = 0; at < 256; at += 1) yield Buffer.alloc(1024 * 1024);
        })(),
      ),
      zlib.createGzip({ level: 1 }),
      createWriteStream(bomb),
    );
    const chunks = decompressedChunks(bomb, 'bomb.tar.gz', 'gzip', () => undefined, {
      ratio: 200,
      minBytes: 64 * 1024 * 1024,
    });
    await expect(readTarStream(chunks, 'bomb.tar.gz', 'tar+gzip')).rejects.toThrow(
      /^bomb\.tar\.gz: gzip expands more than 200 times \(\d+ bytes to over \d+\): a decompression bomb, refused$/,
    );
  });

  test(`a JSON member over ${MEMBER_MAX_BYTES} bytes is refused, naming it`, async () => {
    const members = layout();
    members[1] = {
      name: 'index.json',
      data: Buffer.concat([
        Buffer.from('{"manifests":[], "x":"'),
        Buffer.alloc(MEMBER_MAX_BYTES, 97),
        Buffer.from('"}'),
      ]),
    };
    const big = await tar('big-index.tar', members);
    await expect(contentsOf(big)).rejects.toThrow(
      /big-index\.tar: member index\.json is \d+ bytes, more than the 8388608 a JSON member may have: refused/,
    );
  });

  test('a file that is no archive, and a folder with no image layout, say what is read', async () => {
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'hello');
    await expect(contentsOf(text)).rejects.toThrow(
      'source-archive "notes.txt" is not an archive this check reads',
    );
    await put(join(dir, 'empty-folder', 'readme.md'), 'x');
    await expect(contentsOf(join(dir, 'empty-folder'))).rejects.toThrow(
      /empty-folder is no image archive this check reads/,
    );
  });
});
