// The list file as text: a missing, unreadable or binary file is a ConfigurationError naming it.
import { readFile, stat } from 'node:fs/promises';
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
