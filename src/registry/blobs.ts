// The blobs verb: whether a blob is in a repository (HEAD), and small blobs (image configs) read whole,
// verified against their digest and kept on disk when a cache folder is given.
import type { RegistryApi } from './api.js';
import type { DiskCache } from './disk-cache.js';
import { isAbsent, RegistryError } from './errors.js';
import { sha256 } from './manifests.js';

export class Blobs {
  constructor(
    private readonly api: RegistryApi,
    private readonly disk?: DiskCache,
  ) {}

  async exists(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.api.call(registry, repository, 'HEAD', `blobs/${digest}`, {
        kind: 'blobHeads',
        signal,
        what: `${registry}/${repository} blobs/${digest}`,
      });
      return true;
    } catch (error) {
      if (isAbsent(error)) return false;
      throw error;
    }
  }

  async get(
    registry: string,
    repository: string,
    digest: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const stored = await this.disk?.get(digest);
    if (stored && stored.length <= maxBytes) {
      this.api.parts.stats.count(registry, 'cacheHits');
      return stored;
    }
    const response = await this.api.call(registry, repository, 'GET', `blobs/${digest}`, {
      kind: 'blobGets',
      signal,
      maxBytes,
      what: `${registry}/${repository}@${digest}`,
    });
    const bytes = new Uint8Array(response.body);
    if (sha256(bytes) !== digest) {
      throw new RegistryError(
        'digest-mismatch',
        registry,
        `blob ${digest} in ${repository}: the body does not match its digest`,
      );
    }
    await this.disk?.put(digest, bytes);
    return bytes;
  }
}
