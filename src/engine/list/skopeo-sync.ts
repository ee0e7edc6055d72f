// skopeo sync's YAML source (`skopeo sync --src yaml FILE --dest docker DEST`) as the list: what the sync
// promises to have copied to DEST. Read from containers/skopeo (cmd/skopeo/sync.go at b71619a; 1.9.3 at 89966c5
// where it differs) and docs/skopeo-sync.1.md:
// - the file is a map of registry → {images, images-by-tag-regex, images-by-semver, credentials, tls-verify,
//   cert-dir} (sync.go lines 64-74); each image name is `<registry>/<name>` (lines 313, 416);
// - `images`: a repository's tags or digests ("sha256:…" without "@"), an empty list meaning every tag
//   (lines 323-355);
// - `images-by-tag-regex`: matched unanchored, anywhere in the tag (lines 462, 473: regexp MatchString);
// - `images-by-semver`: Masterminds semver constraints (lines 488-504; 1.15 and later);
// - the destination of `<src>` is `DEST/<last path part of src>` with its tag or digest, or
//   `DEST/<full source reference>` with --scoped, with --append-suffix added to the end (lines 681-703);
// - without --all, only the image for this system's OS and architecture (or --override-os/-arch/-variant) is
//   copied (lines 625-628; docs lines 35-38).
import path from 'node:path';
import type { SyncOptions } from '../../config/settings.js';
import type { Credential } from '../../registry/credentials.js';
import { formatReference, parseReference, type ImageReference } from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import { platformsFilter, type EntryOverrides, type ListEntry } from './entries.js';
import { parseConstraint } from './semver.js';
import {
  booleanField,
  child,
  emptyRead,
  isRecord,
  items,
  kindOf,
  textField,
  type ListRead,
  type YamlDocument,
  requireDestination,
} from './yaml-list.js';

/** The platform skopeo copies without --all: this system's, or the overrides (containers/image's rules). */
export function systemPlatform(options: SyncOptions): { os: string; arch: string; variant?: string } {
  const names: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    arm: 'arm',
    ia32: '386',
    s390x: 's390x',
    ppc64: 'ppc64le',
  };
  const arch = options.arch ?? names[process.arch] ?? process.arch;
  return { os: options.os ?? 'linux', arch, ...(options.variant ? { variant: options.variant } : {}) };
}

/** Where skopeo sync writes a source image (sync.go lines 681-703). */
export function syncDestination(source: ImageReference, destination: string, options: SyncOptions): string {
  const full = formatReference(source);
  const suffix = options.scoped ? full : path.posix.basename(full);
  return `${path.posix.join(destination, suffix)}${options.appendSuffix}`;
}

/** What the failed-list writer needs: each registry's settings as written (credentials left out). */
export interface SkopeoSyncDocument {
  kind: 'skopeo-sync';
  registries: Record<string, { 'tls-verify'?: string; 'cert-dir'?: string }>;
  /** Per entry index: the registry and repository it lists, and how. */
  entries: {
    registry: string;
    repository: string;
    how: 'images' | 'images-by-tag-regex' | 'images-by-semver';
    value?: string;
  }[];
}

export const looksLikeSkopeoSync = (data: unknown) =>
  isRecord(data) &&
  Object.keys(data).length > 0 &&
  Object.values(data).every(
    (value) =>
      isRecord(value) && ['images', 'images-by-tag-regex', 'images-by-semver'].some((key) => key in value),
  );

