// One page of the referrers of a manifest: what the registry lists as referring to it (signatures, attestations, SBOMs).
// Pure: pages in, descriptors out; the client does the requests. Everything here is read from a registry,
// so every field is checked before it is used.
//
// OCI distribution spec 1.1, "Listing Referrers"
// (https://github.com/opencontainers/distribution-spec/blob/v1.1.0/spec.md#listing-referrers):
// - `GET /v2/<name>/referrers/<digest>` answers an OCI image index whose `manifests` are the referrers'
//   descriptors, each with its `artifactType` (the manifest's, else its config's media type) and annotations;
//   no referrers is a 200 with an empty list.
// - `?artifactType=` filtering is optional; a registry that applied it says so with `OCI-Filters-Applied:
//   artifactType`, and otherwise the client filters.
// - More pages are announced by `Link: <url>; rel="next"`.
// - A registry without the API answers 404; the client then reads the referrers tag schema: the tag
//   `<alg>-<hex>` holds an index of the same shape, kept by whoever pushes referrers.
import { nextPage } from './link.js';
import { MediaType, parseManifest, type Descriptor } from './manifest.js';

/** Pages followed at most for one subject: 20 pages of a registry's page size is far beyond any real image. */
export const MAX_REFERRER_PAGES = 20;

/**
 * One page of the referrers API, as read: an index of descriptors; an answer that is not one (no API here);
 * or one that says it is an OCI index and is not a valid one (an error, never read as "no referrers").
 */
export type ReferrersPage =
  | { kind: 'index'; descriptors: Descriptor[]; filtered: boolean; next?: string }
  | { kind: 'not-an-index'; why: string }
  | { kind: 'invalid'; why: string };

/**
 * The referrers tag schema's tag for a subject digest, `<alg>-<ref>`: `sha256:<hex>` → `sha256-<hex>`, the
 * encoded part cut to 64 characters (distribution-spec v1.1.0, "Referrers Tag Schema") and the algorithm to
 * 32 (the spec's later text), which keeps every tag within the 128 characters a tag may have.
 */
export function referrersTag(digest: string): string {
  const [algorithm = '', encoded = ''] = digest.split(':');
  return `${algorithm.slice(0, 32)}-${encoded.slice(0, 64)}`;
}

/**
 * Reads one answer of the referrers API; `host` (the registry's API host) and `repository` bound where a
 * next-page link may lead.
 */
export function readReferrersPage(
  body: Uint8Array,
  headers: { get(name: string): string | null },
  host: string,
  repository: string,
): ReferrersPage {
  const contentType = (headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  let manifest;
  try {
    manifest = parseManifest(body, contentType || undefined);
  } catch (error) {
    const why = (error as Error).message;
    return contentType === MediaType.ociIndex ? { kind: 'invalid', why } : { kind: 'not-an-index', why };
  }
  if (manifest.kind !== 'index' || manifest.mediaType !== MediaType.ociIndex)
    return { kind: 'not-an-index', why: `the answer is ${manifest.mediaType}, not an OCI index` };
  const filtered = (headers.get('oci-filters-applied') ?? '')
    .split(',')
    .some((filter) => filter.trim() === 'artifactType');
  const next = nextPage(headers.get('link'), host, repository, 'referrers/');
  return { kind: 'index', descriptors: manifest.manifests, filtered, ...(next ? { next } : {}) };
}

/** The descriptors of the given artifact type, for a registry that did not apply the filter itself. */
export const ofArtifactType = (descriptors: readonly Descriptor[], artifactType: string | undefined) =>
  artifactType === undefined
    ? [...descriptors]
    : descriptors.filter((descriptor) => descriptor.artifactType === artifactType);
