// The manifests verb: a manifest's digest by HEAD (GET + sha256 when the header is missing), manifests by tag
// or digest (verified; fetched once per run and kept by digest, on disk too when a cache folder is given),
// and whether a manifest exists in a repository.
//
// A HEAD that answers 404 is not believed on its own: some registries and proxies answer HEAD 404 for a
// manifest that GET serves (Nexus: crazy-max/diun#1614; registry-cli and watchtower fall back to GET the same
// way, nicholas-fedor/watchtower#667). Missing is rare on a healthy mirror, so one GET of the same reference
// confirms each such 404, and a registry seen doing it (HEAD 404, GET 200) is read with GET for the rest of
// the run, said once.
import { createHash } from 'node:crypto';
import { MANIFEST_MAX_BYTES, type RegistryApi } from './api.js';
import type { DiskCache } from './disk-cache.js';
import { isAbsent, RegistryError } from './errors.js';
import { MANIFEST_ACCEPT, parseManifest } from './manifest.js';
import type { FetchedManifest, ManifestHead } from './reader.js';
import { referencePart, type ImageReference } from './reference.js';

export const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const sha512 = (bytes: Uint8Array) => `sha512:${createHash('sha512').update(bytes).digest('hex')}`;

const ACCEPT = MANIFEST_ACCEPT.join(', ');

export function describe(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag && !ref.digest ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

export class Manifests {
  /** Manifests by registry, repository and digest: fetched once per run, shared by concurrent callers. */
  readonly #byDigest = new Map<string, Promise<FetchedManifest>>();
  /** Registries seen answering HEAD 404 for a manifest their GET serves: read with GET from then on. */
  readonly #headMisreads = new Set<string>();

  constructor(
    private readonly api: RegistryApi,
    private readonly options: {
      disk?: DiskCache;
      /** Said once per registry whose HEAD answers 404 for a manifest its GET serves. */
      onHeadMisread?: (registry: string) => void;
    },
  ) {}

  private get stats() {
    return this.api.parts.stats;
  }

  async head(ref: ImageReference, signal?: AbortSignal): Promise<ManifestHead> {
    if (this.#headMisreads.has(ref.registry)) return this.headByGet(ref, signal);
    const answer = await this.api.attempt(
      ref.registry,
      ref.repository,
      'HEAD',
      `manifests/${referencePart(ref)}`,
      {
        kind: 'manifestHeads',
        accept: ACCEPT,
        signal,
        what: describe(ref),
      },
    );
    if ('error' in answer) {
      if (answer.error.code !== 'not-found') throw answer.error;
      // Missing only when the GET says so too.
      const fetched = await this.get(ref, signal);
      this.misread(ref.registry);
      return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
    }
    const { response } = answer;
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
    return this.headByGet(ref, signal);
  }

  private async headByGet(ref: ImageReference, signal?: AbortSignal): Promise<ManifestHead> {
    const fetched = await this.get(ref, signal);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size };
  }

  private misread(registry: string): void {
    if (this.#headMisreads.has(registry)) return;
    this.#headMisreads.add(registry);
    this.stats.of(registry).headMisread = true;
    this.options.onHeadMisread?.(registry);
  }

  /** Whether a manifest is in a repository: HEAD, a 404 confirmed by GET (see the header). */
  async exists(registry: string, repository: string, digest: string, signal?: AbortSignal): Promise<boolean> {
    const ref = { registry, repository, digest };
    const byGet = async () => {
      try {
        await this.get(ref, signal);
        return true;
      } catch (error) {
        if (isAbsent(error)) return false;
        throw error;
      }
    };
    if (this.#headMisreads.has(registry)) return byGet();
    const answer = await this.api.attempt(registry, repository, 'HEAD', `manifests/${digest}`, {
      kind: 'manifestHeads',
      accept: ACCEPT,
      signal,
      what: describe(ref),
    });
    if (!('error' in answer)) return true;
    if (answer.error.code === 'denied') return false;
    if (answer.error.code !== 'not-found') throw answer.error;
    const served = await byGet();
    if (served) this.misread(registry);
    return served;
  }

  get(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest> {
    if (!ref.digest) return this.fetch(ref, signal);
    const key = `${ref.registry}/${ref.repository}@${ref.digest}`;
    let pending = this.#byDigest.get(key);
    if (!pending) {
      pending = this.cached({ ...ref, digest: ref.digest }, signal);
      this.#byDigest.set(key, pending);
      pending.catch(() => this.#byDigest.delete(key));
    }
    return pending;
  }

  /** A manifest by digest: from the disk cache when it has it (verified), else fetched and stored. */
  private async cached(
    ref: ImageReference & { digest: string },
    signal?: AbortSignal,
  ): Promise<FetchedManifest> {
    const stored = await this.options.disk?.get(ref.digest);
    if (stored) {
      try {
        const manifest = parseManifest(stored);
        this.stats.count(ref.registry, 'cacheHits');
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
    const fetched = await this.fetch(ref, signal);
    await this.options.disk?.put(fetched.digest, fetched.bytes);
    return fetched;
  }

  private async fetch(ref: ImageReference, signal?: AbortSignal): Promise<FetchedManifest> {
    const response = await this.api.call(
      ref.registry,
      ref.repository,
      'GET',
      `manifests/${referencePart(ref)}`,
      {
        kind: 'manifestGets',
        accept: ACCEPT,
        signal,
        maxBytes: MANIFEST_MAX_BYTES,
        what: describe(ref),
      },
    );
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
      if (/html/i.test(contentType ?? ''))
        await this.api.parts.refusals.confirmRegistry(ref.registry, signal);
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
      if (!this.#byDigest.has(key)) this.#byDigest.set(key, Promise.resolve(fetched));
    }
    return fetched;
  }
}
