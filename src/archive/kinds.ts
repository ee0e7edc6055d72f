// Every archive kind the check reads, told from the content (never the file name), each read into the same
// images (images.ts). The order matters where one archive has the marks of two: hangar's zip index.json before
// an OCI layout's, a Zarf package and a hauler store (OCI layouts with their own naming) before a plain layout,
// and an OCI layout (docker save >= 25 writes both) before docker-archive's manifest.json.
import { crc32 } from 'node:zlib';
import { platformOfConfig, type Descriptor } from '../registry/manifest.js';
import {
  checkRepository,
  checkTag,
  overrideRegistry,
  referenceOrUndefined,
  type ImageReference,
} from '../registry/reference.js';
import { isHangarZipIndex, readHangarSaved, readHangarZip, savedListRoot } from './hangar.js';
import { sha256, type ArchiveContents, type ArchivedImage } from './images.js';
import { ArchiveError, jsonOf, readJson, type ArchiveMembers } from './members.js';
import { isLayout, readOciLayout } from './oci-layout.js';

/**
 * Zarf's name for an image in its registry: the path on the destination, tagged `<tag>-zarf-<crc32 of the full
 * name>`, or by digest as it is (zarf-dev/zarf src/pkg/transform/image.go:28-49, ImageTransformHost, which the
 * admission webhook rewrites pods to: src/internal/agent/hooks/pods.go:94-105).
 */
export function zarfLoadedAs(name: ImageReference, destination: string): ImageReference {
  const moved = overrideRegistry(name, destination);
  if (name.digest) return moved;
  const checksum = crc32(Buffer.from(`${name.registry}/${name.repository}`)) >>> 0;
  return { ...moved, tag: `${name.tag ?? 'latest'}-zarf-${checksum}` };
}

/** A Zarf package: zarf.yaml at its root and its images an OCI layout in images/ (src/pkg/packager/layout/layout.go:14-44). */
const isZarf = (members: ArchiveMembers) => members.sizes.has('zarf.yaml') && isLayout(members, 'images/');

/** A hauler store: an OCI layout whose entries carry hauler's `kind` (pkg/consts/consts.go:44-55). */
async function isHauler(members: ArchiveMembers): Promise<boolean> {
  if (!isLayout(members)) return false;
  const index = (await readJson(members, 'index.json')) as { manifests?: Descriptor[] };
  return (index.manifests ?? []).some((entry) => entry.annotations?.kind?.startsWith('dev.hauler/'));
}

/**
 * docker-archive (`docker save` <= 24, skopeo `docker-archive:`, crane's tarball): manifest.json's entries with
 * `Config`, `RepoTags`, `Layers` (containers/image docker/internal/tarfile/types.go:11-26); no registry manifest is
 * stored, and the layers are the uncompressed ones: only the config survives.
 */
