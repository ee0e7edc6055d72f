// tar, read two ways with one header reader: an uncompressed tar file by walking its headers and seeking past
// each member's data (a 5 GB archive costs a few kilobytes of reads), and a decompressed stream in one pass,
// keeping only the members small enough to be JSON. POSIX ustar (the 155-byte prefix), pax extended headers
// (`path`, `size`) and GNU long names (`L`) are read, as the tars skopeo, docker, Zarf and hauler write use them.
// Written here rather than with tar-stream, which reads every byte of every member and cannot seek.
import { open, type FileHandle } from 'node:fs/promises';
import { ArchiveError, MEMBER_MAX_BYTES, memberPath, membersOf, type ArchiveMembers } from './members.js';

const BLOCK = 512;

interface Header {
  name: string;
  size: number;
  /** `0` or NUL: a file; `5` a folder; `1`/`2` links; `x`/`g` pax; `L` GNU long name. */
  type: string;
  linkName: string;
}

const text = (block: Buffer, start: number, length: number) => {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
};

/** A numeric field: octal text, or base-256 (a leading 0x80 byte) for sizes past 8 GB. */
function number(block: Buffer, start: number, length: number): number {
  const field = block.subarray(start, start + length);
  if ((field[0] ?? 0) & 0x80) {
    let value = 0;
    for (let index = 1; index < length; index += 1) value = value * 256 + (field[index] ?? 0);
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits ? parseInt(digits, 8) : 0;
}

/** One 512-byte header; undefined for the zero block that ends an archive; an ArchiveError when it is not a header. */
function parseHeader(block: Buffer, archive: string, offset: number): Header | undefined {
  if (block.every((byte) => byte === 0)) return undefined;
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1)
    sum += index >= 148 && index < 156 ? 32 : (block[index] as number);
  if (sum !== number(block, 148, 8))
    throw new ArchiveError(
      `${archive}: not a tar header at byte ${offset} (its checksum is wrong): truncated or not a tar`,
    );
  const prefix = text(block, 345, 155);
  const name = text(block, 0, 100);
  return {
    // POSIX ustar ("ustar\0") has the name prefix at 345; GNU's "ustar  \0" keeps times there, not a prefix.
    name: block.subarray(257, 263).toString('latin1') === 'ustar\0' && prefix ? `${prefix}/${name}` : name,
    size: number(block, 124, 12),
    type: String.fromCharCode(block[156] || 48),
    linkName: text(block, 157, 100),
  };
}

/** A pax extended header's records (`<length> <key>=<value>\n`); a record that does not fit ends the reading. */
function paxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(32, at);
    if (space < 0) break;
    const digits = data.subarray(at, space).toString();
    const length = /^\d{1,9}$/.test(digits) ? Number(digits) : 0;
    if (length <= space - at || at + length > data.length) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records.set(record.slice(0, equals), record.slice(equals + 1));
    at += length;
  }
  return records;
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** A member as the walk meets it: a file (or a link, never followed: `link` says to what). */
interface Member {
  path: string;
  size: number;
  link?: string;
}

/**
 * Turns the headers of a walk into members: pax and GNU long names applied to the next header, links refused
 * (naming the member), folders passed over. `next` gives the following header and the data of the metadata
 * ones (pax, long names: small).
 */
class HeaderState {
  #pax = new Map<string, string>();
  #longName: string | undefined;
  constructor(private readonly archive: string) {}

