// One source read for many targets: when several pairs read the same source reference (a sync config that
// writes each source to three registries), its HEAD is sent once and shared, and let go after its last pair.
import type { ManifestHead, RegistryReader } from '../../registry/reader.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';

/** Rejects when the signal aborts, so a waiter on a shared request keeps its own deadline. */
function untilAborted(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

export class SharedHeads {
  readonly #users = new Map<string, number>();
  readonly #pending = new Map<string, Promise<ManifestHead>>();

  constructor(
    private readonly reader: RegistryReader,
    sources: Iterable<ImageReference>,
  ) {
    for (const source of sources) {
      const key = formatReference(source);
      this.#users.set(key, (this.#users.get(key) ?? 0) + 1);
    }
  }

  /**
   * The source's HEAD: its own request when only one pair reads it; else one request for all of them, sent
   * without any one line's signal (one line running out of time must not fail the others), each waiter
   * bound by its own.
   */
  async head(source: ImageReference, signal: AbortSignal): Promise<ManifestHead> {
    const key = formatReference(source);
    if ((this.#users.get(key) ?? 0) <= 1) return this.reader.headManifest(source, signal);
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.reader.headManifest(source);
      this.#pending.set(key, pending);
    }
    const aborted = untilAborted(signal);
    try {
      return await Promise.race([pending, aborted.promise]);
    } finally {
      aborted.dispose();
    }
  }

  /** A pair that read the source is done with it: after the last one, it is let go. */
  release(source: ImageReference): void {
    const key = formatReference(source);
    const left = (this.#users.get(key) ?? 1) - 1;
    if (left > 0) {
      this.#users.set(key, left);
      return;
    }
    this.#users.delete(key);
    this.#pending.delete(key);
  }
}
