// hangar's `save` archives, as hangar writes and loads them (cnrancher/hangar; "H" is v1.9.4 @3b2b1b49, "O"
// v1.6.1 @e6ab9a37):
// - hangar >= 1.7, a zip: `index.json` (pkg/hangar/archive/index.go:20-46 @H: `list[]` of `source` (registry/
//   project/name), `tag`, `images[]` with `arch`, `os`, `osVersion`, `osFeatures`, `variant`, `mediaType`,
//   `layers`, `config`, `digest`, `annotations`; `version` v1.2.0 or later, index.go:14, 182-191), one OCI layout
//   per platform manifest and the blobs once under `share/sha256/` (writer.go:152-163). Blobs and manifests keep
//   the source's digests (copy.go:736 PreserveDigests); the source's index is not kept (copy.go:690-707);
// - hangar <= 1.6, `saved-images.tar.gz`, `.tar.zstd` or a folder `saved-image-cache/`: `saved-images-list.json`
//   (pkg/mirror/template.go:23-43 @O: `List[]` of `Source`, `Tag`, `Images[]` with `Digest`, `Arch`, `OS`,
//   `OsVersion`, `Variant`, `Folder`), each platform an OCI layout in its `Folder` with blobs in `share/`, its
//   layers re-compressed to gzip (pkg/mirror/image/save.go:46-55 @O): only the image config survives as it was.
// `hangar load` pushes each platform, then a new index (pkg/hangar/loader.go:446-511 @H), at the source's path
// with the registry replaced by the destination (loader.go:284-310).
import type { Descriptor, Platform } from '../registry/manifest.js';
import { overrideRegistry, parseReference } from '../registry/reference.js';
import { hexOf, type ArchiveContents, type ArchivedImage } from './images.js';
import { ArchiveError, readJson, type ArchiveMembers } from './members.js';

interface HangarImageSpec {
  arch?: string;
  os?: string;
  osVersion?: string;
  osFeatures?: string[];
  variant?: string;
  mediaType?: string;
  config?: string;
  digest?: string;
  annotations?: Record<string, string>;
}

interface HangarIndex {
  list?: { source?: string; tag?: string; images?: HangarImageSpec[] }[];
  version?: string;
}

/** A hangar >= 1.7 index.json: a `list` and a `version` (what hangar's readers require). */
export async function isHangarZipIndex(members: ArchiveMembers): Promise<boolean> {
  if (
    !members.sizes.has('index.json') ||
    ![...members.sizes.keys()].some((path) => path.startsWith('share/'))
  )
    return false;
  const index = (await readJson(members, 'index.json')) as HangarIndex;
  return Array.isArray(index.list) && typeof index.version === 'string';
}

const platformOf = (spec: {
  arch?: string;
  os?: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}): Platform => ({
  os: spec.os ?? '',
  architecture: spec.arch ?? '',
  ...(spec.variant ? { variant: spec.variant } : {}),
  ...(spec.osVersion ? { 'os.version': spec.osVersion } : {}),
  ...(spec.osFeatures?.length ? { 'os.features': spec.osFeatures } : {}),
});

/**
 * Where `hangar load` pushes an image: its path with the registry replaced, and the default project for a name
 * of one segment (utils.GetProjectName, pkg/utils/utils.go:255-271 @H; loader.go:295-310).
 */
const loaded = (name: string) => (destination: string, defaultProject: string) => {
  const moved = overrideRegistry(parseReference(name), destination);
  return moved.repository.includes('/') || !defaultProject
    ? moved
    : { ...moved, repository: `${defaultProject}/${moved.repository}` };
};

