// The registry client: manifest digests by HEAD (GET + sha256 when the header is missing), manifests by tag or
// digest (verified, cached by digest), blob HEADs, and request counts for reports; auth.ts authenticates.
import { createHash } from 'node:crypto';
import { MANIFEST_ACCEPT, MAX_ENTRIES, MediaType, parseManifest, type Descriptor } from './manifest.js';
import { MAX_REFERRER_PAGES, ofArtifactType, readReferrersPage, referrersTag } from './referrers.js';
import { referencePart, type ImageReference } from './reference.js';
import { Authenticator, deniedProblem, type Authenticated } from './auth.js';
import type { CredentialResolver } from './credentials.js';
import { DiskCache } from './disk-cache.js';
import { isAbsent, RegistryError } from './errors.js';
import { parseRetryAfter } from './retry-after.js';
import { apiHost, Transport, type HttpResponse } from './transport.js';
import type {
  FetchedManifest,
  ManifestHead,
  ReferrerListing,
  RegistryReader,
  RegistryRequestStats,
} from './reader.js';

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
}

export interface RegistryClient extends RegistryReader {
  close(): void;
}

export const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
/** Keep-alive sockets per registry host unless told otherwise. */
export const SOCKETS_PER_HOST = 80;

export const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sha512 = (bytes: Uint8Array) => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

function emptyStats(): RegistryRequestStats {
  return {
    byMethod: {},
    manifestHeads: 0,
    manifestGets: 0,
    blobHeads: 0,
    blobGets: 0,
    referrerGets: 0,
    tokenRequests: 0,
    retries: 0,
    cacheHits: 0,
  };
}

type Kind = 'manifestHeads' | 'manifestGets' | 'blobHeads' | 'blobGets' | 'referrerGets';

class Client implements RegistryClient {
  private readonly transport: Transport;
  private readonly counts = new Map<string, RegistryRequestStats>();
  private readonly auth: Authenticator;
  /** Manifests by registry, repository and digest: fetched once per run, shared by concurrent callers. */
  private readonly manifests = new Map<string, Promise<FetchedManifest>>();
  /** Per registry: the first request, under way; the others wait for what it learns. */
  private readonly firstContact = new Map<string, Promise<void>>();
  /** Per registry: whether GET /v2/ answers like a registry, asked once after a first 404. */
  private readonly registryChecks = new Map<string, Promise<void>>();
  /** Per registry: whether GET /v2/ accepts the authorization of a refused request, asked once. */
  private readonly acceptance = new Map<string, Promise<boolean>>();

  private readonly disk?: DiskCache;
  /**
   * Repositories (`registry/repository`) found without the referrers API: "a registry that supports the
   * referrers API MUST NOT return 404" (distribution-spec v1.1.0), so after a 404, 405, 501 or a 200 that is
   * not an index the referrers tag schema is read directly. Kept per repository, as regclient keeps it
   * (scheme/reg/referrer.go), since some registries serve repositories of different kinds (Artifactory's
   * remote and local repositories, Harbor's proxy-cache projects); a 400 (the spec's answer to one bad
   * digest) or a refusal is not kept.
   */
  private readonly withoutReferrersApi = new Set<string>();

  constructor(private readonly options: ClientOptions) {
    if (options.cacheDir) this.disk = new DiskCache(options.cacheDir);
    this.transport = new Transport({
      tlsVerify: options.tlsVerify,
      insecureRegistries: options.insecureRegistries,
      downProbeMs: options.downProbeMs,
      extraCaCertificates: options.extraCaCertificates,
      onPlainHttp: (registry, listed) => {
        this.statsFor(registry).plainHttp = true;
        options.onPlainHttp?.(registry, listed);
      },
      timeoutMs: options.timeoutMs ?? 30_000,
      retries: options.retries ?? 4,
      backoffMs: options.backoffMs ?? 500,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      maxSocketsPerHost: options.maxSocketsPerHost ?? SOCKETS_PER_HOST,
      onDebug: options.onDebug,
      onSend: (registry, method) => {
        const stats = this.statsFor(registry);
        stats.byMethod[method] = (stats.byMethod[method] ?? 0) + 1;
      },
      onRetry: (registry) => {
        this.statsFor(registry).retries += 1;
      },
      onHeaders: (registry, headers) => {
        const limit = headers.get('ratelimit-limit') ?? undefined;
        const remaining = headers.get('ratelimit-remaining') ?? undefined;
        if (limit || remaining)
          this.statsFor(registry).rateLimit = { limit, remaining, seenAt: new Date().toISOString() };
      },
    });
    this.auth = new Authenticator({
      transport: this.transport,
      credentials: options.credentials,
      onDebug: options.onDebug,
      now: options.now,
      onTokenRequest: (registry) => {
        this.statsFor(registry).tokenRequests += 1;
      },
    });
  }