async function readDockerArchive(members: ArchiveMembers): Promise<ArchiveContents> {
  const manifest = (await readJson(members, 'manifest.json')) as {
    Config?: string;
    RepoTags?: string[] | null;
  }[];
  if (!Array.isArray(manifest))
    throw new ArchiveError(`${members.name}: manifest.json is not a docker-archive manifest (a list)`);
  const byDigest = new Map<string, string>();
  const images: ArchivedImage[] = [];
  for (const [at, entry] of manifest.entries()) {
    const where = `manifest.json [${at}]`;
    if (typeof entry?.Config !== 'string') throw new ArchiveError(`${members.name}: ${where} has no Config`);
    const configMember = entry.Config.replace(/^\.\//, '');
    const bytes = members.sizes.has(configMember) ? await members.read(configMember) : undefined;
    const digest = bytes ? sha256(bytes) : undefined;
    if (digest) byDigest.set(digest, configMember);
    const platform = platformOfConfig(bytes ? jsonOf(members.name, configMember, bytes) : {});
    const configs = [
      digest
        ? {
            platform,
            config: {
              mediaType: 'application/vnd.docker.container.image.v1+json',
              digest,
              size: bytes?.length ?? 0,
            },
            where,
          }
        : { platform, missing: `its config ${configMember}`, where },
    ];
    const tags = entry.RepoTags ?? [];
    if (tags.length === 0)
      images.push({ where, strength: 'config', configs, loadedAs: unnamed(members, where) });
    for (const tag of tags) {
      const name = referenceOrUndefined(tag);
      if (!name) throw new ArchiveError(`${members.name}: ${where} RepoTags "${tag}" is not a reference`);
      images.push({
        name,
        where: `${where} ${tag}`,
        strength: 'config',
        configs,
        loadedAs: (destination) => overrideRegistry(name, destination),
      });
    }
  }
  return { kind: 'docker-archive', images, blobMember: (digest) => byDigest.get(digest), notes: [] };
}

const unnamed = (members: ArchiveMembers, where: string) => (): ImageReference => {
  throw new ArchiveError(`${members.name}: ${where} names no image`);
};

/**
 * skopeo's `dir:` format (containers/image directory/directory_transport.go:164-196): `manifest.json` (the top
 * manifest; with --all the index, each instance `<hex>.manifest.json`), blobs as `<hex>`, and `version`. It stores
 * no name: `skopeo sync --dest dir` names each image's folder `<name>:<tag>` (the last path component, or the full
 * name with --scoped: containers/skopeo cmd/skopeo/sync.go:686-703), and loads it back under that path.
 */
async function readSkopeoDirs(members: ArchiveMembers, archiveName: string): Promise<ArchiveContents> {
  const folders = [...members.sizes.keys()]
    .filter((path) => path === 'manifest.json' || path.endsWith('/manifest.json'))
    .map((path) => path.slice(0, -'manifest.json'.length))
    .filter((folder) => members.sizes.has(`${folder}version`))
    .sort();
  const blobs = new Map<string, string>();
  const images: ArchivedImage[] = [];
  for (const folder of folders) {
    const bytes = await members.read(`${folder}manifest.json`);
    const digest = sha256(bytes);
    blobs.set(digest, `${folder}manifest.json`);
    const parsed = (jsonOf(members.name, `${folder}manifest.json`, bytes) ?? {}) as {
      mediaType?: string;
      manifests?: unknown;
    };
    const mediaType =
      parsed.mediaType ??
      (parsed.manifests
        ? 'application/vnd.oci.image.index.v1+json'
        : 'application/vnd.oci.image.manifest.v1+json');
    for (const path of members.sizes.keys()) {
      if (!path.startsWith(folder) || path.slice(folder.length).includes('/')) continue;
      const file = path.slice(folder.length);
      const hex = /^([a-f0-9]{64})(\.manifest\.json)?$/.exec(file)?.[1];
      if (hex) blobs.set(`sha256:${hex}`, path);
    }
    // The folder's name, as skopeo sync wrote it: `name:tag` (or `registry/path:tag` with --scoped).
    const label = (folder.replace(/\/$/, '') || archiveName.split('/').pop() || '').replace(/^.*\//, '');
    const scoped = folder.replace(/\/$/, '');
    const written = scoped.includes(':') ? scoped : label;
    const nameMatch = /^(.+):([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(written);
    const name = nameMatch ? referenceOrUndefined(written) : undefined;
    images.push({
      ...(name ? { name } : {}),
      where: `${folder}manifest.json`,
      strength: 'index',
      top: { mediaType, digest, size: bytes.length },
      loadedAs: (destination) => {
        if (!nameMatch)
          throw new ArchiveError(
            `${members.name}: ${folder || 'the folder'} names no image (skopeo sync names each folder name:tag)`,
          );
        // skopeo sync from a dir source pushes the folder's path as it is under the destination.
        const repository = (nameMatch[1] as string).toLowerCase();
        checkRepository(repository, written);
        checkTag(nameMatch[2] as string, written);
        return { registry: destination, repository, tag: nameMatch[2] as string };
      },
    });
  }
  return {
    kind: folders.length > 1 ? 'skopeo sync dir tree' : 'skopeo dir',
    images,
    blobMember: (digest) => blobs.get(digest),
    notes: [],
  };
}

/** The archive's kind and its images, told from the members. */
export async function readArchiveContents(members: ArchiveMembers): Promise<ArchiveContents> {
  if (await isHangarZipIndex(members)) return readHangarZip(members);
  const saved = savedListRoot(members);
  if (saved !== undefined) return readHangarSaved(members, saved);
  if (isZarf(members))
    return readOciLayout(members, {
      root: 'images/',
      flavour: 'zarf',
      kind: 'Zarf package',
      loadedAs: zarfLoadedAs,
    });
  if (await isHauler(members)) return readOciLayout(members, { flavour: 'hauler', kind: 'hauler store' });
  if (isLayout(members)) return readOciLayout(members, { flavour: 'oci', kind: 'OCI layout' });
  if (members.sizes.has('manifest.json') && !members.sizes.has('version')) return readDockerArchive(members);
  const dirs = await readSkopeoDirs(members, members.name);
  if (dirs.images.length) return dirs;
  throw new ArchiveError(
    `${members.name} is no image archive this check reads: a hangar zip or saved-images archive, an OCI layout (or oci-archive), a docker-archive, a skopeo dir, a Zarf package or a hauler store`,
  );
}
