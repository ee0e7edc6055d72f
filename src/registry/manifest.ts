// Manifest model shared by the registry client (which parses) and the verdict rules (which compare).
// Pure: no I/O.

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

/** Every manifest type, in the order sent in Accept (lists first, schema 1 last so it is only a fallback). */
export const MANIFEST_ACCEPT: readonly string[] = [
  MediaType.ociIndex,
  MediaType.dockerManifestList,
  MediaType.ociManifest,
  MediaType.dockerManifest,
  MediaType.dockerSchema1Signed,
  MediaType.dockerSchema1,
];

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
  'os.features'?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
  artifactType?: string;
}

export type Manifest =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[]; annotations?: Record<string, string> }
  | {
      kind: 'image';
      mediaType: string;
      config: Descriptor;
      layers: Descriptor[];
      artifactType?: string;
      subject?: Descriptor;
      annotations?: Record<string, string>;
    }
  | {
      kind: 'schema1';
      mediaType: string;
      architecture: string;
      /** blobSum of every fsLayers entry, in manifest order (top layer first, as schema 1 stores them). */
      fsLayers: string[];
      /** v1Compatibility JSON strings, parallel to fsLayers; `throwaway: true` marks empty layers. */
      history: string[];
    };

/** An image config's platform (os, architecture, variant, os.version), as the image spec's config holds it. */
export function platformOfConfig(config: unknown): Platform {
  const fields = (config && typeof config === 'object' ? config : {}) as Partial<
    Record<keyof Platform, unknown>
  >;
  return {
    os: String(fields.os ?? ''),
    architecture: String(fields.architecture ?? ''),
    ...(fields.variant ? { variant: String(fields.variant) } : {}),
    ...(fields['os.version'] ? { 'os.version': String(fields['os.version']) } : {}),
  };
}

export class InvalidManifestError extends Error {
  override name = 'InvalidManifestError';
}

/**
 * The most entries an index, or layers an image, may have. Real indexes list a few platforms and their
 * attestations; an image has at most 127 layers on overlayfs. With manifests capped at 4 MiB, this bounds the
 * work of one line: one index, at most this many child HEADs (and, deep, blob HEADs per child). A child that
 * is itself an index is one entry: nesting is not followed.
 */
export const MAX_ENTRIES = 1000;

const INDEX_TYPES = new Set<string>([MediaType.ociIndex, MediaType.dockerManifestList]);
const IMAGE_TYPES = new Set<string>([MediaType.ociManifest, MediaType.dockerManifest]);
const SCHEMA1_TYPES = new Set<string>([MediaType.dockerSchema1, MediaType.dockerSchema1Signed]);

type Json = Record<string, unknown>;

function descriptor(value: unknown, where: string): Descriptor {
  const entry = value as Json | null;
  if (!entry || typeof entry !== 'object') throw new InvalidManifestError(`${where} is not an object`);
  if (
    typeof entry.digest !== 'string' ||
    !/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(entry.digest)
  ) {
    throw new InvalidManifestError(`${where} has no valid digest`);
  }
  const platform = entry.platform as Json | undefined;
  return {
    mediaType: typeof entry.mediaType === 'string' ? entry.mediaType : '',
    digest: entry.digest,
    size: typeof entry.size === 'number' ? entry.size : 0,
    ...(platform && typeof platform === 'object'
      ? {
          platform: {
            os: String(platform.os ?? ''),
            architecture: String(platform.architecture ?? ''),
            ...(platform.variant ? { variant: String(platform.variant) } : {}),
            ...(platform['os.version'] ? { 'os.version': String(platform['os.version']) } : {}),
            ...(Array.isArray(platform['os.features'])
              ? { 'os.features': platform['os.features'].map(String) }
              : {}),
          },
        }
      : {}),
    ...(entry.annotations && typeof entry.annotations === 'object'
      ? { annotations: entry.annotations as Record<string, string> }
      : {}),
    ...(Array.isArray(entry.urls) ? { urls: entry.urls.map(String) } : {}),
    ...(typeof entry.artifactType === 'string' ? { artifactType: entry.artifactType } : {}),
  };
}

