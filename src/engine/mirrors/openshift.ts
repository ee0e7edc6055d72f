// OpenShift's mirror sets as mirror rules: ImageDigestMirrorSet, ImageTagMirrorSet (config.openshift.io/v1)
// and the older ImageContentSourcePolicy (operator.openshift.io/v1alpha1), turned into registries.conf tables
// the way the Machine Config Operator writes them to every node (openshift/runtime-utils @7bdb5b9c,
// pkg/registries/registries.go, "R" below; openshift/api @2a3d7391 config/v1/types_image_digest_mirror_set.go,
// types_image_tag_mirror_set.go, operator/v1alpha1/types_image_content_source_policy.go):
// - IDMS `spec.imageDigestMirrors[]` and ICSP `spec.repositoryDigestMirrors[]` give digest-only mirrors, ITMS
//   `spec.imageTagMirrors[]` tag-only ones (R:279-289); an entry whose only mirror is its source is ignored
//   (R:62-79); `mirrorSourcePolicy: NeverContactSource` blocks the source (R:70-72, 267-277);
// - the lists of one source are merged in order: each list's order kept, ties broken by name (R:82-115,
//   topo.go:62-102); a `*.domain` source takes no mirrors (R:231-232);
// - the Image `cluster` object's `spec.registrySources.insecureRegistries` marks mirrors insecure;
// - every source keeps a mirror besides itself (R:62-79), so none is left without mirrors to inherit its
//   parent's (R:331-349): the longest source decides, as registries.conf prefixes do.
import { ConfigurationError } from '../errors.js';
import { isRecord, type YamlDocument } from '../list/yaml-list.js';
import { rulesOf, type RegistryTable } from './registries-conf.js';
import { emptyConfig, type MirrorConfig, type Serves } from './rules.js';

const KINDS: Record<string, { list: string; serves: Serves }> = {
  ImageDigestMirrorSet: { list: 'imageDigestMirrors', serves: 'digest' },
  ImageTagMirrorSet: { list: 'imageTagMirrors', serves: 'tag' },
  ImageContentSourcePolicy: { list: 'repositoryDigestMirrors', serves: 'digest' },
};

export const isMirrorSet = (data: unknown): boolean =>
  isRecord(data) &&
  typeof data.kind === 'string' &&
  (Object.hasOwn(KINDS, data.kind) ||
    (data.kind === 'List' && Array.isArray(data.items) && data.items.some(isMirrorSet)));

/** Lists merged with each list's order kept, the rest by name (a topological sort, ties lexical). */
export function mergeOrder(lists: readonly string[][], source: string): string[] {
  const after = new Map<string, Set<string>>();
  const incoming = new Map<string, number>();
  const node = (name: string) => {
    if (!after.has(name)) after.set(name, new Set());
    if (!incoming.has(name)) incoming.set(name, 0);
  };
  const edge = (from: string, to: string) => {
    node(from);
    node(to);
    const next = after.get(from) as Set<string>;
    if (from === to || next.has(to)) return;
    next.add(to);
    incoming.set(to, (incoming.get(to) ?? 0) + 1);
  };
  for (const list of lists) {
    list.forEach(node);
    for (let at = 0; at + 1 < list.length; at += 1) edge(list[at] as string, list[at + 1] as string);
    const last = list[list.length - 1];
    if (last !== undefined && !list.includes(source)) edge(last, source);
  }
  const order: string[] = [];
  while (incoming.size > 0) {
    const ready = [...incoming].filter(([, count]) => count === 0).map(([name]) => name);
    // A cycle: the lexically first of what is left breaks it.
    const next = (ready.length ? ready : [...incoming.keys()]).sort()[0] as string;
    incoming.delete(next);
    for (const to of after.get(next) ?? [])
      if (incoming.has(to)) incoming.set(to, (incoming.get(to) ?? 1) - 1);
    order.push(next);
  }
  if (order[order.length - 1] === source) order.pop();
  return order;
}

interface SourceSets {
  lists: { serves: Serves; mirrors: string[]; where: string }[];
  blocked: boolean;
  where: string;
}

export function readMirrorSets(docs: readonly { yaml: YamlDocument; file: string }[]): MirrorConfig {
  const config = emptyConfig('OpenShift mirror sets', [...new Set(docs.map((doc) => doc.file))]);
  const sources = new Map<string, SourceSets>();
  const visit = (object: unknown, file: string, line: number) => {
    if (!isRecord(object) || typeof object.kind !== 'string') return;
    if (object.kind === 'List' && Array.isArray(object.items)) {
      for (const item of object.items) visit(item, file, line);
      return;
    }
    // The cluster's image configuration (config.openshift.io/v1 Image `cluster`): registries the nodes reach
    // without TLS verification or over HTTP (openshift/api config/v1/types_image.go RegistrySources).
    if (object.kind === 'Image' && isRecord(object.spec) && isRecord(object.spec.registrySources)) {
      const insecure = object.spec.registrySources.insecureRegistries;
      if (Array.isArray(insecure)) config.insecureRegistries.push(...insecure.map(String));
      return;
    }
    const kind = KINDS[object.kind];
    if (!kind) return;
    const name = isRecord(object.metadata) ? String(object.metadata.name ?? '?') : '?';
    const where = `${file}:${line} ${object.kind} ${name}`;
    const spec = isRecord(object.spec) ? object.spec : {};
    const entries = spec[kind.list] ?? [];
    if (!Array.isArray(entries)) throw new ConfigurationError(`${where}: spec.${kind.list} must be a list`);
    for (const entry of entries) {
      if (!isRecord(entry) || typeof entry.source !== 'string' || !entry.source)
        throw new ConfigurationError(`${where}: every spec.${kind.list} entry needs a source`);
      const mirrors = Array.isArray(entry.mirrors) ? entry.mirrors.map(String) : [];
      const source = entry.source.replace(/\/+$/, '');
      if (!mirrors.some((mirror) => mirror !== source)) continue;
      const sets = sources.get(source) ?? { lists: [], blocked: false, where };
      sets.lists.push({ serves: kind.serves, mirrors, where });
      if (entry.mirrorSourcePolicy === 'NeverContactSource') sets.blocked = true;
      sources.set(source, sets);
    }
  };
  for (const { yaml, file } of docs) visit(yaml.data(), file, yaml.lineOf(yaml.doc.contents));

  const tables: RegistryTable[] = [];
  for (const source of [...sources.keys()].sort()) {
    const sets = sources.get(source) as SourceSets;
    if (source.startsWith('*.')) {
      config.notes.push(
        `${sets.where}: a *.domain source takes no mirrors on the nodes (runtime-utils R:231-232); ${source} is not mirrored`,
      );
      continue;
    }
    const mirrors = (['digest', 'tag'] as const).flatMap((serves) => {
      const lists = sets.lists.filter((list) => list.serves === serves);
      const where = lists[0]?.where ?? sets.where;
      return mergeOrder(
        lists.map((list) => list.mirrors),
        source,
      ).map((location) => ({ location, insecure: false, serves, where }));
    });
    tables.push({
      prefix: source,
      location: source,
      blocked: sets.blocked,
      insecure: false,
      mirrors,
      where: sets.where,
    });
  }
  rulesOf(tables, config);
  return config;
}
