// Every registry profile (testkit/profiles.ts) before the real distribution registry: the same mirror,
// validated through each, must give every line the reason the README's rule gives. A repository the registry
// refuses while it accepts our credentials is missing ("does not exist, or the credentials given may not read
// it"); credentials the registry refuses, or none where it requires them, are `auth`. No password, identity
// token or token handed out may appear in anything the run writes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runEngine } from '../../src/engine/engine.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { FailedLine, LineResult } from '../../src/engine/validate/result.js';
import type { Credential } from '../../src/registry/credentials.js';
import { buildJsonReport } from '../../src/report/json-report.js';
import { startFront, type RegistryFront } from '../../testkit/front.js';
import { mirrorIdentical, mirrorRebuilt } from '../../testkit/mirror.js';
import { PROFILES, profileByName, type RegistryProfile } from '../../testkit/profiles.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import {
  deleteManifest,
  getManifestBytes,
  pushManifest,
  seedStandardImages,
  type StandardImages,
} from '../../testkit/seed.js';

let upstream: TestRegistry;
let backend: TestRegistry;
/** The upstream answers as Docker Hub does, so every profile is also read across two profiles. */
let hub: RegistryFront;
let images: StandardImages;
let dir: string;

beforeAll(async () => {
  [upstream, backend] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  dir = await mkdtemp(join(tmpdir(), 'mv-profiles-'));
  images = await seedStandardImages(upstream, 'upstream');
  const multi = await getManifestBytes(upstream, 'upstream/multi', '1.0');
  await pushManifest(upstream, 'upstream/multi', '2.0', multi.bytes, multi.mediaType);
  await mirrorIdentical(upstream, 'upstream/multi:1.0', backend, 'mirror/identical:1.0');
  await mirrorRebuilt(upstream, 'upstream/attested:1.0', backend, 'mirror/rebuilt:1.0');
  await mirrorRebuilt(upstream, 'upstream/multi:1.0', backend, 'mirror/dangling:1.0');
  await deleteManifest(backend, 'mirror/dangling', images.dockerList.children[1]!.digest);
  await mirrorIdentical(upstream, 'upstream/multi:1.0', backend, 'private/secret:1.0');
  hub = await startFront({
    profile: profileByName('docker-hub'),
    backendUrl: upstream.url,
    users: [],
    publicPrefixes: ['upstream/'],
  });
}, 120_000);
afterAll(async () => {
  await hub?.close();
  await Promise.all([upstream?.stop(), backend?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** The detail a refused (401/403) or absent (404) repository gets under the README's rule. */
const refusedOrAbsent = (status: number) =>
  status === 404
    ? /does not exist$/
    : /does not exist, or the credentials given may not read it \((token )?HTTP 40[13]/;

function listFor(profile: RegistryProfile): { lines: string[]; expected: [string, RegExp?][] } {
  const p = profile.pathPrefix ?? '';
  return {
    lines: [
      `upstream/multi ${p}mirror/identical 1.0`,
      `upstream/attested ${p}mirror/rebuilt 1.0`,
      `upstream/multi ${p}mirror/dangling 1.0`,
      `upstream/multi ${p}mirror/identical 2.0`,
      `upstream/multi ${p}mirror/never 1.0`,
      `upstream/multi ${p}private/secret 1.0`,
    ],
    expected: [
      ['passed identical'],
      ['passed platforms'],
      ['failed manifest-missing'],
      ['failed destination-missing', /does not exist$/],
      ['failed destination-missing', refusedOrAbsent(profile.missingRepository.status)],
      ['failed destination-missing', refusedOrAbsent(profile.forbidden.status)],
    ],
  };
}

async function validate(front: RegistryFront, credential: Credential | undefined, deep = false) {
  const lines = listFor(front.profile).lines;
  const listFile = join(dir, `${front.profile.name}.txt`);
  await writeFile(listFile, lines.join('\n') + '\n');
  const output: string[] = [];
  const { report, results } = await runEngine(
    {
      listFile,
      source: hub.host,
      destination: front.host,
      defaultProject: 'library',
      options: { ...DEFAULT_VALIDATE_OPTIONS, deep },
      jobs: 4,
      // The fronts are plain HTTP on loopback: credentials may go to the mirror only because it is listed. The
      // Docker-Hub-like upstream is not: it is read with anonymous tokens, which may go over plain HTTP.
      tls: { verify: false, insecureRegistries: [front.host] },
      imageTimeoutMs: 20_000,
      destinationCredential: credential,
      env: { HOME: dir, DOCKER_CONFIG: join(dir, 'no-docker-config') },
    },
    { log: (message) => output.push(message), debug: (message) => output.push(message) },
    async (report) => {
      const lines: LineResult[] = report.results.toArray();
      output.push(JSON.stringify(buildJsonReport(report)));
      return { report, results: lines };
    },
  );
  return { results, output: output.join('\n'), report };
}

const verdict = (result: LineResult) =>
  result.status === 'passed'
    ? `passed ${result.rule}`
    : `${result.status} ${result.status === 'failed' ? result.reason : result.reason}`;

function secretsOf(front: RegistryFront): string[] {
  const { password, identityToken } = front.profile.user;
  return [password, ...(identityToken ? [identityToken] : []), ...front.issued, ...hub.issued].filter(
    (secret) => secret.length >= 8,
  );
}

describe.each(PROFILES.map((profile) => [profile.name, profile] as const))('profile %s', (_name, profile) => {
  let front: RegistryFront;
  beforeAll(async () => {
    front = await startFront({
      profile,
      backendUrl: backend.url,
      users: [{ ...profile.user, readable: ['mirror/'] }],
      publicPrefixes: ['mirror/'],
    });
  });
  afterAll(() => front?.close());

  const credential = (): Credential =>
    profile.user.identityToken
      ? { username: profile.user.username, identityToken: profile.user.identityToken }
      : { username: profile.user.username, password: profile.user.password };

  test('every line gets the reason the rule gives, and no secret is written', async () => {
    const { results, output, report } = await validate(front, credential());
    const { expected } = listFor(profile);
    // Rate-limit headroom, where the registry sends it, is what the summary and report show.
    expect(report.requests[front.host]?.rateLimit?.remaining).toBe(profile.headers?.['ratelimit-remaining']);
    expect(results.map(verdict)).toEqual(expected.map(([want]) => want));
    results.forEach((result, index) => {
      const detail = expected[index]?.[1];
      if (detail) expect((result as FailedLine).detail).toMatch(detail);
    });
    for (const secret of secretsOf(front)) expect(output).not.toContain(secret);
    // The credentials were used: tokens were handed out (Bearer), or Basic requests reached the registry.
    if (profile.auth.scheme === 'bearer') expect(front.issued.length).toBeGreaterThan(0);
    else expect(front.seen.filter((seen) => seen.includes('/manifests/')).length).toBeGreaterThan(0);
  });

  test('deep mode: every blob HEAD reaches the blob (through the redirect, without credentials there)', async () => {
    const { results, output } = await validate(front, credential(), true);
    expect(results.slice(0, 2).map(verdict)).toEqual(['passed identical', 'passed platforms']);
    if (profile.blobRedirect) {
      expect(front.seen.some((seen) => seen.startsWith('cdn HEAD'))).toBe(true);
    }
    for (const secret of secretsOf(front)) expect(output).not.toContain(secret);
  });

  test('wrong credentials: every line fails auth', async () => {
    const wrong = profile.user.identityToken
      ? { username: profile.user.username, identityToken: 'not-the-refresh-token' }
      : { username: profile.user.username, password: `${profile.user.password}-wrong` };
    const { results } = await validate(front, wrong);
    expect(results.map(verdict)).toEqual(Array(6).fill('failed auth'));
    expect((results[0] as FailedLine).detail).toMatch(/refused|credentials/);
  });

  test(
    profile.anonymous
      ? 'no credentials, anonymous pulls allowed: public lines pass, the others are missing or private'
      : 'no credentials for a registry that requires them: every line fails auth',
    async () => {
      const { results } = await validate(front, undefined);
      if (!profile.anonymous) {
        expect(results.map(verdict)).toEqual(Array(6).fill('failed auth'));
        expect((results[0] as FailedLine).detail).toMatch(/requires credentials|without credentials/);
        return;
      }
      expect(results.map(verdict)).toEqual([
        'passed identical',
        'passed platforms',
        'failed manifest-missing',
        'failed destination-missing',
        'failed destination-missing',
        'failed destination-missing',
      ]);
      const refusal = (status: number) =>
        status === 404 ? /does not exist$/ : /does not exist, or is private \(no credentials were given for /;
      expect((results[4] as FailedLine).detail).toMatch(refusal(profile.missingRepository.status));
      expect((results[5] as FailedLine).detail).toMatch(
        profile.auth.scheme === 'bearer' && profile.auth.scopeRefusal?.anonymous
          ? refusal(401)
          : refusal(profile.forbidden.status),
      );
    },
  );
});
