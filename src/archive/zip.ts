// A zip (hangar >= 1.7 `save`), read by its central directory, ZIP64 records included (yauzl, MIT: reads the
// central directory and only the entries asked for, checks each entry's sizes while inflating); only the JSON
// entries the check needs are read. An entry that climbs out of the archive is refused (yauzl's own name check
// is on, and memberPath checks again); a symbolic link entry (Unix mode 0o120000) is a name only, never read.
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ArchiveError, linkRefused, MEMBER_MAX_BYTES, memberPath, type ArchiveMembers } from './members.js';

const openZip = (path: string) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );

export async function openZipFile(path: string, name: string): Promise<ArchiveMembers> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw new ArchiveError(`${name}: not a readable zip: ${(error as Error).message}`);
  }
  // Bytes read: the central directory (from its offset to the end), then each entry read.
  // Bytes read: the central directory (from where it starts, yauzl's cursor before the first entry, to the end
  // of the file), then each entry read.
  let bytesRead =
    Number(zip.fileSize) - Number((zip as unknown as { readEntryCursor: number }).readEntryCursor);
  const entries = new Map<string, Entry>();
  const links = new Map<string, string>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: Entry) => {
        try {
          const mode = (entry.externalFileAttributes >>> 16) & 0o170000;
          const path = memberPath(name, entry.fileName);
          // A symbolic link is kept as a name only (its target is the entry's data, never followed).
          if (mode === 0o120000) links.set(path, '(a zip symbolic link)');
          else if (!entry.fileName.endsWith('/')) entries.set(path, entry);
          zip.readEntry();
        } catch (error) {
          reject(error);
        }
      });
      zip.once('end', resolve);
      zip.once('error', (error: Error) => {
        // yauzl refuses a name that is absolute or climbs out before it is handed over: said as memberPath says it.
        const climbs = /^(invalid relative path|absolute path): (.*)$/.exec(error.message);
        reject(
          error instanceof ArchiveError
            ? error
            : new ArchiveError(
                climbs
                  ? `${name}: member "${climbs[2]}" climbs out of the archive: refused`
                  : `${name}: ${error.message}`,
              ),
        );
      });
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error instanceof ArchiveError ? error : new ArchiveError(`${name}: ${(error as Error).message}`);
  }
  return {
    name,
    packing: 'zip',
    sizes: new Map([
      ...[...entries].map(([path, entry]) => [path, Number(entry.uncompressedSize)] as const),
      ...[...links.keys()].map((path) => [path, 0] as const),
    ]),
    get bytesRead() {
      return bytesRead;
    },
    async read(path) {
      linkRefused(name, path, links);
      const entry = entries.get(path);
      if (!entry) throw new ArchiveError(`${name}: no member ${path}`);
      if (entry.uncompressedSize > MEMBER_MAX_BYTES)
        throw new ArchiveError(
          `${name}: member ${path} is ${entry.uncompressedSize} bytes, more than the ${MEMBER_MAX_BYTES} a JSON member may have: refused`,
        );
      bytesRead += Number(entry.compressedSize) + 30 + entry.fileName.length;
      const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
        zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))),
      ).catch((error: Error) => {
        throw new ArchiveError(`${name}: member ${path} cannot be read: ${error.message}`);
      });
      const parts: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          size += chunk.length;
          // yauzl checks the declared size; a member inflating past it is a bomb.
          if (size > MEMBER_MAX_BYTES)
            throw new ArchiveError(
              `${name}: member ${path} inflates past ${MEMBER_MAX_BYTES} bytes: refused`,
            );
          parts.push(chunk);
        }
      } catch (error) {
        if (error instanceof ArchiveError) throw error;
        throw new ArchiveError(`${name}: member ${path} cannot be read: ${(error as Error).message}`);
      }
      return Buffer.concat(parts);
    },
    close: async () => zip.close(),
  };
}
