// The list file as text (or a folder of manifests as one text): a missing, unreadable or binary file is a
// ConfigurationError naming it.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ConfigurationError } from './errors.js';

/** The largest list read: Rancher's generated regsync.yaml is about 1 MB; 32 MiB is far past any real list. */
export const LIST_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Reads the list (or another file a run is given: `what` names it) as UTF-8 text; a missing, unreadable, binary
 * or oversized file is a ConfigurationError naming it.
 */
export async function readListFile(path: string, name: string = path, what = 'image list'): Promise<string> {
  let bytes: Buffer;
  try {
    const size = (await stat(path)).size;
    if (size > LIST_MAX_BYTES)
      throw new ConfigurationError(
        `${what} "${name}" is ${Math.round(size / 1024 / 1024)} MiB, more than the ${LIST_MAX_BYTES / 1024 / 1024} MiB a file may have`,
      );
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES'
            ? 'cannot be read (permission denied)'
            : (error as Error).message;
    throw new ConfigurationError(`${what} "${name}" ${why}${name !== path ? ` (${path})` : ''}`);
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0)
    throw new ConfigurationError(`${what} "${name}" is not a text file (a zero byte at offset ${nul})`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ConfigurationError(`${what} "${name}" is not UTF-8 text`);
  }
}

/** Where one file of a folder of manifests sits in the text read from the folder. */
export interface ListSegment {
  /** The file's path inside the folder, `/`-separated. */
  file: string;
  /** The line of the folder's text that is the file's first line. */
  first: number;
  /** Its number of lines. */
  lines: number;
}

/** The list as text, and for a folder of manifests where each of its files is in that text. */
export interface ListSource {
  text: string;
  segments?: ListSegment[];
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/**
 * The manifest files of a folder, `/`-separated paths inside it, in name order (as `kubectl apply -f -R` takes
 * them: .yaml, .yml and .json); hidden files and folders are not read.
 */
export async function manifestFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && MANIFEST_FILE.test(entry.name))
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => !path.split('/').some((part) => part.startsWith('.')))
    .sort();
}

/**
 * The list at `path`: a file's text, or a folder's manifests read one after another as one multi-document text
 * (each file its own documents), with where each file starts so a line can be told back as the file's own.
 */
export async function readListSource(path: string, name: string = path): Promise<ListSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return { text: await readListFile(path, name) };
  const files = await manifestFiles(path);
  if (files.length === 0)
    throw new ConfigurationError(`image list "${name}" is a folder with no .yaml, .yml or .json manifest`);
  const parts: string[] = [];
  const segments: ListSegment[] = [];
  let line = 1;
  let bytes = 0;
  for (const file of files) {
    const text = (await readListFile(join(path, file), `${name}/${file}`)).replace(/\r?\n$/, '');
    bytes += Buffer.byteLength(text);
    if (bytes > LIST_MAX_BYTES)
      throw new ConfigurationError(
        `image list "${name}" holds more than the ${LIST_MAX_BYTES / 1024 / 1024} MiB a list may have`,
      );
    const count = text.split(/\r?\n/).length;
    segments.push({ file, first: line, lines: count });
    parts.push(text);
    // A document separator of its own line between files: a file's last document never runs into the next's.
    line += count + 1;
  }
  return { text: `${parts.join('\n---\n')}\n`, segments };
}

/** A line of a folder's text as its file and line there; undefined on a separator line (never an entry's). */
export function lineInFolder(
  segments: readonly ListSegment[],
  line: number,
): { file: string; line: number } | undefined {
  // Segments are in line order: the last one starting at or before the line (a binary search; every entry
  // and each of its uses is told back, on folders of thousands of files).
  let low = 0;
  let high = segments.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if ((segments[middle] as ListSegment).first <= line) low = middle;
    else high = middle - 1;
  }
  const segment = segments[low];
  if (!segment || line < segment.first || line >= segment.first + segment.lines) return undefined;
  return { file: segment.file, line: line - segment.first + 1 };
}
