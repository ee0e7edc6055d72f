// Manifests and small blobs stored on disk by digest. Content-addressed, so always safe to reuse across runs;
// every read is checked against its digest, and a file that does not match is dropped.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const DIGEST = /^sha256:([a-f0-9]{64})$/;

export class DiskCache {
  constructor(private readonly dir: string) {}

  private path(digest: string): string | undefined {
    const hex = DIGEST.exec(digest)?.[1];
    return hex ? join(this.dir, 'sha256', hex.slice(0, 2), hex) : undefined;
  }

  async get(digest: string): Promise<Uint8Array | undefined> {
    const path = this.path(digest);
    if (!path) return undefined;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== digest) {
      await rm(path, { force: true });
      return undefined;
    }
    return new Uint8Array(bytes);
  }

  /** Stores bytes already verified against their digest; a failure to write only costs a later fetch. */
  async put(digest: string, bytes: Uint8Array): Promise<void> {
    const path = this.path(digest);
    if (!path) return;
    try {
      await mkdir(join(path, '..'), { recursive: true });
      const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporary, bytes);
      await rename(temporary, path);
    } catch {
      // A read-only or full cache folder is not the run's problem.
    }
  }
}
