// A zip (hangar >= 1.7 `save`), read by its central directory, ZIP64 records included (yauzl, MIT: reads the
// central directory and only the entries asked for, checks each entry's sizes while inflating); only the JSON
// entries the check needs are read. Names are taken as bytes (decodeStrings off) and checked by memberPath, the
// one check every packing shares; a symbolic link entry (Unix mode 0o120000) is a name only, never read.
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ArchiveError, MEMBER_MAX_BYTES, memberPath, membersOf, type ArchiveMembers } from './members.js';

const openZip = (path: string) =>
  new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, decodeStrings: false },
      (error, zip) => (error ? reject(error) : resolve(zip)),
    ),
  );

export async function openZipFile(path: string, name: string): Promise<ArchiveMembers> {
  let zip: ZipFile;
  try {
    zip = await openZip(path);
  } catch (error) {
    throw new ArchiveError(`${name}: not a readable zip: ${(error as Error).message}`);
  }
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
          // With decodeStrings off, yauzl hands the name over as its bytes (UTF-8 by every writer here).
          const raw = Buffer.from(entry.fileName as unknown as Uint8Array).toString('utf8');
          const path = memberPath(name, raw);
          // A symbolic link is kept as a name only (its target is the entry's data, never followed).
          if (mode === 0o120000) links.set(path, '(a zip symbolic link)');
          else if (!raw.endsWith('/')) entries.set(path, entry);
          zip.readEntry();
        } catch (error) {
          reject(error);
        }
      });
      zip.once('end', resolve);
      zip.once('error', (error: Error) => reject(new ArchiveError(`${name}: ${error.message}`)));
      zip.readEntry();
    });
  } catch (error) {
    zip.close();
    throw error instanceof ArchiveError ? error : new ArchiveError(`${name}: ${(error as Error).message}`);
  }
  return membersOf({
    name,
    packing: 'zip',
    files: new Map([...entries].map(([path, entry]) => [path, Number(entry.uncompressedSize)])),
    links,
    bytesRead: () => bytesRead,
    async readFile(path) {
      const entry = entries.get(path) as Entry;
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
  });
}
