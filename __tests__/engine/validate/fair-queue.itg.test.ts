// One slow registry cannot hold every worker: a real run with a slow upstream (the share logic: fair-queue.test.ts).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { createRegistryClient } from '../../../src/registry/client.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../../src/config/settings.js';
import { validateEntries } from '../../../src/engine/validate/runner.js';
import { startProxy, type TestProxy } from '../../../testkit/proxy.js';
import { startRegistry, type TestRegistry } from '../../../testkit/registry.js';
import { seedStandardImages } from '../../../testkit/seed.js';

describe('a slow upstream beside a fast one', () => {
  let slowRegistry: TestRegistry;
  let fastRegistry: TestRegistry;
  let mirror: TestRegistry;
  let slow: TestProxy;
  beforeAll(async () => {
    [slowRegistry, fastRegistry, mirror] = await Promise.all([
      startRegistry('plain'),
      startRegistry('plain'),
      startRegistry('plain'),
    ]);
    await Promise.all([seedStandardImages(slowRegistry), seedStandardImages(fastRegistry)]);
    // Every answer of the slow upstream takes 300 ms.
    slow = await startProxy(slowRegistry.url, { delayMs: 300 });
  });
  afterAll(async () => {
    await slow?.close();
    await Promise.all([slowRegistry?.stop(), fastRegistry?.stop(), mirror?.stop()]);
  });

  test('the lines of the fast registry finish while the slow one is still busy', async () => {
    const names = ['multi', 'attested', 'single-docker', 'single-oci', 'chart', 'windows', 'multi', 'chart'];
    const slowLines = names.map((name, i) => `${slow.host}/upstream/${name} slow/${name}-${i} 1.0`);
    const fastLines = names.map((name, i) => `${fastRegistry.host}/upstream/${name} fast/${name}-${i} 1.0`);
    const entries = parseImageList([...slowLines, ...fastLines].join('\n'), {
      destination: mirror.host,
      defaultProject: 'library',
    });
    const order: number[] = [];
    const reader = createRegistryClient({ tlsVerify: false });
    try {
      await validateEntries({
        entries,
        options: DEFAULT_VALIDATE_OPTIONS,
        jobs: 4,
        imageTimeoutMs: 30_000,
        reader,
        onResult: (result) => order.push(result.line),
      });
    } finally {
      reader.close();
    }
    // Lines 1–8 are the slow registry's, 9–16 the fast one's. In plain list order the fast lines would all
    // wait for the slow ones; shared fairly, they are done before the slow registry is.
    const lastFast = Math.max(...order.map((line, index) => (line > 8 ? index : -1)));
    const slowDoneBefore = order.slice(0, lastFast).filter((line) => line <= 8).length;
    expect(slowDoneBefore).toBeLessThanOrEqual(2);
  });
});
