// Registry credentials: explicit values, the Docker config (as docker/login-action leaves it), credential
// helpers, and containers' auth.json. Never prompts: a registry without credentials is asked anonymously.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
export interface Credential {
  username?: string;
  password?: string;
  identityToken?: string;
}

export type CredentialResolver = (registryHost: string) => Promise<Credential | undefined>;

interface AuthEntry {
  auth?: string;
  username?: string;
  password?: string;
  identitytoken?: string;
}

interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The keys a config may use for a host: bare, with a scheme, with /v1/ or /v2/; Docker Hub's legacy key. */
export function configKeys(host: string): string[] {
  if (host === 'docker.io') {
    return [
      'https://index.docker.io/v1/',
      'index.docker.io',
      'docker.io',
      'registry-1.docker.io',
      'https://index.docker.io/v1',
    ];
  }
  return [
    host,
    `https://${host}`,
    `http://${host}`,
    `https://${host}/v1/`,
    `https://${host}/v2/`,
    `${host}/v1/`,
  ];
}

function normaliseKey(key: string): string {
  return key
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/v[12]\/?$/, '')
    .replace(/\/+$/, '')
    .toLowerCase();
}

function findEntry<T>(map: Record<string, T> | undefined, host: string): T | undefined {
  if (!map) return undefined;
  for (const key of configKeys(host)) if (map[key] !== undefined) return map[key];
  const wanted = new Set(configKeys(host).map(normaliseKey));
  for (const [key, value] of Object.entries(map)) if (wanted.has(normaliseKey(key))) return value;
  return undefined;
}

function decodeEntry(entry: AuthEntry, source: string): Credential | undefined {
  if (entry.identitytoken) return { username: entry.username, identityToken: entry.identitytoken };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new Error(`${source}: an "auth" value is not base64 of user:password`);
    // The password is everything after the first colon; trailing NULs are dropped as docker/cli does
    // (cli/config/configfile/file.go decodeAuth).
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1).replace(/\0+$/, '') };
  }
  if (entry.username && entry.password) return { username: entry.username, password: entry.password };
  return undefined;
}

async function readJson(path: string): Promise<DockerConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as DockerConfig;
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** Runs `docker-credential-<helper> get` with the server on stdin. A helper that knows nothing returns undefined. */
export function runCredentialHelper(
  helper: string,
  server: string,
  env: NodeJS.ProcessEnv,
  origin = 'the Docker config',
): Promise<Credential | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { env, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout) => {
        if (error) {
          // A helper that knows nothing of the server prints "credentials not found in native keychain" on
          // stdout and exits non-zero (docker/docker-credential-helpers client/client.go): no credentials.
          // Any other failure (the helper's own tool missing, a locked keychain) is an error, as in docker/cli.
          if (/credentials not found in native keychain/i.test(String(stdout))) return resolve(undefined);
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          return reject(
            new Error(
              missing
                ? `credential helper docker-credential-${helper} is not on PATH (named by ${origin}; install it, or remove it from there)`
                : `credential helper docker-credential-${helper} failed for ${server}: ${String(stdout).trim().split('\n')[0]?.slice(0, 200) || 'no output'}`,
            ),
          );
        }
        try {
          const parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
          if (!parsed.Secret) return resolve(undefined);
          resolve(
            parsed.Username === '<token>'
              ? { identityToken: parsed.Secret }
              : { username: parsed.Username, password: parsed.Secret },
          );
        } catch {
          reject(new Error(`credential helper docker-credential-${helper} printed no JSON for ${server}`));
        }
      },
    );
    // A helper may exit without reading its input (one that knows nothing): the broken pipe is not an error.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(server);
  });
}

/** The credentials a config holds for a host: its credHelpers entry, then its auths entry, then credsStore. */
async function fromConfig(
  config: DockerConfig,
  host: string,
  origin: string,
  env: NodeJS.ProcessEnv,
): Promise<Credential | undefined> {
  const serverKey = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  const helper = findEntry(config.credHelpers, host);
  if (helper) return runCredentialHelper(helper, serverKey, env, `credHelpers in ${origin}`);
  const entry = findEntry(config.auths, host);
  const fromEntry = entry ? decodeEntry(entry, origin) : undefined;
  if (fromEntry) return fromEntry;
  // docker/cli asks credsStore before auths; auths first costs nothing when a store is used (its entries
  // are then empty `{}`) and keeps working credentials when a stale store names a helper that is gone.
  if (config.credsStore)
    return runCredentialHelper(config.credsStore, serverKey, env, `credsStore in ${origin}`);
  return undefined;
}

/**
 * Credentials, first found wins: `DOCKER_AUTH_CONFIG` (a config as JSON in the environment, as GitLab CI
 * passes it: docs.gitlab.com/ci/docker/using_docker_images), `$DOCKER_CONFIG/config.json` (or
 * `~/.docker/config.json`), then containers' auth.json as containers-auth.json(5) orders it:
 * `REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, `$XDG_CONFIG_HOME/containers/auth.json`
 * (`~/.config/containers/auth.json`), and the legacy `~/.dockercfg` (a map without `auths`). Cached per host.
 */
export function dockerConfigResolver(env: NodeJS.ProcessEnv = process.env): CredentialResolver {
  const home = env.HOME || homedir();
  const dockerConfigPath = join(env.DOCKER_CONFIG || join(home, '.docker'), 'config.json');
  const authFiles = [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
    join(env.XDG_CONFIG_HOME || join(home, '.config'), 'containers', 'auth.json'),
  ].filter((path): path is string => Boolean(path));
  const cache = new Map<string, Promise<Credential | undefined>>();

  async function resolve(host: string): Promise<Credential | undefined> {
    if (env.DOCKER_AUTH_CONFIG) {
      let config: DockerConfig;
      try {
        config = JSON.parse(env.DOCKER_AUTH_CONFIG) as DockerConfig;
      } catch (error) {
        throw new Error(`DOCKER_AUTH_CONFIG is not valid JSON: ${(error as Error).message}`, {
          cause: error,
        });
      }
      const found = await fromConfig(config, host, 'DOCKER_AUTH_CONFIG', env);
      if (found) return found;
    }
    for (const path of [dockerConfigPath, ...authFiles]) {
      const config = await readJson(path);
      const found = config ? await fromConfig(config, host, path, env) : undefined;
      if (found) return found;
    }
    const legacyPath = join(home, '.dockercfg');
    const legacy = (await readJson(legacyPath)) as Record<string, AuthEntry> | undefined;
    const entry = legacy && !('auths' in legacy) ? findEntry(legacy, host) : undefined;
    return entry ? decodeEntry(entry, legacyPath) : undefined;
  }

  return (host) => {
    let found = cache.get(host);
    if (!found) {
      found = resolve(host);
      cache.set(host, found);
    }
    return found;
  };
}

/** Explicit credentials by host first, then the fallback (the Docker config). */
export function withExplicit(
  explicit: Readonly<Record<string, Credential>>,
  fallback?: CredentialResolver,
): CredentialResolver {
  return async (host) =>
    (Object.hasOwn(explicit, host) ? explicit[host] : undefined) ?? (fallback ? fallback(host) : undefined);
}

/** Two credentials that would authenticate the same way. */
export const sameCredential = (a: Credential, b: Credential): boolean =>
  a.username === b.username && a.password === b.password && a.identityToken === b.identityToken;
