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
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
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
): Promise<Credential | undefined> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      `docker-credential-${helper}`,
      ['get'],
      { env, timeout: 30_000, maxBuffer: 1024 * 1024 },
      (error, stdout) => {
        if (error) {
          // Helpers answer "credentials not found in native keychain" with a non-zero exit: no credentials.
          if (/not found/i.test(String(stdout)) || /not found/i.test(error.message))
            return resolve(undefined);
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
          return reject(
            new Error(
              missing
                ? `credential helper docker-credential-${helper} is not on PATH`
                : `credential helper docker-credential-${helper} failed for ${server}`,
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
    child.stdin?.end(server);
  });
}

/**
 * Credentials from `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`): `credHelpers` for the host, then
 * `auths`, then `credsStore`; then `REGISTRY_AUTH_FILE` (or `$XDG_RUNTIME_DIR/containers/auth.json`).
 * Results are cached per host for the run.
 */
export function dockerConfigResolver(env: NodeJS.ProcessEnv = process.env): CredentialResolver {
  const dockerConfigPath = join(env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker'), 'config.json');
  const authFiles = [
    env.REGISTRY_AUTH_FILE,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : undefined,
  ].filter((path): path is string => Boolean(path));
  const cache = new Map<string, Promise<Credential | undefined>>();

  async function resolve(host: string): Promise<Credential | undefined> {
    const config = await readJson(dockerConfigPath);
    if (config) {
      const helper = findEntry(config.credHelpers, host);
      const serverKey = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
      if (helper) return runCredentialHelper(helper, serverKey, env);
      const entry = findEntry(config.auths, host);
      const fromEntry = entry ? decodeEntry(entry, dockerConfigPath) : undefined;
      if (fromEntry) return fromEntry;
      if (config.credsStore) {
        const stored = await runCredentialHelper(config.credsStore, serverKey, env);
        if (stored) return stored;
      }
    }
    for (const path of authFiles) {
      const file = await readJson(path);
      const entry = findEntry(file?.auths, host);
      const credential = entry ? decodeEntry(entry, path) : undefined;
      if (credential) return credential;
    }
    return undefined;
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
