// Manifest model shared by the registry client (which parses) and the verdict rules (which compare).
// Pure: no I/O. CONTRACT FILE: implementation of parseManifest is owned by the registry client work.

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  dockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  helmConfig: 'application/vnd.cncf.helm.config.v1+json',
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
