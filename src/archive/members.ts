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

/** Reading a link is refused: it is never followed, in or out of the archive. */
export function linkRefused(archive: string, path: string, links: ReadonlyMap<string, string>): void {
  const target = links.get(path);
  if (target !== undefined)
    throw new ArchiveError(
      `${archive}: member "${path}" is a link (to "${target}"): refused, links are never followed`,
    );
}

/** The first member among these paths that the archive holds. */
export const firstHeld = (members: ArchiveMembers, paths: readonly string[]): string | undefined =>
  paths.find((path) => members.sizes.has(path));

/** Bytes of a member as JSON; an ArchiveError naming the archive and the member when they are not. */
export function jsonOf(archive: string, path: string, bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArchiveError(`${archive}: member ${path} is not JSON: ${(error as Error).message}`);
  }
}

/** A member read as JSON; an ArchiveError naming it when it is not. */
export async function readJson(members: ArchiveMembers, path: string): Promise<unknown> {
  return jsonOf(members.name, path, await members.read(path));
}
