// containers-registries.conf(5) version 2 (CRI-O, podman, buildah) and its registries.conf.d drop-ins as
// mirror rules, read as containers/image reads them (containers/image @df7e80d2,
// pkg/sysregistriesv2/system_registries_v2.go, "S" below; docs/containers-registries.conf.5.md, "M"):
// - `[[registry]]`: `prefix` (default: `location`, S:412-416), `location` (empty only for a `*.domain` prefix,
//   S:424-426; no URI scheme, S:323-341), `insecure`, `blocked`, `mirror-by-digest-only`, and
//   `[[registry.mirror]]` with `location`, `insecure`, `pull-from-mirror` (all, digest-only, tag-only, S:42-50);
// - the longest matching prefix decides (S:929-945); the pull goes to the mirrors that serve the reference, in
//   order, then the primary location (PullSourcesFromReference, S:149-185); `mirror-by-digest-only` makes
//   every mirror digest-only (S:152-156) and may not be set beside `pull-from-mirror` (S:448-450);
// - a reference at a place is the place's location + what follows the prefix (rewriteReference, S:85-113);
// - drop-ins are read after the main file in name order, and a `[[registry]]` with a prefix seen before
//   replaces it whole (containers-registries.conf.d(5) lines 16-27; S:1035-1053); drop-ins must be v2
//   (S:970-977).
import { normaliseRegistry } from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import {
  emptyConfig,
  type MirrorConfig,
  type MirrorEndpoint,
  type MirrorRule,
  type Serves,
} from './rules.js';
import { booleanAt, isTable, parseToml, stringAt, type TomlTable } from './toml.js';

export interface ConfFile {
  path: string;
  text: string;
}

/** A registries.conf `[[registry]]` as this check keeps it, before drop-ins replace it. */
interface RegistryTable {
  prefix: string;
  location: string;
  blocked: boolean;
  insecure: boolean;
  mirrors: { location: string; insecure: boolean; serves: Serves; where: string }[];
  where: string;
}

/** The 1-based lines of each header `[[name]]` of a file, in order. */
const headerLines = (text: string, name: string) =>
  text
    .split(/\r?\n/)
    .flatMap((line, index) => (new RegExp(`^\\s*\\[\\[\\s*${name}\\s*\\]\\]`).test(line) ? [index + 1] : []));

