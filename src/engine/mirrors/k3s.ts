// k3s and RKE2 `registries.yaml` as mirror rules, read as k3s turns it into containerd's hosts.toml
// (k3s-io/k3s @06ea261c pkg/agent/containerd/config.go, "C" below; k3s-io/docs
// docs/installation/private-registry.md, "D"; the rewrite as rancher/wharfie pkg/registries/registries.go
// applies it):
// - `mirrors.<registry>.endpoint` in order, then the registry's own upstream, always tried last (D:16-21;
//   getHostConfigs, C:211-293); a last endpoint that is the upstream itself is that upstream (C:270-272);
// - `mirrors."*"` covers every registry without an entry of its own (the `_default` folder, C:219-220);
// - an endpoint without a scheme is https (http for localhost, C:315-321); a path other than "", "/" or "/v2"
//   is kept as the API path (override_path, C:329-335), so it must be /v2/<prefix> to be a registry's;
// - `rewrite`: a Go regular expression over the repository path (no registry, no tag), the first that
//   matches rewrites it for every endpoint, never for the upstream (D:89-105);
// - `configs.<endpoint host>`: `tls.insecure_skip_verify`, `tls.ca_file`, and `auth` (`username` and `password`,
//   or `auth` as base64 `user:pass`, or `identity_token`) for that host (configForHost, C:355-364).
import { normaliseRegistry } from '../../registry/reference.js';
import type { Credential } from '../../registry/credentials.js';
import { ConfigurationError } from '../errors.js';
import { booleanField, isRecord, textField, textList, type YamlDocument } from '../list/yaml-list.js';
import { emptyConfig, type MirrorConfig, type MirrorEndpoint, type Rewrite } from './rules.js';

export const looksLikeK3s = (data: unknown): boolean =>
  isRecord(data) &&
  (isRecord(data.mirrors) || isRecord(data.configs)) &&
  Object.keys(data).every((key) => key === 'mirrors' || key === 'configs');

