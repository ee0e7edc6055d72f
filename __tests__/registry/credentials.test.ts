// The Docker config as users have it: every spelling docker login, docker/login-action, podman and kubectl
// leave for a host, credential helpers as ECR and Artifact Registry users configure them, stores that are
// gone, and containers' auth.json files. Spellings and lookup rules: docker/cli cli/config/credentials/
// file_store.go (ConvertToHostname), containers/image docs/containers-auth.json.5.md. Helpers are small
// scripts that speak the credential-helper protocol (host on stdin, {Username, Secret} on stdout); the real
// ones need cloud accounts.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dockerConfigResolver, type Credential } from '../../src/registry/credentials.js';

let dir: string;
let bin: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-credentials-'));
  bin = join(dir, 'bin');
  await mkdir(bin);
  const helper = async (name: string, script: string) => {
    await writeFile(join(bin, `docker-credential-${name}`), `#!/bin/sh\n${script}\n`);
    await chmod(join(bin, `docker-credential-${name}`), 0o755);
  };
  // ecr-login and gcloud answer for their hosts; "empty" knows nothing; "broken" fails as a helper does
  // when its own tool is missing; "acr" answers with an identity token (username <token>).
  await helper(
    'ecr-login',
    `read host; echo "{\\"ServerURL\\":\\"$host\\",\\"Username\\":\\"AWS\\",\\"Secret\\":\\"ecr-password\\"}"`,
  );
  await helper('gcloud', `read host; echo '{"Username":"oauth2accesstoken","Secret":"ya29.access-token"}'`);
  await helper('empty', `echo 'credentials not found in native keychain'; exit 1`);
  await helper('broken', `echo 'pass not initialized: exit status 1'; exit 1`);
  await helper('acr', `echo '{"Username":"<token>","Secret":"acr-refresh-token"}'`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Resolves `host` with the given files in a fresh home. */
async function resolveWith(
  host: string,
  files: { docker?: unknown; authJson?: unknown; xdgConfig?: unknown; dockercfg?: unknown },
  env: NodeJS.ProcessEnv = {},
): Promise<Credential | undefined> {
  const home = join(dir, `home-${(count += 1)}`);
  await mkdir(join(home, '.docker'), { recursive: true });
  await mkdir(join(home, '.config', 'containers'), { recursive: true });
  if (files.docker) await writeFile(join(home, '.docker', 'config.json'), JSON.stringify(files.docker));
  if (files.authJson) await writeFile(join(home, 'auth.json'), JSON.stringify(files.authJson));
  if (files.xdgConfig)
    await writeFile(join(home, '.config', 'containers', 'auth.json'), JSON.stringify(files.xdgConfig));
  if (files.dockercfg) await writeFile(join(home, '.dockercfg'), JSON.stringify(files.dockercfg));
  return dockerConfigResolver({
    HOME: home,
    PATH: `${bin}:/usr/bin:/bin`,
    ...(files.authJson ? { REGISTRY_AUTH_FILE: join(home, 'auth.json') } : {}),
    ...env,
  })(host);
}

const auth = (user: string, password: string) => ({
  auth: Buffer.from(`${user}:${password}`).toString('base64'),
});
const alice = { username: 'alice', password: 's3cret' };

describe('host spellings in auths', () => {
  test.each([
    // Docker Hub: docker login and docker/login-action write the first; podman the third; the rest are seen.
    ['docker.io', 'https://index.docker.io/v1/'],
    ['docker.io', 'index.docker.io'],
    ['docker.io', 'docker.io'],
    ['docker.io', 'registry-1.docker.io'],
    ['docker.io', 'https://index.docker.io/v1'],
    ['docker.io', 'http://index.docker.io/v1'],
    // Other registries: bare, with a scheme, with an API path, any case.
    ['ghcr.io', 'ghcr.io'],
    ['ghcr.io', 'https://ghcr.io'],
    ['ghcr.io', 'http://ghcr.io'],
    ['ghcr.io', 'https://ghcr.io/v2/'],
    ['ghcr.io', 'ghcr.io/v1/'],
    ['ghcr.io', 'GHCR.IO'],
    // Ports are part of the host.
    ['registry.local:5000', 'registry.local:5000'],
    ['registry.local:5000', 'https://registry.local:5000/v2/'],
    ['registry.local:5000', 'http://registry.local:5000'],
    ['harbor.example.com', 'https://harbor.example.com'],
  ])('%s is found under "%s"', async (host, key) => {
    expect(await resolveWith(host, { docker: { auths: { [key]: auth('alice', 's3cret') } } })).toEqual(alice);
  });

  test.each([
    ['registry.local:5000', 'registry.local'],
    ['registry.local', 'registry.local:5000'],
    ['ghcr.io', 'ghcr.io.evil.example'],
    ['docker.io', 'quay.io'],
  ])('%s is not found under "%s"', async (host, key) => {
    expect(
      await resolveWith(host, { docker: { auths: { [key]: auth('alice', 's3cret') } } }),
    ).toBeUndefined();
  });
});

describe('entry shapes', () => {
  test.each<[string, unknown, Credential]>([
    [
      'a password with colons',
      auth('robot$proj+ci', 'a:b:c'),
      { username: 'robot$proj+ci', password: 'a:b:c' },
    ],
    ['trailing NULs dropped', auth('alice', 's3cret\0\0'), alice],
    [
      'username and password fields (kubectl)',
      { username: 'alice', password: 's3cret', email: 'a@example.com' },
      alice,
    ],
    [
      'identitytoken only (az acr login)',
      {
        auth: Buffer.from('00000000-0000-0000-0000-000000000000:').toString('base64'),
        identitytoken: 'acr-refresh',
      },
      { username: undefined, identityToken: 'acr-refresh' } as Credential,
    ],
    [
      'a JSON key as password (_json_key)',
      auth('_json_key', '{"type": "service_account", "k": "a:b"}'),
      { username: '_json_key', password: '{"type": "service_account", "k": "a:b"}' },
    ],
  ])('%s', async (_name, entry, expected) => {
    expect(
      await resolveWith('registry.example.com', { docker: { auths: { 'registry.example.com': entry } } }),
    ).toEqual(expected);
  });

  test('an auth value that is not user:password is an error naming the file', async () => {
    await expect(
      resolveWith('registry.example.com', {
        docker: { auths: { 'registry.example.com': { auth: Buffer.from('nocolon').toString('base64') } } },
      }),
    ).rejects.toThrow(/config\.json: an "auth" value is not base64 of user:password/);
  });
});

describe('credential helpers and stores', () => {
  test.each<[string, string, Credential]>([
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'ecr-login',
      { username: 'AWS', password: 'ecr-password' },
    ],
    ['public.ecr.aws', 'ecr-login', { username: 'AWS', password: 'ecr-password' }],
    [
      'europe-west1-docker.pkg.dev',
      'gcloud',
      { username: 'oauth2accesstoken', password: 'ya29.access-token' },
    ],
    ['gcr.io', 'gcloud', { username: 'oauth2accesstoken', password: 'ya29.access-token' }],
    ['myregistry.azurecr.io', 'acr', { identityToken: 'acr-refresh-token' }],
  ])('credHelpers %s → %s', async (host, helper, expected) => {
    expect(await resolveWith(host, { docker: { credHelpers: { [host]: helper } } })).toEqual(expected);
  });

  test('a helper that knows nothing of the host: no credentials, and the next file is asked', async () => {
    expect(
      await resolveWith('ghcr.io', {
        docker: { credHelpers: { 'ghcr.io': 'empty' } },
        xdgConfig: { auths: { 'ghcr.io': auth('alice', 's3cret') } },
      }),
    ).toEqual(alice);
  });

  test('a helper that fails for another reason is an error naming it and what it said', async () => {
    await expect(resolveWith('ghcr.io', { docker: { credsStore: 'broken' } })).rejects.toThrow(
      /docker-credential-broken failed for ghcr\.io: pass not initialized/,
    );
  });

  test('credsStore naming a helper that is not installed: an error naming the helper and where it is set', async () => {
    await expect(
      resolveWith('docker.io', {
        docker: { auths: { 'https://index.docker.io/v1/': {} }, credsStore: 'desktop' },
      }),
    ).rejects.toThrow(/docker-credential-desktop is not on PATH \(named by credsStore in .*config\.json/);
  });

  test('empty auths entries with a credsStore: the store answers', async () => {
    expect(
      await resolveWith('123456789012.dkr.ecr.eu-west-1.amazonaws.com', {
        docker: { auths: { '123456789012.dkr.ecr.eu-west-1.amazonaws.com': {} }, credsStore: 'ecr-login' },
      }),
    ).toEqual({ username: 'AWS', password: 'ecr-password' });
  });
});

describe('where credentials are read from', () => {
  test('DOCKER_AUTH_CONFIG (GitLab CI) comes first', async () => {
    expect(
      await resolveWith(
        'registry.gitlab.com',
        { docker: { auths: { 'registry.gitlab.com': auth('other', 'x') } } },
        { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'registry.gitlab.com': auth('alice', 's3cret') } }) },
      ),
    ).toEqual(alice);
  });

  test('DOCKER_AUTH_CONFIG that is not JSON is an error naming it', async () => {
    await expect(resolveWith('ghcr.io', {}, { DOCKER_AUTH_CONFIG: '{auths' })).rejects.toThrow(
      /DOCKER_AUTH_CONFIG is not valid JSON/,
    );
  });

  test('REGISTRY_AUTH_FILE, with credHelpers inside it as containers-auth.json(5) allows', async () => {
    expect(
      await resolveWith('europe-west1-docker.pkg.dev', {
        authJson: { credHelpers: { 'europe-west1-docker.pkg.dev': 'gcloud' } },
      }),
    ).toEqual({ username: 'oauth2accesstoken', password: 'ya29.access-token' });
  });

  test('~/.config/containers/auth.json (podman login)', async () => {
    expect(
      await resolveWith('quay.io', { xdgConfig: { auths: { 'quay.io': auth('alice', 's3cret') } } }),
    ).toEqual(alice);
  });

  test('the legacy ~/.dockercfg', async () => {
    expect(
      await resolveWith('docker.io', {
        dockercfg: { 'https://index.docker.io/v1/': auth('alice', 's3cret') },
      }),
    ).toEqual(alice);
  });

  test('nothing anywhere: anonymous', async () => {
    expect(await resolveWith('ghcr.io', {})).toBeUndefined();
  });
});
