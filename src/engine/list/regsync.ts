// regsync configs (regclient's cmd/regsync) as the list: what `regsync once` promises to have copied.
// Read from regclient at 725072f:
// - cmd/regsync/config.go lines 42-47 (version, creds, defaults, sync), 82-119 (a sync entry: source, target,
//   type, tags {allow, deny, semverRange}, tagSets, repos, platform, platforms, referrers, referrerFilters,
//   digestTags, fastCheck …), 155-160 (version above 1 refused), 268-336 (defaults fill each entry: digestTags,
//   referrers, referrerFilters, fastCheck …), 201-265 (templates: creds registry/user/pass/regcert with no
//   data; source then target with `.Sync`); config/host.go lines 99-141 (creds keys; tls enabled|insecure|disabled).
// - cmd/regsync/root.go processImage lines 639-667 (type image: source and target as given, no tag meaning
//   latest), processRef lines 715-731 (platform: the one platform's manifest is what is copied) and 906-908
//   (platforms: those platforms), processRepo lines 518-637 (type repository: every source tag the sets
//   choose, to the same tag at the target), filterTagList lines 1000-1050 and filterRegexAllow/Deny lines
//   928-988 (allow and deny compiled as "^" + pattern + "$"; semverRange, then allow, then deny), lines
//   540-548 (sets: tagSets and tags when it has anything, united; none: every tag).
// Keys regsync does not have are ignored, as its decoder ignores them (x- keys hold anchors). The website's
// `fastCopy` is read like the code's `fastCheck`: neither changes what must be at the target.
import type { ReferrerPolicy } from '../../config/settings.js';
import type { Credential } from '../../registry/credentials.js';
import { InvalidReferenceError, parseReference } from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import { platformsFilter, type EntryOverrides, type ListEntry, type TagSet } from './entries.js';
import { expandTemplate, isTemplate, TemplateError, type TemplateContext } from './go-template.js';
import { parseConstraint } from './semver.js';
import {
  booleanField,
  emptyRead,
  isRecord,
  items,
  kindOf,
  textField,
  textList,
  type ListRead,
  type SliceItem,
  type YamlDocument,
} from './yaml-list.js';

/** What the failed-list writer needs of a regsync file: each entry and the creds as written (templates kept). */
export interface RegsyncDocument {
  kind: 'regsync';
  creds: unknown[];
  defaults?: unknown;
  entries: Record<string, unknown>[];
}

