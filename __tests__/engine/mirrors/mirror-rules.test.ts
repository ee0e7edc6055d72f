// The cluster's mirror configuration, resolved to pull orders: each case's configuration is taken from the
// runtime's own documentation (cited per test), and the expected order is written from the documented rule,
// not from what the code gives.
import { describe, expect, test } from 'vitest';
import { readHostsFiles } from '../../../src/engine/mirrors/containerd.js';
import { goRegExp, readK3s } from '../../../src/engine/mirrors/k3s.js';
import { mergeOrder, readMirrorSets } from '../../../src/engine/mirrors/openshift.js';
import { readRegistriesConf } from '../../../src/engine/mirrors/registries-conf.js';
import { routeEntries } from '../../../src/engine/mirrors/route-entries.js';
import { routeOf, type MirrorConfig } from '../../../src/engine/mirrors/rules.js';
import { parseYaml } from '../../../src/engine/list/yaml-list.js';
import { formatReference, parseReference } from '../../../src/registry/reference.js';
import type { ImageEntry } from '../../../src/engine/list/entries.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

/** The pull order for a reference, as references, or what else the route is. */
function order(config: MirrorConfig, reference: string): string[] | string {
  const route = routeOf(config.rules, parseReference(reference));
  if (route.kind === 'mirrors') return route.order.map((one) => formatReference(one.reference));
  return route.kind;
}

describe('containerd hosts.toml (containerd docs/hosts.md)', () => {
  // docs/hosts.md:192-198: a pull-only public mirror (won't resolve tags), then an internal mirror that resolves.
  const dockerIo = readHostsFiles([
    {
      folder: 'docker.io',
      path: '/etc/containerd/certs.d/docker.io/hosts.toml',
      text: `server = "https://registry-1.docker.io"    # Exclude this to not use upstream

[host."https://public-mirror.example.com"]
  capabilities = ["pull"]                  # Requires less trust, won't resolve tag to digest from this host
[host."https://docker-mirror.internal"]
  capabilities = ["pull", "resolve"]
  ca = "docker-mirror.crt"                 # Or absolute path /etc/containerd/certs.d/docker.io/docker-mirror.crt
`,
    },
  ]);

  test('a tag is resolved by hosts with pull and resolve; a digest pulled from every pull host, in file order', () => {
    expect(order(dockerIo, 'nginx:1.27')).toEqual(['docker-mirror.internal/library/nginx:1.27']);
    expect(order(dockerIo, `nginx@${DIGEST}`)).toEqual([
      `public-mirror.example.com/library/nginx@${DIGEST}`,
      `docker-mirror.internal/library/nginx@${DIGEST}`,
    ]);
    // The upstream server is where containerd ends, not a mirror; another registry has no folder.
    expect(dockerIo.rules[0]?.upstream).toBe(true);
    expect(order(dockerIo, 'quay.io/org/app:1')).toBe('uncovered');
  });

  test('ca is read relative to the folder of its hosts.toml (hosts.go makeAbsPath)', () => {
    expect(dockerIo.caFiles).toEqual(['/etc/containerd/certs.d/docker.io/docker-mirror.crt']);
  });

  test('an http host with skip_verify (docs/hosts.md:232-236) is an insecure mirror', () => {
    const config = readHostsFiles([
      {
        folder: 'docker.io',
        path: 'certs.d/docker.io/hosts.toml',
        text: `server = "https://registry-1.docker.io"

[host."http://192.168.31.250:5000"]
  capabilities = ["pull", "resolve", "push"]
  skip_verify = true
`,
      },
    ]);
    expect(order(config, 'busybox')).toEqual(['192.168.31.250:5000/library/busybox:latest']);
    expect(config.insecureRegistries).toEqual(['192.168.31.250:5000']);
  });

  test('override_path keeps the host path as the API path: /v2/<prefix> puts the repository under the prefix (docs/hosts.md:414-416)', () => {
    const config = readHostsFiles([
      {
        folder: 'docker.io',
        path: 'certs.d/docker.io/hosts.toml',
        text: `[host."https://non-compliant-mirror.registry/v2/upstream"]
  capabilities = ["pull"]
  override_path = true
`,
      },
    ]);
    expect(order(config, `alpine@${DIGEST}`)).toEqual([
      `non-compliant-mirror.registry/upstream/library/alpine@${DIGEST}`,
    ]);
    // Pull only: a tag is not served by it, so containerd resolves the tag upstream.
    expect(order(config, 'alpine:3.20')).toBe('not-served');
  });

  test('a host path without override_path gets /v2 appended (hosts.go:430-448): an API no registry client reads', () => {
    expect(() =>
      readHostsFiles([
        { folder: 'docker.io', path: 'd/hosts.toml', text: '[host."https://mirror-bak.registry/us"]\n' },
      ]),
    ).toThrow(/d\/hosts\.toml:1 \[host\."https:\/\/mirror-bak\.registry\/us"\]: .* \/us\/v2, not under \/v2/);
  });

  test('folders: host_port_ before host:port, _default for every registry without one; a server elsewhere ends the order', () => {
    const config = readHostsFiles([
      { folder: 'registry.local:5000', path: 'a/hosts.toml', text: '[host."https://ignored.example"]\n' },
      { folder: 'registry.local_5000_', path: 'b/hosts.toml', text: '[host."https://chosen.example"]\n' },
      {
        folder: '_default',
        path: 'c/hosts.toml',
        text: '[host."https://registry.example.com"]\n  capabilities = ["pull", "resolve"]\n',
      },
      { folder: 'ghcr.io', path: 'd/hosts.toml', text: 'server = "https://ghcr-mirror.example:8443"\n' },
    ]);
    expect(order(config, 'registry.local:5000/team/app:1')).toEqual(['chosen.example/team/app:1']);
    expect(order(config, 'quay.io/org/app:1')).toEqual(['registry.example.com/org/app:1']);
    expect(order(config, 'ghcr.io/org/tool:2')).toEqual(['ghcr-mirror.example:8443/org/tool:2']);
    expect(config.rules.find((rule) => rule.where === 'd/hosts.toml')?.upstream).toBe(false);
  });

  test('a syntax error names the file and line', () => {
    expect(() =>
      readHostsFiles([{ folder: 'docker.io', path: 'x/hosts.toml', text: 'server = "a"\n[host."b"\n' }]),
    ).toThrow(/^x\/hosts\.toml:2: not TOML/);
  });
});

