import { describe, expect, test } from 'vitest';
import type { ImageEntry, InvalidEntry } from '../../../src/engine/list/entries.js';
import { parseImageList } from '../../../src/engine/list/image-list.js';
import { formatReference } from '../../../src/registry/reference.js';

const options = { destination: 'reg.local:5000', defaultProject: 'library' };

function pairs(entries: (ImageEntry | InvalidEntry)[]) {
  return entries.map((entry) =>
    entry.kind === 'image'
      ? [entry.line, formatReference(entry.source), formatReference(entry.destination)]
      : [entry.line, 'invalid', entry.reason],
  );
}

describe('parseImageList', () => {
  test.each([
    [
      'nginx mirrored-nginx 1.23',
      'docker.io/library/nginx:1.23',
      'reg.local:5000/library/mirrored-nginx:1.23',
    ],
    [
      'alpine library/a/b/c/alpine latest',
      'docker.io/library/alpine:latest',
      'reg.local:5000/library/a/b/c/alpine:latest',
    ],
    [
      'hxstarrys/manifest-v2',
      'docker.io/hxstarrys/manifest-v2:latest',
      'reg.local:5000/hxstarrys/manifest-v2:latest',
    ],
    [
      'docker.io/hello-world private.io/library/hello-world latest',
      'docker.io/library/hello-world:latest',
      'reg.local:5000/library/hello-world:latest',
    ],
    ['quay.io/x/y:1', 'quay.io/x/y:1', 'reg.local:5000/x/y:1'],
    ['nginx', 'docker.io/library/nginx:latest', 'reg.local:5000/library/nginx:latest'],
    [
      `nginx@sha256:${'d'.repeat(64)}`,
      `docker.io/library/nginx@sha256:${'d'.repeat(64)}`,
      `reg.local:5000/library/nginx@sha256:${'d'.repeat(64)}`,
    ],
    [
      `nginx mirror/nginx sha256:${'e'.repeat(64)}`,
      `docker.io/library/nginx@sha256:${'e'.repeat(64)}`,
      `reg.local:5000/mirror/nginx@sha256:${'e'.repeat(64)}`,
    ],
  ])('%s', (line, source, destination) => {
    const [entry] = parseImageList(line, options);
    expect(entry?.kind).toBe('image');
    if (entry?.kind !== 'image') return;
    expect(formatReference(entry.source)).toBe(source);
    expect(formatReference(entry.destination)).toBe(destination);
  });

  test('source override and a custom default project', () => {
    const entries = parseImageList('nginx mirrored-nginx 1.23\nquay.io/a/b:1', {
      source: 'upstream.local',
      destination: 'reg.local',
      defaultProject: 'mirrored',
    });
    expect(pairs(entries)).toEqual([
      [1, 'upstream.local/library/nginx:1.23', 'reg.local/mirrored/mirrored-nginx:1.23'],
      [2, 'upstream.local/a/b:1', 'reg.local/a/b:1'],
    ]);
  });

  test('without a destination override a mirror-format DEST without registry is on docker.io', () => {
    const entries = parseImageList('nginx mirrored-nginx 1.23', { defaultProject: 'library' });
    expect(pairs(entries)).toEqual([
      [1, 'docker.io/library/nginx:1.23', 'docker.io/library/mirrored-nginx:1.23'],
    ]);
  });

  test('a one-reference line without a destination is invalid and names the setting', () => {
    const [entry] = parseImageList('nginx:1', { defaultProject: 'library' });
    expect(entry).toMatchObject({ kind: 'invalid', line: 1, raw: 'nginx:1' });
    expect(entry?.kind === 'invalid' && entry.reason).toMatch(/destination/);
  });

  test('comments, blanks, CRLF, BOM, tabs and repeated spaces; line numbers count every line', () => {
    const text =
      '\uFEFF# header\r\n\r\n// other comment\r\n  nginx\t mirrored-nginx   1.23  \r\n\t# indented comment\r\nalpine:3\r\n';
    expect(pairs(parseImageList(text, options))).toEqual([
      [4, 'docker.io/library/nginx:1.23', 'reg.local:5000/library/mirrored-nginx:1.23'],
      [6, 'docker.io/library/alpine:3', 'reg.local:5000/library/alpine:3'],
    ]);
  });

  test('raw text is kept without the line break', () => {
    const [entry] = parseImageList('  nginx:1  \r\n', options);
    expect(entry?.raw).toBe('  nginx:1  ');
  });

  test.each([
    ['a b', /2 fields/],
    ['a b c d', /4 fields/],
    ['Nginx:1', /must be lowercase/],
    ['nginx mirrored 1.0!', /may only have letters/],
    ['nginx:1 mirrored 1.0', /must be a name without tag or digest/],
    ['nginx mirrored sha256:abc', /64 lowercase hex/],
  ])('invalid line %j keeps its number and says why', (line, reason) => {
    const entries = parseImageList(`# c\n${line}\nnginx:1`, options);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ kind: 'invalid', line: 2, raw: line });
    expect(entries[0]?.kind === 'invalid' && entries[0].reason).toMatch(reason);
    expect(entries[1]).toMatchObject({ kind: 'image', line: 3 });
  });

  test('a list of only comments and blanks has no entries', () => {
    expect(parseImageList('# a\n\n// b\n   \n', options)).toEqual([]);
  });
});
