// The list readers, each on its project's own documented files (hosts kept as the projects wrote them): what
// each entry becomes, with its line, origin and own settings; detection by content; and bad input.
import { describe, expect, test } from 'vitest';
import { DEFAULT_SYNC_OPTIONS } from '../../../src/config/settings.js';
import type { ListEntry } from '../../../src/engine/list/entries.js';
import { expandTemplate } from '../../../src/engine/list/go-template.js';
import { readList, type ReadListOptions } from '../../../src/engine/list/read-list.js';
import { selectEntries } from '../../../src/engine/list/select.js';
import { syncDestination, systemPlatform } from '../../../src/engine/list/skopeo-sync.js';
import { zarfNames } from '../../../src/engine/list/zarf.js';
import { parseSyncOptions } from '../../../src/config/parse.js';
import { formatReference, parseReference } from '../../../src/registry/reference.js';
import { aliasBomb } from '../../../testkit/hostile.js';

const options = (extra: Partial<ReadListOptions> = {}): ReadListOptions => ({
  fileName: 'list.yml',
  filePath: '/nonexistent/list.yml',
  defaultProject: 'library',
  syncOptions: DEFAULT_SYNC_OPTIONS,
  env: { HUB_USER: 'hubuser' },
  ...extra,
});

/** An entry as one line of text, to compare whole lists at a glance. */
function show(entry: ListEntry): string {
  switch (entry.kind) {
    case 'image':
      return `${entry.line} ${formatReference(entry.source)} → ${formatReference(entry.destination)}${entry.origin?.tag ? ` [${entry.origin.tag}]` : ''}${entry.overrides?.said ? ` (${entry.overrides.said})` : ''}`;
    case 'pattern':
      return `${entry.line} ${entry.source.registry}/${entry.source.repository} → ${entry.destination.registry}/${entry.destination.repository} by ${entry.pattern.described}`;
    case 'invalid':
      return `${entry.line} invalid: ${entry.reason}`;
    case 'settled':
      return `${entry.line} settled`;
    case 'registry':
      return `${entry.line} registry ${entry.source.registry} → ${entry.destination.registry}/${entry.destination.prefix}`;
  }
}

