// Reading the referrers API's answers: what a page is, where its next page is, and what is refused.
import { describe, expect, test } from 'vitest';
import { nextPage } from '../../src/registry/link.js';
import { ofArtifactType, readReferrersPage, referrersTag } from '../../src/registry/referrers-page.js';

const HOST = 'registry.example:5000';
const SUBJECT = `sha256:${'a'.repeat(64)}`;
const headers = (values: Record<string, string>) => ({
  get: (name: string) => values[name.toLowerCase()] ?? null,
});
const index = (manifests: unknown[]) =>
  Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }),
  );
const descriptor = (n: number, artifactType?: string) => ({
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
  size: 10,
  ...(artifactType ? { artifactType } : {}),
});

describe('readReferrersPage', () => {
  test('an OCI index: its descriptors, the filter header and the next page', () => {
    const page = readReferrersPage(
      index([descriptor(1, 'application/spdx+json'), descriptor(2)]),
      headers({
        'content-type': 'application/vnd.oci.image.index.v1+json',
        'oci-filters-applied': 'annotation, artifactType',
        link: `</v2/app/referrers/${SUBJECT}?last=2>; rel="next"`,
      }),
      HOST,
      'app',
    );
    expect(page).toEqual({
      kind: 'index',
      descriptors: [
        expect.objectContaining({ digest: descriptor(1).digest, artifactType: 'application/spdx+json' }),
        expect.objectContaining({ digest: descriptor(2).digest }),
      ],
      filtered: true,
      next: `referrers/${SUBJECT}?last=2`,
    });
  });

  test('no filter header: not filtered by the server', () => {
    const page = readReferrersPage(
      index([]),
      headers({ 'content-type': 'application/vnd.oci.image.index.v1+json' }),
      HOST,
      'app',
    );
    expect(page).toEqual({ kind: 'index', descriptors: [], filtered: false });
  });

  test.each([
    ['an HTML page', Buffer.from('<html>sign in</html>'), 'text/html'],
    [
      'an image manifest',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: descriptor(1),
          layers: [],
        }),
      ),
      'application/vnd.oci.image.manifest.v1+json',
    ],
    [
      'a Docker manifest list',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json',
          manifests: [],
        }),
      ),
      'application/vnd.docker.distribution.manifest.list.v2+json',
    ],
    ['JSON that is no manifest', Buffer.from('{"errors":[]}'), 'application/json'],
  ])('%s is not a referrers index', (_, body, contentType) => {
    expect(readReferrersPage(body, headers({ 'content-type': contentType }), HOST, 'app').kind).toBe(
      'not-an-index',
    );
  });
});

test('an answer that says it is an OCI index and is not a valid one is invalid, not "no API"', () => {
  const tooMany = index(Array.from({ length: 1001 }, (_, n) => descriptor(n % 10)));
  const type = headers({ 'content-type': 'application/vnd.oci.image.index.v1+json' });
  expect(readReferrersPage(tooMany, type, HOST, 'app').kind).toBe('invalid');
  expect(readReferrersPage(Buffer.from('{"manifests": 7}'), type, HOST, 'app').kind).toBe('invalid');
});

describe('nextPage', () => {
  test.each([
    [
      'a relative link',
      `</v2/app/referrers/${SUBJECT}?n=2&last=x>; rel="next"`,
      `referrers/${SUBJECT}?n=2&last=x`,
    ],
    [
      'an absolute link to the same host',
      `<https://${HOST}/v2/app/referrers/${SUBJECT}?p=2>; rel=next`,
      `referrers/${SUBJECT}?p=2`,
    ],
    [
      'next among other relations',
      `</v2/app/referrers/${SUBJECT}?p=1>; rel="prev", </v2/app/referrers/${SUBJECT}?p=3>; rel="next"`,
      `referrers/${SUBJECT}?p=3`,
    ],
  ])('%s is followed', (_, link, expected) => {
    expect(nextPage(link, HOST, 'app', 'referrers/')).toBe(expected);
  });

  test.each([
    ['another host', `<https://evil.example/v2/app/referrers/${SUBJECT}?p=2>; rel="next"`],
    ['another port', `<https://registry.example:6000/v2/app/referrers/${SUBJECT}>; rel="next"`],
    ['another repository', `</v2/other/referrers/${SUBJECT}>; rel="next"`],
    ['a path out of the referrers', `</v2/app/referrers/../../other/manifests/latest>; rel="next"`],
    ['another scheme', `<file:///etc/passwd>; rel="next"`],
    ['no next relation', `</v2/app/referrers/${SUBJECT}?p=2>; rel="prev"`],
    ['no header', null],
  ])('%s is not followed', (_, link) => {
    expect(nextPage(link, HOST, 'app', 'referrers/')).toBeUndefined();
  });
});

test('the tag schema tag and the client-side filter', () => {
  expect(referrersTag(SUBJECT)).toBe(`sha256-${'a'.repeat(64)}`);
  // Cut as the spec says, within a tag's 128 characters.
  expect(referrersTag(`sha512:${'b'.repeat(128)}`)).toBe(`sha512-${'b'.repeat(64)}`);
  expect(referrersTag(`${'x'.repeat(40)}:${'c'.repeat(64)}`)).toHaveLength(32 + 1 + 64);
  const all = [descriptor(1, 'a/b'), descriptor(2, 'c/d'), descriptor(3)];
  expect(ofArtifactType(all, 'c/d')).toEqual([all[1]]);
  expect(ofArtifactType(all, undefined)).toEqual(all);
});
