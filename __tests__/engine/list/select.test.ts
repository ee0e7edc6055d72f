// Shards (disjoint, complete, stable) and a pull request's changed lines.
import { describe, expect, test } from 'vitest';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { parseShard } from '../../../src/config/parse.js';
import { DEFAULT_SYNC_OPTIONS } from '../../../src/config/settings.js';
import { readList } from '../../../src/engine/list/read-list.js';
import { changedLines, inShard, selectEntries } from '../../../src/engine/list/select.js';

const list = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, i) => `quay.io/project/image-${i + offset}:v${i + offset}`).join('\n');
const options = { destination: 'mirror.local', defaultProject: 'library' };

describe('shards', () => {
  test.each([2, 3, 4, 7])('%i shards are disjoint and together the whole list', (count) => {
    const entries = parseImageList(`${list(500)}\nBad Line Here\n`, options);
    const seen = new Map<number, number>();
    for (let index = 1; index <= count; index += 1) {
      for (const entry of entries.filter((e) => inShard(e, { index, count }))) {
        expect(seen.has(entry.line), `line ${entry.line} in two shards`).toBe(false);
        seen.set(entry.line, index);
      }
    }
    expect(seen.size).toBe(entries.length);
    // Roughly even: no shard holds more than twice its share.
    const sizes = [...Array(count).keys()].map((i) => [...seen.values()].filter((s) => s === i + 1).length);
    expect(Math.max(...sizes)).toBeLessThan((2 * entries.length) / count);
  });

  test('stable: adding lines elsewhere moves no existing line to another shard', () => {
    const before = parseImageList(list(300), options);
    const after = parseImageList(`${list(50, 1000)}\n${list(300)}\n${list(50, 2000)}`, options);
    const shardOf = (entries: typeof before, raw: string) =>
      [1, 2, 3, 4].find((index) => entries.some((e) => e.raw === raw && inShard(e, { index, count: 4 })));
    for (const entry of before) expect(shardOf(after, entry.raw)).toBe(shardOf(before, entry.raw));
  });

  test.each([
    ['2/4', { index: 2, count: 4 }],
    [' 1 / 1 ', { index: 1, count: 1 }],
    ['', undefined],
  ])('parse %j', (text, expected) => {
    expect(parseShard(text, 'input "shard"')).toEqual(expected);
  });

  test.each(['0/4', '5/4', '2', 'a/b', '1/0', '1/300'])('refuse %j, naming the input', (text) => {
    expect(() => parseShard(text, 'input "shard"')).toThrow(/input "shard" must be i\/n/);
  });
});

describe('changed lines', () => {
  test('added and edited lines of the head version, by line number; comments and moves are not changes', () => {
    const base = '# images\nnginx:1.25\nalpine:3.19\nredis:7\n';
    const head = '# images, updated\nalpine:3.19\nnginx:1.27\nredis:7\n\nbusybox:1.36\n';
    expect([...changedLines(base, head)]).toEqual([3, 6]);
  });

  test('a new file: every image line is a change', () => {
    expect([...changedLines(undefined, '# x\na:1\nb:2\n')]).toEqual([2, 3]);
  });

  test('whitespace-only edits are not changes', () => {
    expect([...changedLines('nginx  mirror/nginx 1.0\n', '  nginx mirror/nginx\t1.0\n')]).toEqual([]);
  });
});

describe('changed-only on a YAML list: an entry is changed when any of its lines is', () => {
  test('an edit to a tag on a later line of a regsync entry selects that entry alone', () => {
    const base =
      'version: 1\nsync:\n  - source: a\n    target: m/a\n    type: repository\n    tags:\n      allow: ["1\\\\..*"]\n  - source: b:1\n    target: m/b:1\n    type: image\n';
    const head = base.replace('"1\\\\..*"', '"2\\\\..*"');
    const read = readList(head, {
      fileName: 'r.yml',
      filePath: '/nonexistent/r.yml',
      defaultProject: 'library',
      syncOptions: DEFAULT_SYNC_OPTIONS,
      env: {},
    });
    const lines = changedLines(base, head);
    expect([...lines]).toEqual([7]);
    const { entries } = selectEntries(read.entries, { changed: { lines, since: 'x' } });
    expect(entries.map((entry) => [entry.line, entry.span])).toEqual([[3, [3, 7]]]);
  });
});
