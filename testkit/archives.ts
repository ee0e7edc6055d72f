// Archives built the way the tools write them, for the archive tests: a tar writer (ustar, with pax `path` and
// `size` records when a name or size does not fit, as POSIX.1-2001 has them), a zip writer that stores entries
// and writes ZIP64 records (APPNOTE.TXT 4.3.14-4.3.15 and 4.5.3, as Go's archive/zip does past 4 GB or when told
// to), and folders copied from skopeo's layouts. Hostile archives are built here too.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { crc32 } from 'node:zlib';

export interface TarMember {
  name: string;
  data?: Buffer;
  /** A size written in the header without the data (a sparse member: the file is extended, not written). */
  sparseSize?: number;
  /** `x`: a pax extended header whose records are `data`, as written (for the hostile tests). */
  type?: '0' | '2' | '5' | 'x';
  /** The size written only in a pax header, the ustar header saying 0. */
  paxSize?: boolean;
  linkName?: string;
}

function header(name: string, size: number, type: string, linkName = ''): Buffer {
  const block = Buffer.alloc(512);
  block.write(name.slice(0, 100), 0, 'utf8');
  block.write('0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  // Sizes past the 11 octal digits are written base-256 (a leading 0x80 byte), as GNU tar does.
  if (size < 0o77777777777) block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  else {
    block[124] = 0x80;
    let value = size;
    for (let index = 135; index > 124; index -= 1) {
      block[index] = value % 256;
      value = Math.floor(value / 256);
    }
  }
  block.write('00000000000\0', 136);
  block.write(type, 156);
  block.write(linkName.slice(0, 100), 157);
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.fill(32, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function paxHeader(records: Record<string, string>): Buffer {
  const record = (key: string, value: string) => {
    const body = ` ${key}=${value}\n`;
    let length = body.length + 1;
    while (`${length}${body}`.length !== length) length += 1;
    return `${length}${body}`;
  };
  const data = Buffer.from(
    Object.entries(records)
      .map(([key, value]) => record(key, value))
      .join(''),
  );
  return Buffer.concat([
    header('PaxHeader', data.length, 'x'),
    data,
    Buffer.alloc((512 - (data.length % 512)) % 512),
  ]);
}

/** A tar written member by member (the benchmark's gigabytes never held at once); `sparseSize` leaves a hole. */
export class TarWriter {
  #offset = 0;
  private constructor(private readonly file: Awaited<ReturnType<typeof open>>) {}

  static async create(path: string): Promise<TarWriter> {
    return new TarWriter(await open(path, 'w'));
  }

  async #put(bytes: Buffer): Promise<void> {
    await this.file.write(bytes, 0, bytes.length, this.#offset);
    this.#offset += bytes.length;
  }

  async add(member: TarMember): Promise<void> {
    const size = member.sparseSize ?? member.data?.length ?? 0;
    // A long name, or a size given only in the pax header (as writers do past ustar's 8 GB: the header says 0).
    const pax = {
      ...(Buffer.byteLength(member.name) > 100 ? { path: member.name } : {}),
      ...(member.paxSize ? { size: String(size) } : {}),
    };
    if (Object.keys(pax).length) await this.#put(paxHeader(pax));
    await this.#put(header(member.name, member.paxSize ? 0 : size, member.type ?? '0', member.linkName));
    const padding = (512 - (size % 512)) % 512;
    if (member.sparseSize !== undefined) this.#offset += member.sparseSize + padding;
    else if (member.data) await this.#put(Buffer.concat([member.data, Buffer.alloc(padding)]));
  }

  async finish(): Promise<void> {
    await this.#put(Buffer.alloc(1024));
    await this.file.close();
  }
}

/** A tar of these members (end blocks included); a sparse member's data is a hole in the file. */
export async function writeTar(path: string, members: readonly TarMember[]): Promise<void> {
  const writer = await TarWriter.create(path);
  for (const member of members) await writer.add(member);
  await writer.finish();
}

/** Every file under a folder as tar members, paths relative to it (`prefix` put before each). */
export async function folderMembers(folder: string, prefix = ''): Promise<TarMember[]> {
  const members: TarMember[] = [];
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    members.push({ name: prefix + relative(folder, path).split(sep).join('/'), data: await readFile(path) });
  }
  return members.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * A zip of stored (uncompressed) entries, as hangar writes them (writer.go:54-58 zip.Store), written entry by
 * entry, with ZIP64 extra fields in every local and central header and the ZIP64 end records when `zip64` is set
 * (Go's archive/zip writes them past 4 GB); an entry may claim a name that climbs out, for the hostile tests.
 */
export class ZipWriter {
  #offset = 0;
  readonly #central: Buffer[] = [];
  #count = 0;
  private constructor(
    private readonly out: ReturnType<typeof createWriteStream>,
    private readonly zip64: boolean,
  ) {}

  static create(path: string, zip64 = false): ZipWriter {
    return new ZipWriter(createWriteStream(path), zip64);
  }

  #write(bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.out.write(bytes, (error) => (error ? reject(error) : resolve())),
    );
  }

  async add(entry: { name: string; data: Buffer; symlink?: boolean }): Promise<void> {
    const { zip64 } = this;
    const name = Buffer.from(entry.name);
    const crc = crc32(entry.data) >>> 0;
    const size = entry.data.length;
    const extra = zip64 ? Buffer.alloc(20) : Buffer.alloc(0);
    if (zip64) {
      extra.writeUInt16LE(0x0001, 0);
      extra.writeUInt16LE(16, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
      extra.writeBigUInt64LE(BigInt(size), 12);
    }
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? 0xffffffff : size, 18);
    local.writeUInt32LE(zip64 ? 0xffffffff : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    await this.#write(Buffer.concat([local, name, extra]));
    await this.#write(entry.data);
    const centralExtra = zip64 ? Buffer.alloc(28) : Buffer.alloc(0);
    if (zip64) {
      centralExtra.writeUInt16LE(0x0001, 0);
      centralExtra.writeUInt16LE(24, 2);
      centralExtra.writeBigUInt64LE(BigInt(size), 4);
      centralExtra.writeBigUInt64LE(BigInt(size), 12);
      centralExtra.writeBigUInt64LE(BigInt(this.#offset), 20);
    }
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE((3 << 8) | (zip64 ? 45 : 20), 4); // made by Unix
    record.writeUInt16LE(zip64 ? 45 : 20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(zip64 ? 0xffffffff : size, 20);
    record.writeUInt32LE(zip64 ? 0xffffffff : size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(centralExtra.length, 30);
    record.writeUInt32LE(((entry.symlink ? 0o120777 : 0o100644) << 16) >>> 0, 38);
    record.writeUInt32LE(zip64 ? 0xffffffff : this.#offset, 42);
    this.#central.push(Buffer.concat([record, name, centralExtra]));
    this.#offset += 30 + name.length + extra.length + size;
    this.#count += 1;
  }

  async finish(): Promise<void> {
    const { zip64 } = this;
    const directory = Buffer.concat(this.#central);
    const directoryAt = this.#offset;
    const count = this.#count;
    if (zip64) {
      const end64 = Buffer.alloc(56);
      end64.writeUInt32LE(0x06064b50, 0);
      end64.writeBigUInt64LE(44n, 4);
      end64.writeUInt16LE(45, 12);
      end64.writeUInt16LE(45, 14);
      end64.writeBigUInt64LE(BigInt(count), 24);
      end64.writeBigUInt64LE(BigInt(count), 32);
      end64.writeBigUInt64LE(BigInt(directory.length), 40);
      end64.writeBigUInt64LE(BigInt(directoryAt), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(directoryAt + directory.length), 8);
      locator.writeUInt32LE(1, 16);
      await this.#write(Buffer.concat([directory, end64, locator]));
    } else await this.#write(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(zip64 ? 0xffff : count, 8);
    end.writeUInt16LE(zip64 ? 0xffff : count, 10);
    end.writeUInt32LE(zip64 ? 0xffffffff : directory.length, 12);
    end.writeUInt32LE(zip64 ? 0xffffffff : directoryAt, 16);
    await this.#write(end);
    await new Promise<void>((resolve, reject) =>
      this.out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
  }
}

/** A zip of these entries (see ZipWriter). */
export async function writeZip(
  path: string,
  entries: readonly { name: string; data: Buffer; symlink?: boolean }[],
  zip64 = false,
): Promise<void> {
  const writer = ZipWriter.create(path, zip64);
  for (const entry of entries) await writer.add(entry);
  await writer.finish();
}

export const sha256Hex = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A file written with its folders. */
export async function put(path: string, data: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}
