// Populates test registries through the registry API, the way pushes reach a real registry:
// blobs by monolithic upload, manifests by PUT, deletions by digest.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { gzipSync } from 'node:zlib';
import fetch from 'node-fetch';
import { MediaType, type Descriptor, type Platform } from '../src/registry/manifest.js';

/** Helm's chart config type: a single OCI manifest that is an artifact, not an image. */
export const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
import type { TestRegistry } from './registry.js';

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true, rejectUnauthorized: false }),
};

export const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

const tokenCache = new Map<string, string>();

async function authHeader(registry: TestRegistry, repository: string): Promise<Record<string, string>> {
  if (registry.kind === 'plain') return {};
  const basic = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  if (registry.kind === 'basic-tls') return { authorization: basic };
  const key = `${registry.host} ${repository}`;
  let token = tokenCache.get(key);
  if (!token) {
    const url = new URL(registry.tokenServer!.url);
    url.searchParams.set('service', 'mirror-validate-test');
    url.searchParams.set('scope', `repository:${repository}:pull,push,delete`);
    const response = await fetch(url, { headers: { authorization: basic } });
    const body = (await response.json()) as { token?: string; access_token?: string };
    token = body.token ?? body.access_token;
    if (!token) throw new Error(`seeding: no token for ${repository}`);
    tokenCache.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}

/** One registry API request as the seeder (full rights). */
export async function registryRequest(
  registry: TestRegistry,
  repository: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Uint8Array } = {},
) {
  const url = path.startsWith('http') ? path : `${registry.url}/v2/${repository}/${path}`;
  const response = await fetch(url, {
    method,
    headers: { ...(await authHeader(registry, repository)), ...options.headers },
    body: options.body ? Buffer.from(options.body) : undefined,
    agent: (parsed: URL) => (parsed.protocol === 'https:' ? agents.https : agents.http),
    redirect: 'manual',
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

export async function pushBlob(
  registry: TestRegistry,
  repository: string,
  bytes: Uint8Array,
): Promise<Descriptor> {
  const digest = digestOf(bytes);
  const head = await registryRequest(registry, repository, 'HEAD', `blobs/${digest}`);
  if (head.status !== 200) {
    const start = await registryRequest(registry, repository, 'POST', 'blobs/uploads/');
    if (start.status !== 202) throw new Error(`seeding: blob upload start ${start.status} ${start.body}`);
    const location = new URL(start.headers.get('location') as string, registry.url);
    location.searchParams.set('digest', digest);
    const put = await registryRequest(registry, repository, 'PUT', location.toString(), {
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
    });
    if (put.status !== 201) throw new Error(`seeding: blob upload ${put.status} ${put.body}`);
  }
  return { mediaType: 'application/octet-stream', digest, size: bytes.length };
}

export async function pushManifest(
  registry: TestRegistry,
  repository: string,
  reference: string,
  bytes: Uint8Array,
  mediaType: string,
): Promise<Descriptor> {
  const put = await registryRequest(registry, repository, 'PUT', `manifests/${reference}`, {
    headers: { 'content-type': mediaType },
    body: bytes,
  });
  if (put.status !== 201)
    throw new Error(`seeding: manifest PUT ${repository}:${reference} ${put.status} ${put.body}`);
  return { mediaType, digest: digestOf(bytes), size: bytes.length };
}

export async function getManifestBytes(registry: TestRegistry, repository: string, reference: string) {
  const response = await registryRequest(registry, repository, 'GET', `manifests/${reference}`, {
    headers: {
      accept: [
        MediaType.ociIndex,
        MediaType.dockerManifestList,
        MediaType.ociManifest,
        MediaType.dockerManifest,
      ].join(', '),
    },
  });
  if (response.status !== 200) throw new Error(`seeding: GET ${repository}:${reference} ${response.status}`);
  return {
    bytes: response.body,
    mediaType: (response.headers.get('content-type') ?? '').split(';')[0] as string,
  };
}

export async function deleteManifest(
  registry: TestRegistry,
  repository: string,
  digest: string,
): Promise<void> {
  const response = await registryRequest(registry, repository, 'DELETE', `manifests/${digest}`);
  if (response.status !== 202) throw new Error(`seeding: DELETE manifest ${digest} ${response.status}`);
}

export async function deleteBlob(registry: TestRegistry, repository: string, digest: string): Promise<void> {
  const response = await registryRequest(registry, repository, 'DELETE', `blobs/${digest}`);
  if (response.status !== 202) throw new Error(`seeding: DELETE blob ${digest} ${response.status}`);
}

export interface PushedImage extends Descriptor {
  platform: Platform;
  config: Descriptor;
  layers: Descriptor[];
  bytes: Buffer;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** Pushes a small image (random gzip layers, a config with the platform) and tags it when a tag is given. */
export async function pushImage(
  registry: TestRegistry,
  repository: string,
  tag: string | undefined,
  options: {
    platform: Platform;
    format?: 'docker' | 'oci';
    layers?: number;
    annotations?: Record<string, string>;
  },
): Promise<PushedImage> {
  const oci = (options.format ?? 'oci') === 'oci';
  const layerContents = Array.from({ length: options.layers ?? 1 }, () => randomBytes(64));
  const layers: Descriptor[] = [];
  for (const content of layerContents) {
    const pushed = await pushBlob(registry, repository, gzipSync(content));
    layers.push({
      ...pushed,
      mediaType: oci
        ? 'application/vnd.oci.image.layer.v1.tar+gzip'
        : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
    });
  }
  const config = json({
    architecture: options.platform.architecture,
    os: options.platform.os,
    ...(options.platform.variant ? { variant: options.platform.variant } : {}),
    ...(options.platform['os.version'] ? { 'os.version': options.platform['os.version'] } : {}),
    rootfs: { type: 'layers', diff_ids: layerContents.map((content) => digestOf(content)) },
    config: {},
  });
  const configDescriptor = {
    ...(await pushBlob(registry, repository, config)),
    mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig,
  };
  const mediaType = oci ? MediaType.ociManifest : MediaType.dockerManifest;
  const bytes = json({
    schemaVersion: 2,
    mediaType,
    config: configDescriptor,
    layers,
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const pushed = await pushManifest(registry, repository, tag ?? digestOf(bytes), bytes, mediaType);
  return { ...pushed, platform: options.platform, config: configDescriptor, layers, bytes };
}

/** An OCI attestation manifest for a child, as buildkit makes them. */
async function pushAttestation(
  registry: TestRegistry,
  repository: string,
  child: Descriptor,
): Promise<Descriptor> {
  const statement = await pushBlob(
    registry,
    repository,
    json({ _type: 'https://in-toto.io/Statement/v0.1', subject: child.digest }),
  );
  const config = await pushBlob(
    registry,
    repository,
    json({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [] } }),
  );
  const bytes = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { ...config, mediaType: MediaType.ociConfig },
    layers: [
      {
        ...statement,
        mediaType: 'application/vnd.in-toto+json',
        annotations: { 'in-toto.io/predicate-type': 'https://slsa.dev/provenance/v0.2' },
      },
    ],
  });
  const pushed = await pushManifest(registry, repository, digestOf(bytes), bytes, MediaType.ociManifest);
  return {
    ...pushed,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: {
      'vnd.docker.reference.type': 'attestation-manifest',
      'vnd.docker.reference.digest': child.digest,
    },
  };
}

export interface PushedIndex extends Descriptor {
  bytes: Buffer;
  manifests: Descriptor[];
}

/** Pushes an index of the given children (already pushed), with buildkit attestations when asked. */
export async function pushIndex(
  registry: TestRegistry,
  repository: string,
  tag: string,
  children: readonly (Descriptor & { platform?: Platform })[],
  options: { format?: 'docker' | 'oci'; attestations?: boolean } = {},
): Promise<PushedIndex> {
  const oci = (options.format ?? 'oci') === 'oci';
  const manifests: Descriptor[] = children.map((child) => ({
    mediaType: child.mediaType,
    digest: child.digest,
    size: child.size,
    ...(child.platform ? { platform: child.platform } : {}),
    ...(child.annotations ? { annotations: child.annotations } : {}),
  }));
  if (options.attestations) {
    for (const child of children) manifests.push(await pushAttestation(registry, repository, child));
  }
  const mediaType = oci ? MediaType.ociIndex : MediaType.dockerManifestList;
  const bytes = json({ schemaVersion: 2, mediaType, manifests });
  const pushed = await pushManifest(registry, repository, tag, bytes, mediaType);
  return { ...pushed, bytes, manifests };
}

/** A multi-platform image: one child per platform, then the index. */
export async function pushMultiPlatform(
  registry: TestRegistry,
  repository: string,
  tag: string,
  platforms: Platform[],
  options: { format?: 'docker' | 'oci'; attestations?: boolean } = {},
): Promise<PushedIndex & { children: PushedImage[] }> {
  const children: PushedImage[] = [];
  for (const platform of platforms) {
    children.push(await pushImage(registry, repository, undefined, { platform, format: options.format }));
  }
  const index = await pushIndex(registry, repository, tag, children, options);
  return { ...index, children };
}

export const linux = (architecture: string, variant?: string): Platform => ({
  os: 'linux',
  architecture,
  ...(variant ? { variant } : {}),
});

export interface StandardImages {
  /** Docker manifest list: linux/amd64, linux/arm64, linux/arm/v7, linux/s390x. */
  dockerList: PushedIndex & { children: PushedImage[] };
  /** OCI index of linux/amd64 and linux/arm64 with buildkit attestation entries. */
  ociAttested: PushedIndex & { children: PushedImage[] };
  /** A single Docker v2 manifest (linux/amd64). */
  dockerSingle: PushedImage;
  /** A single OCI manifest (linux/arm64). */
  ociSingle: PushedImage;
  /** A Helm chart: OCI manifest with the Helm config media type. */
  helmChart: Descriptor & { bytes: Buffer };
  /** Windows images differing only in os.version. */
  windows: PushedIndex & { children: PushedImage[] };
}

/** The standard set, under `<prefix>/…` repositories, all tagged `1.0`. */
export async function seedStandardImages(
  registry: TestRegistry,
  prefix = 'upstream',
): Promise<StandardImages> {
  const dockerList = await pushMultiPlatform(
    registry,
    `${prefix}/multi`,
    '1.0',
    [linux('amd64'), linux('arm64'), linux('arm', 'v7'), linux('s390x')],
    { format: 'docker' },
  );
  const ociAttested = await pushMultiPlatform(
    registry,
    `${prefix}/attested`,
    '1.0',
    [linux('amd64'), linux('arm64')],
    {
      attestations: true,
    },
  );
  const dockerSingle = await pushImage(registry, `${prefix}/single-docker`, '1.0', {
    platform: linux('amd64'),
    format: 'docker',
  });
  const ociSingle = await pushImage(registry, `${prefix}/single-oci`, '1.0', { platform: linux('arm64') });
  const chartLayer = await pushBlob(registry, `${prefix}/chart`, gzipSync(randomBytes(128)));
  const chartConfig = await pushBlob(
    registry,
    `${prefix}/chart`,
    json({ name: 'demo', version: '1.0.0', apiVersion: 'v2' }),
  );
  const chartBytes = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: { ...chartConfig, mediaType: HELM_CONFIG },
    layers: [{ ...chartLayer, mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip' }],
  });
  const helmChart = {
    ...(await pushManifest(registry, `${prefix}/chart`, '1.0', chartBytes, MediaType.ociManifest)),
    bytes: chartBytes,
  };
  const windows = await pushMultiPlatform(
    registry,
    `${prefix}/windows`,
    '1.0',
    [
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' },
    ],
    { format: 'docker' },
  );
  return { dockerList, ociAttested, dockerSingle, ociSingle, helmChart, windows };
}