export function readSkopeoSync(
  yaml: YamlDocument,
  fileName: string,
  destination: string | undefined,
  options: SyncOptions,
): ListRead {
  const data = yaml.data();
  if (!isRecord(data)) throw new ConfigurationError(`${fileName}: a skopeo sync file is a map of registries`);
  const dest = requireDestination(
    destination,
    fileName,
    "is a skopeo sync file: give the sync's destination, as given to skopeo sync --dest docker",
  );
  const read = emptyRead('skopeo-sync', []);
  const document: SkopeoSyncDocument = { kind: 'skopeo-sync', registries: {}, entries: [] };
  read.document = document;
  const system = systemPlatform(options);
  const platform = `${system.os}/${system.arch}${system.variant ? `/${system.variant}` : ''}`;
  const filter = platformsFilter([platform], 'sync-options');
  const overrides: EntryOverrides | undefined = options.all
    ? undefined
    : {
        filter,
        said: `skopeo sync without --all copies ${platform} only`,
      };
  const root = yaml.doc.contents;
  for (const [registry, settings] of Object.entries(data)) {
    const registryNode = child(root, registry);
    const where = `${registry}`;
    if (!isRecord(settings))
      throw new ConfigurationError(`${fileName}: ${where} must be a map, not ${kindOf(settings)}`);
    let tlsVerify: boolean | undefined;
    try {
      tlsVerify = booleanField(settings, 'tls-verify', where);
    } catch (error) {
      throw new ConfigurationError(`${fileName}: ${(error as Error).message}`);
    }
    if (tlsVerify === false) read.insecureRegistries.push(registry.toLowerCase());
    const certDir = textField(settings, 'cert-dir', where);
    if (certDir) read.caFolders.push(certDir);
    document.registries[registry] = {
      ...(settings['tls-verify'] !== undefined ? { 'tls-verify': String(settings['tls-verify']) } : {}),
      ...(certDir ? { 'cert-dir': certDir } : {}),
    };
    if (isRecord(settings.credentials)) {
      const credential: Credential = {
        username: textField(settings.credentials, 'username', `${where}.credentials`),
        password: textField(settings.credentials, 'password', `${where}.credentials`),
      };
      if (credential.password) read.secrets.push(credential.password);
      read.credentials[registry.toLowerCase()] = credential;
    }
    const entry = (line: number, raw: string, make: () => ListEntry) => {
      try {
        read.entries.push(make());
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        read.entries.push({ kind: 'invalid', line, raw, reason: `${raw}: ${error.message}` });
      }
    };
    const imagesNode = child(registryNode, 'images');
    if (isRecord(settings.images)) {
      for (const [name, refs] of Object.entries(settings.images)) {
        const index = document.entries.push({ registry, repository: name, how: 'images' }) - 1;
        const nameNode = child(imagesNode, name);
        const repositoryRef = () => parseReference(`${registry}/${name}`);
        if (refs === null || refs === undefined || (Array.isArray(refs) && refs.length === 0)) {
          const line = yaml.lineOf(nameNode ?? imagesNode);
          entry(line, `${registry} images ${name}: every tag`, () => {
            const source = repositoryRef();
            const target = parseReference(syncDestination(source, dest, { ...options, appendSuffix: '' }));
            return {
              kind: 'pattern',
              line,
              raw: `${registry} images ${name}: every tag`,
              source: { registry: source.registry, repository: source.repository },
              destination: { registry: target.registry, repository: target.repository },
              pattern: { sets: [], described: 'every tag (images: [])' },
              ...(options.appendSuffix ? { tagSuffix: options.appendSuffix } : {}),
              origin: { entry: index },
              ...(overrides ? { overrides } : {}),
            };
          });
          continue;
        }
        const list = Array.isArray(refs) ? refs : [refs];
        const tagNodes = items(nameNode);
        list.forEach((ref, at) => {
          const line = yaml.lineOf(tagNodes[at] ?? nameNode);
          const raw = `${registry} images ${name}: ${String(ref)}`;
          entry(line, raw, () => {
            if (typeof ref !== 'string') throw new Error(`must be a tag or a digest, not ${kindOf(ref)}`);
            const isDigest = /^[a-z0-9]+:[A-Fa-f0-9]{32,}$/.test(ref);
            if (isDigest && options.appendSuffix)
              throw new Error(`--append-suffix cannot follow a digest (skopeo stops the sync here)`);
            const source = parseReference(`${registry}/${name}${isDigest ? '@' : ':'}${ref}`);
            return {
              kind: 'image',
              line,
              raw,
              source,
              destination: parseReference(syncDestination(source, dest, options)),
              origin: { entry: index, tag: ref },
              ...(overrides ? { overrides } : {}),
            };
          });
        });
      }
    }
    for (const how of ['images-by-tag-regex', 'images-by-semver'] as const) {
      const map = settings[how];
      if (map === undefined) continue;
      if (!isRecord(map))
        throw new ConfigurationError(
          `${fileName}: ${where}.${how} must be a map of repository: ${how === 'images-by-semver' ? 'constraint' : 'regex'}`,
        );
      const mapNode = child(registryNode, how);
      for (const [name, value] of Object.entries(map)) {
        const index = document.entries.push({ registry, repository: name, how, value: String(value) }) - 1;
        const line = yaml.lineOf(child(mapNode, name) ?? mapNode);
        const raw = `${registry} ${how} ${name}: ${String(value)}`;
        entry(line, raw, () => {
          if (typeof value !== 'string') throw new Error(`must be text, not ${kindOf(value)}`);
          const source = parseReference(`${registry}/${name}`);
          const target = parseReference(syncDestination(source, dest, { ...options, appendSuffix: '' }));
          let sets;
          if (how === 'images-by-tag-regex') sets = [{ allow: [new RegExp(value)], deny: [] }];
          else {
            parseConstraint(value, 'masterminds');
            sets = [
              { allow: [], deny: [], semver: { constraints: [value], dialect: 'masterminds' as const } },
            ];
          }
          return {
            kind: 'pattern',
            line,
            raw,
            source: { registry: source.registry, repository: source.repository },
            destination: { registry: target.registry, repository: target.repository },
            pattern: { sets, described: `${how} ${value}` },
            ...(options.appendSuffix ? { tagSuffix: options.appendSuffix } : {}),
            origin: { entry: index },
            ...(overrides ? { overrides } : {}),
          };
        });
      }
    }
  }
  return read;
}