describe('registries.conf v2 (containers-registries.conf(5))', () => {
  // containers/image docs/containers-registries.conf.5.md:232-251; the pull order the page gives at 253-257.
  const example = `unqualified-search-registries = ["example.com"]

[[registry]]
prefix = "example.com/foo"
insecure = false
blocked = false
location = "internal-registry-for-example.com/bar"

[[registry.mirror]]
location = "example-mirror-0.local/mirror-for-foo"

[[registry.mirror]]
location = "example-mirror-1.local/mirrors/foo"
insecure = true

[[registry]]
location = "registry.com"

[[registry.mirror]]
location = "mirror.registry.com"
`;
  const config = readRegistriesConf([{ path: '/etc/containers/registries.conf', text: example }]);

  test('the documented order: mirror 0, mirror 1, then the rewritten location; the prefix replaced in each', () => {
    expect(order(config, 'example.com/foo/image:latest')).toEqual([
      'example-mirror-0.local/mirror-for-foo/image:latest',
      'example-mirror-1.local/mirrors/foo/image:latest',
      'internal-registry-for-example.com/bar/image:latest',
    ]);
    expect(config.insecureRegistries).toEqual(['example-mirror-1.local']);
    // The location rewrites example.com/foo: nothing of it goes upstream.
    expect(config.rules[0]).toMatchObject({
      upstream: false,
      where: '/etc/containers/registries.conf:3 [[registry]]',
    });
  });

  test('a prefix covers whole path components only; the longest prefix wins; a location equal to the prefix is upstream', () => {
    expect(order(config, 'example.com/foobar/image:1')).toBe('uncovered');
    expect(order(config, 'registry.com/team/app:1')).toEqual(['mirror.registry.com/team/app:1']);
    expect(config.rules[1]?.upstream).toBe(true);
    const nested = readRegistriesConf([
      {
        path: 'r.conf',
        text: `[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "m.local/quay"\n[[registry]]\nprefix = "quay.io/org/special"\nlocation = "quay.io/org/special"\n[[registry.mirror]]\nlocation = "m.local/special"\n`,
      },
    ]);
    expect(order(nested, 'quay.io/org/special:1')).toEqual(['m.local/special:1']);
    expect(order(nested, 'quay.io/org/special/sub:1')).toEqual(['m.local/special/sub:1']);
    expect(order(nested, 'quay.io/org/other:1')).toEqual(['m.local/quay/org/other:1']);
  });

  test('mirror-by-digest-only: a tag is not served by the mirrors; pull-from-mirror per mirror', () => {
    const conf = readRegistriesConf([
      {
        path: 'r.conf',
        text: `[[registry]]
location = "docker.io"
mirror-by-digest-only = true
[[registry.mirror]]
location = "mirror.local/hub"

[[registry]]
location = "quay.io"
[[registry.mirror]]
location = "digests.local"
pull-from-mirror = "digest-only"
[[registry.mirror]]
location = "tags.local"
pull-from-mirror = "tag-only"
`,
      },
    ]);
    expect(order(conf, `nginx@${DIGEST}`)).toEqual([`mirror.local/hub/library/nginx@${DIGEST}`]);
    expect(order(conf, 'nginx:1.27')).toBe('not-served');
    expect(order(conf, 'quay.io/a/b:1')).toEqual(['tags.local/a/b:1']);
    expect(order(conf, `quay.io/a/b@${DIGEST}`)).toEqual([`digests.local/a/b@${DIGEST}`]);
  });

  test('*.example.com covers every subdomain, not the domain itself (M:52-53)', () => {
    const conf = readRegistriesConf([
      {
        path: 'r.conf',
        text: '[[registry]]\nprefix = "*.example.com"\n[[registry.mirror]]\nlocation = "mirror.local"\n',
      },
    ]);
    expect(order(conf, 'a.example.com/x/y:1')).toEqual(['mirror.local/x/y:1']);
    expect(order(conf, 'a.b.example.com/x:1')).toEqual(['mirror.local/x:1']);
    expect(order(conf, 'example.com/x:1')).toBe('uncovered');
  });

  test('a drop-in table with a prefix seen before replaces it whole (containers-registries.conf.d(5))', () => {
    const conf = readRegistriesConf(
      [
        {
          path: 'registries.conf',
          text: '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "old.local"\n[[registry.mirror]]\nlocation = "older.local"\n',
        },
        {
          path: 'registries.conf.d/10-mirror.conf',
          text: '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\nlocation = "new.local"\n',
        },
      ],
      1,
    );
    expect(order(conf, 'nginx:1')).toEqual(['new.local/library/nginx:1']);
  });

  test.each([
    [
      '[[registry]]\nlocation = "docker.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "m"\npull-from-mirror = "all"\n',
      /r\.conf:4 \[\[registry\.mirror\]\]: pull-from-mirror cannot be set/,
    ],
    [
      '[[registry]]\nlocation = "https://docker.io"\n',
      /r\.conf:1 \[\[registry\]\]: location "https:\/\/docker\.io": URI schemes are not supported/,
    ],
    ['[[registry]]\nprefix = "*.example.com/foo"\n', /a wildcard prefix must be \*\.example\.com/],
    [
      '[[registry]]\nlocation = "docker.io"\n[[registry.mirror]]\npull-from-mirror = "all"\n',
      /r\.conf:3 \[\[registry\.mirror\]\]: mirror location is unset/,
    ],
    ['[registries.search]\nregistries = ["docker.io"]\n', /version 1 registries\.conf/],
    ['[[registry]\nlocation = "x"\n', /^r\.conf:1: not TOML/],
  ])('refused, naming the file and line: %#', (text, message) => {
    expect(() => readRegistriesConf([{ path: 'r.conf', text }])).toThrow(message);
  });
});

