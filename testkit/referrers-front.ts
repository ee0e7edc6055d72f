// A referrers-API front: Debian's distribution 2.8 has no OCI 1.1 referrers API (it answers
// `GET /v2/<name>/referrers/<digest>` with a plain 404, its router having no such route), and the registries
// users run do (Harbor ≥ 2.8, Quay ≥ 3.12, ECR, Artifactory). So the API path is tested through this front:
// it answers exactly that request, from the manifests the real registry stores, and passes every other
// request to the registry unchanged.
//
// The answer follows distribution-spec v1.1.0 "Listing Referrers": an OCI index of the descriptors of every
// manifest in the repository whose `subject` is the digest, with `artifactType` (the manifest's, else its
// config's media type) and the manifest's annotations; `?artifactType=` filtering, said with
// `OCI-Filters-Applied: artifactType`; pages announced with `Link: <…>; rel="next"`.
import { readdir } from 'node:fs/promises';
import type http from 'node:http';
import { join } from 'node:path';
import type { Descriptor } from '../src/registry/manifest.js';
import { startProxy, type ProxiedResponse, type TestProxy } from './proxy.js';
import type { TestRegistry } from './registry.js';
import { getManifestBytes } from './seed.js';

export interface ReferrersFrontOptions {
  /** Descriptors per page; a `Link` to the next page when there are more. Unlimited when 0 (the default). */
  pageSize?: number;
  /** false: ignore `?artifactType=` (the spec lets a registry not filter; the client must then). */
  applyFilter?: boolean;
  /** Answer the referrers path with this instead (a registry without the API, or a broken one). */
  unsupported?: 'not-found' | 'html';
}

export interface ReferrersFront extends TestProxy {
  /** The referrers requests answered, as `path?query`. */
  referrersRequests: string[];
}

const REFERRERS_PATH = /^\/v2\/(.+)\/referrers\/(sha256:[a-f0-9]{64})$/;

/** Every manifest digest the repository stores: distribution keeps one revision link per manifest. */
async function storedDigests(registry: TestRegistry, repository: string): Promise<string[]> {
  const folder = join(
    registry.storageDir,
    'docker/registry/v2/repositories',
    repository,
    '_manifests/revisions/sha256',
  );
  const names = await readdir(folder).catch(() => [] as string[]);
  const digests: string[] = [];
  for (const name of names) {
    // A deleted manifest loses its link file, not always its folder.
    const link = await readdir(join(folder, name)).catch(() => [] as string[]);
    if (link.includes('link')) digests.push(`sha256:${name}`);
  }
  return digests.sort();
}

async function referrersOf(
  registry: TestRegistry,
  repository: string,
  subject: string,
): Promise<Descriptor[]> {
  const descriptors: Descriptor[] = [];
  for (const digest of await storedDigests(registry, repository)) {
    // Read through the registry API: what it serves, not what the folder holds.
    const { bytes, mediaType } = await getManifestBytes(registry, repository, digest).catch(() => ({
      bytes: undefined,
      mediaType: '',
    }));
    if (!bytes) continue;
    const manifest = JSON.parse(bytes.toString('utf8')) as {
      artifactType?: string;
      config?: { mediaType?: string };
      subject?: { digest?: string };
      annotations?: Record<string, string>;
    };
    if (manifest.subject?.digest !== subject) continue;
    const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
    descriptors.push({
      mediaType,
      digest,
      size: bytes.length,
      ...(artifactType ? { artifactType } : {}),
      ...(manifest.annotations ? { annotations: manifest.annotations } : {}),
    });
  }
  return descriptors;
}

async function answer(
  registry: TestRegistry,
  options: ReferrersFrontOptions,
  request: http.IncomingMessage,
  seen: string[],
): Promise<ProxiedResponse | undefined> {
  const url = new URL(request.url ?? '/', 'http://front');
  const match = REFERRERS_PATH.exec(url.pathname);
  if (!match || request.method !== 'GET') return undefined;
  seen.push(`${url.pathname}${url.search}`);
  if (options.unsupported === 'not-found')
    return {
      status: 404,
      headers: { 'content-type': 'text/plain' },
      body: Buffer.from('404 page not found\n'),
    };
  if (options.unsupported === 'html')
    return {
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: Buffer.from('<html><body>Sign in</body></html>'),
    };
  const [, repository = '', subject = ''] = match;
  const artifactType = url.searchParams.get('artifactType');
  const filter = artifactType !== null && options.applyFilter !== false;
  const all = (await referrersOf(registry, repository, subject)).filter(
    (descriptor) => !filter || descriptor.artifactType === artifactType,
  );
  const size = options.pageSize || all.length || 1;
  const page = Number(url.searchParams.get('page') ?? '0');
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
  if (filter) headers['oci-filters-applied'] = 'artifactType';
  if ((page + 1) * size < all.length) {
    const next = new URLSearchParams(url.searchParams);
    next.set('page', String(page + 1));
    headers.link = `<${url.pathname}?${next.toString()}>; rel="next"`;
  }
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: all.slice(page * size, (page + 1) * size),
  };
  return { status: 200, headers, body: Buffer.from(JSON.stringify(index)) };
}

/** Starts the front before a plain-HTTP test registry (the registry's storage is read to list manifests). */
export async function startReferrersFront(
  registry: TestRegistry,
  options: ReferrersFrontOptions = {},
): Promise<ReferrersFront> {
  const referrersRequests: string[] = [];
  const proxy = await startProxy(registry.url, {
    answer: (request) => answer(registry, options, request, referrersRequests),
  });
  return { ...proxy, referrersRequests };
}