describe('regsync', () => {
  // cmd/regsync/testdata/config1.yml (regclient 725072f) lines 15-50, with its anchors, merge keys and templates.
  const CONFIG1 = `version: 1
creds:
  - registry: registry:5000
    tls: disabled
  - registry: docker.io
defaults:
  ratelimit:
    min: 100
    retry: 15m
  parallel: 2
  interval: 60m
  backup: "bkup-{{.Ref.Tag}}"
  cacheCount: 500
  cacheTime: "5m"
x-sync-hub: &sync-hub
  target: registry:5000/hub/{{ .Sync.Source }}
  type: image
x-sync-gcr: &sync-gcr
  target: registry:5000/gcr/{{ index (split .Sync.Source "gcr.io/") 1 }}
sync:
  - source: busybox:latest
    target: registry:5000/library/busybox:latest
    type: image
    schedule: "15 3 * * *"
  - <<: *sync-hub
    source: alpine
    type: repository
    tags:
      allow:
      - 3
      - 3.9
      - latest
  - <<: *sync-gcr
    source: gcr.io/example/repo
    type: repository
`;

  test("config1.yml: targets as regsync's own test expects them; allow anchored; tls disabled is insecure", () => {
    const read = readList(CONFIG1, options());
    expect(read.format).toBe('regsync');
    expect(read.entries.map(show)).toEqual([
      '21 docker.io/library/busybox:latest → registry:5000/library/busybox:latest',
      '25 docker.io/library/alpine → registry:5000/hub/alpine by tags {"allow":["3","3.9","latest"]}',
      '33 gcr.io/example/repo → registry:5000/gcr/example/repo by every tag',
    ]);
    expect(read.insecureRegistries).toEqual(['registry:5000']);
    const pattern = read.entries[1] as Extract<ListEntry, { kind: 'pattern' }>;
    // "3.9" stays the text written (never the number), and is matched whole: "3.90" is not "3.9".
    const allow = pattern.pattern.sets[0]!.allow;
    expect(
      ['3', '3.9', 'latest', '3.90', '13', 'latest-x'].filter((tag) =>
        allow.some((regex) => regex.test(tag)),
      ),
    ).toEqual(['3', '3.9', 'latest']);
  });

  // docs/examples/regsync.yml (regclient 725072f) lines 15-56, trimmed to its creds templates and tags.
  test('creds templates use env and file; passwords are secrets; an unset variable is named', () => {
    const text = `version: 1
creds:
  - registry: docker.io
    user: "{{env \\"HUB_USER\\"}}"
    pass: "{{file \\"/nonexistent/hub_token\\"}}"
sync:
  - source: alpine
    target: registry.example.org/library/alpine
    type: repository
    tags:
      allow:
      - "3.\\\\d+"
`;
    expect(() => readList(text, options())).toThrow(
      'list.yml: creds[0]: pass: file /nonexistent/hub_token cannot be read: ENOENT',
    );
    const withToken = text.replace('{{file \\"/nonexistent/hub_token\\"}}', '{{env \\"HUB_TOKEN\\"}}');
    const read = readList(withToken, options({ env: { HUB_USER: 'hubuser', HUB_TOKEN: 's3cret-token' } }));
    expect(read.credentials['docker.io']).toEqual({ username: 'hubuser', password: 's3cret-token' });
    expect(read.secrets).toEqual(['s3cret-token']);
    expect(() => readList(withToken, options({ env: {} }))).toThrow(
      'list.yml: creds[0]: user: environment variable HUB_USER is not set',
    );
  });

  test('platform, platforms, referrers, digestTags and tagSets become the entry’s own settings', () => {
    const text = `version: 1
defaults:
  referrers: true
sync:
  - source: ghcr.io/regclient/regctl:v0.8.0
    target: mirror.example/regctl:v0.8.0
    type: image
    platform: linux/arm64
  - source: ghcr.io/regclient/regctl:v0.8.0
    target: mirror.example/regctl-two:v0.8.0
    type: image
    platforms: [linux/amd64, linux/arm64]
    referrers: false
    digestTags: true
  - source: alpine
    target: mirror.example/alpine
    type: repository
    tagSets:
      - allow: ["latest", "edge"]
      - semverRange: [">=3.5.1 <4.0"]
        allow: ['v\\d+\\.\\d+\\.\\d+']
    x-note: ignored
  - source: docker.io/library/nginx
    target: mirror.example/nginx
    type: registry
  - source: nginx
    type: image
`;
    const read = readList(text, options());
    expect(read.entries.map(show)).toEqual([
      '5 ghcr.io/regclient/regctl:v0.8.0 → mirror.example/regctl:v0.8.0 (regsync platform linux/arm64)',
      '9 ghcr.io/regclient/regctl:v0.8.0 → mirror.example/regctl-two:v0.8.0 (regsync platforms linux/amd64, linux/arm64)',
      expect.stringMatching(/^15 docker.io\/library\/alpine → mirror.example\/alpine by tagSets /),
      "23 invalid: sync[3] is type registry, whose repositories come from the registry's catalog: turn on registry-catalog (--registry-catalog) to read it, or list the repositories as type repository entries",
      '26 invalid: sync[4].target is required',
    ]);
    const [one, two, three] = read.entries as Extract<ListEntry, { kind: 'image' | 'pattern' }>[];
    expect(one?.overrides).toMatchObject({
      filter: { os: ['linux'], arch: ['arm64'], variant: [] },
      referrers: { mode: 'require' },
    });
    expect(two?.overrides).toMatchObject({
      filter: { os: ['linux'], arch: ['amd64', 'arm64'] },
      referrers: { mode: 'list', kinds: ['signature', 'attestation', 'sbom'], artifactTypes: [] },
    });
    const sets = (three as Extract<ListEntry, { kind: 'pattern' }>).pattern.sets;
    expect(sets).toHaveLength(2);
    expect(sets[1]?.semver).toEqual({ constraints: ['>=3.5.1 <4.0'], dialect: 'regsync' });
  });

  test('type registry with registry-catalog: its source host, the target prefix, repos anchored', () => {
    const read = readList(
      'version: 1\nsync:\n  - source: registry.example.com\n    target: mirror.example/copy\n    type: registry\n    repos:\n      allow: ["app/.*"]\n      deny: ["app/old"]\n    tags:\n      allow: ["v1\\\\..*"]\n',
      options({ registryCatalog: true }),
    );
    expect(read.entries.map(show)).toEqual(['3 registry registry.example.com → mirror.example/copy/']);
    const entry = read.entries[0] as Extract<ListEntry, { kind: 'registry' }>;
    expect(
      ['app/web', 'app/old', 'tools/app', 'app/old2'].filter(
        (name) =>
          entry.repos.allow.some((regex) => regex.test(name)) &&
          !entry.repos.deny.some((regex) => regex.test(name)),
      ),
    ).toEqual(['app/web', 'app/old2']);
  });

  test('a version above 1 is refused; a bad entry is an invalid line with its YAML line, the rest read', () => {
    expect(() => readList('version: 2\nsync: []\n', options())).toThrow(
      'regsync config version 2 is not supported',
    );
    const read = readList(
      'sync:\n  - source: a\n    target: b\n    type: repository\n    tags:\n      allow: ["(unclosed"]\n  - source: c:1\n    target: d:1\n    type: image\n',
      options(),
    );
    expect(read.entries.map(show)).toEqual([
      expect.stringMatching(/^2 invalid: sync\[0\]\.tags\.allow: "\(unclosed" is not a regular expression/),
      '7 docker.io/library/c:1 → docker.io/library/d:1',
    ]);
  });
});

