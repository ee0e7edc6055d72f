// Image lists in hangar's two formats. Pure: text in, one entry per image line out.
//
// Choices where hangar is silent or differs:
// - Every line that is not blank or a comment yields exactly one entry; an unusable line is `invalid`, with why.
// - A one-reference line with no destination registry has nothing to be compared with: it is invalid and the
//   reason names the `destination` setting.
// - default-project fills the project of a destination name that has only one path segment
//   (`mirrored-nginx` → `<dest>/library/mirrored-nginx`); a one-reference line keeps the source's full path,
//   which on Docker Hub already has its project (`nginx` → `library/nginx`).
import {
  checkDigest,
  checkTag,
  InvalidReferenceError,
  overrideRegistry,
  parseReference,
  splitRegistry,
} from '../../registry/reference.js';
import type { ImageEntry, InvalidEntry } from './entries.js';

export interface ListOptions {
  source?: string;
  destination?: string;
  defaultProject: string;
  /**
   * The cluster's mirror configuration decides each image's destination (mirror-config): a line names only the
   * image the cluster pulls, and its destination is given later (engine/mirrors/route-entries.ts).
   */
  mirrored?: boolean;
}

export function isComment(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length === 0 || trimmed.startsWith('#') || trimmed.startsWith('//');
}

/** Splits text into lines: BOM dropped, CRLF and CR handled, line breaks removed. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
}

function withDefaultProject(name: string, defaultProject: string): string {
  const { registry, path } = splitRegistry(name);
  if (path.includes('/') || !defaultProject) return name;
  return `${registry ? `${registry}/` : ''}${defaultProject}/${path}`;
}

function mirrorEntry(fields: string[], options: ListOptions): Pick<ImageEntry, 'source' | 'destination'> {
  const [sourceName, destinationName, tagOrDigest] = fields as [string, string, string];
  for (const [name, what] of [
    [sourceName, 'source'],
    [destinationName, 'destination'],
  ] as const) {
    if (/[:@]/.test(splitRegistry(name).path)) {
      throw new InvalidReferenceError(
        `${what} "${name}" must be a name without tag or digest; the tag is the third field`,
      );
    }
  }
  const suffix = tagOrDigest.includes(':') ? `@${tagOrDigest}` : `:${tagOrDigest}`;
  if (suffix.startsWith('@')) checkDigest(tagOrDigest, tagOrDigest);
  else checkTag(tagOrDigest, tagOrDigest);
  const source = overrideRegistry(parseReference(sourceName + suffix), options.source);
  const destination = overrideRegistry(
    parseReference(withDefaultProject(destinationName, options.defaultProject) + suffix),
    options.destination,
  );
  return { source, destination };
}

function defaultEntry(reference: string, options: ListOptions): Pick<ImageEntry, 'source' | 'destination'> {
  const source = overrideRegistry(parseReference(reference), options.source);
  if (options.mirrored) return { source, destination: source };
  if (!options.destination) {
    throw new InvalidReferenceError(
      `"${reference}" is a one-reference line, which needs the destination registry (the destination setting, -d)`,
    );
  }
  return { source, destination: overrideRegistry(source, options.destination) };
}

export function parseImageList(text: string, options: ListOptions): (ImageEntry | InvalidEntry)[] {
  const entries: (ImageEntry | InvalidEntry)[] = [];
  splitLines(text).forEach((raw, index) => {
    if (isComment(raw)) return;
    const line = index + 1;
    const fields = raw.trim().split(/\s+/);
    try {
      if (fields.length === 1) {
        entries.push({
          kind: 'image',
          line,
          raw,
          ...defaultEntry(fields[0] as string, options),
        });
      } else if (fields.length === 3) {
        entries.push({ kind: 'image', line, raw, ...mirrorEntry(fields, options) });
      } else {
        entries.push({
          kind: 'invalid',
          line,
          raw,
          reason: `${fields.length} fields: a line is either one image reference or "SOURCE DEST TAG"`,
        });
      }
    } catch (error) {
      if (!(error instanceof InvalidReferenceError)) throw error;
      entries.push({ kind: 'invalid', line, raw, reason: error.message });
    }
  });
  return entries;
}