export async function readHangarZip(members: ArchiveMembers): Promise<ArchiveContents> {
  const index = (await readJson(members, 'index.json')) as HangarIndex;
  const [major = 0, minor = 0] = (index.version ?? '').replace(/^v/, '').split('.').map(Number);
  if (major < 1 || (major === 1 && minor < 2))
    throw new ArchiveError(
      `${members.name}: hangar index version ${index.version} is older than v1.2.0, which hangar itself no longer reads`,
    );
  const blobMember = (digest: string) => {
    const path = `share/sha256/${digest.replace(/^sha256:/, '')}`;
    return members.sizes.has(path) ? path : undefined;
  };
  const images: ArchivedImage[] = (index.list ?? []).map((item, at) => {
    const where = `index.json list[${at}]`;
    if (!item.source || !item.tag) throw new ArchiveError(`${members.name}: ${where} has no source or tag`);
    const name = `${item.source}${item.tag.startsWith('sha256:') ? '@' : ':'}${item.tag}`;
    const platforms: Descriptor[] = (item.images ?? []).map((spec, index) => {
      if (!spec.digest || !spec.mediaType)
        throw new ArchiveError(`${members.name}: ${where}.images[${index}] has no digest or mediaType`);
      hexOf(spec.digest, `${members.name}: ${where}.images[${index}]`);
      const member = blobMember(spec.digest);
      return {
        mediaType: spec.mediaType,
        digest: spec.digest,
        size: member ? (members.sizes.get(member) as number) : 0,
        platform: platformOf(spec),
        ...(spec.annotations ? { annotations: spec.annotations } : {}),
      };
    });
    return {
      name: parseReference(name),
      where,
      strength: 'platforms' as const,
      platforms,
      loadedAs: loaded(name),
    };
  });
  return { kind: 'hangar zip', images, blobMember, notes: [] };
}

interface SavedList {
  List?: {
    Source?: string;
    Tag?: string;
    Images?: {
      Digest?: string;
      Arch?: string;
      OS?: string;
      OsVersion?: string;
      Variant?: string;
      Folder?: string;
    }[];
  }[];
  Version?: string;
}

/** Where a hangar <= 1.6 archive's saved-images-list.json is: in `saved-image-cache/` (a tar) or at the root (a folder). */
export const savedListRoot = (members: ArchiveMembers): string | undefined =>
  ['saved-image-cache/', ''].find((root) => members.sizes.has(`${root}saved-images-list.json`));

export async function readHangarSaved(members: ArchiveMembers, root: string): Promise<ArchiveContents> {
  const list = (await readJson(members, `${root}saved-images-list.json`)) as SavedList;
  if (!Array.isArray(list.List))
    throw new ArchiveError(`${members.name}: ${root}saved-images-list.json has no List`);
  // Blobs: the shared blob folder of skopeo's --dest-shared-blob-dir (share/sha256/<hex>), or a layout's own.
  const blobMember = (digest: string) => {
    const hex = digest.replace(/^sha256:/, '');
    const path = `${root}share/sha256/${hex}`;
    return members.sizes.has(path)
      ? path
      : [...members.sizes.keys()].find((one) => one.endsWith(`/blobs/sha256/${hex}`) && one.startsWith(root));
  };
  const images: ArchivedImage[] = [];
  for (const [at, item] of list.List.entries()) {
    const where = `saved-images-list.json List[${at}]`;
    if (!item.Source || !item.Tag) throw new ArchiveError(`${members.name}: ${where} has no Source or Tag`);
    const name = `${item.Source}:${item.Tag}`;
    const configs: NonNullable<ArchivedImage['configs']> = [];
    for (const [index, image] of (item.Images ?? []).entries()) {
      const at2 = `${where}.Images[${index}]`;
      if (!image.Folder) throw new ArchiveError(`${members.name}: ${at2} has no Folder`);
      // Each platform's layout: its index.json names its one manifest, whose config is what survived.
      const layoutIndex = `${root}${image.Folder}/index.json`;
      const found = await (async (): Promise<{ config?: Descriptor; missing?: string }> => {
        if (!members.sizes.has(layoutIndex)) return { missing: `its layout ${layoutIndex}` };
        const layout = (await readJson(members, layoutIndex)) as { manifests?: Descriptor[] };
        const manifestDigest = layout.manifests?.[0]?.digest;
        if (!manifestDigest) return { missing: `a manifest in ${layoutIndex}` };
        const member = blobMember(manifestDigest);
        if (!member) return { missing: `the manifest ${manifestDigest}` };
        const manifest = (await readJson(members, member)) as { config?: Descriptor };
        return manifest.config
          ? { config: manifest.config }
          : { missing: `a config in the manifest ${manifestDigest}` };
      })();
      // A platform whose layout or manifest is missing keeps its place: the line fails archive-incomplete.
      configs.push({
        platform: platformOf({
          arch: image.Arch,
          os: image.OS,
          variant: image.Variant,
          osVersion: image.OsVersion,
        }),
        ...found,
        where: at2,
      });
    }
    images.push({ name: parseReference(name), where, strength: 'config', configs, loadedAs: loaded(name) });
  }
  return { kind: 'hangar <= 1.6 archive', images, blobMember, notes: [] };
}
