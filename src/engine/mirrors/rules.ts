// The cluster's mirror configuration as one model, whatever file the runtime reads it from (containerd
// hosts.toml, registries.conf, k3s registries.yaml, OpenShift mirror sets): rules that cover a part of the
// image namespace, each with the places a pull goes, in the order the runtime tries them. Pure: the readers
// (containerd.ts, registries-conf.ts, k3s.ts, openshift.ts) build rules from text, routeOf() follows them.
import {
  checkRepository,
  formatReference,
  InvalidReferenceError,
  normaliseRegistry,
  type ImageReference,
} from '../../registry/reference.js';
import type { Credential } from '../../registry/credentials.js';

/** Which references a place serves: every one, digest references only, or tag references only. */
export type Serves = 'all' | 'digest' | 'tag';

/** A repository rewrite (k3s `rewrite`): the first pattern that matches the repository path rewrites it. */
export interface Rewrite {
  pattern: RegExp;
  /** In JavaScript's replacement syntax (`$1`), turned from Go's where the file used `${1}`. */
  replacement: string;
}

/** One place a pull may go, as the configuration names it. */
export interface MirrorEndpoint {
  /** `host[:port][/path]`: what the covered part of a name is replaced with. */
  location: string;
  serves: Serves;
  rewrite?: Rewrite[];
  /** Where the file says so, for the verdict (`hosts.toml:7 [host."https://mirror:5000"]`). */
  where: string;
}

/** What a rule covers, as the runtime matches it. */
export type Scope =
  /** A name prefix on path-component boundaries (registries.conf, OpenShift): `quay.io`, `quay.io/ns/repo`. */
  | { kind: 'prefix'; prefix: string }
  /** Every name on one registry host (containerd, k3s). */
  | { kind: 'host'; host: string }
  /** Every host under a domain (`*.example.com`: any number of labels before it, not the bare domain). */
  | { kind: 'subdomain'; domain: string }
  /** Every registry with no rule of its own (containerd `_default`, k3s `"*"`). */
  | { kind: 'default' };

export interface MirrorRule {
  scope: Scope;
  /** In the order the runtime tries them; the upstream itself is never one of them. */
  endpoints: MirrorEndpoint[];
  /** Whether a pull that no endpoint served may still go upstream (false: registries.conf `blocked`, NeverContactSource). */
  upstream: boolean;
  where: string;
}

/** A configuration read: its rules, and what it says about reaching the mirrors. */
export interface MirrorConfig {
  /** `containerd hosts.toml`, `registries.conf`, `k3s registries.yaml`, `OpenShift mirror sets`. */
  kind: string;
  files: string[];
  rules: MirrorRule[];
  /** Mirrors whose certificates are not checked or that are plain HTTP (skip_verify, insecure, http://). */
  insecureRegistries: string[];
  /** CA files the configuration names (hosts.toml `ca`, registries.yaml `ca_file`). */
  caFiles: string[];
  /** Credentials the configuration holds per mirror host (registries.yaml `configs.<host>.auth`). */
  credentials: Record<string, Credential>;
  secrets: string[];
  /** Said once in the log (a rule the runtime ignores). */
  notes: string[];
}

export const emptyConfig = (kind: string, files: string[]): MirrorConfig => ({
  kind,
  files,
  rules: [],
  insecureRegistries: [],
  caFiles: [],
  credentials: {},
  secrets: [],
  notes: [],
});

/** Where a pull of one reference goes, as the configuration says. */
export type Route =
  /** No rule covers it, or the rule that does names no mirror: the pull goes upstream (or nowhere, blocked). */
  | { kind: 'uncovered'; rule?: MirrorRule }
  /** A rule covers it, but none of its places serves this kind of reference (a tag and digest-only mirrors). */
  | { kind: 'not-served'; rule: MirrorRule; why: string }
  /** The places, in pull order, each with the reference there. */
  | { kind: 'mirrors'; rule: MirrorRule; order: { reference: ImageReference; endpoint: MirrorEndpoint }[] };

const nameOf = (ref: ImageReference) => `${ref.registry}/${ref.repository}`;

/**
 * Whether a prefix covers a name: the whole name, or the name up to a `/` (containers-registries.conf(5);
 * containers/image pkg/sysregistriesv2/system_registries_v2.go refMatchingPrefix, lines 885-911, also lets
 * `:` and `@` follow, which a name without tag or digest never has).
 */
