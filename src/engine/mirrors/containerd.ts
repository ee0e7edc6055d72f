// containerd's registry host configuration (`config_path`, e.g. /etc/containerd/certs.d) as mirror rules,
// read as containerd reads it (containerd/containerd @301026e5, core/remotes/docker/config/hosts.go and
// docs/hosts.md):
// - a registry's folder is `host_port_` or `host:port` (hostDirectory, hosts.go:306-313; config_unix.go:25-37),
//   else `_default` for every registry without one;
// - its `[host."…"]` tables are tried in file order, then `server` (parseHostsFile, hosts.go:404-419); no
//   `server` is the registry's own upstream (hosts.go:98-136), a `server` elsewhere is the last place tried
//   and there is no upstream after it (docs/hosts.md:217-223);
// - `capabilities` default to every one (hosts.go:453-470); a tag needs a host with pull and resolve, a digest
//   one with pull (resolver.go Resolve and filterHosts, 575-582);
// - the request path is the host's path with /v2 appended unless it ends in /v2 or `override_path` is set
//   (hosts.go:430-448); the repository keeps its path under it (resolver.go:598);
// - `skip_verify` and an http:// host make it insecure; `ca` (a string or a list) is relative to the folder
//   (makeAbsPath, hosts.go:606-611).
import { dirname, isAbsolute, join } from 'node:path';
import { normaliseRegistry } from '../../registry/reference.js';
import { ConfigurationError } from '../errors.js';
import { emptyConfig, type MirrorConfig, type MirrorEndpoint, type MirrorRule, type Scope } from './rules.js';
import { booleanAt, isTable, lineWhere, parseToml, stringAt, type TomlTable } from './toml.js';

export interface HostsFile {
  /** The folder's name under config_path: `docker.io`, `host_port_`, `host:port`, `_default`. */
  folder: string;
  /** The file's path, as it is named in messages and as `ca` paths are resolved against. */
  path: string;
  text: string;
}

/** The registry a folder stands for, or the default; undefined for a folder containerd never looks in. */
export function folderScope(folder: string): Scope | undefined {
  if (folder === '_default') return { kind: 'default' };
  const port = /^(.+)_(\d{1,5})_$/.exec(folder);
  const host = port ? `${port[1]}:${port[2]}` : folder;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host)) return undefined;
  return { kind: 'host', host: normaliseRegistry(host) };
}

const CAPABILITIES = ['pull', 'resolve', 'push', 'referrers'];

function capabilitiesOf(table: TomlTable, where: string): string[] {
  const value = table.capabilities;
  if (value === undefined) return CAPABILITIES;
  if (!Array.isArray(value) || value.some((one) => typeof one !== 'string' || !CAPABILITIES.includes(one)))
    throw new ConfigurationError(`${where}: capabilities must be a list of ${CAPABILITIES.join(', ')}`);
  return value as string[];
}

/** A host URL as containerd reads it: https:// added when it has no scheme (hosts.go:430-436). */
function hostUrl(text: string, where: string): URL {
  try {
    return new URL(/^https?:\/\//i.test(text) ? text : `https://${text}`);
  } catch {
    throw new ConfigurationError(`${where}: "${text}" is not a host URL`);
  }
}

/**
 * The `host[/prefix]` a host URL serves the registry API at: its path, as containerd builds the request path,
 * must be /v2 or /v2/<prefix>; any other API root is not one a registry client can be pointed at.
 */
function locationOf(url: URL, overridePath: boolean, where: string): string {
  const path = url.pathname.replace(/\/+$/, '');
  const apiPath = overridePath ? path : path.endsWith('/v2') ? path : `${path}/v2`;
  const prefix = /^\/v2(?:\/(.+))?$/.exec(apiPath);
  if (!prefix)
    throw new ConfigurationError(
      `${where}: ${url.href} serves the registry API at ${apiPath || '/'}, not under /v2: no registry client can read it there`,
    );
  return prefix[1] ? `${url.host}/${prefix[1]}` : url.host;
}

export function readHostsFiles(files: readonly HostsFile[]): MirrorConfig {
  const config = emptyConfig(
    'containerd hosts.toml',
    files.map((file) => file.path),
  );
  const seen = new Set<string>();
  // `host_port_` is looked in before `host:port` (config_unix.go:25-37): the first folder found is the one read.
  const ordered = [...files].sort(
    (a, b) => Number(!a.folder.endsWith('_')) - Number(!b.folder.endsWith('_')),
  );
  for (const file of ordered) {
    const scope = folderScope(file.folder);
    if (!scope) continue;
    const key = scope.kind === 'host' ? scope.host : '_default';
    if (seen.has(key)) continue;
    seen.add(key);
    const toml = parseToml(file.text, file.path);
    const endpoint = (key: string, table: TomlTable, line: number): MirrorEndpoint | undefined => {
      const where = `${file.path}:${line}${key === 'server' ? ' server' : ` [host."${key}"]`}`;
      const url = hostUrl(key === 'server' ? (table.server as string) : key, where);
      const capabilities = capabilitiesOf(table, where);
      const location = locationOf(url, booleanAt(table, 'override_path', where) ?? false, where);
      if (url.protocol === 'http:' || booleanAt(table, 'skip_verify', where))
        config.insecureRegistries.push(url.host);
      const ca = table.ca;
      if (ca !== undefined) {
        if (typeof ca !== 'string' && !(Array.isArray(ca) && ca.every((one) => typeof one === 'string')))
          throw new ConfigurationError(`${where}: ca must be a path or a list of paths`);
        for (const path of [ca].flat() as string[])
          config.caFiles.push(isAbsolute(path) ? path : join(dirname(file.path), path));
      }
      if (!capabilities.includes('pull')) return undefined;
      return { location, serves: capabilities.includes('resolve') ? 'all' : 'digest', where };
    };
    const hosts = isTable(toml.host) ? toml.host : {};
    const endpoints: MirrorEndpoint[] = [];
    let from = 1;
    for (const [key, table] of Object.entries(hosts)) {
      if (!isTable(table)) continue;
      // The table's header line, for messages: the first [host."key"] at or after the previous one.
      const line = lineWhere(
        file.text,
        (text) => text.includes(`"${key}"`) && /^\s*\[host\./.test(text),
        from,
      );
      from = line + 1;
      const one = endpoint(key, table, line);
      if (one) endpoints.push(one);
    }
    let upstream = true;
    const server = stringAt(toml, 'server', file.path);
    if (server !== undefined) {
      const line = lineWhere(file.text, (text) => /^\s*server\s*=/.test(text));
      const url = hostUrl(server, `${file.path}:${line} server`);
      const own =
        scope.kind === 'host' &&
        normaliseRegistry(url.host) === scope.host &&
        /^\/?(v2\/?)?$/.test(url.pathname);
      if (!own) {
        // A server elsewhere is where every pull ends: the last place tried, and nothing upstream after it.
        upstream = false;
        const one = endpoint('server', toml, line);
        if (one) endpoints.push(one);
      }
    }
    const rule: MirrorRule = { scope, endpoints, upstream, where: file.path };
    config.rules.push(rule);
  }
  return config;
}
