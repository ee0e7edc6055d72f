// Image references: parse, normalise, format. Pure.

export interface ImageReference {
  /** Normalised registry host[:port]; Docker Hub is `docker.io`. */
  registry: string;
  /** Repository path, lowercase; `library/` added for one-segment Docker Hub names. */
  repository: string;
  /** Tag when referenced by tag; `latest` when neither tag nor digest was given. */
  tag?: string;
  /** `sha256:<64 hex>` when referenced by digest. */
  digest?: string;
}

export class InvalidReferenceError extends Error {
  override name = 'InvalidReferenceError';
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set([
  'docker.io',
  'index.docker.io',
  'registry-1.docker.io',
  'registry.hub.docker.com',
]);

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST =
  /^(?:\[[0-9a-fA-F:]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::\d{1,5})?$/;

/** A first path segment names a registry when it has a dot or a port, or is localhost. */
export function isRegistryName(segment: string): boolean {
  return segment.includes('.') || segment.includes(':') || segment === 'localhost';
}

export function normaliseRegistry(registry: string): string {
  const trimmed = registry
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '');
  const lower = trimmed.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

export function checkDigest(digest: string, text: string): void {
  if (DIGEST.test(digest)) return;
  if (/^sha256:/i.test(digest)) {
    throw new InvalidReferenceError(`"${text}": digest must be sha256: and 64 lowercase hex characters`);
  }
  throw new InvalidReferenceError(`"${text}": unsupported digest "${digest}" (only sha256 is accepted)`);
}

/** Whether a check passes (for a registry's answer, where a bad name is skipped, not thrown). */
export function isValid(check: () => void): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof InvalidReferenceError) return false;
    throw error;
  }
}

export function checkTag(tag: string, text: string): void {
  if (TAG.test(tag)) return;
  if (tag.length > 128) throw new InvalidReferenceError(`"${text}": tag is longer than 128 characters`);
  throw new InvalidReferenceError(
    `"${text}": tag "${tag}" may only have letters, digits, _ . - and must not start with . or -`,
  );
}

export function checkRepository(repository: string, text: string): void {
  if (repository.length === 0) throw new InvalidReferenceError(`"${text}": no repository name`);
  if (repository.length > 255)
    throw new InvalidReferenceError(`"${text}": repository name is longer than 255 characters`);
  for (const component of repository.split('/')) {
    if (component.length === 0)
      throw new InvalidReferenceError(`"${text}": empty path segment in "${repository}"`);
    if (component !== component.toLowerCase()) {
      throw new InvalidReferenceError(`"${text}": repository "${repository}" must be lowercase`);
    }
    if (!PATH_COMPONENT.test(component)) {
      throw new InvalidReferenceError(
        `"${text}": "${component}" is not a valid repository path segment (lowercase letters, digits, . _ -)`,
      );
    }
  }
}

/** Splits `name[:tag][@digest]` without confusing a registry port with a tag. */
function splitName(text: string): { name: string; tag?: string; digest?: string } {
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, text);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    checkTag(tag, text);
  }
  return { name: rest, tag, digest };
}

/** Splits a name into registry and path; the registry is undefined when the name has none. */
export function splitRegistry(name: string): { registry?: string; path: string } {
  const slash = name.indexOf('/');
  if (slash > 0 && isRegistryName(name.slice(0, slash))) {
    return { registry: name.slice(0, slash), path: name.slice(slash + 1) };
  }
  return { path: name };
}

/** Normalises a registry and path pair: Docker Hub's `library/` for one-segment names. */
function normalisedPath(registry: string, path: string): string {
  return registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
}

/**
 * Parses `[REGISTRY/][PROJECT/]NAME[:TAG][@sha256:HEX]`. A first segment with `.` or `:`, or `localhost`, is the
 * registry; otherwise Docker Hub. No tag and no digest means `latest`.
 */
export function parseReference(text: string): ImageReference {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new InvalidReferenceError('empty image reference');
  if (/\s/.test(trimmed)) throw new InvalidReferenceError(`"${trimmed}": a reference has no spaces`);
  if (/^[a-z]+:\/\//i.test(trimmed)) {
    throw new InvalidReferenceError(
      `"${trimmed}": give the reference without a scheme (no http:// or docker://)`,
    );
  }
  const { name, tag, digest } = splitName(trimmed);
  const split = splitRegistry(name);
  const registry = normaliseRegistry(split.registry ?? DOCKER_HUB);
  if (split.registry !== undefined && !HOST.test(split.registry)) {
    throw new InvalidReferenceError(`"${trimmed}": "${split.registry}" is not a valid registry host`);
  }
  const repository = normalisedPath(registry, split.path);
  checkRepository(repository, trimmed);
  return {
    registry,
    repository,
    ...(tag || !digest ? { tag: tag ?? 'latest' } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** A reference, or undefined when the text is none (a name an archive gives, which may be only a tag). */
export function referenceOrUndefined(text: string | undefined): ImageReference | undefined {
  if (text === undefined) return undefined;
  try {
    return parseReference(text);
  } catch (error) {
    if (error instanceof InvalidReferenceError) return undefined;
    throw error;
  }
}

export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The reference the registry API is asked for: the digest when there is one, else the tag. */
export function referencePart(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

/**
 * hangar's registry override: the reference's registry is replaced, whether the name gave one or meant Docker
 * Hub (`nginx` is docker.io/library/nginx, so it becomes <override>/library/nginx). No override: unchanged.
 */
export function overrideRegistry(ref: ImageReference, registry: string | undefined): ImageReference {
  if (!registry) return ref;
  const host = normaliseRegistry(registry);
  if (!HOST.test(host)) throw new InvalidReferenceError(`"${registry}" is not a valid registry host`);
  return { ...ref, registry: host };
}
