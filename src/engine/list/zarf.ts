// Zarf package definitions (zarf.yaml, kind ZarfPackageConfig) as the list: what `zarf package deploy` pushes
// to the Zarf registry. Read from zarf-dev/zarf at 97a1b4d:
// - src/api/v1alpha1/package.go lines 43-75, 213 and component.go lines 42-43: components[].images[] are
//   references; metadata.architecture is the cluster's architecture (build.architecture the machine it was
//   built on); a package holds that one architecture's images (load.go lines 118, 148);
// - src/pkg/images/push.go lines 176 and 198: each image is pushed twice, under ImageTransformHost and
//   ImageTransformHostWithoutChecksum (src/pkg/transform/image.go lines 28-64): `<registry>/<path>:<tag>-zarf-
//   <crc32>` and `<registry>/<path>:<tag>`, where path is the reference's path without its host, crc32 the
//   IEEE CRC-32 of the normalised name (docker.io/library/nginx → 3793515731), written in decimal; a digest
//   reference is pushed as `<registry>/<path>@<digest>` only. A reference whose host the registry's own address
//   starts with is left as it is (image.go line 40).
// Both names are lines: either one missing fails the deployment that pulls it.
import { crc32 } from 'node:zlib';
import { InvalidReferenceError, parseReference, type ImageReference } from '../../registry/reference.js';
import { platformsFilter, type ListEntry } from './entries.js';
import {
  emptyRead,
  isRecord,
  items,
  kindOf,
  requireDestination,
  type ListRead,
  type YamlDocument,
} from './yaml-list.js';

export const looksLikeZarf = (data: unknown) => isRecord(data) && data.kind === 'ZarfPackageConfig';

/** The two names Zarf pushes a reference under, at a registry: with the checksum tag, and without. */
export function zarfNames(reference: string, registry: string): { checksum: string; plain: string } {
  const ref = parseReference(reference.replace(/^oci:\/\//, ''));
  if (registry.startsWith(ref.registry)) return { checksum: reference, plain: reference };
  const path = `${registry}/${ref.repository}`;
  if (ref.digest) return { checksum: `${path}@${ref.digest}`, plain: `${path}@${ref.digest}` };
  const name = `${ref.registry}/${ref.repository}`;
  return { checksum: `${path}:${ref.tag}-zarf-${crc32(name) >>> 0}`, plain: `${path}:${ref.tag}` };
}

export interface ZarfDocument {
  kind: 'zarf';
  name: string;
  architecture?: string;
  /** Per entry index: the reference as written and its component. */
  images: { component: string; reference: string }[];
}

export function readZarf(yaml: YamlDocument, fileName: string, destination: string | undefined): ListRead {
  const mirror = requireDestination(
    destination,
    fileName,
    'is a Zarf package: give the Zarf registry it is deployed to',
  );
  const data = yaml.data() as Record<string, unknown>;
  const metadata = isRecord(data.metadata) ? data.metadata : {};
  const build = isRecord(data.build) ? data.build : {};
  const architecture =
    typeof metadata.architecture === 'string'
      ? metadata.architecture
      : typeof build.architecture === 'string'
        ? build.architecture
        : undefined;
  const entries: ListEntry[] = [];
  const read = emptyRead('zarf', entries);
  const document: ZarfDocument = {
    kind: 'zarf',
    name: typeof metadata.name === 'string' ? metadata.name : 'mirror-validate-failed',
    ...(architecture ? { architecture } : {}),
    images: [],
  };
  read.document = document;
  if (!architecture)
    read.notes.push(`${fileName}: no metadata.architecture: every platform the filter selects is required`);
  const overrides = architecture
    ? {
        filter: platformsFilter([`linux/${architecture}`], 'metadata.architecture'),
        said: `Zarf package architecture ${architecture}`,
      }
    : undefined;
  const componentNodes = items(yaml.doc.get('components', true));
  const components = Array.isArray(data.components) ? data.components : [];
  components.forEach((component, at) => {
    if (!isRecord(component)) return;
    const componentName = typeof component.name === 'string' ? component.name : `components[${at}]`;
    const imageNodes = items(
      (componentNodes[at] as { get?: (key: string, keep: boolean) => unknown })?.get?.('images', true),
    );
    (Array.isArray(component.images) ? component.images : []).forEach((image, position) => {
      const line = yaml.lineOf(imageNodes[position]);
      const where = `components[${at}].images[${position}]`;
      const index = document.images.push({ component: componentName, reference: String(image) }) - 1;
      try {
        if (typeof image !== 'string')
          throw new InvalidReferenceError(`must be a reference, not ${kindOf(image)}`);
        const source: ImageReference = parseReference(image.replace(/^oci:\/\//, ''));
        const names = zarfNames(image, mirror);
        const targets = names.checksum === names.plain ? [names.plain] : [names.checksum, names.plain];
        for (const target of targets) {
          entries.push({
            kind: 'image',
            line,
            raw: `${componentName}: ${image} to ${target}`,
            source,
            destination: parseReference(target),
            origin: {
              entry: index,
              ...(target === names.checksum && targets.length > 1 ? { tag: 'checksum' } : {}),
            },
            ...(overrides ? { overrides } : {}),
          });
        }
      } catch (error) {
        if (!(error instanceof InvalidReferenceError)) throw error;
        entries.push({
          kind: 'invalid',
          line,
          raw: `${componentName}: ${String(image)}`,
          reason: `${where}: ${error.message}`,
          origin: { entry: index },
        });
      }
    });
  });
  return read;
}