describe('k3s registries.yaml (k3s docs, installation/private-registry.md)', () => {
  const read = (text: string) => readK3s(parseYaml(text, 'registries.yaml')[0]!, 'registries.yaml');

  test('a rewrite applies to the repository at the endpoint (the documented mirrored-pause example)', () => {
    // private-registry.md:95-102 and its sentence at 93.
    const config = read(`mirrors:
  docker.io:
    endpoint:
      - "https://registry.example.com:5000"
    rewrite:
      "^rancher/(.*)": "mirrorproject/rancher-images/$1"
`);
    expect(order(config, 'docker.io/rancher/mirrored-pause:3.6')).toEqual([
      'registry.example.com:5000/mirrorproject/rancher-images/mirrored-pause:3.6',
    ]);
    expect(order(config, 'nginx:1.27')).toEqual(['registry.example.com:5000/library/nginx:1.27']);
    expect(config.rules[0]?.upstream).toBe(true);
  });

  test('"*" covers every registry without an entry; a last endpoint that is the upstream itself is the upstream', () => {
    // private-registry.md:152-162, with a docker.io entry whose last endpoint is Docker Hub.
    const config = read(`mirrors:
  "*":
    endpoint:
      - "https://registry.example.com:5000"
  docker.io:
    endpoint:
      - "https://hub-mirror.example.com"
      - "https://registry-1.docker.io"
configs:
  "registry.example.com:5000":
    tls:
      insecure_skip_verify: true
    auth:
      username: puller
      password: s3cret
`);
    expect(order(config, 'quay.io/org/app:1')).toEqual(['registry.example.com:5000/org/app:1']);
    expect(order(config, 'nginx:1')).toEqual(['hub-mirror.example.com/library/nginx:1']);
    expect(config.insecureRegistries).toEqual(['registry.example.com:5000']);
    expect(config.credentials).toEqual({
      'registry.example.com:5000': { username: 'puller', password: 's3cret' },
    });
    expect(config.secrets).toEqual(['s3cret']);
  });

  test('an endpoint path /v2/<prefix> puts the repository under it; another path is refused', () => {
    expect(
      order(read('mirrors:\n  quay.io:\n    endpoint: ["https://m.example/v2/quay"]\n'), 'quay.io/a/b:1'),
    ).toEqual(['m.example/quay/a/b:1']);
    expect(() => read('mirrors:\n  quay.io:\n    endpoint: ["https://m.example/quay"]\n')).toThrow(
      /registries\.yaml:3 mirrors\."quay\.io"\.endpoint\[0\]: .*not under \/v2/,
    );
  });

  test('a rewrite that does not compile is refused, naming the file, line and pattern', () => {
    expect(() =>
      read(
        'mirrors:\n  docker.io:\n    endpoint: ["https://m"]\n    rewrite:\n      "^(rancher/.*": "x/$1"\n',
      ),
    ).toThrow(
      /registries\.yaml:2 mirrors\."docker\.io"\.rewrite: rewrite "\^\(rancher\/\.\*" does not compile/,
    );
    expect(() => goRegExp('(?i)abc', 'w')).toThrow(/Go syntax/);
  });
});

