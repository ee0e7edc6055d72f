// Tokens in batches: the lines of a run are planned per registry and their pull scopes asked for many at a
// time (the distribution token spec takes several `scope` parameters:
// https://distribution.github.io/distribution/spec/auth/token/#requesting-a-token), against the real
// token-auth registry and its token service, counted at the token service.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseImageList } from '../../src/engine/list/image-list.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import { validateEntries } from '../../src/engine/validate/runner.js';
import { createRegistryClient } from '../../src/registry/client.js';
import { withExplicit } from '../../src/registry/credentials.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { linux, pushImage } from '../../testkit/seed.js';

const REPOSITORIES = 100;
let registry: TestRegistry;

beforeAll(async () => {
  registry = await startRegistry('token');
  for (let n = 0; n < REPOSITORIES; n += 10) {
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        pushImage(registry, `batch/r${n + k}`, '1.0', { platform: linux('amd64') }),
      ),
    );
  }
}, 120_000);
afterAll(() => registry?.stop());

/** A client of the token registry with its credentials (plain HTTP allowed for it), on this clock. */
const clientFor = (registry: TestRegistry, now?: () => number) =>
  createRegistryClient({
    now,
    tlsVerify: false,
    insecureRegistries: [registry.host],
    credentials: withExplicit({
      [registry.host]: { username: registry.username, password: registry.password },
    }),
  });

async function validate() {
  const reader = clientFor(registry);
  try {
    const lines = Array.from({ length: REPOSITORIES }, (_, n) => `batch/r${n} batch/r${n} 1.0`);
    const entries = parseImageList(lines.join('\n'), {
      source: registry.host,
      destination: registry.host,
      defaultProject: 'library',
    });
    const before = registry.tokenServer!.requests;
    const results = (
      await validateEntries({
        entries,
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 20,
        imageTimeoutMs: 30_000,
        reader,
      })
    ).toArray();
    return { results, tokenRequests: registry.tokenServer!.requests - before };
  } finally {
    reader.close();
  }
}

test('100 repositories: a handful of token requests, every line passes', async () => {
  registry.tokenServer!.maxScopesPerToken = 0;
  const { results, tokenRequests } = await validate();
  expect(results.every((result) => result.status === 'passed')).toBe(true);
  // One for the first contact's single scope, then batches of at most 50 scopes.
  expect(tokenRequests).toBeLessThanOrEqual(4);
});

test('scopes a batch token does not grant get tokens of their own, and the right verdict', async () => {
  // The token service grants only the first 10 scopes of any request (its JWT says which).
  registry.tokenServer!.maxScopesPerToken = 10;
  const { results, tokenRequests } = await validate();
  expect(results.every((result) => result.status === 'passed')).toBe(true);
  expect(tokenRequests).toBeGreaterThan(4);
  expect(tokenRequests).toBeLessThan(REPOSITORIES + 5);
});

test('the next batch is asked for as soon as the first is, before any line needs it', async () => {
  registry.tokenServer!.maxScopesPerToken = 0;
  const reader = clientFor(registry);
  try {
    reader.plan!(
      registry.host,
      Array.from({ length: REPOSITORIES }, (_, n) => `batch/r${n}`),
    );
    const before = registry.tokenServer!.requests;
    const scopesBefore = registry.tokenServer!.scopes.length;
    await reader.headManifest({ registry: registry.host, repository: 'batch/r0', tag: '1.0' });
    // The second batch goes out beside the first (not awaited by the line): wait for it to arrive.
    for (let waited = 0; registry.tokenServer!.requests - before < 2 && waited < 3000; waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(registry.tokenServer!.requests - before).toBe(2);
    const asked = registry.tokenServer!.scopes.slice(scopesBefore);
    expect(asked).toContain('repository:batch/r0:pull');
    expect(asked).toContain('repository:batch/r99:pull');
    expect(asked).toHaveLength(REPOSITORIES);
  } finally {
    reader.close();
  }
});

test('a batch asked for ahead has the one after it asked for once a line uses it', async () => {
  registry.tokenServer!.maxScopesPerToken = 0;
  const reader = clientFor(registry);
  try {
    // Three batches: r0–r49, r50–r99, then 50 scopes of repositories no line here reads.
    const later = Array.from({ length: 50 }, (_, n) => `batch/later${n}`);
    reader.plan!(registry.host, [...Array.from({ length: REPOSITORIES }, (_, n) => `batch/r${n}`), ...later]);
    const before = registry.tokenServer!.requests;
    const settle = async (count: number) => {
      for (let waited = 0; registry.tokenServer!.requests - before < count && waited < 3000; waited += 20)
        await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await reader.headManifest({ registry: registry.host, repository: 'batch/r0', tag: '1.0' });
    await settle(2);
    expect(registry.tokenServer!.requests - before).toBe(2);
    const scopesBefore = registry.tokenServer!.scopes.length;
    // r50's batch was asked for ahead: its line waits for no token, and the third batch goes out now.
    await reader.headManifest({ registry: registry.host, repository: 'batch/r50', tag: '1.0' });
    await settle(3);
    expect(registry.tokenServer!.requests - before).toBe(3);
    expect(registry.tokenServer!.scopes.slice(scopesBefore)).toEqual(
      later.map((repository) => `repository:${repository}:pull`),
    );
  } finally {
    reader.close();
  }
});

test('a batch asked for ahead ends with the client: no request after close()', async () => {
  registry.tokenServer!.maxScopesPerToken = 0;
  const reader = clientFor(registry);
  try {
    const later = Array.from({ length: 50 }, (_, n) => `batch/later${n}`);
    reader.plan!(registry.host, [...Array.from({ length: REPOSITORIES }, (_, n) => `batch/r${n}`), ...later]);
    await reader.headManifest({ registry: registry.host, repository: 'batch/r0', tag: '1.0' });
    // r50's batch is held; its use sends the third batch ahead, whose answer the token service holds.
    registry.tokenServer!.answerDelayMs = 500;
    await reader.headManifest({ registry: registry.host, repository: 'batch/r50', tag: '1.0' });
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    reader.close();
  }
  const closedAt = registry.tokenServer!.requests;
  // A retry of the request cut by close() would come within the backoff (about 0.5–1.5 s).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  registry.tokenServer!.answerDelayMs = 0;
  expect(registry.tokenServer!.requests).toBe(closedAt);
});

test('after the batch tokens expire, the scopes are asked for in batches again, not one by one', async () => {
  registry.tokenServer!.maxScopesPerToken = 0;
  // One client for two passes; between them its clock moves past the tokens' lifetime (300 s), so every
  // token it holds is expired for it while the registry (real clock) would still take them.
  let offset = 0;
  const reader = clientFor(registry, () => Date.now() + offset);
  try {
    const repositories = Array.from({ length: REPOSITORIES }, (_, n) => `batch/r${n}`);
    reader.plan!(registry.host, repositories);
    const pass = () =>
      Promise.all(
        repositories.map((repository) =>
          reader.headManifest({ registry: registry.host, repository, tag: '1.0' }),
        ),
      );
    const start = registry.tokenServer!.requests;
    await pass();
    const first = registry.tokenServer!.requests - start;
    expect(first).toBeLessThanOrEqual(3);
    offset = 10 * 60 * 1000;
    await pass();
    const second = registry.tokenServer!.requests - start - first;
    expect(second).toBeGreaterThanOrEqual(1);
    expect(second).toBeLessThanOrEqual(3);
  } finally {
    reader.close();
  }
});