const prefixCovers = (prefix: string, name: string) =>
  name === prefix || (name.startsWith(prefix) && name[prefix.length] === '/');

/** `*.example.com` covers `a.example.com` and `a.b.example.com`, not `example.com` (refMatchingSubdomainPrefix, lines 859-877). */
const subdomainCovers = (domain: string, host: string) => host.endsWith(`.${domain}`);

/**
 * How strongly a rule covers a reference, or undefined: the longest prefix wins (findRegistryWithParsedConfig,
 * lines 929-945: the first of equal length), a host beats a subdomain rule, any rule beats the default.
 */
function strength(scope: Scope, ref: ImageReference): number | undefined {
  switch (scope.kind) {
    case 'prefix':
      return prefixCovers(scope.prefix, nameOf(ref)) ? 2 + scope.prefix.length : undefined;
    case 'host':
      return scope.host === ref.registry ? 2 + scope.host.length : undefined;
    case 'subdomain':
      return subdomainCovers(scope.domain, ref.registry) ? 1 + scope.domain.length : undefined;
    case 'default':
      return 0;
  }
}

export function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'prefix':
      return scope.prefix;
    case 'host':
      return scope.host;
    case 'subdomain':
      return `*.${scope.domain}`;
    case 'default':
      return 'every registry without a rule of its own';
  }
}

/** The rule that decides a reference's pull, as the runtime picks it; undefined when none covers it. */
export function ruleFor(rules: readonly MirrorRule[], ref: ImageReference): MirrorRule | undefined {
  let best: { rule: MirrorRule; strength: number } | undefined;
  for (const rule of rules) {
    const value = strength(rule.scope, ref);
    if (value !== undefined && (!best || value > best.strength)) best = { rule, strength: value };
  }
  return best?.rule;
}

/** The reference at one place: the covered part of the name replaced by the place's location. */
export function referenceAt(ref: ImageReference, scope: Scope, endpoint: MirrorEndpoint): ImageReference {
  // What follows the covered part: the repository after a prefix, or the whole repository after a host.
  let rest = scope.kind === 'prefix' ? nameOf(ref).slice(scope.prefix.length + 1) : ref.repository;
  for (const rewrite of endpoint.rewrite ?? []) {
    if (!rewrite.pattern.test(rest)) continue;
    rest = rest.replace(rewrite.pattern, rewrite.replacement);
    break;
  }
  const [host = '', ...path] = endpoint.location.split('/');
  const repository = [...path, ...(rest ? [rest] : [])].join('/');
  const registry = normaliseRegistry(host);
  const text = `${registry}/${repository}`;
  checkRepository(repository, `${text} (${endpoint.where})`);
  if (!repository)
    throw new InvalidReferenceError(`${endpoint.where}: ${formatReference(ref)} maps to no repository`);
  return {
    registry,
    repository,
    ...(ref.tag !== undefined ? { tag: ref.tag } : {}),
    ...(ref.digest !== undefined ? { digest: ref.digest } : {}),
  };
}

const serves = (endpoint: MirrorEndpoint, ref: ImageReference) =>
  endpoint.serves === 'all' || (endpoint.serves === 'digest') === (ref.digest !== undefined);

/** Where the runtime sends a pull of `ref`: the covering rule's places that serve this kind of reference, in order. */
export function routeOf(rules: readonly MirrorRule[], ref: ImageReference): Route {
  const rule = ruleFor(rules, ref);
  if (!rule) return { kind: 'uncovered' };
  if (rule.endpoints.length === 0) return { kind: 'uncovered', rule };
  const usable = rule.endpoints.filter((endpoint) => serves(endpoint, ref));
  if (usable.length === 0) {
    const only = rule.endpoints[0]?.serves === 'digest' ? 'digest' : 'tag';
    return {
      kind: 'not-served',
      rule,
      why: `the mirrors for ${describeScope(rule.scope)} (${rule.where}) serve ${only} references only and this is a ${ref.digest ? 'digest' : 'tag'} reference`,
    };
  }
  return {
    kind: 'mirrors',
    rule,
    order: usable.map((endpoint) => ({ reference: referenceAt(ref, rule.scope, endpoint), endpoint })),
  };
}
