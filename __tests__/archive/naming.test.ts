// How each tool names an image in its archive and where its loader pushes it: from the tools' own sources and
// tests (cited per case), never from what this code gives.
import { describe, expect, test } from 'vitest';
import { zarfLoadedAs } from '../../src/archive/kinds.js';
import { nameOf } from '../../src/archive/oci-layout.js';
import type { ArchiveContents, ArchivedImage } from '../../src/archive/images.js';
import type { ArchiveMembers } from '../../src/archive/members.js';
import { memberPath } from '../../src/archive/members.js';
import { withArchive } from '../../src/engine/list/archive-list.js';
import { parseImageList } from '../../src/engine/list/image-list.js';
import { formatReference, parseReference } from '../../src/registry/reference.js';

const show = (name: ReturnType<typeof nameOf>) =>
  name.name ? formatReference(name.name) : `tag ${name.tag ?? '-'}`;

describe('image names in an OCI layout index.json', () => {
  test.each([
    // docker save >= 25 (moby save.go:278-297): the full name and the tag.
    [
      'docker save',
      {
        'io.containerd.image.name': 'docker.io/library/busybox:latest',
        'org.opencontainers.image.ref.name': 'latest',
      },
      'oci',
      'docker.io/library/busybox:latest',
    ],
    // regctl image export (image.go:1121-1122).
    [
      'regctl export',
      {
        'io.containerd.image.name': 'ghcr.io/regclient/regctl:v0.8',
        'org.opencontainers.image.ref.name': 'v0.8',
      },
      'oci',
      'ghcr.io/regclient/regctl:v0.8',
    ],
    // crane pull --format=oci --annotate-ref (pull.go:98-121): index.docker.io is Docker Hub.
    [
      'crane --annotate-ref',
      { 'org.opencontainers.image.ref.name': 'index.docker.io/library/busybox:latest' },
      'oci',
      'docker.io/library/busybox:latest',
    ],
    // skopeo oci:PATH:TAG (oci_dest.go:265-268): only a tag.
    ['skopeo oci:dir:1.27', { 'org.opencontainers.image.ref.name': '1.27' }, 'oci', 'tag 1.27'],
    // hauler (store.go:439-478): ref.name without the registry, the full name in io.containerd.image.name.
    [
      'hauler',
      {
        kind: 'dev.hauler/image',
        'org.opencontainers.image.ref.name': 'jetstack/cert-manager-controller:v1.15.3',
        'io.containerd.image.name': 'quay.io/jetstack/cert-manager-controller:v1.15.3',
      },
      'hauler',
      'quay.io/jetstack/cert-manager-controller:v1.15.3',
    ],
    // Zarf's older packages (crane-built): only base.name (common.go:121-128).
    [
      'Zarf, older',
      { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20' },
      'zarf',
      'docker.io/library/alpine:3.20',
    ],
    // base.name on any other layout is a base image, not this image's name (image-spec annotations.md:50-55).
    [
      'base.name elsewhere',
      { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.20' },
      'oci',
      'tag -',
    ],
  ] as const)('%s', (_, annotations, flavour, expected) => {
    expect(show(nameOf({ ...annotations }, flavour))).toBe(expected);
  });
});

describe("Zarf's name in its registry (src/pkg/transform/image_test.go)", () => {
  test.each([
    ['nginx:1.23.3', 'gitlab.com/project/library/nginx:1.23.3-zarf-3793515731'],
    ['nginx', 'gitlab.com/project/library/nginx:latest-zarf-3793515731'],
    [
      'busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79',
      'gitlab.com/project/library/busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79',
    ],
  ])('%s → %s', (source, expected) => {
    // The test's target host is gitlab.com/project: a registry with a path, as Zarf's string concatenation has it.
    const moved = zarfLoadedAs(parseReference(source), 'gitlab.com');
    expect(formatReference({ ...moved, repository: `project/${moved.repository}` })).toBe(expected);
  });
});

describe('member names', () => {
  test.each([
    ['./index.json', 'index.json'],
    ['saved-image-cache//share/sha256/ab', 'saved-image-cache/share/sha256/ab'],
  ])('%s is %s', (raw, path) => expect(memberPath('a.tar', raw)).toBe(path));
  test.each(['../x', 'a/../../x', '/etc/passwd', 'C:/Windows/x', '..\\\\x'])(
    '%s climbs out: refused',
    (raw) => {
      expect(() => memberPath('a.tar', raw)).toThrow(/climbs out of the archive: refused/);
    },
  );
});

describe('a list looked up in the archive', () => {
  const image = (name: string | undefined, tag?: string): ArchivedImage => ({
    ...(name ? { name: parseReference(name) } : {}),
    ...(tag ? { tag } : {}),
    where: 'index.json',
    strength: 'index',
    loadedAs: () => parseReference('x'),
  });
  const members = { name: 'a.tar' } as ArchiveMembers;
  const contents = (images: ArchivedImage[]): ArchiveContents => ({
    kind: 'OCI layout',
    images,
    blobMember: () => undefined,
    notes: [],
  });
  const lines = (text: string) =>
    parseImageList(text, { destination: 'mirror.local', defaultProject: 'library' });

  test('by full reference; a line the archive lacks fails not-in-archive without a request', () => {
    const entries = withArchive(
      lines('nginx:1.27\nredis:7\n'),
      members,
      contents([image('docker.io/library/nginx:1.27')]),
    );
    expect(entries.map((entry) => entry.kind)).toEqual(['image', 'settled']);
    expect(entries[1]).toMatchObject({
      verdict: { status: 'failed', reason: 'not-in-archive' },
      source: 'docker.io/library/redis:7',
    });
  });

  test('an archive that names images only by tag is matched by the tag, when one image has it', () => {
    const entries = withArchive(
      lines('quay.io/a/b:1.0\nquay.io/a/c:2.0\n'),
      members,
      contents([image(undefined, '1.0'), image(undefined, '2.0')]),
    );
    expect(entries.map((entry) => (entry.kind === 'image' ? entry.archived?.image.tag : entry.kind))).toEqual(
      ['1.0', '2.0'],
    );
  });
});