/** Parses a manifest body; the media type comes from the header, else the body, else its shape. */
export function parseManifest(bytes: Uint8Array, contentType?: string): Manifest {
  let body: Json;
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as Json;
  } catch {
    throw new InvalidManifestError('the manifest is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new InvalidManifestError('the manifest is not a JSON object');
  const declared = typeof body.mediaType === 'string' ? body.mediaType : undefined;
  const headerType =
    contentType && contentType !== 'application/json' && contentType !== 'text/plain'
      ? contentType
      : undefined;
  // A body and a Content-Type that disagree on what the manifest is (an index served as an image, or the
  // reverse) are a registry, or something between, that cannot be trusted with this manifest.
  if (
    declared &&
    headerType &&
    ((INDEX_TYPES.has(declared) && IMAGE_TYPES.has(headerType)) ||
      (IMAGE_TYPES.has(declared) && INDEX_TYPES.has(headerType)))
  )
    throw new InvalidManifestError(`the body is ${declared} but its Content-Type says ${headerType}`);
  let mediaType = declared ?? headerType;
  if (!mediaType) {
    if (body.schemaVersion === 1)
      mediaType = body.signatures ? MediaType.dockerSchema1Signed : MediaType.dockerSchema1;
    else if (Array.isArray(body.manifests)) mediaType = MediaType.ociIndex;
    else if (body.config) mediaType = MediaType.ociManifest;
  }
  if (!mediaType) throw new InvalidManifestError('the manifest has no recognisable media type');
  if (INDEX_TYPES.has(mediaType)) {
    if (!Array.isArray(body.manifests))
      throw new InvalidManifestError(`${mediaType} without a manifests array`);
    if (body.manifests.length > MAX_ENTRIES)
      throw new InvalidManifestError(
        `an index of ${body.manifests.length} entries (more than ${MAX_ENTRIES}: not one image's platforms)`,
      );
    return {
      kind: 'index',
      mediaType,
      manifests: body.manifests.map((entry, index) => descriptor(entry, `manifests[${index}]`)),
      ...(body.annotations && typeof body.annotations === 'object'
        ? { annotations: body.annotations as Record<string, string> }
        : {}),
    };
  }
  if (IMAGE_TYPES.has(mediaType)) {
    if (!Array.isArray(body.layers)) throw new InvalidManifestError(`${mediaType} without a layers array`);
    if (body.layers.length > MAX_ENTRIES)
      throw new InvalidManifestError(`an image of ${body.layers.length} layers (more than ${MAX_ENTRIES})`);
    return {
      kind: 'image',
      mediaType,
      config: descriptor(body.config, 'config'),
      layers: body.layers.map((entry, index) => descriptor(entry, `layers[${index}]`)),
      ...(typeof body.artifactType === 'string' ? { artifactType: body.artifactType } : {}),
      ...(body.subject ? { subject: descriptor(body.subject, 'subject') } : {}),
      ...(body.annotations && typeof body.annotations === 'object'
        ? { annotations: body.annotations as Record<string, string> }
        : {}),
    };
  }
  if (SCHEMA1_TYPES.has(mediaType) || body.schemaVersion === 1) {
    const fsLayers = Array.isArray(body.fsLayers) ? body.fsLayers : [];
    const history = Array.isArray(body.history) ? body.history : [];
    return {
      kind: 'schema1',
      mediaType: SCHEMA1_TYPES.has(mediaType) ? mediaType : MediaType.dockerSchema1,
      architecture: typeof body.architecture === 'string' ? body.architecture : '',
      fsLayers: fsLayers.map((layer, index) => {
        const blobSum = (layer as Json | null)?.blobSum;
        if (typeof blobSum !== 'string') throw new InvalidManifestError(`fsLayers[${index}] has no blobSum`);
        return blobSum;
      }),
      history: history.map((entry) => String((entry as Json | null)?.v1Compatibility ?? '')),
    };
  }
  throw new InvalidManifestError(`unsupported manifest media type ${mediaType}`);
}
