// Signed images, pushed the way signing tools leave them in a registry:
// - cosign's tags (sigstore/cosign pkg/oci/remote): `sha256-<hex>.sig`, an OCI manifest whose layer is the
//   simple-signing payload (`application/vnd.dev.cosign.simplesigning.v1+json`) with the signature in the
//   `dev.cosignproject.cosign/signature` annotation; `.att`, whose layer is a DSSE envelope
//   (`application/vnd.dsse.envelope.v1+json`) with a `predicateType` annotation; `.sbom`, an SPDX document.
// - OCI 1.1 referrers (distribution-spec v1.1.0, "Pushing Manifests with Subject"): a manifest with `subject`
//   and `artifactType` over the empty config, and, for registries without the referrers API, the
//   referrers tag schema: the index at `sha256-<hex>` that the pushing client keeps up to date.
import { randomBytes } from 'node:crypto';
import { MediaType, type Descriptor } from '../src/registry/manifest.js';
import type { TestRegistry } from './registry.js';
import { digestOf, pushBlob, pushManifest, registryRequest } from './seed.js';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

/** The OCI empty descriptor's content (image-spec manifest.md, "Guidance for an Empty Descriptor"). */
const EMPTY = { mediaType: 'application/vnd.oci.empty.v1+json', bytes: Buffer.from('{}') };

export type CosignKind = 'sig' | 'att' | 'sbom';

const tagFor = (subject: string, kind: CosignKind) => `${subject.replace(':', '-')}.${kind}`;

/** The layer cosign writes for each kind (its payload is random here: nothing verifies it). */
function cosignLayer(
  subject: string,
  kind: CosignKind,
): { mediaType: string; bytes: Buffer; annotations: Record<string, string> } {
  switch (kind) {
    case 'sig':
      return {
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        bytes: json({
          critical: {
            identity: { 'docker-reference': 'mirror-validate.test/signed' },
            image: { 'docker-manifest-digest': subject },
            type: 'cosign container image signature',
          },
          optional: null,
        }),
        annotations: { 'dev.cosignproject.cosign/signature': randomBytes(64).toString('base64') },
      };
    case 'att':
      return {
        mediaType: 'application/vnd.dsse.envelope.v1+json',
        bytes: json({
          payloadType: 'application/vnd.in-toto+json',
          payload: json({
            _type: 'https://in-toto.io/Statement/v0.1',
            predicateType: 'https://slsa.dev/provenance/v1',
            subject: [{ digest: { sha256: subject.slice('sha256:'.length) } }],
          }).toString('base64'),
          signatures: [{ sig: randomBytes(64).toString('base64') }],
        }),
        annotations: { predicateType: 'https://slsa.dev/provenance/v1' },
      };
    case 'sbom':
      return {
        mediaType: 'text/spdx+json',
        bytes: json({ spdxVersion: 'SPDX-2.3', name: subject, packages: [] }),
        annotations: {},
      };
  }
}

/** Signs a manifest the cosign way: pushes the `sha256-<hex>.<kind>` tag in the same repository. */
export async function pushCosignTag(
  registry: TestRegistry,
  repository: string,
  subject: string,
  kind: CosignKind,
): Promise<Descriptor & { tag: string }> {
  const layer = cosignLayer(subject, kind);
  const layerDescriptor = await pushBlob(registry, repository, layer.bytes);
  const config = await pushBlob(
    registry,
    repository,
    json({
      architecture: '',
      os: '',
      config: {},
      rootfs: { type: 'layers', diff_ids: [layerDescriptor.digest] },
    }),
  );
  const tag = tagFor(subject, kind);
  const pushed = await pushManifest(
    registry,
    repository,
    tag,
    json({
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { ...config, mediaType: MediaType.ociConfig },
      layers: [{ ...layerDescriptor, mediaType: layer.mediaType, annotations: layer.annotations }],
    }),
    MediaType.ociManifest,
  );
  return { ...pushed, tag };
}

/**
 * Pushes an OCI 1.1 referrer of `subject` (by digest, untagged) with the given artifact type; with
 * `tagSchema`, also adds it to the subject's referrers tag `sha256-<hex>`, as a client does for a registry
 * without the referrers API. Returns the descriptor as a referrers list holds it.
 */
export async function pushReferrer(
  registry: TestRegistry,
  repository: string,
  subject: Descriptor,
  artifactType: string,
  options: { tagSchema?: boolean; annotations?: Record<string, string> } = {},
): Promise<Descriptor> {
  const config = { ...(await pushBlob(registry, repository, EMPTY.bytes)), mediaType: EMPTY.mediaType };
  const layer = await pushBlob(
    registry,
    repository,
    json({ spdxVersion: 'SPDX-2.3', subject: subject.digest }),
  );
  const annotations = options.annotations ?? { 'org.opencontainers.image.created': '2026-12-03T00:00:00Z' };
  const bytes = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    artifactType,
    config,
    layers: [{ ...layer, mediaType: artifactType }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  });
  const pushed = await pushManifest(registry, repository, digestOf(bytes), bytes, MediaType.ociManifest);
  const descriptor: Descriptor = { ...pushed, artifactType, annotations };
  if (options.tagSchema) {
    const tag = subject.digest.replace(':', '-');
    const current = await registryRequest(registry, repository, 'GET', `manifests/${tag}`, {
      headers: { accept: MediaType.ociIndex },
    });
    const index =
      current.status === 200
        ? (JSON.parse(current.body.toString('utf8')) as { manifests: Descriptor[] })
        : { manifests: [] as Descriptor[] };
    await pushManifest(
      registry,
      repository,
      tag,
      json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [...index.manifests, descriptor] }),
      MediaType.ociIndex,
    );
  }
  return descriptor;
}
