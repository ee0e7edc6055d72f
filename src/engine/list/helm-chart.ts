// A Helm chart's Chart.yaml as the list: the images its annotations name, each with its platforms when given.
// - `artifacthub.io/images`: a YAML string holding a list of `name`, `image`, `whitelisted`, `platforms`
//   (artifacthub/hub @0d8b1c0b docs/helm_annotations.md:31-35 and the example at 109-118; parsed by
//   internal/tracker/source/helm/helm.go:660-671 into internal/hub/pkg.go:49-54 ContainerImage);
// - `helm.sh/images`: the same list with `dependency` instead of `platforms` (helm/community hips/hip-0015.md,
//   a draft: lines 25, 46-54; Zarf reads it);
// - `images`: the same list as Bitnami's charts write it (hip-0015.md:56-75).
// An image listed under several of them is one line, at its first place. The destination is the same path on
// the `destination` registry, or where the cluster's mirror configuration sends it (mirror-config).
import { isScalar } from 'yaml';
import { InvalidReferenceError, overrideRegistry, parseReference } from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import { platformsFilter, type ListEntry } from './entries.js';
import {
  child,
  emptyRead,
  isRecord,
  parseYaml,
  destinationOrMirrored,
  textField,
  textList,
  type ListRead,
  type YamlDocument,
} from './yaml-list.js';

export const IMAGE_ANNOTATIONS = ['artifacthub.io/images', 'helm.sh/images', 'images'] as const;

/** Told from the data: a Chart.yaml (apiVersion v1 or v2, name, version) with an image annotation. */
export const looksLikeHelmChart = (data: unknown): boolean =>
  isRecord(data) &&
  (data.apiVersion === 'v1' || data.apiVersion === 'v2') &&
  typeof data.name === 'string' &&
  typeof data.version === 'string' &&
  isRecord(data.annotations) &&
  IMAGE_ANNOTATIONS.some((key) => typeof (data.annotations as Record<string, unknown>)[key] === 'string');

export function readHelmChart(
  yaml: YamlDocument,
  fileName: string,
  destination: string | undefined,
  mirrored = false,
): ListRead {
  const mirror = destinationOrMirrored(destination, mirrored, fileName, 'is a Helm chart');
  const data = yaml.data() as Record<string, unknown>;
  const annotations = data.annotations as Record<string, unknown>;
  const annotationNodes = child(yaml.doc.contents, 'annotations');
  const entries: ListEntry[] = [];
  const seen = new Set<string>();
  let index = 0;
  for (const key of IMAGE_ANNOTATIONS) {
    const text = annotations[key];
    if (typeof text !== 'string') continue;
    const node = child(annotationNodes, key);
    // A block scalar (`|`) starts on the line after its key: line n of the text is that line + n.
    const block = isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED');
    const base = yaml.lineOf(node);
    const lineAt = (inner: number) => (block ? base + inner : base);
    const docs = parseYaml(text, `${fileName} annotation ${key}`);
    const first = docs[0];
    const list = first?.data();
    if (list === null || list === undefined) continue;
    if (!Array.isArray(list))
      throw new ConfigurationError(
        `${fileName}:${base}: annotation ${key} must hold a list of name and image`,
      );
    const itemNodes = (first?.doc.contents as { items?: unknown[] } | null)?.items ?? [];
    list.forEach((item, at) => {
      // The line of the item's `image:` (annotations land there), else of the item.
      const itemNode = itemNodes[at] as { get?: (key: string, keep: boolean) => unknown } | undefined;
      const line = lineAt(first?.lineOf(itemNode?.get?.('image', true) ?? itemNode) ?? 1);
      const path = `${key}[${at}]`;
      if (!isRecord(item)) {
        entries.push({
          kind: 'invalid',
          line,
          raw: `${key} ${at}`,
          reason: `${path} is not a map of name and image`,
        });
        return;
      }
      const name = textField(item, 'name', path) ?? `#${at}`;
      const image = textField(item, 'image', path);
      const raw = `${image ?? '?'} (${key} ${name})`;
      try {
        if (!image) throw new InvalidReferenceError(`${path} (${name}) names no image`);
        const platforms = textList(item, 'platforms', path);
        const source = parseReference(image);
        const key_ = `${image} ${platforms.join(',')}`;
        if (seen.has(key_)) return;
        seen.add(key_);
        entries.push({
          kind: 'image',
          line,
          raw,
          source,
          destination: mirror ? overrideRegistry(source, mirror) : source,
          origin: { entry: index++ },
          ...(platforms.length
            ? {
                overrides: {
                  filter: platformsFilter(platforms, path),
                  said: `chart platforms ${platforms.join(', ')}`,
                },
              }
            : {}),
        });
      } catch (error) {
        if (error instanceof ConfigurationError) throw error;
        entries.push({ kind: 'invalid', line, raw, reason: `${fileName} ${(error as Error).message}` });
      }
    });
  }
  return emptyRead('helm', entries);
}