describe('a large regsync config, read in slices', () => {
  const generated = (count: number, extra = '') => {
    const lines = ['version: 1', 'x-image: &image', '  type: image', '# the entries', 'sync:'];
    for (let n = 0; n < count; n += 1)
      lines.push('  - <<: *image', `    source: r.example/app:t${n}`, `    target: m.example/app:t${n}`);
    return `${lines.join('\n')}\n${extra}`;
  };

  test('every entry, with its own line across slices, the anchor merged into each', () => {
    const read = readList(generated(2500, 'defaults:\n  parallel: 4\n'), options());
    expect(read.entries).toHaveLength(2500);
    for (const n of [0, 999, 1000, 2499]) {
      const entry = read.entries[n] as Extract<ListEntry, { kind: 'image' }>;
      expect(entry.line).toBe(6 + 3 * n);
      expect(entry.span).toEqual([6 + 3 * n, 8 + 3 * n]);
      expect(formatReference(entry.destination)).toBe(`m.example/app:t${n}`);
    }
    // What follows the sequence is read too.
    expect((read.document as { defaults: unknown }).defaults).toEqual({ parallel: '4' });
  });

  test('an anchor in one entry named by an entry of a later slice: the file is read whole instead', () => {
    const text =
      generated(1200).replace(
        '  - <<: *image\n    source: r.example/app:t0',
        '  - &first\n    type: image\n    source: r.example/app:t0',
      ) + '  - <<: *first\n    target: m.example/copy:t0\n';
    const read = readList(text, options());
    expect(read.entries).toHaveLength(1201);
    expect(show(read.entries[1200]!)).toBe(`${6 + 3 * 1200 + 1} r.example/app:t0 → m.example/copy:t0`);
  });

  test('a syntax error in a later slice names its own line', () => {
    const text = generated(1500).replace(
      '    source: r.example/app:t1400',
      '    source: [r.example/app:t1400',
    );
    expect(() => readList(text, options())).toThrow(
      new RegExp(`^list\\.yml:${6 + 3 * 1400 + 2}: not valid YAML`),
    );
  });
});

