// OCI image layouts (index.json, oci-layout, blobs/<alg>/<hex>: opencontainers/image-spec image-layout.md), as
// each tool that writes one names its images in index.json's descriptors:
// - `io.containerd.image.name`, the full reference: docker save (moby image/tarexport/save.go:278-297 and
//   containerd core/images/archive/exporter.go:115-127), regctl image export (regclient image.go:1121-1122),
//   hauler (pkg/store/store.go:439-478, also `kind: dev.hauler/…`);
// - `org.opencontainers.image.ref.name`: a full reference from crane --annotate-ref (cmd/crane/cmd/pull.go:98-121)
//   and Zarf (src/pkg/images/common.go:121-128); only a tag from skopeo `oci:PATH:TAG` (containers/image
//   oci/layout/oci_dest.go:265-268), docker save and regctl's ocidir; hauler's has no registry;
// - `org.opencontainers.image.base.name`: the image spec's base image (annotations.md:50-55), which only Zarf
//   writes on index.json descriptors as the image's own name (older packages, common.go:121-128): read for Zarf.
// A descriptor is the top manifest the tool stored: an index when it kept every platform (skopeo --all, crane,
// hauler, docker's containerd store), else one image manifest (Zarf keeps its package's architecture).
import type { Descriptor } from '../registry/manifest.js';
import { overrideRegistry, referenceOrUndefined, type ImageReference } from '../registry/reference.js';
import { hexOf, type ArchiveContents, type ArchivedImage } from './images.js';
import { ArchiveError, readJson, type ArchiveMembers } from './members.js';

const CONTAINERD_NAME = 'io.containerd.image.name';
const REF_NAME = 'org.opencontainers.image.ref.name';
const BASE_NAME = 'org.opencontainers.image.base.name';
/** hauler's kinds of index.json entries that are images; signatures, attestations and SBOMs are not. */
const HAULER_IMAGE_KINDS = ['dev.hauler/image', 'dev.hauler/imageIndex'];

export type Flavour = 'oci' | 'zarf' | 'hauler';

/** A descriptor's image name, as its writer records it: a full reference, or only a tag. */
export function nameOf(
  annotations: Record<string, string>,
  flavour: Flavour,
): { name?: ImageReference; tag?: string } {
  const full = referenceOrUndefined;
  const containerd = full(annotations[CONTAINERD_NAME]);
  if (containerd) return { name: containerd };
  const ref = annotations[REF_NAME];
  // A ref.name with a / or a registry is a reference (crane, Zarf, hauler); else only a tag (skopeo, docker).
  if (ref && /[/]/.test(ref)) {
    const name = full(ref);
    if (name) return { name };
  }
  if (flavour === 'zarf') {
    const base = full(annotations[BASE_NAME]);
    if (base) return { name: base };
  }
  return ref ? { tag: ref } : {};
}

/** The blob member of a digest in a layout rooted at `root` (`` or `images/`). */
export const layoutBlob =
  (members: ArchiveMembers, root: string) =>
  (digest: string): string | undefined => {
    const [algorithm, hex] = digest.split(':');
    const path = `${root}blobs/${algorithm}/${hex}`;
    return members.sizes.has(path) ? path : undefined;
  };

export function isLayout(members: ArchiveMembers, root = ''): boolean {
  return (
    members.sizes.has(`${root}index.json`) &&
    [...members.sizes.keys()].some((path) => path.startsWith(`${root}blobs/`))
  );
}

export async function readOciLayout(
  members: ArchiveMembers,
  options: {
    root?: string;
    flavour: Flavour;
    kind: string;
    /** Where the tool pushes an image (Zarf's checksum tag); the same path on the destination by default. */
    loadedAs?: (name: ImageReference, destination: string) => ImageReference;
  },
): Promise<ArchiveContents> {
  const root = options.root ?? '';
  const index = (await readJson(members, `${root}index.json`)) as { manifests?: unknown };
  if (!Array.isArray(index.manifests))
    throw new ArchiveError(`${members.name}: ${root}index.json is not an OCI image index (no manifests)`);
  const notes: string[] = [];
  const images: ArchivedImage[] = [];
  let skipped = 0;
  index.manifests.forEach((raw, at) => {
    const descriptor = raw as Descriptor;
    const where = `${root}index.json manifests[${at}]`;
    if (typeof descriptor?.digest !== 'string' || typeof descriptor.mediaType !== 'string')
      throw new ArchiveError(`${members.name}: ${where} is not a descriptor (mediaType, digest)`);
    hexOf(descriptor.digest, `${members.name}: ${where}`);
    const annotations = descriptor.annotations ?? {};
    if (options.flavour === 'hauler' && annotations.kind && !HAULER_IMAGE_KINDS.includes(annotations.kind)) {
      skipped += 1;
      return;
    }
    const { name, tag } = nameOf(annotations, options.flavour);
    images.push({
      ...(name ? { name } : {}),
      ...(tag ? { tag } : {}),
      where,
      strength: 'index',
      top: descriptor,
      loadedAs: (destination) => {
        if (!name) throw new ArchiveError(`${members.name}: ${where} names no image`);
        return options.loadedAs ? options.loadedAs(name, destination) : overrideRegistry(name, destination);
      },
    });
  });
  if (skipped)
    notes.push(
      `${members.name}: ${skipped} signature, attestation or SBOM entries of the store are not images and are not lines`,
    );
  return { kind: options.kind, images, blobMember: layoutBlob(members, root), notes };
}
