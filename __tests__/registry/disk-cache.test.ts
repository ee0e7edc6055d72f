// The manifest cache on disk: content-addressed, verified on every read, never the run's problem.
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DiskCache } from '../../src/registry/disk-cache.js';

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const bytes = (text: string) => new TextEncoder().encode(text);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-disk-cache-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('DiskCache', () => {
  test('what was put is read back, stored under sha256/<2>/<hex>, with no temporary file left', async () => {
    const cache = new DiskCache(join(dir, 'a'));
    const manifest = bytes('{"schemaVersion":2}');
    const digest = digestOf(manifest);
    await cache.put(digest, manifest);
    expect(await cache.get(digest)).toEqual(manifest);
    const hex = digest.slice('sha256:'.length);
    expect(await readdir(join(dir, 'a', 'sha256', hex.slice(0, 2)))).toEqual([hex]);
  });

  test('a file whose bytes do not match its name is dropped, not returned', async () => {
    const cache = new DiskCache(join(dir, 'b'));
    const manifest = bytes('{"a":1}');
    const digest = digestOf(manifest);
    await cache.put(digest, manifest);
    const hex = digest.slice('sha256:'.length);
    const path = join(dir, 'b', 'sha256', hex.slice(0, 2), hex);
    await writeFile(path, '{"a":2}');
    expect(await cache.get(digest)).toBeUndefined();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  test('what is not a sha256 digest is neither stored nor looked for', async () => {
    const cache = new DiskCache(join(dir, 'c'));
    await cache.put('sha512:abc', bytes('x'));
    await cache.put(`sha256:../../${'a'.repeat(58)}`, bytes('x'));
    expect(await cache.get('sha512:abc')).toBeUndefined();
    await expect(readdir(join(dir, 'c'))).rejects.toThrow(/ENOENT/);
  });

  test('an absent entry is undefined; an unwritable folder only costs a later fetch', async () => {
    const locked = join(dir, 'locked');
    await writeFile(locked, 'a file where the folder should be');
    const cache = new DiskCache(locked);
    const manifest = bytes('{}');
    await expect(cache.put(digestOf(manifest), manifest)).resolves.toBeUndefined();
    expect(await cache.get(digestOf(manifest))).toBeUndefined();
  });
});