describe('skopeo sync', () => {
  // docs/skopeo-sync.1.md (containers/skopeo b71619a) lines 237-259.
  const DOC_EXAMPLE = `docker.io:
    images:
        busybox: []
        redis:
            - "1.0"
            - "2.0"
            - "sha256:0000000000000000000000000000000011111111111111111111111111111111"
    images-by-tag-regex:
        nginx: ^1\\.13\\.[12]-alpine-perl$
    images-by-semver:
        alpine: ">= 3.12.0"
    credentials:
        username: john
        password: this is a secret
    tls-verify: true
    cert-dir: /path/to/cert/dir
quay.io:
    tls-verify: false
    images:
        coreos/etcd:
            - latest
`;

  test('the manual’s example: every tag, tags, a digest, a regex, a semver range; names as skopeo writes them', () => {
    const read = readList(
      DOC_EXAMPLE,
      options({ destination: 'my-registry.local.lan/repo', syncOptions: parseSyncOptions('--all', 's') }),
    );
    expect(read.format).toBe('skopeo-sync');
    expect(read.entries.map(show)).toEqual([
      '3 docker.io/library/busybox → my-registry.local.lan/repo/busybox by every tag (images: [])',
      '5 docker.io/library/redis:1.0 → my-registry.local.lan/repo/redis:1.0 [1.0]',
      '6 docker.io/library/redis:2.0 → my-registry.local.lan/repo/redis:2.0 [2.0]',
      `7 docker.io/library/redis@sha256:${'0'.repeat(32)}${'1'.repeat(32)} → my-registry.local.lan/repo/redis@sha256:${'0'.repeat(32)}${'1'.repeat(32)} [sha256:${'0'.repeat(32)}${'1'.repeat(32)}]`,
      '9 docker.io/library/nginx → my-registry.local.lan/repo/nginx by images-by-tag-regex ^1\\.13\\.[12]-alpine-perl$',
      '11 docker.io/library/alpine → my-registry.local.lan/repo/alpine by images-by-semver >= 3.12.0',
      '21 quay.io/coreos/etcd:latest → my-registry.local.lan/repo/etcd:latest [latest]',
    ]);
    expect(read.credentials['docker.io']).toEqual({ username: 'john', password: 'this is a secret' });
    expect(read.secrets).toEqual(['this is a secret']);
    expect(read.insecureRegistries).toEqual(['quay.io']);
    expect(read.caFolders).toEqual(['/path/to/cert/dir']);
    // Unanchored, as skopeo matches it: the regex entry matches anywhere in a tag.
    const regex = (read.entries[4] as Extract<ListEntry, { kind: 'pattern' }>).pattern.sets[0]!.allow[0]!;
    expect(regex.test('1.13.1-alpine-perl')).toBe(true);
  });

  test.each([
    ['', 'registry.example.com/busybox:latest', 'my-registry.local.lan/repo/busybox:latest'],
    [
      '--scoped',
      'registry.example.com/busybox:latest',
      'my-registry.local.lan/repo/registry.example.com/busybox:latest',
    ],
    [
      '--append-suffix -mirror',
      'registry.example.com/busybox:latest',
      'my-registry.local.lan/repo/busybox:latest-mirror',
    ],
    ['', 'quay.io/coreos/etcd:latest', 'my-registry.local.lan/repo/etcd:latest'],
    ['--scoped', 'busybox:1', 'my-registry.local.lan/repo/docker.io/library/busybox:1'],
  ])('naming %j: %s → %s (sync.go lines 681-703, docs lines 225-233)', (flags, source, expected) => {
    expect(
      syncDestination(parseReference(source), 'my-registry.local.lan/repo', parseSyncOptions(flags, 's')),
    ).toBe(expected);
  });

  test('without --all only the system’s platform is required; --override-arch changes it', () => {
    const read = readList(
      'quay.io:\n  images:\n    coreos/etcd: [latest]\n',
      options({ destination: 'm.example', syncOptions: parseSyncOptions('--override-arch arm64', 's') }),
    );
    expect((read.entries[0] as Extract<ListEntry, { kind: 'image' }>).overrides?.filter).toEqual({
      os: ['linux'],
      arch: ['arm64'],
      variant: [],
    });
    expect(systemPlatform(DEFAULT_SYNC_OPTIONS).os).toBe('linux');
  });

  test('needs the destination; refuses options it does not know; --append-suffix after a digest is an invalid line', () => {
    expect(() => readList(DOC_EXAMPLE, options())).toThrow(/give the sync's destination/);
    expect(() => parseSyncOptions('--scoped --bogus', '--sync-options')).toThrow(
      '--sync-options: "--bogus" is not one of',
    );
    const read = readList(
      `r.example:\n  images:\n    app: ["sha256:${'a'.repeat(64)}"]\n`,
      options({ destination: 'm.example', syncOptions: parseSyncOptions('--append-suffix=-x --all', 's') }),
    );
    expect(show(read.entries[0]!)).toMatch(/^3 invalid: .*--append-suffix cannot follow a digest/);
  });
});

describe('oc-mirror mapping.txt', () => {
  // v1 lines from v1/pkg/image/mapping_test.go (oc-mirror 855b64a) lines 315 and 343-344; v2 as dryrun.go line 93 writes them.
  test('v1 and v2 lines, sources by digest and destinations by tag; a disk line is invalid', () => {
    const text = `some-registry.com/namespace/image:latest=disconn-registry.com/namespace/image:latest
some-registry.com/namespace/image@sha256:fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84=disconn-registry.com/namespace/image:latest
# a comment
docker://registry.redhat.io/ubi9/ubi@sha256:fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84=docker://mirror.lan:5000/m2m/ubi9/ubi:sha256-fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84
registry.redhat.io/ubi8/ubi:8.9=file://ubi8/ubi:8.9
`;
    const read = readList(text, options());
    expect(read.format).toBe('oc-mirror');
    expect(read.entries.map(show)).toEqual([
      '1 some-registry.com/namespace/image:latest → disconn-registry.com/namespace/image:latest',
      '2 some-registry.com/namespace/image@sha256:fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84 → disconn-registry.com/namespace/image:latest',
      '4 registry.redhat.io/ubi9/ubi@sha256:fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84 → mirror.lan:5000/m2m/ubi9/ubi:sha256-fc07c1e2a5f012320ae672ca8546ff0d09eb8dba3c5acbbfc426c7984169ee84',
      '5 invalid: the destination file://ubi8/ubi:8.9 is not in a registry: a mirror-to-disk line is not checked against a registry',
    ]);
  });
});

describe('hauler', () => {
  // testdata/hauler-manifest.yaml (hauler 923a92d) lines 1-15, and a Charts document beside it.
  const MANIFEST = `apiVersion: content.hauler.cattle.io/v1
kind: Images
metadata:
  name: hauler-content-images-example
spec:
  images:
    - name: ghcr.io/hauler-dev/library/busybox
    - name: ghcr.io/hauler-dev/library/busybox:stable
      platform: linux/amd64
    - name: gcr.io/distroless/base@sha256:7fa7445dfbebae4f4b7ab0e6ef99276e96075ae42584af6286ba080750d6dfe5
    - name: ghcr.io/kubewarden/audit-scanner:v1.30.0-rc1
      certificate-identity-regexp: https://github.com/kubewarden/audit-scanner/.github/workflows/release.yml@refs/tags/v1.30.0-rc1
      certificate-oidc-issuer: https://token.actions.githubusercontent.com
---
apiVersion: content.hauler.cattle.io/v1
kind: Charts
metadata:
  name: charts
spec:
  charts:
    - name: rancher
      repoURL: https://releases.rancher.com/server-charts/stable
`;

  test('names keep their path under the mirror (store copy); platform per image; other kinds skipped', () => {
    const read = readList(MANIFEST, options({ destination: 'mirror.lan:5000' }));
    expect(read.format).toBe('hauler');
    expect(read.entries.map(show)).toEqual([
      '7 ghcr.io/hauler-dev/library/busybox:latest → mirror.lan:5000/hauler-dev/library/busybox:latest',
      '8 ghcr.io/hauler-dev/library/busybox:stable → mirror.lan:5000/hauler-dev/library/busybox:stable (hauler platform linux/amd64)',
      '10 gcr.io/distroless/base@sha256:7fa7445dfbebae4f4b7ab0e6ef99276e96075ae42584af6286ba080750d6dfe5 → mirror.lan:5000/distroless/base@sha256:7fa7445dfbebae4f4b7ab0e6ef99276e96075ae42584af6286ba080750d6dfe5',
      '11 ghcr.io/kubewarden/audit-scanner:v1.30.0-rc1 → mirror.lan:5000/kubewarden/audit-scanner:v1.30.0-rc1',
    ]);
    expect(read.notes).toEqual(['list.yml: kinds Charts hold no images and are not checked']);
  });

  test('the hauler.dev/registry annotation gives names without a registry theirs', () => {
    const read = readList(
      'apiVersion: content.hauler.cattle.io/v1\nkind: Images\nmetadata:\n  name: x\n  annotations:\n    hauler.dev/registry: docker.io\nspec:\n  images:\n    - name: rancher/rancher:v2.9.0\n    - name: quay.io/a/b:1\n',
      options({ destination: 'mirror.lan' }),
    );
    expect(read.entries.map(show)).toEqual([
      '9 docker.io/rancher/rancher:v2.9.0 → mirror.lan/rancher/rancher:v2.9.0',
      '10 quay.io/a/b:1 → mirror.lan/a/b:1',
    ]);
  });
});

describe('Zarf', () => {
  // src/pkg/transform/image_test.go (zarf 97a1b4d) lines 13-23, 33-43 and 65-73: every row of the table.
  test.each([
    [
      'nginx',
      'gitlab.com/project/library/nginx:latest-zarf-3793515731',
      'gitlab.com/project/library/nginx:latest',
    ],
    [
      'nginx:1.23.3',
      'gitlab.com/project/library/nginx:1.23.3-zarf-3793515731',
      'gitlab.com/project/library/nginx:1.23.3',
    ],
    [
      'zarf-dev/zarf-agent:v0.22.1',
      'gitlab.com/project/zarf-dev/zarf-agent:v0.22.1-zarf-2183797434',
      'gitlab.com/project/zarf-dev/zarf-agent:v0.22.1',
    ],
    [
      'zarf-dev/zarf-agent@sha256:84605f731c6a18194794c51e70021c671ab064654b751aa57e905bce55be13de',
      'gitlab.com/project/zarf-dev/zarf-agent@sha256:84605f731c6a18194794c51e70021c671ab064654b751aa57e905bce55be13de',
      'gitlab.com/project/zarf-dev/zarf-agent@sha256:84605f731c6a18194794c51e70021c671ab064654b751aa57e905bce55be13de',
    ],
    [
      'busybox:latest@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79',
      'gitlab.com/project/library/busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79',
      'gitlab.com/project/library/busybox@sha256:3fbc632167424a6d997e74f52b878d7cc478225cffac6bc977eedfe51c7f4e79',
    ],
    [
      'ghcr.io/stefanprodan/podinfo:6.3.3',
      'gitlab.com/project/stefanprodan/podinfo:6.3.3-zarf-2985051089',
      'gitlab.com/project/stefanprodan/podinfo:6.3.3',
    ],
    [
      'registry1.dso.mil/ironbank/opensource/zarf-dev/zarf/zarf-agent:v0.25.0',
      'gitlab.com/project/ironbank/opensource/zarf-dev/zarf/zarf-agent:v0.25.0-zarf-1211467612',
      'gitlab.com/project/ironbank/opensource/zarf-dev/zarf/zarf-agent:v0.25.0',
    ],
    [
      'gitlab.com/project/gitea/gitea:1.19.3-rootless-zarf-3431384023',
      'gitlab.com/project/gitea/gitea:1.19.3-rootless-zarf-3431384023',
      'gitlab.com/project/gitea/gitea:1.19.3-rootless-zarf-3431384023',
    ],
    [
      'oci://10.43.130.183:5000/stefanprodan/manifests/podinfo',
      'gitlab.com/project/stefanprodan/manifests/podinfo:latest-zarf-531355090',
      'gitlab.com/project/stefanprodan/manifests/podinfo:latest',
    ],
  ])('%s', (reference, checksum, plain) => {
    expect(zarfNames(reference, 'gitlab.com/project')).toEqual({ checksum, plain });
  });

  // examples/dos-games/zarf.yaml (zarf 97a1b4d) lines 1-23, with an architecture.
  test('each image under both names; only the package architecture required', () => {
    const read = readList(
      'kind: ZarfPackageConfig\nmetadata:\n  name: dos-games\n  version: 1.3.0\n  architecture: arm64\ncomponents:\n  - name: baseline\n    required: true\n    images:\n      - ghcr.io/zarf-dev/doom-game:0.0.1\n',
      options({ destination: '127.0.0.1:31999' }),
    );
    expect(read.format).toBe('zarf');
    const [withSum, plain] = read.entries.map(show);
    expect(withSum).toMatch(
      /^10 ghcr.io\/zarf-dev\/doom-game:0.0.1 → 127.0.0.1:31999\/zarf-dev\/doom-game:0.0.1-zarf-\d+ \[checksum\] \(Zarf package architecture arm64\)$/,
    );
    expect(plain).toBe(
      '10 ghcr.io/zarf-dev/doom-game:0.0.1 → 127.0.0.1:31999/zarf-dev/doom-game:0.0.1 (Zarf package architecture arm64)',
    );
  });
});

describe('Kubernetes workloads', () => {
  // Shapes from the Kubernetes API reference ("Workload Resources"): a Deployment with an init container, a
  // CronJob, a Pod with an ephemeral container, a List, and a Service (no pod template).
  const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: registry.example.com/shop/migrate:2.1
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: docker.io/library/nginx:1.27
            - name: broken
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: debug
    spec:
      containers:
        - name: app
          image: quay.io/app/app@sha256:${'a'.repeat(64)}
      ephemeralContainers:
        - name: shell
          image: busybox
  - apiVersion: v1
    kind: Service
    metadata:
      name: web
`;

  test('each image once, at its first line, with every workload naming it; a container without image is invalid', () => {
    const read = readList(MANIFESTS, options({ destination: 'mirror.lan' }));
    expect(read.format).toBe('kubernetes');
    expect(read.entries.map(show)).toEqual([
      '11 registry.example.com/shop/migrate:2.1 → mirror.lan/shop/migrate:2.1',
      '14 docker.io/library/nginx:1.27 → mirror.lan/library/nginx:1.27',
      '29 invalid: CronJob report: container broken names no image',
      `41 quay.io/app/app@sha256:${'a'.repeat(64)} → mirror.lan/app/app@sha256:${'a'.repeat(64)}`,
      '44 docker.io/library/busybox:latest → mirror.lan/library/busybox:latest',
    ]);
    expect(read.entries[1]!.raw).toBe('nginx:1.27 (Deployment shop/web, CronJob report)');
    expect(read.notes).toEqual(['list.yml: 1 Service name no pod template and are not checked']);
  });

  test('the destination is required, unless the cluster mirror configuration decides it', () => {
    expect(() => readList(MANIFESTS, options())).toThrow(/holds Kubernetes workloads: give the registry/);
    const mirrored = readList(MANIFESTS, options({ mirrored: true }));
    expect(mirrored.entries.filter((entry) => entry.kind === 'image')).toHaveLength(4);
  });

  test('changed-only: an image is checked when any image: line naming it changed, and reported on that line', () => {
    const read = readList(MANIFESTS, options({ destination: 'mirror.lan' }));
    // Line 28 is the CronJob's nginx (the second use of it); line 11 the Deployment's migrate image.
    const { entries } = selectEntries(read.entries, { changed: { lines: new Set([28]), since: 'x' } });
    expect(entries.map(show)).toEqual(['28 docker.io/library/nginx:1.27 → mirror.lan/library/nginx:1.27']);
    expect(selectEntries(read.entries, { changed: { lines: new Set([40]), since: 'x' } }).entries).toEqual(
      [],
    );
  });

  test('10,000 workloads naming 500 images: 500 lines, each naming all its workloads', () => {
    const text = Array.from(
      { length: 10_000 },
      (_, index) =>
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${index}\nspec:\n  template:\n    spec:\n      containers:\n        - name: c\n          image: registry.example.com/team/img-${index % 500}:1.0\n`,
    ).join('---\n');
    const read = readList(text, options({ destination: 'mirror.lan' }));
    expect(read.entries).toHaveLength(500);
    expect(read.entries[0]!.raw).toBe(
      'registry.example.com/team/img-0:1.0 (Deployment app-0, Deployment app-500, Deployment app-1000 and 17 more)',
    );
    expect(read.entries[0]!.uses).toHaveLength(20);
    expect(read.entries[0]!.uses![19]).toEqual({ line: 104510, workload: 'Deployment app-9500' });
  });

  test('a manifest that is not YAML is refused, naming the file and the line', () => {
    expect(() =>
      readList(
        'apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    - image: x\n',
        options({ destination: 'm' }),
      ),
    ).toThrow(/^list\.yml:\d+: not valid YAML/);
  });
});

