// An archive as the source of the lines (source-archive): without a list, every image the archive carries is a
// line, at the destination where the tool that loads the archive pushes it; with a list, each of its lines is
// looked up in the archive, and one the archive lacks fails `not-in-archive` without a request. Pure.
import type { ArchiveContents, ArchivedImage } from '../../archive/images.js';
import { ArchiveError, type ArchiveMembers } from '../../archive/members.js';
import { formatReference, InvalidReferenceError } from '../../registry/reference.js';
import { failed } from '../validate/rules.js';
import { settledFrom, type ListEntry } from './entries.js';
import { emptyRead, type ListRead } from './yaml-list.js';

/** The key an image is found by: its full reference (a tag or a digest). */
const keyOf = formatReference;

/** Every image of the archive as a line, in the archive's order. */
export function archiveList(
  members: ArchiveMembers,
  contents: ArchiveContents,
  destination: string | undefined,
  defaultProject: string,
): ListRead {
  const entries: ListEntry[] = contents.images.map((image, index): ListEntry => {
    const line = index + 1;
    if (!image.name)
      return {
        kind: 'invalid',
        line,
        raw: image.where,
        reason: `${members.name} (${image.where}) names this image ${image.tag ? `only by its tag "${image.tag}"` : 'by no name'}: give the image list (file) that names it`,
      };
    const raw = keyOf(image.name);
    try {
      return {
        kind: 'image',
        line,
        raw,
        source: image.name,
        // With mirror-config, the destination is decided later (route-entries.ts): the name stands in for it.
        destination: destination ? image.loadedAs(destination, defaultProject) : image.name,
        archived: { image, members, contents },
      };
    } catch (error) {
      if (!(error instanceof ArchiveError || error instanceof InvalidReferenceError)) throw error;
      return { kind: 'invalid', line, raw, reason: error.message };
    }
  });
  const read = emptyRead('archive', entries);
  read.notes.push(
    `${members.name}: a ${contents.kind} (${members.packing}) of ${contents.images.length} image${contents.images.length === 1 ? '' : 's'}`,
    ...contents.notes,
  );
  return read;
}

/**
 * The list's lines, each read from the archive: by its source's full reference; an archive that names an image
 * only by its tag (skopeo `oci:PATH:TAG`) is matched by that tag, and an archive of one unnamed image by the
 * list's one line.
 */
export function withArchive(
  entries: readonly ListEntry[],
  members: ArchiveMembers,
  contents: ArchiveContents,
): ListEntry[] {
  const byName = new Map<string, ArchivedImage>();
  for (const image of contents.images) if (image.name) byName.set(keyOf(image.name), image);
  const byTag = new Map<string, ArchivedImage[]>();
  for (const image of contents.images)
    if (!image.name && image.tag) byTag.set(image.tag, [...(byTag.get(image.tag) ?? []), image]);
  const lone = contents.images.length === 1 && !contents.images[0]?.name ? contents.images[0] : undefined;
  const imageLines = entries.filter((entry) => entry.kind === 'image').length;
  return entries.map((entry): ListEntry => {
    if (entry.kind === 'pattern' || entry.kind === 'registry')
      return {
        kind: 'invalid',
        line: entry.line,
        raw: entry.raw,
        reason: `a tag pattern needs the source registry's tag list; with source-archive, name the tags the archive carries`,
      };
    if (entry.kind !== 'image') return entry;
    const tagged = entry.source.tag ? byTag.get(entry.source.tag) : undefined;
    const image =
      byName.get(keyOf(entry.source)) ??
      (tagged?.length === 1 ? tagged[0] : undefined) ??
      (lone && imageLines === 1 ? lone : undefined);
    if (image) return { ...entry, archived: { image, members, contents } };
    const source = keyOf(entry.source);
    const message = `${members.name} carries no ${source}`;
    return settledFrom(
      entry,
      source,
      keyOf(entry.destination),
      failed([{ reason: 'not-in-archive', message, brief: `${members.name} does not carry it` }], []),
    );
  });
}
