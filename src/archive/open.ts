// An archive's members, however it is packed: told from its first bytes (a zip, a gzip or zstd stream, a tar),
// or a folder. Zip and uncompressed tar are read in place (their directory, then only the members asked for);
// gzip and zstd once, streamed.
import { open, readdir, readlink, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { decompressedChunks } from './decompress.js';
import { ArchiveError, membersOf, type ArchiveMembers } from './members.js';
import { keptMembers, openTarFile, readTarStream } from './tar.js';
import { openZipFile } from './zip.js';

async function openFolder(path: string, name: string): Promise<ArchiveMembers> {
  const sizes = new Map<string, number>();
  const links = new Map<string, string>();
  for (const entry of await readdir(path, { recursive: true, withFileTypes: true })) {
    const inside = relative(path, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (entry.isSymbolicLink()) links.set(inside, await readlink(join(path, inside)));
    else if (entry.isFile()) sizes.set(inside, (await stat(join(path, inside))).size);
  }
  let bytesRead = 0;
  return membersOf({
    name,
    packing: 'folder',
    files: sizes,
    links,
    bytesRead: () => bytesRead,
    async readFile(member, size) {
      const file = await open(join(path, ...member.split('/')), 'r');
      try {
        const buffer = Buffer.alloc(size);
        const { bytesRead: got } = await file.read(buffer, 0, size, 0);
        bytesRead += got;
        return buffer.subarray(0, got);
      } finally {
        await file.close();
      }
    },
    close: async () => undefined,
  });
}

/** How a file is packed, from its first bytes. */
async function packingOf(path: string): Promise<'zip' | 'gzip' | 'zstd' | 'tar' | undefined> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await file.read(head, 0, 512, 0);
    if (head.subarray(0, 2).toString('latin1') === 'PK' && [3, 5, 7].includes(head[2] as number))
      return 'zip';
    if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
    if (head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    if (bytesRead === 512 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await file.close();
  }
}

/** A part of a split archive (hangar `.partN`, Zarf `.partNNN`, hauler `.NNN`), which is not read on its own. */
const SPLIT_PART = /\.(part\d+|\d{3})$/;

export async function openArchive(path: string, name: string = path): Promise<ArchiveMembers> {
  try {
    return await openPacked(path, name);
  } catch (error) {
    if (error instanceof ArchiveError && SPLIT_PART.test(name))
      throw new ArchiveError(
        `${error.message} (it looks like one part of a split archive: join the parts first, e.g. cat ${name.replace(SPLIT_PART, '')}.* > ${name.replace(SPLIT_PART, '')})`,
      );
    throw error;
  }
}

async function openPacked(path: string, name: string): Promise<ArchiveMembers> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveError(
      `source-archive "${name}" ${error.code === 'ENOENT' ? 'does not exist' : `cannot be read: ${error.message}`}`,
    );
  });
  if (info.isDirectory()) return openFolder(path, name);
  const packing = await packingOf(path);
  switch (packing) {
    case 'zip':
      return openZipFile(path, name);
    case 'tar':
      return openTarFile(path, name);
    case 'gzip':
    case 'zstd': {
      let read = 0;
      const label = `tar+${packing}`;
      const members = await readTarStream(
        decompressedChunks(path, name, packing, (bytes) => (read += bytes)),
        name,
        label,
      );
      return keptMembers(name, label, members, () => read);
    }
    case undefined:
      throw new ArchiveError(
        `source-archive "${name}" is not an archive this check reads: a zip, a tar (plain, gzip or zstd) or a folder`,
      );
  }
}
