// A folder's text told back as its files' own lines.
import { describe, expect, test } from 'vitest';
import { lineInFolder } from '../../src/engine/list-file.js';

describe('lineInFolder', () => {
  // a.yaml is lines 1-3, the separator line 4, b.yaml lines 5-6, c.yaml line 8.
  const segments = [
    { file: 'a.yaml', first: 1, lines: 3 },
    { file: 'b.yaml', first: 5, lines: 2 },
    { file: 'sub/c.yaml', first: 8, lines: 1 },
  ];
  test.each([
    [1, { file: 'a.yaml', line: 1 }],
    [3, { file: 'a.yaml', line: 3 }],
    [4, undefined],
    [5, { file: 'b.yaml', line: 1 }],
    [6, { file: 'b.yaml', line: 2 }],
    [7, undefined],
    [8, { file: 'sub/c.yaml', line: 1 }],
    [9, undefined],
    [0, undefined],
  ])('line %i', (line, expected) => expect(lineInFolder(segments, line)).toEqual(expected));
  test('no segments', () => expect(lineInFolder([], 1)).toBeUndefined());
});