describe('Helm chart image annotations', () => {
  // artifacthub/hub docs/helm_annotations.md:109-118, and helm/community hips/hip-0015.md:46-51 (the same list
  // under helm.sh/images; its dockerhub.io/_/redis is not a reference any runtime pulls, and is kept invalid).
  const CHART = `apiVersion: v2
name: shop
version: 1.2.0
annotations:
  artifacthub.io/images: |
    - name: img1
      image: repo/img1:1.0.0
      platforms:
        - linux/amd64
    - name: img2
      image: repo/img2:2.0.0
      whitelisted: true
      platforms:
        - linux/amd64
  helm.sh/images: |
    - name: podinfo
      image: ghcr.io/stefanprodan/podinfo:6.0.0
    - name: img1
      image: repo/img1:1.0.0
      platforms:
        - linux/amd64
`;

  test('every image of every annotation once, at its own line, with its platforms as the filter', () => {
    const read = readList(CHART, options({ destination: 'mirror.lan' }));
    expect(read.format).toBe('helm');
    expect(read.entries.map(show)).toEqual([
      '7 docker.io/repo/img1:1.0.0 → mirror.lan/repo/img1:1.0.0 (chart platforms linux/amd64)',
      '11 docker.io/repo/img2:2.0.0 → mirror.lan/repo/img2:2.0.0 (chart platforms linux/amd64)',
      '17 ghcr.io/stefanprodan/podinfo:6.0.0 → mirror.lan/stefanprodan/podinfo:6.0.0',
    ]);
    expect(read.entries[0]).toMatchObject({
      raw: 'repo/img1:1.0.0 (artifacthub.io/images img1)',
      overrides: {
        filter: { os: ['linux'], arch: ['amd64'], variant: [] },
        said: 'chart platforms linux/amd64',
      },
    });
    expect(read.entries[2]).not.toHaveProperty('overrides');
  });

  test('a Chart.yaml without image annotations is no list; an entry without image is invalid', () => {
    expect(() =>
      readList('apiVersion: v2\nname: x\nversion: 1.0.0\n', options({ destination: 'm' })),
    ).toThrow(/YAML of no list format/);
    const read = readList(
      'apiVersion: v2\nname: x\nversion: 1.0.0\nannotations:\n  images: |\n    - name: a\n',
      options({ destination: 'm' }),
    );
    expect(read.entries.map(show)).toEqual(['6 invalid: list.yml images[0] (a) names no image']);
  });
});

