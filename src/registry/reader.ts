// The registry client's public surface, as the validation runner uses it.
import type { Descriptor, Manifest } from './manifest.js';
import type { ImageReference } from './reference.js';

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size: number;
}

export interface FetchedManifest extends ManifestHead {
  bytes: Uint8Array;
  manifest: Manifest;
}

/** A subject's referrers, and where they were listed. */
export interface ReferrerListing {
  /** The referrers API, the referrers tag schema (`sha256-<hex>`), or neither (no API and no such tag). */
  via: 'referrers-api' | 'referrers-tag' | 'none';
  descriptors: Descriptor[];
}

export interface RegistryRequestStats {
  /** Requests sent, by HTTP method (token requests counted separately). */
  byMethod: Record<string, number>;
  manifestHeads: number;
  manifestGets: number;
  blobHeads: number;
  blobGets: number;
  /** Pages of the referrers API asked for (tags of the tag schema are manifest GETs). */
  referrerGets: number;
  /** Pages of tag lists asked for. */
  tagGets: number;
  /** Pages of a registry's catalog asked for (regsync type: registry, with registry-catalog). */
  catalogGets?: number;
  tokenRequests: number;
  retries: number;
  /** Manifests and configs read from the on-disk cache instead of the registry. */
  cacheHits: number;
  /** Used over plain HTTP (an insecure registry whose TLS port answered in plain HTTP). */
  plainHttp?: boolean;
  /** Seen answering HEAD 404 for a manifest its GET serves: read by GET for the rest of the run. */
  headMisread?: boolean;
  /** Last `ratelimit-limit` / `ratelimit-remaining` seen, raw header values. */
  rateLimit?: { limit?: string; remaining?: string; seenAt: string };
}

/** What the validation runner needs from a registry client. */
export interface RegistryReader {
  /** The repositories the run will read from a registry, in order, so tokens can be asked for in batches. */
  plan?(registry: string, repositories: readonly string[]): void;
  /** Digest of a manifest by tag or digest: HEAD, falling back to GET + sha256 when the header is absent. */
  headManifest(ref: ImageReference, signal?: AbortSignal): Promise<ManifestHead>;
  /** GET a manifest by tag or digest; verifies sha256 when the reference has a digest. */
  getManifest(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest>;
  /** HEAD a manifest by digest in a repository: false on 404, throws RegistryError otherwise. */
  manifestExists(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean>;
  /**
   * The referrers of a manifest, of one artifact type or all: the referrers API (every page), else the
   * referrers tag schema (see referrers.ts).
   */
  listReferrers(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing>;
  /** Every tag of a repository (the tag list, every page), bounded. */
  listTags?(registry: string, repository: string, signal?: AbortSignal): Promise<string[]>;
  /** HEAD a blob: false on 404, throws RegistryError otherwise. */
  blobExists(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
  /** GET a small blob (an image config), verified against its digest, refused past maxBytes. */
  getBlob(
    registry: string,
    repository: string,
    digest: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array>;
  /** Request counts per registry host (docker.io counted as docker.io). */
  stats(): Record<string, RegistryRequestStats>;
}
