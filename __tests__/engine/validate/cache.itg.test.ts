// The on-disk manifest cache: a re-run of an unchanged list makes no manifest GETs to the source, and a
// cache file that does not match its digest is never believed.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { createRegistryClient } from '../../../src/registry/client.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../../src/config/settings.js';
import { validateEntries } from '../../../src/engine/validate/runner.js';
import { mirrorRebuilt } from '../../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { seedStandardImages } from '../../../testkit/seed.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let cacheDir: string;
const LIST = [
  'upstream/multi 1.0',
  'upstream/attested 1.0',
  'upstream/single-oci 1.0',
  'upstream/windows 1.0',
]
  .map((line) => line.replace(' ', ` ${line.split(' ')[0]!.replace('upstream', 'mirror')} `))
  .join('\n');

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  cacheDir = await mkdtemp(join(tmpdir(), 'mv-cache-'));
  await seedStandardImages(upstream);
  for (const name of ['multi', 'attested', 'single-oci', 'windows']) {
    await mirrorRebuilt(upstream, `upstream/${name}:1.0`, mirror, `mirror/${name}:1.0`);
  }
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(cacheDir, { recursive: true, force: true });
});

async function validate() {
  const reader = createRegistryClient({ tlsVerify: false, cacheDir });
  try {
    const results = (
      await validateEntries({
        entries: parseImageList(LIST, {
          source: upstream.host,
          destination: mirror.host,
          defaultProject: 'library',
        }),
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 4,
        imageTimeoutMs: 10_000,
        reader,
      })
    ).toArray();
    return {
      verdicts: results.map((r) => `${r.status} ${r.status === 'passed' ? r.rule : r.reason}`),
      stats: reader.stats(),
    };
  } finally {
    reader.close();
  }
}

describe('manifest cache across runs', () => {
  test('the second run makes no manifest or config GETs to the source, with the same verdicts', async () => {
    const cold = await validate();
    expect(cold.verdicts).toEqual(Array(4).fill('passed platforms'));
    expect(cold.stats[upstream.host]?.manifestGets).toBe(4);
    const warm = await validate();
    expect(warm.verdicts).toEqual(cold.verdicts);
    expect(warm.stats[upstream.host]?.manifestGets).toBe(0);
    expect(warm.stats[upstream.host]?.blobGets).toBe(0);
    expect(warm.stats[upstream.host]?.manifestHeads).toBe(4);
    expect(warm.stats[upstream.host]?.cacheHits).toBeGreaterThanOrEqual(4);
  });

  test('a tampered cache file is dropped and fetched again', async () => {
    const shards = await readdir(join(cacheDir, 'sha256'));
    for (const shard of shards) {
      for (const file of await readdir(join(cacheDir, 'sha256', shard))) {
        await writeFile(
          join(cacheDir, 'sha256', shard, file),
          '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
        );
      }
    }
    const again = await validate();
    expect(again.verdicts).toEqual(Array(4).fill('passed platforms'));
    expect(again.stats[upstream.host]?.manifestGets).toBe(4);
  });
});