describe('detection and bad input', () => {
  test('with mirror-config, a list that names its own destinations is refused as such, before its reader asks for one', () => {
    const sync = 'registry.example.com:\n  images:\n    busybox:\n      - "1.36"\n';
    expect(() => readList(sync, options({ mirrored: true }))).toThrow(
      /list\.yml is a skopeo-sync list, which names its own destinations; mirror-config sends/,
    );
  });

  test('hangar lists stay hangar lists', () => {
    expect(
      readList(
        'nginx mirrored-nginx 1.27\ndocker.io/library/redis:7\n',
        options({ destination: 'm.example' }),
      ).format,
    ).toBe('hangar');
  });

  test('YAML of no list format names the file and the formats tried', () => {
    expect(() => readList('apiVersion: v1\nkind: ConfigMap\ndata: {}\n', options())).toThrow(
      'image list "list.yml" is YAML of no list format this check reads; tried regsync (sync:), skopeo sync (registry: images:), hauler (kind: Images), Zarf (kind: ZarfPackageConfig)',
    );
  });

  test('a YAML syntax error names the line', () => {
    expect(() => readList('sync:\n  - source: [a\n    target: b\n', options())).toThrow(
      /^list\.yml:3: not valid YAML: Flow sequence/,
    );
  });

  test('an alias bomb is refused, naming the file', () => {
    expect(() => readList(aliasBomb(), options())).toThrow(
      /^list\.yml: refused: its aliases expand to more than 1000000 values \(an alias bomb\)$/,
    );
  });

  test('a forced format that does not fit says so', () => {
    expect(() => readList('sync: []\n', options({ format: 'zarf' }))).toThrow('is not a Zarf package');
  });
});

describe('templates', () => {
  const context = {
    env: { MIRROR: 'mirror.example' },
    readFile: () => 'from-file\n',
    data: { Sync: { Source: 'gcr.io/example/repo' } },
  };
  test.each([
    ['{{ env "MIRROR" }}/x', 'mirror.example/x'],
    ['{{env "MIRROR" | upper}}', 'MIRROR.EXAMPLE'],
    ['r/{{ index (split .Sync.Source "gcr.io/") 1 }}', 'r/example/repo'],
    ['{{ file "/x" }}', 'from-file'],
    ['{{ default "none" (env "MIRROR") }}', 'mirror.example'],
    ['{{ printf "%s-%s" "a" "b" }}', 'a-b'],
    ['plain', 'plain'],
  ])('%s → %s', (template, expected) => {
    expect(expandTemplate(template, context)).toBe(expected);
  });

  test.each([
    ['{{ env "UNSET" }}', 'environment variable UNSET is not set'],
    ['{{ exec "rm" }}', 'function "exec" is not one this check knows'],
    ['{{ env "MIRROR }}', 'an unterminated string'],
  ])('%s is refused: %s', (template, message) => {
    expect(() => expandTemplate(template, context)).toThrow(message);
  });
});
