// Request counts per registry, for the report and the summary: what was sent, by verb and by method, retries,
// token requests, cache hits, and what a registry showed of itself (plain HTTP, rate-limit headers, a HEAD
// that says 404 for what GET serves).
import type { RegistryRequestStats } from './reader.js';

/** The verbs counted apart. */
export type RequestKind =
  'manifestHeads' | 'manifestGets' | 'blobHeads' | 'blobGets' | 'referrerGets' | 'tagGets' | 'catalogGets';

function emptyStats(): RegistryRequestStats {
  return {
    byMethod: {},
    manifestHeads: 0,
    manifestGets: 0,
    blobHeads: 0,
    blobGets: 0,
    referrerGets: 0,
    tagGets: 0,
    tokenRequests: 0,
    retries: 0,
    cacheHits: 0,
  };
}

export class RequestStats {
  readonly #counts = new Map<string, RegistryRequestStats>();

  of(registry: string): RegistryRequestStats {
    let stats = this.#counts.get(registry);
    if (!stats) {
      stats = emptyStats();
      this.#counts.set(registry, stats);
    }
    return stats;
  }

  count(registry: string, kind: RequestKind | 'tokenRequests' | 'retries' | 'cacheHits'): void {
    const stats = this.of(registry);
    stats[kind] = (stats[kind] ?? 0) + 1;
  }

  sent(registry: string, method: string): void {
    const stats = this.of(registry);
    stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
  }

  /** A copy, registry by registry. */
  snapshot(): Record<string, RegistryRequestStats> {
    return Object.fromEntries(
      [...this.#counts].map(([registry, stats]) => [registry, structuredClone(stats)]),
    );
  }
}
