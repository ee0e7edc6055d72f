import { describe, expect, test } from 'vitest';
import { formatReference, overrideRegistry, parseReference } from '../../src/registry/reference.js';

describe('parseReference normalises', () => {
  test.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['library/nginx:1.27', 'docker.io/library/nginx:1.27'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/library/nginx:1', 'docker.io/library/nginx:1'],
    ['registry-1.docker.io/rancher/rancher:v2.9.0', 'docker.io/rancher/rancher:v2.9.0'],
    ['rancher/rancher:v2.9.0', 'docker.io/rancher/rancher:v2.9.0'],
    ['hxstarrys/manifest-v2', 'docker.io/hxstarrys/manifest-v2:latest'],
    ['quay.io/jetstack/cert-manager-controller:v1.15.3', 'quay.io/jetstack/cert-manager-controller:v1.15.3'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['ghcr.io/a/b/c/d:1', 'ghcr.io/a/b/c/d:1'],
    ['localhost/foo', 'localhost/foo:latest'],
    ['localhost:5000/foo:bar', 'localhost:5000/foo:bar'],
    ['127.0.0.1:5000/library/a/b/c/alpine:latest', '127.0.0.1:5000/library/a/b/c/alpine:latest'],
    ['Harbor.Example.COM/proj/app:v1', 'harbor.example.com/proj/app:v1'],
    ['myregistry:443/app', 'myregistry:443/app:latest'],
    ['rancher/mirrored/a/b:1', 'docker.io/rancher/mirrored/a/b:1'],
    ['a_b/c__d/e-f---g.h:TAG_1.0-rc', 'docker.io/a_b/c__d/e-f---g.h:TAG_1.0-rc'],
    ['nginx:' + 'a'.repeat(128), 'docker.io/library/nginx:' + 'a'.repeat(128)],
    ['  nginx:1  ', 'docker.io/library/nginx:1'],
    [`nginx@sha256:${'a'.repeat(64)}`, `docker.io/library/nginx@sha256:${'a'.repeat(64)}`],
    [`nginx:1.27@sha256:${'b'.repeat(64)}`, `docker.io/library/nginx:1.27@sha256:${'b'.repeat(64)}`],
    [`localhost:5000/x@sha256:${'c'.repeat(64)}`, `localhost:5000/x@sha256:${'c'.repeat(64)}`],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
  ])('%s → %s', (text, expected) => {
    expect(formatReference(parseReference(text))).toBe(expected);
  });

  test('a digest-only reference has no tag', () => {
    const ref = parseReference(`nginx@sha256:${'a'.repeat(64)}`);
    expect(ref.tag).toBeUndefined();
    expect(ref.digest).toBe(`sha256:${'a'.repeat(64)}`);
  });
});

describe('parseReference rejects, saying why', () => {
  test.each([
    ['', /empty image reference/],
    ['Nginx', /must be lowercase/],
    ['docker.io/Rancher/rancher', /must be lowercase/],
    ['nginx:1.0!', /may only have letters, digits/],
    ['nginx:.hidden', /must not start with/],
    ['nginx:' + 'a'.repeat(129), /longer than 128/],
    ['nginx@sha256:abc', /64 lowercase hex/],
    [`nginx@sha256:${'A'.repeat(64)}`, /64 lowercase hex/],
    [`nginx@md5:${'a'.repeat(32)}`, /only sha256/],
    ['quay.io//app', /empty path segment/],
    ['quay.io/app/', /empty path segment/],
    ['docker://nginx', /without a scheme/],
    ['ngi nx', /no spaces/],
    ['quay.io/-app', /not a valid repository path segment/],
    ['quay.io/app..x', /not a valid repository path segment/],
    ['bad_host.io/app', /not a valid registry host/],
  ])('%j', (text, message) => {
    expect(() => parseReference(text)).toThrow(message);
  });
});

describe('overrideRegistry (hangar -s / -d)', () => {
  test.each([
    ['nginx', 'mirror.local:5000', 'mirror.local:5000/library/nginx:latest'],
    ['quay.io/jetstack/app:1', 'mirror.local', 'mirror.local/jetstack/app:1'],
    ['docker.io/rancher/rancher:v2', 'harbor.example.com', 'harbor.example.com/rancher/rancher:v2'],
    ['rancher/rancher:v2', 'https://harbor.example.com/', 'harbor.example.com/rancher/rancher:v2'],
    ['localhost:5000/a:1', 'docker.io', 'docker.io/a:1'],
    ['nginx', undefined, 'docker.io/library/nginx:latest'],
    ['nginx', 'myhost', 'myhost/library/nginx:latest'],
  ])('%s with %s → %s', (name, registry, expected) => {
    expect(formatReference(overrideRegistry(parseReference(name), registry))).toBe(expected);
  });

  test('an invalid override is named', () => {
    expect(() => overrideRegistry(parseReference('nginx'), 'not a host')).toThrow(
      /"not a host" is not a valid registry host/,
    );
  });
});