describe('OpenShift mirror sets', () => {
  const sets = (text: string) =>
    readMirrorSets(parseYaml(text, 'sets.yaml').map((yaml) => ({ yaml, file: 'sets.yaml' })));

  test('ImageDigestMirrorSet (the OpenShift docs example): digest references only, mirrors in order', () => {
    const config = sets(`apiVersion: config.openshift.io/v1
kind: ImageDigestMirrorSet
metadata:
  name: ubi9repo
spec:
  imageDigestMirrors:
  - mirrors:
    - example.io/example/ubi-minimal
    - example.com/example2/ubi-minimal
    source: registry.access.redhat.com/ubi9/ubi-minimal
    mirrorSourcePolicy: AllowContactingSource
  - mirrors:
    - mirror.example.com/redhat
    source: registry.example.com/redhat
    mirrorSourcePolicy: AllowContactingSource
`);
    expect(order(config, `registry.access.redhat.com/ubi9/ubi-minimal@${DIGEST}`)).toEqual([
      `example.io/example/ubi-minimal@${DIGEST}`,
      `example.com/example2/ubi-minimal@${DIGEST}`,
    ]);
    expect(order(config, 'registry.access.redhat.com/ubi9/ubi-minimal:latest')).toBe('not-served');
    expect(order(config, `registry.example.com/redhat/operator@${DIGEST}`)).toEqual([
      `mirror.example.com/redhat/operator@${DIGEST}`,
    ]);
  });

  test('ImageContentSourcePolicy (docs example) is digest-only; ImageTagMirrorSet tag-only; NeverContactSource blocks', () => {
    const config = sets(`apiVersion: operator.openshift.io/v1alpha1
kind: ImageContentSourcePolicy
metadata:
  name: mirror-ocp
spec:
  repositoryDigestMirrors:
  - mirrors:
    - mirror.registry.com:443/ocp/release
    source: quay.io/openshift-release-dev/ocp-release
---
apiVersion: config.openshift.io/v1
kind: ImageTagMirrorSet
metadata:
  name: ubi8repo
spec:
  imageTagMirrors:
  - mirrors:
    - example.io/example/ubi-minimal
    source: registry.access.redhat.com/ubi8/ubi-minimal
    mirrorSourcePolicy: NeverContactSource
`);
    expect(order(config, `quay.io/openshift-release-dev/ocp-release@${DIGEST}`)).toEqual([
      `mirror.registry.com:443/ocp/release@${DIGEST}`,
    ]);
    expect(order(config, 'quay.io/openshift-release-dev/ocp-release:4.16.0-x86_64')).toBe('not-served');
    expect(order(config, 'registry.access.redhat.com/ubi8/ubi-minimal:8.10')).toEqual([
      'example.io/example/ubi-minimal:8.10',
    ]);
    expect(order(config, `registry.access.redhat.com/ubi8/ubi-minimal@${DIGEST}`)).toBe('not-served');
    expect(config.rules.find((rule) => rule.where.includes('ubi8repo'))?.upstream).toBe(false);
  });

  test('lists for one source merge keeping each order, ties by name (the enhancement: ICSP a,b,c and IDMS c,b,a give a,b,c)', () => {
    expect(
      mergeOrder(
        [
          ['a', 'b', 'c'],
          ['c', 'b', 'a'],
        ],
        'foo',
      ),
    ).toEqual(['a', 'b', 'c']);
    expect(mergeOrder([['m2', 'src', 'm1']], 'src')).toEqual(['m2', 'src', 'm1']);
    expect(
      mergeOrder(
        [
          ['x', 'y'],
          ['w', 'x'],
        ],
        'src',
      ),
    ).toEqual(['w', 'x', 'y']);
  });
});