/** A Go regular expression as JavaScript's; the constructs JavaScript reads otherwise are refused. */
export function goRegExp(pattern: string, where: string): RegExp {
  if (/\(\?[imsU]+[:)]|\\[pPz]|\[\[:/.test(pattern))
    throw new ConfigurationError(
      `${where}: "${pattern}" uses Go syntax this check cannot run as the runtime does`,
    );
  try {
    return new RegExp(pattern);
  } catch (error) {
    throw new ConfigurationError(
      `${where}: rewrite "${pattern}" does not compile: ${(error as Error).message}`,
    );
  }
}

/** Go's `${1}` and `$name` expansion as JavaScript's `$1` (Go's `$1x` means the group named `1x`: kept simple). */
const goReplacement = (text: string) => text.replace(/\$\{(\d+)\}/g, '$$$1');

function endpointUrl(text: string, where: string): URL {
  const local = /^(localhost|127\.|\[::1\])/i.test(text) && !/:443(\/|$)/.test(text);
  try {
    return new URL(/^https?:\/\//i.test(text) ? text : `${local ? 'http' : 'https'}://${text}`);
  } catch {
    throw new ConfigurationError(`${where}: endpoint "${text}" is not a URL`);
  }
}

function locationOf(url: URL, where: string): string {
  const path = url.pathname.replace(/\/+$/, '');
  if (path === '' || path === '/v2') return url.host;
  const prefix = /^\/v2\/(.+)$/.exec(path);
  if (!prefix)
    throw new ConfigurationError(
      `${where}: ${url.href} is used with its path as the registry API path (override_path), which is not under /v2: no registry client can read it there`,
    );
  return `${url.host}/${prefix[1]}`;
}

function credentialOf(auth: Record<string, unknown>, where: string): Credential | undefined {
  const username = textField(auth, 'username', where);
  const password = textField(auth, 'password', where);
  const encoded = textField(auth, 'auth', where);
  const token = textField(auth, 'identity_token', where) ?? textField(auth, 'identitytoken', where);
  if (username && password) return { username, password };
  if (encoded) {
    const text = Buffer.from(encoded, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0) throw new ConfigurationError(`${where}.auth is not base64 of user:password`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (token) return { identityToken: token };
  return undefined;
}

export function readK3s(yaml: YamlDocument, file: string): MirrorConfig {
  const config = emptyConfig('k3s registries.yaml', [file]);
  const data = yaml.data();
  if (!isRecord(data)) throw new ConfigurationError(`${file}: not a registries.yaml (mirrors:, configs:)`);
  // The line of a key (not of its value, which may start a line later).
  const lineOf = (...path: string[]) => {
    let node: unknown = yaml.doc.contents;
    let keyNode: unknown = node;
    for (const key of path) {
      const pair = (node as { items?: { key: unknown; value: unknown }[] })?.items?.find(
        (item) => String((item.key as { value?: unknown })?.value) === key,
      );
      keyNode = pair?.key ?? keyNode;
      node = pair?.value;
    }
    return yaml.lineOf(keyNode);
  };
  const mirrors = isRecord(data.mirrors) ? data.mirrors : {};
  try {
    for (const [name, mirror] of Object.entries(mirrors)) {
      const where = `${file}:${lineOf('mirrors', name)} mirrors."${name}"`;
      if (!isRecord(mirror)) throw new ConfigurationError(`${where} must be a map (endpoint:, rewrite:)`);
      const registry = name === '*' ? undefined : normaliseRegistry(name);
      const rewrites: Rewrite[] = Object.entries(isRecord(mirror.rewrite) ? mirror.rewrite : {}).map(
        ([pattern, replacement]) => ({
          pattern: goRegExp(pattern, `${where}.rewrite`),
          replacement: goReplacement(String(replacement)),
        }),
      );
      const endpoints: MirrorEndpoint[] = [];
      const listed = textList(mirror, 'endpoint', where);
      listed.forEach((text, index) => {
        const at = `${file}:${lineOf('mirrors', name, 'endpoint')} mirrors."${name}".endpoint[${index}]`;
        const url = endpointUrl(text, at);
        const location = locationOf(url, at);
        // The last endpoint may be the upstream itself: then it is the upstream, not a mirror.
        if (
          index === listed.length - 1 &&
          registry &&
          location === url.host &&
          normaliseRegistry(url.host) === registry
        )
          return;
        if (url.protocol === 'http:') config.insecureRegistries.push(url.host);
        if (endpoints.some((one) => one.location === location)) return;
        endpoints.push({
          location,
          serves: 'all',
          ...(rewrites.length ? { rewrite: rewrites } : {}),
          where: at,
        });
      });
      config.rules.push({
        scope: registry ? { kind: 'host', host: registry } : { kind: 'default' },
        endpoints,
        upstream: true,
        where,
      });
    }
    const configs = isRecord(data.configs) ? data.configs : {};
    for (const [host, settings] of Object.entries(configs)) {
      if (!isRecord(settings)) continue;
      const where = `${file}:${lineOf('configs', host)} configs."${host}"`;
      const tls = isRecord(settings.tls) ? settings.tls : {};
      const target = host === '*' ? undefined : normaliseRegistry(host);
      if (booleanField(tls, 'insecure_skip_verify', `${where}.tls`)) {
        if (target) config.insecureRegistries.push(target);
        else
          config.notes.push(`${where}: insecure_skip_verify for "*" is applied to no host: name the mirror`);
      }
      const ca = textField(tls, 'ca_file', `${where}.tls`);
      if (ca) config.caFiles.push(ca);
      const auth = isRecord(settings.auth) ? credentialOf(settings.auth, `${where}.auth`) : undefined;
      if (auth && target) {
        config.credentials[target] = auth;
        for (const secret of [auth.password, auth.identityToken]) if (secret) config.secrets.push(secret);
      }
    }
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    throw new ConfigurationError(`${file}: ${(error as Error).message}`);
  }
  return config;
}
