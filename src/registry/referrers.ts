// The referrers verb: the signatures, attestations and SBOMs of a manifest, from the OCI referrers API (every
// page, see referrers-page.ts), else from the referrers tag schema.
import type { RegistryApi } from './api.js';
import { isAbsent, RegistryError } from './errors.js';
import { MAX_ENTRIES, MediaType, type Descriptor } from './manifest.js';
import type { Manifests } from './manifests.js';
import type { FetchedManifest, ReferrerListing } from './reader.js';
import { MAX_REFERRER_PAGES, ofArtifactType, readReferrersPage, referrersTag } from './referrers-page.js';
import type { HttpResponse } from './transport.js';
import { apiHost } from './transport.js';

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

export class Referrers {
  /**
   * Repositories (`registry/repository`) found without the referrers API: "a registry that supports the
   * referrers API MUST NOT return 404" (distribution-spec v1.1.0), so after a 404, 405, 501 or a 200 that is
   * not an index the referrers tag schema is read directly. Kept per repository, as regclient keeps it
   * (scheme/reg/referrer.go), since some registries serve repositories of different kinds (Artifactory's
   * remote and local repositories, Harbor's proxy-cache projects); a 400 (the spec's answer to one bad
   * digest) or a refusal is not kept.
   */
  readonly #withoutApi = new Set<string>();

  constructor(
    private readonly api: RegistryApi,
    private readonly manifests: Manifests,
    private readonly onDebug?: (message: string) => void,
  ) {}

  async list(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing> {
    const what = `${registry}/${repository} referrers of ${digest}`;
    const repositoryKey = `${registry}/${repository}`;
    if (this.#withoutApi.has(repositoryKey))
      return this.tagSchema(registry, repository, digest, artifactType, signal);
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
        response = await this.api.call(registry, repository, 'GET', path, {
          kind: 'referrerGets',
          accept: MediaType.ociIndex,
          signal,
          what,
        });
      } catch (error) {
        if (page === 0 && referrersUnsupported(error)) {
          if (error instanceof RegistryError && [404, 405, 501].includes(error.status ?? 0))
            this.#withoutApi.add(repositoryKey);
          return this.tagSchema(registry, repository, digest, artifactType, signal);
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
        this.onDebug?.(`${what}: the referrers API answered ${read.why}; reading the referrers tag`);
        if (page === 0) {
          this.#withoutApi.add(repositoryKey);
          return this.tagSchema(registry, repository, digest, artifactType, signal);
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
  private async tagSchema(
    registry: string,
    repository: string,
    digest: string,
    artifactType: string | undefined,
    signal?: AbortSignal,
  ): Promise<ReferrerListing> {
    let fetched: FetchedManifest;
    try {
      fetched = await this.manifests.get({ registry, repository, tag: referrersTag(digest) }, signal);
    } catch (error) {
      if (isAbsent(error)) return { via: 'none', descriptors: [] };
      throw error;
    }
    if (fetched.manifest.kind !== 'index') return { via: 'none', descriptors: [] };
    return { via: 'referrers-tag', descriptors: ofArtifactType(fetched.manifest.manifests, artifactType) };
  }
}