  /**
   * The member a header stands for, or undefined when it is metadata or a folder (its data then read by
   * `meta`); the header's size becomes the pax one when a pax header gave it.
   */
  member(header: Header): Member | 'meta' | undefined {
    if (header.type === 'x' || header.type === 'g' || header.type === 'L') return 'meta';
    const raw = this.#pax.get('path') ?? this.#longName ?? header.name;
    const paxSize = this.#pax.get('size');
    if (paxSize !== undefined && !(/^\d{1,16}$/.test(paxSize) && Number.isSafeInteger(Number(paxSize))))
      throw new ArchiveError(
        `${this.archive}: member "${raw}" has a pax size "${paxSize.slice(0, 40)}": refused`,
      );
    const size = paxSize !== undefined ? Number(paxSize) : header.size;
    // A pax `size` is the member's data length (a ustar field cannot hold past 8 GB): the walk skips that much.
    header.size = size;
    this.#pax = new Map();
    this.#longName = undefined;
    const path = memberPath(this.archive, raw);
    // A link is kept as a name only: docker-archive's legacy <id>/layer.tar links are harmless, and reading
    // one (a link where the check needs an index or a manifest) is refused (members.ts linkRefused).
    if (header.type === '1' || header.type === '2') return { path, size: 0, link: header.linkName };
    if (header.type === '5' || raw.endsWith('/')) return undefined;
    if (header.type !== '0' && header.type !== '7')
      throw new ArchiveError(
        `${this.archive}: member "${raw}" is not a file (tar type ${header.type}): refused`,
      );
    return { path, size };
  }

  meta(header: Header, data: Buffer): void {
    if (header.type === 'L') this.#longName = text(data, 0, data.length);
    else if (header.type === 'x') this.#pax = paxRecords(data);
  }
}

/** An uncompressed tar file: its headers walked, data skipped; members read where they are. */
export async function openTarFile(path: string, name: string): Promise<ArchiveMembers> {
  const file: FileHandle = await open(path, 'r');
  let length: number;
  try {
    length = (await file.stat()).size;
  } catch (error) {
    await file.close();
    throw error;
  }
  let bytesRead = 0;
  const readAt = async (position: number, size: number) => {
    const buffer = Buffer.alloc(size);
    const { bytesRead: got } = await file.read(buffer, 0, size, position);
    bytesRead += got;
    return buffer.subarray(0, got);
  };
  const where = new Map<string, { offset: number; size: number }>();
  const links = new Map<string, string>();
  const state = new HeaderState(name);
  try {
    let offset = 0;
    for (;;) {
      if (offset + BLOCK > length)
        throw new ArchiveError(
          `${name}: the tar ends at byte ${length} without its end-of-archive blocks: truncated`,
        );
      const header = parseHeader(await readAt(offset, BLOCK), name, offset);
      if (!header) break;
      const dataAt = offset + BLOCK;
      const member = state.member(header);
      if (dataAt + header.size > length)
        throw new ArchiveError(`${name}: member "${header.name}" runs past the end of the file: truncated`);
      if (member === 'meta') {
        if (header.size > MEMBER_MAX_BYTES)
          throw new ArchiveError(`${name}: a ${header.size}-byte tar extended header: refused`);
        state.meta(header, await readAt(dataAt, header.size));
      } else if (member?.link !== undefined) links.set(member.path, member.link);
      else if (member) where.set(member.path, { offset: dataAt, size: member.size });
      offset = dataAt + padded(header.size);
    }
  } catch (error) {
    await file.close();
    throw error;
  }
  return membersOf({
    name,
    packing: 'tar',
    files: new Map([...where].map(([path, { size }]) => [path, size])),
    links,
    bytesRead: () => bytesRead,
    readFile: async (path) => {
      const at = where.get(path) as { offset: number; size: number };
      return readAt(at.offset, at.size);
    },
    close: () => file.close(),
  });
}

/** What one pass over a stream kept: every file's size, the JSON-like files' bytes, links by name. */
interface StreamRead {
  sizes: Map<string, number>;
  kept: Map<string, Buffer>;
  links: Map<string, string>;
  /** JSON-like members left out once `keepBytes` was spent. */
  dropped: Set<string>;
  keepBytes: number;
}

/**
 * A tar read from a stream of its (decompressed) bytes, once: every member's size is kept, and the bytes of the
 * members that can be JSON (at most MEMBER_MAX_BYTES, starting with `{` or `[`), within `keepBytes` in all.
 */