  close(): void {
    this.transport.close();
  }

  plan(registry: string, repositories: readonly string[]): void {
    this.auth.plan(registry, repositories);
  }

  stats(): Record<string, RegistryRequestStats> {
    return Object.fromEntries(
      [...this.counts].map(([registry, stats]) => [registry, structuredClone(stats)]),
    );
  }

  private statsFor(registry: string): RegistryRequestStats {
    let stats = this.counts.get(registry);
    if (!stats) {
      stats = emptyStats();
      this.counts.set(registry, stats);
    }
    return stats;
  }

  async headManifest(ref: ImageReference, signal?: AbortSignal): Promise<ManifestHead> {
    const response = await this.api(ref.registry, ref.repository, 'HEAD', `manifests/${referencePart(ref)}`, {
      kind: 'manifestHeads',
      accept: MANIFEST_ACCEPT.join(', '),
      signal,
      what: describe(ref),
    });
    const digest = response.headers.get('docker-content-digest');
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (digest && /^sha256:[a-f0-9]{64}$/.test(digest)) {
      if (ref.digest && digest !== ref.digest) {
        throw new RegistryError('digest-mismatch', ref.registry, `the registry answered with ${digest}`, {
          reference: describe(ref),
        });
      }
      return { digest, mediaType, size: Number(response.headers.get('content-length') ?? 0) };
    }
    // Docker-Content-Digest is optional (ECR, proxies): the digest is the sha256 of the exact bytes.
    const fetched = await this.getManifest(ref, signal);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
  }

