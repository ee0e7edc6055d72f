// What an archive carries, as the check compares it: each image with its name, where the tool that loads the
// archive puts it, and how strong a comparison the archive allows (decided per image):
// - `index`: the archive holds the upstream's own top manifest (an index, or the one image manifest): index
//   identity first, the rebuilt-index rules next;
// - `platforms`: only the platform manifests (hangar >= 1.7): every archived child must be in the destination
//   index, by digest, with equal platform fields;
// - `config`: only the image configs survived (docker-archive, hangar <= 1.6, which re-packed the layers): the
//   destination's manifest for each platform must carry the same config digest.
import { createHash } from 'node:crypto';
import type { Descriptor, Platform } from '../registry/manifest.js';
import type { ImageReference } from '../registry/reference.js';
import { ArchiveError, type ArchiveMembers } from './members.js';

export type Strength = 'index' | 'platforms' | 'config';

export interface ArchivedImage {
  /** The image as the archive names it; undefined when it names none (then `tag` may say its tag). */
  name?: ImageReference;
  /** The only name an OCI layout gave it (`org.opencontainers.image.ref.name` holding a tag). */
  tag?: string;
  /** Where in the archive it is described, for messages (`index.json manifests[2]`). */
  where: string;
  strength: Strength;
  /** `index`: the stored top manifest. */
  top?: Descriptor;
  /** `platforms`: the stored platform manifests, with their platforms. */
  platforms?: Descriptor[];
  /** `config`: each platform's image config (`missing` says what of the archive held it and is not there). */
  configs?: { platform: Platform; config?: Descriptor; missing?: string; where: string }[];
  /** Where the tool that loads this archive pushes the image, on the destination registry. */
  loadedAs(destination: string, defaultProject: string): ImageReference;
}

/** An archive's images, and how its blobs are found. */
export interface ArchiveContents {
  /** The kind, as the README's table names it: `hangar zip`, `OCI layout`, `docker-archive` … */
  kind: string;
  images: ArchivedImage[];
  /** The member that holds a blob, or undefined when the archive lacks it. */
  blobMember(digest: string): string | undefined;
  /** Said once in the log (entries skipped, and why). */
  notes: string[];
}

export const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** The hex of a sha256 digest; an ArchiveError for any other (the archives this check reads use sha256). */
export function hexOf(digest: string, where: string): string {
  const match = /^sha256:([a-f0-9]{64})$/.exec(digest);
  if (!match) throw new ArchiveError(`${where}: digest "${digest}" is not sha256 and 64 hex characters`);
  return match[1] as string;
}

/** A blob's bytes, proven to be that blob: a member that does not hash to its digest is refused. */
export async function readBlob(
  members: ArchiveMembers,
  contents: ArchiveContents,
  digest: string,
): Promise<Buffer> {
  const member = contents.blobMember(digest);
  if (!member) throw new ArchiveIncompleteError(`${members.name} holds no blob ${digest}`);
  const bytes = await members.read(member);
  if (sha256(bytes) !== digest)
    throw new ArchiveIncompleteError(`${members.name}: member ${member} does not hash to ${digest}`);
  return bytes;
}

/** A blob the comparison needs that the archive lacks (or holds corrupted): the line's `archive-incomplete`. */
export class ArchiveIncompleteError extends Error {
  override name = 'ArchiveIncompleteError';
}