describe('route entries', () => {
  const config = readRegistriesConf([
    {
      path: 'r.conf',
      text: '[[registry]]\nlocation = "docker.io"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "a.local"\n\n[[registry]]\nlocation = "quay.io"\n[[registry.mirror]]\nlocation = "a.local/quay"\n[[registry.mirror]]\nlocation = "b.local/quay"\n',
    },
  ]);
  const entry = (line: number, reference: string): ImageEntry => ({
    kind: 'image',
    line,
    raw: reference,
    source: parseReference(reference),
    destination: parseReference(reference),
  });

  test('a rule that names no mirror, and one that blocks the upstream, say so', () => {
    const blocked = readRegistriesConf([
      {
        path: 'b.conf',
        text: '[[registry]]\nlocation = "docker.io"\nblocked = true\n\n[[registry]]\nlocation = "quay.io"\ninsecure = true\n',
      },
    ]);
    const [hub, quay] = routeEntries([entry(1, 'nginx:1'), entry(2, 'quay.io/a/b:1')], blocked, 'first');
    expect(hub).toMatchObject({ verdict: { reason: 'not-mirrored' } });
    expect(hub?.kind === 'settled' && hub.verdict.detail).toBe(
      'docker.io/library/nginx:1: the rule for docker.io (b.conf:1 [[registry]]) names no mirror: and b.conf:1 [[registry]] blocks the upstream: the cluster cannot pull it',
    );
    expect(quay?.kind === 'settled' && quay.verdict.detail).toMatch(
      /the rule for quay\.io .* names no mirror: the cluster pulls it from upstream$/,
    );
  });

  test('first: the first mirror in pull order; all: one line per mirror; uncovered and not served settle failed', () => {
    const entries = [entry(1, 'quay.io/org/app:1'), entry(2, 'ghcr.io/org/tool:2'), entry(3, 'nginx:1.27')];
    const first = routeEntries(entries, config, 'first');
    expect(first.map((one) => (one.kind === 'image' ? formatReference(one.destination) : one.kind))).toEqual([
      'a.local/quay/org/app:1',
      'settled',
      'settled',
    ]);
    expect(first[0]).toMatchObject({
      mirror: 'r.conf:9 [[registry.mirror]] (quay.io: mirror 1 of 2 in pull order)',
    });
    expect(first[1]).toMatchObject({
      line: 2,
      source: 'ghcr.io/org/tool:2',
      destination: null,
      verdict: { status: 'failed', reason: 'not-mirrored' },
    });
    expect(first[2]).toMatchObject({ verdict: { status: 'failed', reason: 'reference-not-mirrored' } });
    const all = routeEntries(entries, config, 'all');
    expect(
      all
        .filter((one) => one.line === 1)
        .map((one) => (one.kind === 'image' ? formatReference(one.destination) : '')),
    ).toEqual(['a.local/quay/org/app:1', 'b.local/quay/org/app:1']);
  });
});
