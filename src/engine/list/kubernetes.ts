// Kubernetes manifests as the list (files as `kubectl apply -f` takes them, `helm template` output): every image
// a workload names must be in the mirror, each image once, with every workload that names it kept as its
// origin. Read as the API defines the pod template's place in each kind (kubernetes.io, "Workload
// Resources": Pod `spec`; Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController and Job
// `spec.template.spec`; CronJob `spec.jobTemplate.spec.template.spec`; a `List`'s `items`), and in each pod
// spec `containers`, `initContainers` and `ephemeralContainers` (PodSpec). Images are named as the runtime
// names them (`nginx` is docker.io/library/nginx:latest; a digest kept). The destination is the same path on
// the `destination` registry, as for a hangar one-reference line. Other kinds are skipped, counted once.
import {
  formatReference,
  InvalidReferenceError,
  overrideRegistry,
  parseReference,
  type ImageReference,
} from '../../registry/reference.js';
import type { ListEntry, WorkloadUse } from './entries.js';
import { emptyRead, isRecord, destinationOrMirrored, type ListRead, type YamlDocument } from './yaml-list.js';

const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

const isWorkload = (data: unknown) =>
  isRecord(data) &&
  typeof data.apiVersion === 'string' &&
  typeof data.kind === 'string' &&
  (Object.hasOwn(POD_SPEC_PATHS, data.kind) || (data.kind.endsWith('List') && Array.isArray(data.items)));

/** Told from the documents: a Kubernetes object with a pod template (or a List of them) among them. */
export const looksLikeKubernetes = (datas: unknown[]) => datas.some(isWorkload);

type Use = WorkloadUse;

export function readKubernetes(
  docs: YamlDocument[],
  fileName: string,
  destination: string | undefined,
  mirrored = false,
): ListRead {
  // With the cluster's mirror configuration, each image's destination is decided later (route-entries.ts).
  const mirror = destinationOrMirrored(destination, mirrored, fileName, 'holds Kubernetes workloads');
  const images = new Map<string, { written: string; source: ImageReference; uses: Use[] }>();
  const entries: ListEntry[] = [];
  const read = emptyRead('kubernetes', entries);
  const skipped = new Map<string, number>();

  const visit = (object: unknown, node: unknown, yaml: YamlDocument) => {
    if (!isRecord(object) || typeof object.kind !== 'string') return;
    if (object.kind.endsWith('List') && Array.isArray(object.items)) {
      const itemNodes =
        (node as { get?: (key: string, keep: boolean) => { items?: unknown[] } })?.get?.('items', true)
          ?.items ?? [];
      object.items.forEach((item, at) => visit(item, itemNodes[at], yaml));
      return;
    }
    const path = POD_SPEC_PATHS[object.kind];
    if (!path) {
      skipped.set(object.kind, (skipped.get(object.kind) ?? 0) + 1);
      return;
    }
    const metadata = isRecord(object.metadata) ? object.metadata : {};
    const workload = `${object.kind} ${typeof metadata.namespace === 'string' ? `${metadata.namespace}/` : ''}${String(metadata.name ?? '?')}`;
    let spec: unknown = object;
    let specNode: unknown = node;
    for (const key of path) {
      spec = isRecord(spec) ? spec[key] : undefined;
      specNode = (specNode as { get?: (key: string, keep: boolean) => unknown })?.get?.(key, true);
    }
    if (!isRecord(spec)) return;
    for (const list of CONTAINER_LISTS) {
      const containers = Array.isArray(spec[list]) ? (spec[list] as unknown[]) : [];
      const containerNodes =
        (specNode as { get?: (key: string, keep: boolean) => { items?: unknown[] } })?.get?.(list, true)
          ?.items ?? [];
      containers.forEach((container, at) => {
        const containerNode = containerNodes[at] as
          { get?: (key: string, keep: boolean) => unknown } | undefined;
        const imageNode = containerNode?.get?.('image', true);
        const line = yaml.lineOf(imageNode ?? containerNode);
        const name =
          isRecord(container) && typeof container.name === 'string' ? container.name : `${list}[${at}]`;
        const image = isRecord(container) ? container.image : undefined;
        if (typeof image !== 'string' || !image.trim()) {
          entries.push({
            kind: 'invalid',
            line,
            raw: `${workload} ${list} ${name}`,
            reason: `${workload}: container ${name} names no image`,
          });
          return;
        }
        let source: ImageReference;
        try {
          source = parseReference(image);
        } catch (error) {
          if (!(error instanceof InvalidReferenceError)) throw error;
          entries.push({
            kind: 'invalid',
            line,
            raw: `${workload} ${name}: ${image}`,
            reason: `${workload}: ${error.message}`,
          });
          return;
        }
        const key = formatReference(source);
        const known = images.get(key) ?? { written: image, source, uses: [] };
        known.uses.push({ line, workload });
        images.set(key, known);
      });
    }
  };

  for (const yaml of docs) {
    const data = yaml.data();
    if (data === null || data === undefined) continue;
    visit(data, yaml.doc.contents, yaml);
  }
  let index = 0;
  for (const { written, source, uses } of images.values()) {
    const first = uses[0] as Use;
    const workloads = [...new Set(uses.map((use) => use.workload))];
    entries.push({
      kind: 'image',
      line: first.line,
      raw: `${written} (${workloads.slice(0, 3).join(', ')}${workloads.length > 3 ? ` and ${workloads.length - 3} more` : ''})`,
      source,
      destination: mirror ? overrideRegistry(source, mirror) : source,
      origin: { entry: index++ },
      uses,
    });
  }
  entries.sort((a, b) => a.line - b.line);
  if (skipped.size)
    read.notes.push(
      `${fileName}: ${[...skipped].map(([kind, count]) => `${count} ${kind}`).join(', ')} name no pod template and are not checked`,
    );
  return read;
}