/** Told from the text, before any parsing: a top-level `sync:` key. */
export const regsyncText = (text: string) => /^sync:(\s*(#.*)?$|\s+\[)/m.test(text);

function anchored(pattern: string, where: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new Error(
      `${where}: ${JSON.stringify(pattern)} is not a regular expression: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

function tagSet(data: unknown, where: string): TagSet {
  if (!isRecord(data)) throw new Error(`${where} must be a map of allow, deny, semverRange`);
  const constraints = textList(data, 'semverRange', where).filter((range) => range.trim() !== '');
  for (const range of constraints) {
    try {
      parseConstraint(range, 'regsync');
    } catch (error) {
      throw new Error(`${where}.semverRange: ${(error as Error).message}`, { cause: error });
    }
  }
  return {
    allow: textList(data, 'allow', where).map((pattern) => anchored(pattern, `${where}.allow`)),
    deny: textList(data, 'deny', where).map((pattern) => anchored(pattern, `${where}.deny`)),
    ...(constraints.length ? { semver: { constraints, dialect: 'regsync' as const } } : {}),
  };
}

function describeSets(entry: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of [
    ['tags', entry.tags],
    ['tagSets', entry.tagSets],
  ] as const)
    if (value !== undefined) parts.push(`${key} ${JSON.stringify(value)}`);
  return parts.length ? parts.join(', ') : 'every tag';
}

function referrerPolicy(entry: Record<string, unknown>, where: string): ReferrerPolicy | undefined {
  const referrers = booleanField(entry, 'referrers', where);
  const digestTags = booleanField(entry, 'digestTags', where);
  const filters = entry.referrerFilters;
  const artifactTypes =
    Array.isArray(filters) && referrers
      ? filters.map((filter, index) => {
          if (!isRecord(filter)) throw new Error(`${where}.referrerFilters[${index}] must be a map`);
          return textField(filter, 'artifactType', `${where}.referrerFilters[${index}]`);
        })
      : [];
  if (referrers && artifactTypes.length && artifactTypes.every((type) => type !== undefined)) {
    return {
      mode: 'list',
      kinds: digestTags ? ['signature', 'attestation', 'sbom'] : [],
      artifactTypes: artifactTypes as string[],
    };
  }
  if (referrers) return { mode: 'require' };
  if (digestTags) return { mode: 'list', kinds: ['signature', 'attestation', 'sbom'], artifactTypes: [] };
  return undefined;
}

function overridesOf(entry: Record<string, unknown>, where: string): EntryOverrides | undefined {
  const platform = textField(entry, 'platform', where);
  const platforms = textList(entry, 'platforms', where);
  const chosen = platform ? [platform] : platforms;
  const referrers = referrerPolicy(entry, where);
  if (!chosen.length && !referrers) return undefined;
  return {
    ...(chosen.length
      ? { filter: platformsFilter(chosen, `${where}.${platform ? 'platform' : 'platforms'}`) }
      : {}),
    ...(referrers ? { referrers } : {}),
    ...(chosen.length ? { said: `regsync ${platform ? 'platform' : 'platforms'} ${chosen.join(', ')}` } : {}),
  };
}

const DEFAULTED = ['referrers', 'referrerFilters', 'digestTags', 'fastCheck', 'fastCopy'] as const;

/** A regsync file as read: everything but `sync`, and each `sync` item with its lines. */
export interface RegsyncSource {
  data: Record<string, unknown>;
  items: SliceItem[];
}

/** The whole document at once (a file not laid out for slices): its data and its `sync` items' lines. */
export function regsyncSource(yaml: YamlDocument, fileName: string): RegsyncSource {
  const data = yaml.data();
  if (!isRecord(data)) throw new ConfigurationError(`${fileName}: a regsync config is a map`);
  const nodes = items(yaml.doc.get('sync', true));
  const entries = Array.isArray(data.sync) ? data.sync : [];
  return {
    data,
    items: entries.map((entry, index) => ({
      data: entry,
      line: yaml.lineOf(nodes[index]),
      span: yaml.spanOf(nodes[index]),
    })),
  };
}

export function readRegsync(
  source: RegsyncSource,
  fileName: string,
  context: Omit<TemplateContext, 'data'> & { registryCatalog?: boolean },
): ListRead {
  const { data } = source;
  const version = data.version === undefined ? 1 : Number(data.version);
  if (version !== 1)
    throw new ConfigurationError(
      `${fileName}: regsync config version ${String(data.version)} is not supported (1 is)`,
    );
  const read = emptyRead('regsync', []);
  const expand = (value: string, where: string, extra?: Record<string, unknown>) => {
    try {
      return expandTemplate(value, { ...context, data: extra });
    } catch (error) {
      if (error instanceof TemplateError) throw new Error(`${where}: ${error.message}`, { cause: error });
      throw error;
    }
  };

  // creds: used as given (templates expanded), passwords never shown.
  const creds = Array.isArray(data.creds) ? data.creds : [];
  creds.forEach((cred, index) => {
    const where = `${fileName}: creds[${index}]`;
    try {
      if (!isRecord(cred)) throw new Error('must be a map');
      const registryText = textField(cred, 'registry', 'creds', true) as string;
      const registry = expand(registryText, 'registry')
        .toLowerCase()
        .replace(/^index\.docker\.io$/, 'docker.io');
      const user = textField(cred, 'user', 'creds');
      const pass = textField(cred, 'pass', 'creds');
      const tls = textField(cred, 'tls', 'creds')?.toLowerCase();
      if (tls !== undefined && !['enabled', 'insecure', 'disabled'].includes(tls))
        throw new Error(`tls must be enabled, insecure or disabled, not "${tls}"`);
      if (tls === 'insecure' || tls === 'disabled') read.insecureRegistries.push(registry);
      const regcert = textField(cred, 'regcert', 'creds');
      if (regcert) read.caCertificates.push(expand(regcert, 'regcert'));
      if (user !== undefined || pass !== undefined) {
        const credential: Credential = {
          ...(user !== undefined ? { username: expand(user, 'user') } : {}),
          ...(pass !== undefined ? { password: expand(pass, 'pass') } : {}),
        };
        if (credential.password) read.secrets.push(credential.password);
        read.credentials[registry] = credential;
      }
      for (const key of ['credHelper', 'token', 'clientCert'])
        if (cred[key] !== undefined)
          read.notes.push(`${where}: ${key} is not used by this check (give the credentials another way)`);
    } catch (error) {
      throw new ConfigurationError(`${where}: ${(error as Error).message}`);
    }
  });

  const defaults = isRecord(data.defaults) ? data.defaults : {};
  const document: RegsyncDocument = { kind: 'regsync', creds, defaults: data.defaults, entries: [] };
  read.document = document;
  source.items.forEach(({ data: raw, line, span }, index) => {
    const where = `sync[${index}]`;
    const written = isRecord(raw) ? raw : {};
    document.entries.push(written);
    try {
      if (!isRecord(raw)) throw new Error(`${where} must be a map, not ${kindOf(raw)}`);
      const entry: Record<string, unknown> = { ...raw };
      for (const key of DEFAULTED)
        if (entry[key] === undefined && defaults[key] !== undefined) entry[key] = defaults[key];
      const type = textField(entry, 'type', where, true) as string;
      const sourceText = expand(textField(entry, 'source', where, true) as string, `${where}.source`, {
        Sync: { Source: entry.source, Target: entry.target, Type: type },
      });
      const targetText = expand(textField(entry, 'target', where, true) as string, `${where}.target`, {
        Sync: { Source: sourceText, Target: entry.target, Type: type },
      });
      const overrides = overridesOf(entry, where);
      const describedSource = isTemplate(String(raw.source)) ? ` (${String(raw.source)})` : '';
      if (type === 'image') {
        const source = parseReference(sourceText);
        const destination = parseReference(targetText);
        read.entries.push({
          kind: 'image',
          line,
          raw: `${where} type image ${sourceText} to ${targetText}${describedSource}`,
          source,
          destination,
          origin: { entry: index },
          span,
          ...(overrides ? { overrides } : {}),
        });
      } else if (type === 'repository' || type === 'registry') {
        const sets: TagSet[] = [
          ...(Array.isArray(entry.tagSets) ? entry.tagSets : []).map((set, at) =>
            tagSet(set, `${where}.tagSets[${at}]`),
          ),
        ];
        if (isRecord(entry.tags)) {
          const tags = tagSet(entry.tags, `${where}.tags`);
          if (tags.allow.length || tags.deny.length || tags.semver) sets.push(tags);
        }
        if (type === 'registry') {
          // regsync lists the source's catalog, keeps the repositories `repos` chooses (allow, then deny,
          // anchored: root.go filterRepoList lines 990-998), and syncs each as a repository to target/repo
          // (line 504). Opt-in: many registries refuse their catalog, and a large one's is long.
          if (!context.registryCatalog)
            throw new Error(
              `${where} is type registry, whose repositories come from the registry's catalog: turn on registry-catalog (--registry-catalog) to read it, or list the repositories as type repository entries`,
            );
          const repos = isRecord(entry.repos) ? entry.repos : {};
          const [host, ...prefix] = targetText.replace(/\/+$/, '').split('/');
          if (!host || /[/@:]/.test(sourceText.replace(/:\d+$/, '')))
            throw new Error(`${where}: a registry entry's source is a registry host, not "${sourceText}"`);
          read.entries.push({
            kind: 'registry',
            line,
            raw: `${where} type registry ${sourceText} to ${targetText}${describedSource}`,
            source: { registry: sourceText.toLowerCase() },
            destination: {
              registry: host.toLowerCase(),
              prefix: prefix.length ? `${prefix.join('/')}/` : '',
            },
            repos: {
              allow: textList(repos, 'allow', `${where}.repos`).map((pattern) =>
                anchored(pattern, `${where}.repos.allow`),
              ),
              deny: textList(repos, 'deny', `${where}.repos`).map((pattern) =>
                anchored(pattern, `${where}.repos.deny`),
              ),
            },
            pattern: { sets, described: describeSets(entry) },
            origin: { entry: index },
            span,
            ...(overrides ? { overrides } : {}),
          });
          return;
        }
        const source = parseReference(sourceText);
        const destination = parseReference(targetText);
        if (source.digest || (source.tag && /:[^/]+$/.test(sourceText)))
          throw new Error(`${where}.source of a repository entry names a repository, not "${sourceText}"`);
        read.entries.push({
          kind: 'pattern',
          line,
          raw: `${where} type repository ${sourceText} to ${targetText}${describedSource}`,
          source: { registry: source.registry, repository: source.repository },
          destination: { registry: destination.registry, repository: destination.repository },
          pattern: { sets, described: describeSets(entry) },
          origin: { entry: index },
          span,
          ...(overrides ? { overrides } : {}),
        });
      } else {
        throw new Error(`${where}.type must be image, repository or registry, not "${type}"`);
      }
    } catch (error) {
      if (!(error instanceof Error) || error instanceof ConfigurationError) throw error;
      const reason = error instanceof InvalidReferenceError ? `${where}: ${error.message}` : error.message;
      read.entries.push({
        kind: 'invalid',
        line,
        raw: `${where}`,
        reason,
        origin: { entry: index },
      } as ListEntry);
    }
  });
  return read;
}
