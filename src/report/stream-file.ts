// A file written piece by piece, waiting when the disk is behind: the report writers stream 100,000 lines
// without holding the whole document in memory.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

export async function writeStreamed(
  path: string,
  produce: (write: (text: string) => Promise<unknown> | undefined) => Promise<void>,
): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  const write = (text: string) => (out.write(text) ? undefined : once(out, 'drain'));
  try {
    await produce(write);
  } finally {
    out.end();
  }
  await done;
}
