// The cluster's mirror configuration from the paths given (mirror-config): the kind told from the content,
// each read by its own reader into the same rules. Reads files; the readers are pure.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigurationError } from '../errors.js';
import { readListFile } from '../list-file.js';
import { parseYaml } from '../list/yaml-list.js';
import { readHostsFiles, type HostsFile } from './containerd.js';
import { looksLikeK3s, readK3s } from './k3s.js';
import { isMirrorSet, readMirrorSets } from './openshift.js';
import { readRegistriesConf, type ConfFile } from './registries-conf.js';
import type { MirrorConfig } from './rules.js';

const KNOWN =
  'a containerd certs.d folder (<host>/hosts.toml), a hosts.toml, a registries.conf (or a registries.conf.d folder), a k3s/RKE2 registries.yaml, or OpenShift ImageDigestMirrorSet / ImageTagMirrorSet / ImageContentSourcePolicy YAML';

type Part =
  | { kind: 'containerd'; files: HostsFile[] }
  | { kind: 'registries.conf'; files: ConfFile[]; dropIns: boolean }
  | { kind: 'k3s' | 'openshift'; path: string; text: string };

const read = (path: string) => readListFile(path, path, 'mirror-config');

/** A registries.conf by its content: v2 tables or the keys only it has. */
const looksLikeRegistriesConf = (text: string) =>
  /^\s*\[\[\s*registry\s*\]\]|^\s*\[registries\.|^\s*(unqualified-search-registries|short-name-mode|credential-helpers)\s*=/m.test(
    text,
  );

async function partOf(path: string): Promise<Part> {
  const info = await stat(path).catch(() => {
    throw new ConfigurationError(`mirror-config "${path}" does not exist`);
  });
  if (info.isDirectory()) {
    const names = (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    const hosts: HostsFile[] = [];
    for (const entry of names.filter((one) => one.isDirectory())) {
      const file = join(path, entry.name, 'hosts.toml');
      if (
        await stat(file).then(
          (one) => one.isFile(),
          () => false,
        )
      )
        hosts.push({ folder: entry.name, path: file, text: await read(file) });
    }
    if (hosts.length) return { kind: 'containerd', files: hosts };
    // Drop-ins: the *.conf files, not the folders among them (containers-registries.conf.d(5) lines 19-21).
    const confs = names.filter((one) => one.isFile() && one.name.endsWith('.conf'));
    if (confs.length) {
      const files: ConfFile[] = [];
      for (const one of confs)
        files.push({ path: join(path, one.name), text: await read(join(path, one.name)) });
      return { kind: 'registries.conf', files, dropIns: true };
    }
    throw new ConfigurationError(
      `mirror-config "${path}" is a folder with no <host>/hosts.toml and no *.conf drop-in`,
    );
  }
  const text = await read(path);
  if (basename(path) === 'hosts.toml')
    return { kind: 'containerd', files: [{ folder: basename(dirname(path)), path, text }] };
  if (looksLikeRegistriesConf(text))
    return { kind: 'registries.conf', files: [{ path, text }], dropIns: false };
  const docs = parseYaml(text, path);
  const datas = docs.map((doc) => doc.data());
  if (datas.some(isMirrorSet)) return { kind: 'openshift', path, text };
  if (datas.length === 1 && looksLikeK3s(datas[0])) return { kind: 'k3s', path, text };
  throw new ConfigurationError(`mirror-config "${path}" is none of what this check reads: ${KNOWN}`);
}

/** One configuration from every path: a node's runtime reads one kind, so the paths must agree on it. */
export async function readMirrorConfig(paths: readonly string[]): Promise<MirrorConfig> {
  const parts: Part[] = [];
  for (const path of paths) parts.push(await partOf(path));
  const kinds = new Set(parts.map((part) => part.kind));
  if (kinds.size > 1)
    throw new ConfigurationError(
      `mirror-config mixes ${[...kinds].join(' and ')}: a node's runtime reads one of them; give the one the cluster's nodes use`,
    );
  const kind = parts[0]?.kind;
  switch (kind) {
    case 'containerd':
      return readHostsFiles(parts.flatMap((part) => (part.kind === 'containerd' ? part.files : [])));
    case 'registries.conf': {
      // The main file first, then the drop-ins (a folder's files are drop-ins wherever they are listed).
      const conf = parts.filter((part) => part.kind === 'registries.conf');
      const main = conf.filter((part) => !part.dropIns).flatMap((part) => part.files);
      if (main.length > 1)
        throw new ConfigurationError(
          `mirror-config names ${main.length} registries.conf files: give one, and its registries.conf.d folder`,
        );
      return readRegistriesConf(
        [...main, ...conf.filter((part) => part.dropIns).flatMap((part) => part.files)],
        main.length,
      );
    }
    case 'k3s': {
      if (parts.length > 1)
        throw new ConfigurationError('mirror-config names several registries.yaml files: a node reads one');
      const part = parts[0] as { path: string; text: string };
      const docs = parseYaml(part.text, part.path);
      return readK3s(docs[0] as (typeof docs)[number], part.path);
    }
    case 'openshift':
      return readMirrorSets(
        parts.flatMap((part) =>
          part.kind === 'openshift'
            ? parseYaml(part.text, part.path).map((yaml) => ({ yaml, file: part.path }))
            : [],
        ),
      );
    case undefined:
      throw new ConfigurationError('mirror-config names no file');
  }
}
