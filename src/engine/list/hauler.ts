// hauler `kind: Images` manifests as the list: what `hauler store sync` stores and `hauler store copy
// registry://<mirror>` writes to the mirror. Read from hauler-dev/hauler at 923a92d:
// - pkg/apis/hauler.cattle.io/v1/image.go lines 14-47: spec.images[] with name (tag or digest), platform
//   ("if not specified, all platforms"), and options of signature checks that do not change what is copied;
//   apiVersion content.hauler.cattle.io/v1, kind Images (pkg/consts/consts.go lines 98, 104);
// - cmd/hauler/cli/store/sync.go resolveImageJobs lines 613-770: the `hauler.dev/registry` annotation gives a
//   name without a registry its registry (lines 617-631), `hauler.dev/platform` the platform for images without
//   one (lines 750-751); the image's own field wins over the annotation;
// - the store keeps the name without its registry (pkg/store/store.go line 470) and `store copy` writes it under
//   the mirror's host, tag or digest kept (pkg/content/registry.go RewriteRefToRegistry lines 167-185):
//   docker.io/library/nginx:1.27 → <mirror>/library/nginx:1.27. The destination is the `destination` setting.
// Other kinds (Charts, Files) in the same file are not images: they are skipped, said once.
import {
  InvalidReferenceError,
  overrideRegistry,
  parseReference,
  splitRegistry,
} from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import { platformsFilter, type ListEntry } from './entries.js';
import {
  emptyRead,
  isRecord,
  items,
  kindOf,
  textField,
  type ListRead,
  type YamlDocument,
  requireDestination,
} from './yaml-list.js';

export const looksLikeHauler = (data: unknown) =>
  isRecord(data) &&
  typeof data.apiVersion === 'string' &&
  data.apiVersion.startsWith('content.hauler.cattle.io/');

/** What the failed-list writer needs: each image as written, with its platform. */
export interface HaulerDocument {
  kind: 'hauler';
  images: { name: string; platform?: string }[];
}

export function readHauler(
  docs: YamlDocument[],
  fileName: string,
  destination: string | undefined,
): ListRead {
  const mirror = requireDestination(
    destination,
    fileName,
    'is a hauler manifest: give the registry `hauler store copy` wrote to',
  );
  const entries: ListEntry[] = [];
  const read = emptyRead('hauler', entries);
  const skipped = new Set<string>();
  const document: HaulerDocument = { kind: 'hauler', images: [] };
  read.document = document;
  let index = 0;
  for (const yaml of docs) {
    const data = yaml.data();
    if (data === null || data === undefined) continue;
    if (!looksLikeHauler(data) || !isRecord(data))
      throw new ConfigurationError(`${fileName}:${yaml.lineOf(yaml.doc.contents)}: not a hauler manifest`);
    if (data.kind !== 'Images') {
      skipped.add(String(data.kind));
      continue;
    }
    const annotations = isRecord(isRecord(data.metadata) ? data.metadata.annotations : undefined)
      ? ((data.metadata as Record<string, unknown>).annotations as Record<string, unknown>)
      : {};
    const defaultRegistry =
      typeof annotations['hauler.dev/registry'] === 'string' ? annotations['hauler.dev/registry'] : undefined;
    const defaultPlatform =
      typeof annotations['hauler.dev/platform'] === 'string' ? annotations['hauler.dev/platform'] : undefined;
    const imageNodes = items(
      (yaml.doc.get('spec', true) as { get?: (key: string, keep: boolean) => unknown })?.get?.(
        'images',
        true,
      ),
    );
    const images = isRecord(data.spec) && Array.isArray(data.spec.images) ? data.spec.images : [];
    images.forEach((image, at) => {
      const line = yaml.lineOf(imageNodes[at]);
      const where = `spec.images[${at}]`;
      const entryIndex = index++;
      try {
        if (!isRecord(image)) throw new Error(`${where} must be a map, not ${kindOf(image)}`);
        const name = textField(image, 'name', where, true) as string;
        const written =
          defaultRegistry && !splitRegistry(name).registry ? `${defaultRegistry}/${name}` : name;
        const source = parseReference(written);
        const destinationRef = overrideRegistry(source, mirror);
        const platform = textField(image, 'platform', where) ?? defaultPlatform;
        document.images[entryIndex] = { name: written, ...(platform ? { platform } : {}) };
        entries.push({
          kind: 'image',
          line,
          raw: `${where} ${name}${platform ? ` (${platform})` : ''}`,
          source,
          destination: destinationRef,
          origin: { entry: entryIndex },
          ...(platform
            ? {
                overrides: {
                  filter: platformsFilter([platform], `${where}.platform`),
                  said: `hauler platform ${platform}`,
                },
              }
            : {}),
        });
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        const reason = error instanceof InvalidReferenceError ? `${where}: ${error.message}` : error.message;
        entries.push({ kind: 'invalid', line, raw: where, reason, origin: { entry: entryIndex } });
      }
    });
  }
  if (skipped.size)
    read.notes.push(`${fileName}: kinds ${[...skipped].join(', ')} hold no images and are not checked`);
  return read;
}
