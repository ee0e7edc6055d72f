// The failed file in every format: the list's own (so the mirror step can be re-run on it) or the one asked.
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { DEFAULT_SYNC_OPTIONS } from '../../src/config/settings.js';
import { readList } from '../../src/engine/list/read-list.js';
import type { LineResult } from '../../src/engine/validate/result.js';
import { formatFailedList } from '../../src/report/failed-list.js';

const failedLine = (
  line: number,
  source: string,
  destination: string,
  origin?: LineResult['origin'],
  raw = `line ${line}`,
): LineResult => ({
  line,
  raw,
  source,
  destination,
  ...(origin ? { origin } : {}),
  status: 'failed',
  reason: 'destination-missing',
  findings: [{ reason: 'destination-missing', message: 'x' }],
  detail: 'x',
  platforms: [],
});
const passedLine = (line: number): LineResult => ({
  line,
  raw: `line ${line}`,
  source: 'a/b:1',
  destination: 'c/d:1',
  status: 'passed',
  rule: 'identical',
  detail: '',
  platforms: [],
  sourceDigest: 'sha256:a',
  destinationDigest: 'sha256:a',
});

const read = (text: string, destination?: string) =>
  readList(text, {
    fileName: 'l',
    filePath: '/nonexistent/l',
    defaultProject: 'library',
    syncOptions: DEFAULT_SYNC_OPTIONS,
    env: { HUB_PASS: 'from-env' },
    ...(destination ? { destination } : {}),
  });

describe('regsync', () => {
  const config = `version: 1
creds:
  - registry: docker.io
    user: hubuser
    pass: "{{ env \\"HUB_PASS\\" }}"
  - registry: registry.example.org
    user: robot
    pass: literally-secret
defaults:
  parallel: 2
sync:
  - source: alpine
    target: registry.example.org/library/alpine
    type: repository
    platforms: [linux/amd64]
    tags:
      allow: ["3\\\\.\\\\d+"]
  - source: busybox:1.36
    target: registry.example.org/library/busybox:1.36
    type: image
`;
  test('failed entries only, a repository narrowed to its failed tags; passwords only as templates', () => {
    const list = read(config);
    const text = formatFailedList(
      [
        failedLine(12, 'docker.io/library/alpine:3.20', 'registry.example.org/library/alpine:3.20', {
          entry: 0,
          tag: '3.20',
        }),
        passedLine(12),
        failedLine(18, 'docker.io/library/busybox:1.36', 'registry.example.org/library/busybox:1.36', {
          entry: 1,
        }),
      ],
      list,
    );
    expect(text).not.toContain('literally-secret');
    expect(text.split('\n')[0]).toBe(
      '# Passwords given literally for registry.example.org are left out: add them again (or as {{ env "…" }}).',
    );
    expect(parse(text)).toEqual({
      version: 1,
      creds: [
        { registry: 'docker.io', user: 'hubuser', pass: '{{ env "HUB_PASS" }}' },
        { registry: 'registry.example.org', user: 'robot' },
      ],
      defaults: { parallel: '2' },
      sync: [
        {
          source: 'docker.io/library/alpine:3.20',
          target: 'registry.example.org/library/alpine:3.20',
          type: 'image',
          platforms: ['linux/amd64'],
        },
        { source: 'busybox:1.36', target: 'registry.example.org/library/busybox:1.36', type: 'image' },
      ],
    });
  });

  test('nothing failed: an empty file', () => {
    expect(formatFailedList([passedLine(1)], read(config))).toBe('');
  });
});

describe('other formats asked for', () => {
  const results = [
    failedLine(1, 'docker.io/library/nginx:1.27', 'mirror.lan/library/nginx:1.27'),
    failedLine(2, 'quay.io/a/b@sha256:' + 'a'.repeat(64), 'mirror.lan/a/b:1.0'),
  ];
  const mapping = read(`docker.io/library/nginx:1.27=mirror.lan/library/nginx:1.27\n`);

  test('skopeo-copy: a command per line, quoted for the shell', () => {
    expect(formatFailedList(results, mapping, 'skopeo-copy')).toBe(
      'skopeo copy --all docker://docker.io/library/nginx:1.27 docker://mirror.lan/library/nginx:1.27\n' +
        `skopeo copy --all docker://quay.io/a/b@sha256:${'a'.repeat(64)} docker://mirror.lan/a/b:1.0\n`,
    );
  });

  test('oc-mapping: SRC=DST lines oc image mirror -f takes', () => {
    expect(formatFailedList(results, mapping, 'oc-mapping')).toBe(
      `docker.io/library/nginx:1.27=mirror.lan/library/nginx:1.27\nquay.io/a/b@sha256:${'a'.repeat(64)}=mirror.lan/a/b:1.0\n`,
    );
  });

  test('hangar: SOURCE DEST TAG, saying where a destination tag differs', () => {
    expect(formatFailedList(results, mapping, 'hangar')).toBe(
      'docker.io/library/nginx mirror.lan/library/nginx 1.27\n' +
        '# line 2: the destination is mirror.lan/a/b:1.0\n' +
        `quay.io/a/b mirror.lan/a/b sha256:${'a'.repeat(64)}\n`,
    );
  });

  test('a hangar list keeps its raw lines, as hangar writes them', () => {
    expect(formatFailedList([failedLine(1, 'a', 'b', undefined, '  nginx mirrored 1.27  ')])).toBe(
      'nginx mirrored 1.27\n',
    );
  });
});

test('failed-format skopeo-sync or zarf from a list of another format is refused, saying why', async () => {
  const { failedFormatProblem } = await import('../../src/config/settings.js');
  expect(failedFormatProblem('hangar', 'skopeo-sync')).toBe(
    'failed-format skopeo-sync needs a skopeo sync file as the list, not a hangar list',
  );
  expect(failedFormatProblem('regsync', 'zarf')).toBe(
    'failed-format zarf needs a Zarf package as the list, not a regsync list',
  );
  expect(failedFormatProblem('zarf', 'zarf')).toBeUndefined();
  expect(failedFormatProblem('oc-mirror', 'hangar')).toBeUndefined();
  expect(() => formatFailedList([failedLine(1, 'a/b:1', 'c/d:1')], { format: 'hangar' }, 'zarf')).toThrow(
    'failed-format zarf needs a Zarf package as the list, not a hangar list',
  );
});
