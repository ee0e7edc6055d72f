// The order of a line's requests, which sets its round trips across a WAN (README "Round trips, not
// requests"): the two manifest GETs are in flight together, and for a single-manifest source the HEAD of the
// destination child with its digest goes out while its config blob is still being fetched. Against the real
// registries, through a reader that holds each GET and the blob fetch long enough to see what overlaps.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../../src/config/settings.js';
import { validateEntries } from '../../../src/engine/validate/runner.js';
import { createRegistryClient } from '../../../src/registry/client.js';
import type { RegistryReader } from '../../../src/registry/reader.js';
import { mirrorRebuilt } from '../../../testkit/mirror.js';
import { startRelay, type Relay } from '../../../testkit/relay.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { seedStandardImages } from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  await seedStandardImages(upstream);
  await mirrorRebuilt(upstream, 'upstream/multi:1.0', mirror, 'rebuilt/multi:1.0');
  await mirrorRebuilt(upstream, 'upstream/single-oci:1.0', mirror, 'rebuilt/single-oci:1.0');
});
afterAll(() => Promise.all([upstream?.stop(), mirror?.stop()]));

/** Validates one line, logging when each GET, blob fetch and child HEAD starts and ends. */
async function requestLog(line: string) {
  const client = createRegistryClient({ tlsVerify: false });
  const log: string[] = [];
  const held =
    <T>(name: string, work: () => Promise<T>) =>
    async () => {
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const value = await work();
      log.push(`end ${name}`);
      return value;
    };
  const side = (registry: string) => (registry === upstream.host ? 'source' : 'destination');
  const reader: RegistryReader = {
    plan: (registry, repositories) => client.plan?.(registry, repositories),
    headManifest: (ref, signal) => client.headManifest(ref, signal),
    getManifest: (ref, signal) => held(`GET ${side(ref.registry)}`, () => client.getManifest(ref, signal))(),
    getBlob: (registry, repository, digest, maxBytes, signal) =>
      held('config', () => client.getBlob(registry, repository, digest, maxBytes, signal))(),
    manifestExists: async (registry, repository, digest, signal) => {
      log.push('start child HEAD');
      return client.manifestExists(registry, repository, digest, signal);
    },
    listReferrers: (registry, repository, digest, artifactType, signal) =>
      client.listReferrers(registry, repository, digest, artifactType, signal),
    blobExists: (registry, repository, digest, signal) =>
      client.blobExists(registry, repository, digest, signal),
    stats: () => client.stats(),
  };
  try {
    const entries = parseImageList(line, {
      source: upstream.host,
      destination: mirror.host,
      defaultProject: 'library',
    });
    const [result] = (
      await validateEntries({
        entries,
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 1,
        imageTimeoutMs: 10_000,
        reader,
      })
    ).toArray();
    return { log, status: result?.status };
  } finally {
    client.close();
  }
}

test('a rebuilt index: both manifest GETs in flight together, then the children', async () => {
  const { log, status } = await requestLog('upstream/multi rebuilt/multi 1.0');
  expect(status).toBe('passed');
  expect(log.slice(0, 2).sort()).toEqual(['start GET destination', 'start GET source']);
  expect(log.indexOf('start child HEAD')).toBeGreaterThan(log.indexOf('end GET source'));
});

test("a single-manifest source: the child HEAD goes out while the source's config is fetched", async () => {
  const { log, status } = await requestLog('upstream/single-oci rebuilt/single-oci 1.0');
  expect(status).toBe('passed');
  expect(log.slice(0, 2).sort()).toEqual(['start GET destination', 'start GET source']);
  expect(log.indexOf('start child HEAD')).toBeGreaterThan(log.indexOf('start config'));
  expect(log.indexOf('start child HEAD')).toBeLessThan(log.indexOf('end config'));
  expect(log.filter((entry) => entry === 'start child HEAD')).toHaveLength(1);
});

test('line after line on one job, each request reuses a kept-alive connection: none opened but those needed at once', async () => {
  // Through relays that count connections (and add 5 ms of round trip, so an answer is never instant).
  const relays = await Promise.all([startRelay(upstream.host, 5), startRelay(mirror.host, 5)]);
  const [source, destination] = relays as [Relay, Relay];
  const client = createRegistryClient({ tlsVerify: false });
  try {
    const lines = ['upstream/multi rebuilt/multi 1.0', 'upstream/single-oci rebuilt/single-oci 1.0'];
    const entries = parseImageList(
      Array.from({ length: 10 }, () => lines)
        .flat()
        .join('\n'),
      {
        source: source.host,
        destination: destination.host,
        defaultProject: 'library',
      },
    );
    const results = (
      await validateEntries({
        entries,
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 1,
        imageTimeoutMs: 10_000,
        reader: client,
      })
    ).toArray();
    expect(results.map((result) => result.status)).toEqual(Array(20).fill('passed'));
    // Each registry's first connection is the TLS attempt (tls-verify off: HTTPS first, and these answer in
    // plain HTTP). Then one at a time at the source (HEAD, GET, config blob); at the destination, the two
    // children's HEADs go out together, so two.
    expect(source.connections).toBe(1 + 1);
    expect(destination.connections).toBe(1 + 2);
  } finally {
    client.close();
    await Promise.all(relays.map((relay) => relay.close()));
  }
});