/** A location as containers/image keeps it: no scheme (an error), no trailing slash, Docker Hub by its name. */
function locationOf(text: string, where: string): string {
  if (/^https?:\/\//i.test(text))
    throw new ConfigurationError(`${where}: location "${text}": URI schemes are not supported`);
  const trimmed = text.replace(/\/+$/, '');
  const [host = '', ...path] = trimmed.split('/');
  return [normaliseRegistry(host), ...path].join('/');
}

const PULL_FROM_MIRROR: Record<string, Serves> = {
  all: 'all',
  '': 'all',
  'digest-only': 'digest',
  'tag-only': 'tag',
};

function readTable(table: TomlTable, where: string, mirrorLines: number[], path: string): RegistryTable {
  const location = locationOf(stringAt(table, 'location', where) ?? '', where);
  const prefix = locationOf(stringAt(table, 'prefix', where) ?? '', where) || location;
  if (!prefix) throw new ConfigurationError(`${where}: both location and prefix are unset`);
  if (prefix.startsWith('*')) {
    if (!/^\*(\.[A-Za-z0-9-]+)+$/.test(prefix))
      throw new ConfigurationError(`${where}: a wildcard prefix must be *.example.com, not "${prefix}"`);
  } else if (!location)
    throw new ConfigurationError(`${where}: location is unset and prefix is not *.example.com`);
  if (table['pull-from-mirror'] !== undefined)
    throw new ConfigurationError(
      `${where}: pull-from-mirror is for [[registry.mirror]] tables, not a registry`,
    );
  const digestOnly = booleanAt(table, 'mirror-by-digest-only', where) ?? false;
  const rawMirrors = table.mirror ?? [];
  if (!Array.isArray(rawMirrors) || !rawMirrors.every(isTable))
    throw new ConfigurationError(`${where}: mirror must be [[registry.mirror]] tables`);
  const mirrors = rawMirrors.map((mirror, index) => {
    const at = `${path}:${mirrorLines[index] ?? '?'} [[registry.mirror]]`;
    const mirrorLocation = stringAt(mirror, 'location', at);
    if (!mirrorLocation) throw new ConfigurationError(`${at}: mirror location is unset`);
    const pull = stringAt(mirror, 'pull-from-mirror', at);
    if (pull !== undefined && digestOnly)
      throw new ConfigurationError(
        `${at}: pull-from-mirror cannot be set when its registry has mirror-by-digest-only`,
      );
    const serves = PULL_FROM_MIRROR[pull ?? ''];
    if (!serves)
      throw new ConfigurationError(`${at}: pull-from-mirror "${pull}" is not all, digest-only or tag-only`);
    return {
      location: locationOf(mirrorLocation, at),
      insecure: booleanAt(mirror, 'insecure', at) ?? false,
      serves: digestOnly ? ('digest' as const) : serves,
      where: at,
    };
  });
  return {
    prefix,
    location,
    blocked: booleanAt(table, 'blocked', where) ?? false,
    insecure: booleanAt(table, 'insecure', where) ?? false,
    mirrors,
    where,
  };
}

/** The `[[registry]]` tables of one file, the first of each prefix kept (S:504-526). */
function tablesOf(file: ConfFile, dropIn: boolean): RegistryTable[] {
  const toml = parseToml(file.text, file.path);
  if (isTable(toml.registries))
    throw new ConfigurationError(
      `${file.path}: a version 1 registries.conf ([registries.search] …) names no mirrors; ${dropIn ? 'a drop-in must be version 2' : 'write it as version 2 ([[registry]] tables)'}`,
    );
  const raw = toml.registry ?? [];
  if (!Array.isArray(raw) || !raw.every(isTable))
    throw new ConfigurationError(`${file.path}: registry must be [[registry]] tables`);
  const registryLines = headerLines(file.text, 'registry');
  const mirrorLines = headerLines(file.text, 'registry\\.mirror');
  let mirrorsRead = 0;
  const tables: RegistryTable[] = [];
  raw.forEach((table, index) => {
    const line = registryLines[index];
    const count = Array.isArray(table.mirror) ? table.mirror.length : 0;
    const own = mirrorLines.slice(mirrorsRead, mirrorsRead + count);
    mirrorsRead += count;
    const read = readTable(table, `${file.path}:${line ?? '?'} [[registry]]`, own, file.path);
    if (!tables.some((one) => one.prefix === read.prefix)) tables.push(read);
  });
  return tables;
}

/** Rules from registries.conf tables (also the OpenShift mirror sets, which the node gets as such tables). */
export function rulesOf(tables: readonly RegistryTable[], config: MirrorConfig): void {
  for (const table of tables) {
    const endpoints: MirrorEndpoint[] = table.mirrors.map((mirror) => {
      if (mirror.insecure) config.insecureRegistries.push(mirror.location.split('/')[0] as string);
      return { location: mirror.location, serves: mirror.serves, where: mirror.where };
    });
    // The primary location is the upstream itself unless it names another place (a rewrite): then it is the
    // last place a pull goes, and nothing goes upstream. Blocked, no pull goes to it at all.
    const rewritten = table.location !== '' && table.location !== table.prefix;
    if (rewritten && !table.blocked)
      endpoints.push({ location: table.location, serves: 'all', where: `${table.where} location` });
    // `insecure` is the registry's own (the location, upstream or not): the check reads the source there too.
    if (table.insecure && table.location && !table.location.startsWith('*'))
      config.insecureRegistries.push(table.location.split('/')[0] as string);
    config.rules.push({
      scope: table.prefix.startsWith('*.')
        ? { kind: 'subdomain', domain: table.prefix.slice(2) }
        : { kind: 'prefix', prefix: table.prefix },
      endpoints,
      upstream: !table.blocked && !rewritten,
      where: table.where,
    } satisfies MirrorRule);
  }
}

export type { RegistryTable };

/** The main file (when given) and its drop-ins, in the order the runtime reads them. */
export function readRegistriesConf(files: readonly ConfFile[], dropInFrom = 1): MirrorConfig {
  const config = emptyConfig(
    'registries.conf',
    files.map((file) => file.path),
  );
  const byPrefix = new Map<string, RegistryTable>();
  files.forEach((file, index) => {
    for (const table of tablesOf(file, index >= dropInFrom)) {
      byPrefix.delete(table.prefix); // a later file's table replaces the earlier one whole
      byPrefix.set(table.prefix, table);
    }
  });
  rulesOf([...byPrefix.values()], config);
  return config;
}
