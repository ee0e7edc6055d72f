// The registry client, composed: the transport (transport.ts: HTTP, TLS, retries; health.ts), authentication
// (auth.ts, token-batches.ts), the reading of refusals (refusals.ts), first contact, request counts (stats.ts)
// and one object per API verb (manifests.ts, blobs.ts, referrers.ts, tags.ts), the way regclient's scheme/reg
// keeps one file per verb and go-containerregistry's remote/transport one concern per file.
import { RegistryApi } from './api.js';
import { Authenticator } from './auth.js';
import { Blobs } from './blobs.js';
import { Catalog } from './catalog.js';
import type { CredentialResolver } from './credentials.js';
import { DiskCache } from './disk-cache.js';
import { FirstContact } from './first-contact.js';
import { Manifests } from './manifests.js';
import type { ImageReference } from './reference.js';
import type {
  FetchedManifest,
  ManifestHead,
  ReferrerListing,
  RegistryReader,
  RegistryRequestStats,
} from './reader.js';
import { Referrers } from './referrers.js';
import { Refusals } from './refusals.js';
import { RequestStats } from './stats.js';
import { Tags } from './tags.js';
import { Transport } from './transport.js';

export { MANIFEST_MAX_BYTES } from './api.js';

export interface ClientOptions {
  /** false: accept self-signed certificates and allow plain HTTP, trying HTTPS first. */
  tlsVerify: boolean;
  /** Registries insecure whatever tls-verify says; the only ones credentials may reach over plain HTTP. */
  insecureRegistries?: readonly string[];
  /** PEM certificates trusted besides the system's. */
  extraCaCertificates?: readonly string[];
  /** Said once per registry first used over plain HTTP. */
  onPlainHttp?: (registry: string, listed: boolean) => void;
  /** How often a registry marked down (not answering) is asked again; default 30 s. */
  downProbeMs?: number;
  credentials?: CredentialResolver;
  /** Per request; default 30 s. */
  timeoutMs?: number;
  /** Retries on 429, 5xx and connection resets; default 4. */
  retries?: number;
  /** First backoff step in ms; default 500. */
  backoffMs?: number;
  /** Longest Retry-After honoured before giving up as rate-limited; default 60 s. */
  maxRetryAfterMs?: number;
  /**
   * Keep-alive sockets per host; default 80. An image in flight may have several requests on one host at
   * once (a manifest GET, then the HEADs of its platform children): with fewer sockets than that, requests
   * queue for a socket and each queue costs a round trip across a WAN.
   */
  maxSocketsPerHost?: number;
  /** The clock tokens expire by; Date.now by default (tests move it). */
  now?: () => number;
  onDebug?: (message: string) => void;
  /** A folder where manifests and image configs fetched by digest are kept across runs. */
  cacheDir?: string;
  /** Said once per registry whose HEAD answers 404 for a manifest its GET serves (read by GET from then on). */
  onHeadMisread?: (registry: string) => void;
}

export interface RegistryClient extends RegistryReader {
  listTags(registry: string, repository: string, signal?: AbortSignal): Promise<string[]>;
  listRepositories(registry: string, signal?: AbortSignal): Promise<string[]>;
  close(): void;
}

/** Keep-alive sockets per registry host unless told otherwise. */
export const SOCKETS_PER_HOST = 80;

class Client implements RegistryClient {
  private readonly transport: Transport;
  private readonly counts = new RequestStats();
  private readonly auth: Authenticator;
  private readonly manifests: Manifests;
  private readonly blobs: Blobs;
  private readonly referrers: Referrers;
  private readonly tags: Tags;
  private readonly catalog: Catalog;

  constructor(options: ClientOptions) {
    const stats = this.counts;
    this.transport = new Transport({
      tlsVerify: options.tlsVerify,
      insecureRegistries: options.insecureRegistries,
      downProbeMs: options.downProbeMs,
      extraCaCertificates: options.extraCaCertificates,
      onPlainHttp: (registry, listed) => {
        stats.of(registry).plainHttp = true;
        options.onPlainHttp?.(registry, listed);
      },
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 500,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      maxSocketsPerHost: options.maxSocketsPerHost ?? SOCKETS_PER_HOST,
      onDebug: options.onDebug,
      onSend: (registry, method) => stats.sent(registry, method),
      onRetry: (registry) => stats.count(registry, 'retries'),
      onHeaders: (registry, headers) => {
        const limit = headers.get('ratelimit-limit') ?? undefined;
        const remaining = headers.get('ratelimit-remaining') ?? undefined;
        if (limit || remaining)
          stats.of(registry).rateLimit = { limit, remaining, seenAt: new Date().toISOString() };
      },
    });
    const onTokenRequest = (registry: string) => stats.count(registry, 'tokenRequests');
    const refusals = new Refusals({ transport: this.transport, onTokenRequest });
    this.auth = new Authenticator({
      transport: this.transport,
      refusals,
      credentials: options.credentials,
      onDebug: options.onDebug,
      now: options.now,
      onTokenRequest,
    });
    const api = new RegistryApi({
      transport: this.transport,
      auth: this.auth,
      refusals,
      stats,
      firstContact: new FirstContact(),
    });
    const disk = options.cacheDir ? new DiskCache(options.cacheDir) : undefined;
    this.manifests = new Manifests(api, { disk, onHeadMisread: options.onHeadMisread });
    this.blobs = new Blobs(api, disk);
    this.referrers = new Referrers(api, this.manifests, options.onDebug);
    this.tags = new Tags(api);
    this.catalog = new Catalog(api);
  }

  close(): void {
    this.transport.close();
  }

  plan(registry: string, repositories: readonly string[]): void {
    this.auth.plan(registry, repositories);
  }

  stats(): Record<string, RegistryRequestStats> {
    return this.counts.snapshot();
  }

  headManifest(ref: ImageReference, signal?: AbortSignal): Promise<ManifestHead> {
    return this.manifests.head(ref, signal);
  }

  getManifest(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest> {
    return this.manifests.get(ref, signal);
  }

  manifestExists(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.manifests.exists(registry, repository, digest, signal);
  }

  listReferrers(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing> {
    return this.referrers.list(registry, repository, digest, artifactType, signal);
  }

  listTags(registry: string, repository: string, signal?: AbortSignal): Promise<string[]> {
    return this.tags.list(registry, repository, signal);
  }

  listRepositories(registry: string, signal?: AbortSignal): Promise<string[]> {
    return this.catalog.list(registry, signal);
  }

  blobExists(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    return this.blobs.exists(registry, repository, digest, signal);
  }

  getBlob(
    registry: string,
    repository: string,
    digest: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    return this.blobs.get(registry, repository, digest, maxBytes, signal);
  }
}

export function createRegistryClient(options: ClientOptions): RegistryClient {
  return new Client(options);
}
