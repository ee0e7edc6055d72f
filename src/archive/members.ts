// What an archive holds, whatever it is packed as (a folder, a zip, a tar, a gzip or zstd tar): its member
// names and sizes, and the bytes of the small members (JSON: indexes, manifests, configs) the check reads.
// Members are never written anywhere; a name that climbs out of the archive, a link, an oversized JSON member
// or a decompression bomb is refused with an error naming the archive and the member.

/** The largest member read whole: a manifest, an index or a config is kilobytes; 8 MiB is far past any. */
export const MEMBER_MAX_BYTES = 8 * 1024 * 1024;

/** An archive that cannot be read, or is hostile: names the archive (and the member, when one is at fault). */
export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

export interface ArchiveMembers {
  /** The archive as the user named it, for messages. */
  readonly name: string;
  /** How it is packed: `folder`, `zip`, `tar`, `tar+gzip`, `tar+zstd`. */
  readonly packing: string;
  /** Members by normalised path (`/`-separated, no leading `./`), with their sizes in bytes (0 for a link). */
  readonly sizes: ReadonlyMap<string, number>;
  /** A member's bytes; an ArchiveError when it is absent, not kept (a stream's large member) or too large. */
  read(path: string): Promise<Buffer>;
  /** Bytes read from the archive's file(s) so far (what a benchmark compares with the archive's size). */
  readonly bytesRead: number;
  close(): Promise<void>;
}

/**
 * A member name as every reader keeps it: `/`-separated, without `./`; an absolute name or one that climbs
 * out with `..` is refused, naming the archive and the member (nothing is extracted, but such an archive was
 * made to attack whoever unpacks it).
 */
export function memberPath(archive: string, raw: string): string {
  const name = raw.replace(/\\/g, '/');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split('/').includes('..'))
    throw new ArchiveError(`${archive}: member "${raw}" climbs out of the archive: refused`);
  return name
    .split('/')
    .filter((part) => part !== '' && part !== '.')
    .join('/');
}

/** What one packing gives: its files' sizes, its links, and how it reads a file's bytes. */
export interface PackingReader {
  name: string;
  packing: string;
  /** Files by normalised path, with their sizes. */
  files: ReadonlyMap<string, number>;
  /** Links by path, with their targets: names only, never read. */
  links: ReadonlyMap<string, string>;
  bytesRead: () => number;
  /** A file's bytes, once the checks every packing shares have passed. */
  readFile(path: string, size: number): Promise<Buffer>;
  close(): Promise<void>;
}

/**
 * One packing's reader as the members every kind reads, with the refusals all packings share, in one place: a
 * link is never followed, an absent member and one over MEMBER_MAX_BYTES are errors naming the archive and it.
 */
export function membersOf(reader: PackingReader): ArchiveMembers {
  const { name } = reader;
  return {
    name,
    packing: reader.packing,
    sizes: new Map([...reader.files, ...[...reader.links.keys()].map((path) => [path, 0] as const)]),
    get bytesRead() {
      return reader.bytesRead();
    },
    async read(path) {
      const target = reader.links.get(path);
      if (target !== undefined)
        throw new ArchiveError(
          `${name}: member "${path}" is a link (to "${target}"): refused, links are never followed`,
        );
      const size = reader.files.get(path);
      if (size === undefined) throw new ArchiveError(`${name}: no member ${path}`);
      if (size > MEMBER_MAX_BYTES)
        throw new ArchiveError(
          `${name}: member ${path} is ${size} bytes, more than the ${MEMBER_MAX_BYTES} a JSON member may have: refused`,
        );
      return reader.readFile(path, size);
    },
    close: () => reader.close(),
  };
}

/** Bytes of a member as JSON; an ArchiveError naming the archive and the member when they are not. */
export function jsonOf(archive: string, path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArchiveError(`${archive}: member ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** Members already read as JSON, by archive: telling the kind and reading it ask for the same index.json. */
const parsed = new WeakMap<ArchiveMembers, Map<string, Promise<unknown>>>();

/** A member read as JSON, once per archive (the value is shared: read, never changed); an ArchiveError naming it when it is not. */
export function readJson(members: ArchiveMembers, path: string): Promise<unknown> {
  let cache = parsed.get(members);
  if (!cache) parsed.set(members, (cache = new Map()));
  let value = cache.get(path);
  if (!value) {
    value = members.read(path).then((bytes) => jsonOf(members.name, path, bytes));
    cache.set(path, value);
  }
  return value;
}