  getManifest(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest> {
    if (!ref.digest) return this.fetchManifest(ref, signal);
    const key = `${ref.registry}/${ref.repository}@${ref.digest}`;
    let pending = this.manifests.get(key);
    if (!pending) {
      pending = this.cachedManifest({ ...ref, digest: ref.digest }, signal);
      this.manifests.set(key, pending);
      pending.catch(() => this.manifests.delete(key));
    }
    return pending;
  }

  /** A manifest by digest: from the disk cache when it has it (verified), else fetched and stored. */
  private async cachedManifest(
    ref: ImageReference & { digest: string },
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const stored = await this.disk?.get(ref.digest);
    if (stored) {
      try {
        const manifest = parseManifest(stored);
        this.statsFor(ref.registry).cacheHits += 1;
        return {
          digest: ref.digest,
          mediaType: manifest.mediaType,
          size: stored.length,
          bytes: stored,
          manifest,
        };
      } catch {
        // unreadable after all: fetch it again
      }
    }
    const fetched = await this.fetchManifest(ref, signal);
    await this.disk?.put(fetched.digest, fetched.bytes);
    return fetched;
  }

  private async fetchManifest(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest> {
    const response = await this.api(ref.registry, ref.repository, 'GET', `manifests/${referencePart(ref)}`, {
      kind: 'manifestGets',
      accept: MANIFEST_ACCEPT.join(', '),
      signal,
      maxBytes: MANIFEST_MAX_BYTES,
      what: describe(ref),
    });
    const bytes = new Uint8Array(response.body);
    const digest = sha256(bytes);
    if (ref.digest && digest !== ref.digest) {
      throw new RegistryError(
        'digest-mismatch',
        ref.registry,
        `the body fetched has sha256 ${digest}, not the digest asked for`,
        { reference: describe(ref) },
      );
    }
    const header = response.headers.get('docker-content-digest');
    if (!ref.digest && header) {
      // The header is checked against the body in its own algorithm: sha256 and sha512 are the OCI
      // registered ones (opencontainers/image-spec descriptor.md); anything else cannot be checked.
      const [algorithm] = header.split(':');
      const computed = algorithm === 'sha256' ? digest : algorithm === 'sha512' ? sha512(bytes) : undefined;
      if (computed === undefined || header !== computed) {
        throw new RegistryError(
          'digest-mismatch',
          ref.registry,
          computed === undefined
            ? `the registry gives the digest ${header.slice(0, 80)}, in an algorithm that cannot be checked`
            : `the registry says ${header.slice(0, 80)} but the body has ${computed}`,
          { reference: describe(ref) },
        );
      }
    }
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim();
    let manifest;
    try {
      manifest = parseManifest(bytes, contentType);
    } catch (error) {
      // An HTML page where a manifest should be: most likely not a registry at all; say that instead.
      if (/html/i.test(contentType ?? '')) await this.checkIsRegistry(ref.registry, signal);
      throw new RegistryError('invalid-manifest', ref.registry, (error as Error).message, {
        reference: describe(ref),
        cause: error,
      });
    }
    const fetched = { digest, mediaType: manifest.mediaType, size: bytes.length, bytes, manifest };
    // Fetched by tag (a HEAD without Docker-Content-Digest): kept under its digest, so the GET by digest
    // that follows is answered from memory instead of the registry.
    if (!ref.digest) {
      const key = `${ref.registry}/${ref.repository}@${digest}`;
      if (!this.manifests.has(key)) this.manifests.set(key, Promise.resolve(fetched));
    }
    return fetched;
  }

  async listReferrers(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing> {
    const what = `${registry}/${repository} referrers of ${digest}`;
    const repositoryKey = `${registry}/${repository}`;
    if (this.withoutReferrersApi.has(repositoryKey))
      return this.referrersTagSchema(registry, repository, digest, artifactType, signal);
    let path: string | undefined =
      `referrers/${digest}${artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : ''}`;
    const descriptors: Descriptor[] = [];
    const asked = new Set<string>();
    for (let page = 0; path !== undefined; page += 1) {
      if (page >= MAX_REFERRER_PAGES || asked.has(path)) {
        throw new RegistryError(
          'invalid-manifest',
          registry,
          `the referrers list runs past ${MAX_REFERRER_PAGES} pages or links back to a page already read`,
          { reference: what },
        );
      }
      asked.add(path);
      let response: HttpResponse;
      try {
        response = await this.api(registry, repository, 'GET', path, {
          kind: 'referrerGets',
          accept: MediaType.ociIndex,
          signal,
          what,
        });
      } catch (error) {
        if (page === 0 && referrersUnsupported(error)) {
          if (error instanceof RegistryError && [404, 405, 501].includes(error.status ?? 0))
            this.withoutReferrersApi.add(repositoryKey);
          return this.referrersTagSchema(registry, repository, digest, artifactType, signal);
        }
        throw error;
      }
      const read = readReferrersPage(
        new Uint8Array(response.body),
        response.headers,
        apiHost(registry),
        repository,
      );
      if (read.kind === 'invalid') {
        throw new RegistryError('invalid-manifest', registry, `the referrers list: ${read.why}`, {
          reference: what,
        });
      }
      if (read.kind === 'not-an-index') {
        // A 200 that is not a referrers index (an HTML page, a proxy's answer): no API here.
        this.options.onDebug?.(`${what}: the referrers API answered ${read.why}; reading the referrers tag`);
        if (page === 0) {
          this.withoutReferrersApi.add(repositoryKey);
          return this.referrersTagSchema(registry, repository, digest, artifactType, signal);
        }
        throw new RegistryError('invalid-manifest', registry, `a later referrers page: ${read.why}`, {
          reference: what,
        });
      }
      // Filtered here as well, whatever OCI-Filters-Applied says: the list is the registry's word, and a
      // descriptor of another type must not become a required artifact.
      descriptors.push(...ofArtifactType(read.descriptors, artifactType));
      if (descriptors.length > MAX_ENTRIES) {
        throw new RegistryError(
          'invalid-manifest',
          registry,
          `more than ${MAX_ENTRIES} referrers (not one image's signatures)`,
          { reference: what },
        );
      }
      path = read.next;
    }
    return { via: 'referrers-api', descriptors };
  }

  /** The referrers tag schema: an index at the tag `sha256-<hex>`, or no referrers when there is none. */
  private async referrersTagSchema(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing> {
    let fetched: FetchedManifest;
    try {
      fetched = await this.getManifest({ registry, repository, tag: referrersTag(digest) }, signal);
    } catch (error) {
      if (isAbsent(error)) return { via: 'none', descriptors: [] };
      throw error;
    }
    if (fetched.manifest.kind !== 'index') return { via: 'none', descriptors: [] };
    return { via: 'referrers-tag', descriptors: ofArtifactType(fetched.manifest.manifests, artifactType) };
  }

  async manifestExists(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.exists(
      registry,
      repository,
      `manifests/${digest}`,
      'manifestHeads',
      signal,
      MANIFEST_ACCEPT.join(', '),
    );
  }

  async blobExists(
    registry: string,
    repository: string,
    digest: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    return this.exists(registry, repository, `blobs/${digest}`, 'blobHeads', signal);
  }

  private async exists(
    registry: string,
    repository: string,
    path: string,
    kind: Kind,
    signal?: AbortSignal,
    accept?: string,
  ): Promise<boolean> {
    try {
      await this.api(registry, repository, 'HEAD', path, {
        kind,
        accept,
        signal,
        what: `${registry}/${repository} ${path}`,
      });
      return true;
    } catch (error) {
      if (isAbsent(error)) return false;
      throw error;
    }
  }

  async getBlob(
    registry: string,
    repository: string,
    digest: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const stored = await this.disk?.get(digest);
    if (stored && stored.length <= maxBytes) {
      this.statsFor(registry).cacheHits += 1;
      return stored;
    }
    const response = await this.api(registry, repository, 'GET', `blobs/${digest}`, {
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

  /** One registry API call with authentication; maps every non-2xx status to a RegistryError. */
  private async api(
    registry: string,
    repository: string,
    method: 'GET' | 'HEAD',
    path: string,
    options: { kind: Kind; accept?: string; signal?: AbortSignal; maxBytes?: number; what: string },
  ): Promise<HttpResponse> {
    this.statsFor(registry)[options.kind] += 1;
    const scope = `repository:${repository}:pull`;
    const send = async (authorization: string | undefined, withCredentials: boolean) =>
      this.transport.send({
        registry,
        method,
        credentialed: withCredentials,
        path: `/v2/${repository}/${path}`,
        headers: {
          ...(options.accept ? { accept: options.accept } : {}),
          ...(authorization ? { authorization } : {}),
          'user-agent': 'mirror-validate',
        },
        signal: options.signal,
        maxBytes: options.maxBytes ?? MANIFEST_MAX_BYTES,
      });
    // The first request to a registry goes alone: what it learns (the auth challenge) spares every
    // concurrent request a 401 round trip of its own.
    const contact = this.firstContact.get(registry);
    let finishContact: (() => void) | undefined;
    if (contact) await contact;
    else if (!this.auth.knows(registry)) {
      this.firstContact.set(registry, new Promise<void>((resolve) => (finishContact = resolve)));
    }
    try {
      return await this.authorised(registry, scope, send, options.what, options.signal);
    } finally {
      finishContact?.();
    }
  }

  private async authorised(
    registry: string,
    scope: string,
    send: (authorization: string | undefined, withCredentials: boolean) => Promise<HttpResponse>,
    what: string,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const sent = await this.auth.send(registry, scope, send, signal);
    const { response } = sent;
    if (response.status >= 200 && response.status < 300) return response;
    if (response.status === 404) await this.checkIsRegistry(registry, signal);
    // Who we are is accepted when an anonymous token was granted (the token service let us in as nobody), or
    // when GET /v2/ accepts the authorization sent (which catches Harbor's token without access for wrong
    // credentials: goharbor/harbor#20930).
    const anonymousToken = !sent.withCredentials && sent.authorization?.startsWith('Bearer ') === true;
    const challenge = sent.unusableChallenge;
    if (challenge !== undefined && !sent.authorization) {
      throw new RegistryError(
        'unauthorized',
        registry,
        `${registry} asks for authentication with a challenge that cannot be used: ${JSON.stringify(challenge.slice(0, 120))}`,
        { reference: what, status: 401 },
      );
    }
    if (
      (response.status === 401 || response.status === 403) &&
      (anonymousToken || (await this.accepts(registry, sent, signal)))
    ) {
      // Docker Hub, for one, answers 401 for a repository that does not exist, exactly as for one the caller
      // may not read ("repository does not exist or may require 'docker login'"): the registry accepted who
      // we are, so the refusal is of the repository, not of the credentials.
      const code = registryErrorCode(response.body);
      const problem = deniedProblem(registry, sent.withCredentials);
      throw new RegistryError(
        'denied',
        registry,
        `${problem}${code ? ` (HTTP ${response.status} ${code})` : ` (HTTP ${response.status})`}`,
        {
          reference: what,
          status: response.status,
          registryCode: code,
        },
      );
    }
    throw this.statusError(registry, response, what, sent.withCredentials);
  }

  /**
   * Whether the registry accepts the authorization a refused request went with: GET /v2/ with the same
   * header answers 200. Asked once per registry (credentials do not change within a run) and only after a
   * refusal, so a run where nothing is refused sends no extra request. The distribution spec has /v2/ answer
   * 200 to any authenticated client and 401 otherwise
   * (https://distribution.github.io/distribution/spec/api/#api-version-check).
   */
  private accepts(registry: string, sent: Authenticated, signal?: AbortSignal): Promise<boolean> {
    let check = this.acceptance.get(registry);
    if (!check) {
      check = this.ping(registry, signal, sent).then((answer) => answer.status === 200);
      this.acceptance.set(registry, check);
      check.catch(() => this.acceptance.delete(registry));
    }
    return check;
  }

  /** GET /v2/, the API version check, anonymously or with what a request was sent with. */
  private ping(registry: string, signal?: AbortSignal, sent?: Authenticated): Promise<HttpResponse> {
    return this.transport.send({
      registry,
      method: 'GET',
      path: '/v2/',
      headers: {
        ...(sent?.authorization ? { authorization: sent.authorization } : {}),
        'user-agent': 'mirror-validate',
      },
      credentialed: sent?.withCredentials,
      signal,
      maxBytes: 64 * 1024,
    });
  }

  /**
   * A 404 means "not found" only from a registry. Once per registry, when a 404 arrives, GET /v2/ must answer
   * like one (200 or 401, not an HTML page); otherwise every line would read as missing when the address is wrong.
   */
  private checkIsRegistry(registry: string, signal?: AbortSignal): Promise<void> {
    let check = this.registryChecks.get(registry);
    if (!check) {
      check = this.ping(registry, signal).then((answer) => {
        const type = answer.headers.get('content-type') ?? '';
        const apiVersion = answer.headers.get('docker-distribution-api-version');
        if ((answer.status === 200 || answer.status === 401) && (apiVersion || !/html/i.test(type))) return;
        throw new RegistryError(
          'http',
          registry,
          `${registry} does not look like a container registry: GET /v2/ answered HTTP ${answer.status}${type ? ` (${type.split(';')[0]})` : ''}`,
          { status: answer.status },
        );
      });
      this.registryChecks.set(registry, check);
    }
    return check;
  }

  private statusError(
    registry: string,
    response: HttpResponse,
    what: string,
    withCredentials = false,
  ): RegistryError {
    const status = response.status;
    const registryCode = registryErrorCode(response.body);
    const details = { reference: what, status, registryCode };
    const code = registryCode ? ` (${registryCode})` : '';
    if (status === 404) return new RegistryError('not-found', registry, `not found${code}`, details);
    if (status === 401)
      return new RegistryError(
        'unauthorized',
        registry,
        withCredentials
          ? `${registry} refused the credentials given${code}`
          : `${registry} requires credentials; none were given${code}`,
        details,
      );
    if (status === 403)
      return new RegistryError(
        'forbidden',
        registry,
        withCredentials
          ? `access denied by ${registry} to the credentials given${code}`
          : `access denied by ${registry}; no credentials were given${code}`,
        details,
      );
    if (status === 429) {
      const retryAfterSeconds = parseRetryAfter(response.headers.get('retry-after'));
      const wait = retryAfterSeconds !== undefined ? ` (retry after ${retryAfterSeconds} s)` : '';
      return new RegistryError('rate-limited', registry, `${registry} rate limit reached${wait}`, {
        ...details,
        retryAfterSeconds,
      });
    }
    return new RegistryError('http', registry, `${registry} answered HTTP ${status}${code}`, details);
  }
}

/**
 * What a registry without the referrers API answers for it, so the referrers tag schema is read instead:
 * - 404, the spec's answer (distribution-spec v1.1.0 spec.md, "Unavailable Referrers API"), and what
 *   distribution 2.x/3.x, ghcr.io and GitLab answer;
 * - 400 and 406, which go-containerregistry falls back on too (pkg/v1/remote/referrers.go, fetchReferrers);
 *   405 and 501, the statuses of a route a server does not have;
 * - a refusal of that path alone by a registry that accepts who we are (`denied`): Harbor 2.7 answers the
 *   referrers API 401 without a challenge (goharbor/harbor#18305).
 * 401 and 403 of the credentials themselves, 429 and 5xx stay errors: a registry in trouble must not read as
 * one without referrers.
 */
function referrersUnsupported(error: unknown): boolean {
  if (!(error instanceof RegistryError)) return false;
  if (error.code === 'not-found' || error.code === 'denied') return true;
  return error.code === 'http' && [400, 405, 406, 501].includes(error.status ?? 0);
}

function describe(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag && !ref.digest ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The first error code of a registry's JSON error body (`MANIFEST_UNKNOWN`, `DENIED` …). */
function registryErrorCode(body: Buffer): string | undefined {
  if (body.length === 0 || body.length > 64 * 1024) return undefined;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown }[] };
    const code = parsed.errors?.[0]?.code;
    // The spec's codes are upper-case words (MANIFEST_UNKNOWN, DENIED): anything else is not repeated.
    return typeof code === 'string' && /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
  } catch {
    return undefined;
  }
}

export function createRegistryClient(options: ClientOptions): RegistryClient {
  return new Client(options);
}