export async function readTarStream(
  chunks: AsyncIterable<Buffer>,
  name: string,
  packing: string,
  keepBytes = 256 * 1024 * 1024,
): Promise<StreamRead> {
  const dropped = new Set<string>();
  const sizes = new Map<string, number>();
  const kept = new Map<string, Buffer>();
  const links = new Map<string, string>();
  const state = new HeaderState(name);
  let pending: Buffer = Buffer.alloc(0);
  let offset = 0;
  let keptBytes = 0;
  // What the walk is inside: a header next, a member's data (kept or skipped), or its padding.
  let current:
    { member: Member | 'meta'; header: Header; left: number; parts: Buffer[] | undefined } | undefined;
  let skip = 0;
  let ended = false;
  for await (const chunk of chunks) {
    if (ended) continue; // what follows the end blocks (more zero blocks) is not read as members
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (at < pending.length && !ended) {
      if (skip > 0) {
        const step = Math.min(skip, pending.length - at);
        skip -= step;
        at += step;
        continue;
      }
      if (current) {
        const step = Math.min(current.left, pending.length - at);
        current.parts?.push(pending.subarray(at, at + step));
        current.left -= step;
        at += step;
        if (current.left > 0) continue;
        const data = current.parts ? Buffer.concat(current.parts) : undefined;
        if (current.member === 'meta') state.meta(current.header, data ?? Buffer.alloc(0));
        else if (data && (data[0] === 0x7b || data[0] === 0x5b)) {
          if (keptBytes + data.length <= keepBytes) {
            kept.set(current.member.path, Buffer.from(data));
            keptBytes += data.length;
          } else dropped.add(current.member.path);
        }
        skip = padded(current.header.size) - current.header.size;
        current = undefined;
        continue;
      }
      if (pending.length - at < BLOCK) break;
      const header = parseHeader(pending.subarray(at, at + BLOCK), name, offset + at);
      at += BLOCK;
      if (!header) {
        ended = true;
        break;
      }
      const member = state.member(header);
      if (member === undefined) {
        skip = padded(header.size);
        continue;
      }
      if (member !== 'meta' && member.link !== undefined) {
        links.set(member.path, member.link);
        skip = padded(header.size);
        continue;
      }
      if (member === 'meta' && header.size > MEMBER_MAX_BYTES)
        throw new ArchiveError(`${name}: a ${header.size}-byte tar extended header: refused`);
      if (member !== 'meta') sizes.set(member.path, member.size);
      const keep = member === 'meta' || member.size <= MEMBER_MAX_BYTES;
      // A member of no bytes settles at once; the others are read (or skipped) as their bytes come.
      if (header.size === 0) {
        if (member === 'meta') state.meta(header, Buffer.alloc(0));
        continue;
      }
      current = { member, header, left: header.size, parts: keep ? [] : undefined };
    }
    offset += at;
    pending = pending.subarray(at);
  }
  if (!ended) {
    const inside = current && current.member !== 'meta' ? ` inside member "${current.member.path}"` : '';
    throw new ArchiveError(
      `${name}: the ${packing} ends${inside} before the tar's end-of-archive blocks: truncated`,
    );
  }
  return { sizes, kept, links, dropped, keepBytes };
}

/** Members of a stream read once (readTarStream): what was not kept cannot be read. */
export function keptMembers(
  name: string,
  packing: string,
  read: StreamRead,
  bytesRead: () => number,
): ArchiveMembers {
  return membersOf({
    name,
    packing,
    files: read.sizes,
    links: read.links,
    bytesRead,
    readFile: async (path) => {
      const bytes = read.kept.get(path);
      if (bytes) return bytes;
      throw new ArchiveError(
        read.dropped.has(path)
          ? `${name}: member ${path} was not kept: the archive's JSON members pass the ${read.keepBytes / 1024 / 1024} MiB a stream keeps`
          : `${name}: member ${path} is not JSON`,
      );
    },
    close: async () => undefined,
  });
}
