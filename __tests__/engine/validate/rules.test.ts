// The verdict rules on hand-built manifests: every rule, the precedence, and containerd's platform rules.
import { describe, expect, test } from 'vitest';
import { MediaType, type Descriptor, type Manifest, type Platform } from '../../../src/registry/manifest.js';
import { DEFAULT_VALIDATE_OPTIONS, type ValidateOptions } from '../../../src/config/settings.js';
import {
  formatPlatform,
  normalisePlatform,
  samePlatform,
  selectedByFilter,
} from '../../../src/engine/validate/platform.js';
import type { Verdict } from '../../../src/engine/validate/result.js';
import { HELM_CONFIG } from '../../../testkit/seed.js';
import {
  childrenToCheck,
  compare,
  judge,
  schema1Summary,
  verdictFromDigests,
  type Observations,
} from '../../../src/engine/validate/rules.js';

const d = (n: number) => `sha256:${String(n).padStart(64, '0')}`;
const entry = (n: number, platform?: Platform, annotations?: Record<string, string>): Descriptor => ({
  mediaType: MediaType.ociManifest,
  digest: d(n),
  size: 1,
  ...(platform ? { platform } : {}),
  ...(annotations ? { annotations } : {}),
});
const index = (...manifests: Descriptor[]): Manifest => ({
  kind: 'index',
  mediaType: MediaType.ociIndex,
  manifests,
});
const image = (configType: string = MediaType.ociConfig, layers = [d(900)]): Manifest => ({
  kind: 'image',
  mediaType: MediaType.ociManifest,
  config: { mediaType: configType, digest: d(800), size: 1 },
  layers: layers.map((digest) => ({
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
    digest,
    size: 1,
  })),
});
const linux = (architecture: string, variant?: string): Platform => ({
  os: 'linux',
  architecture,
  ...(variant ? { variant } : {}),
});
const attestation = (n: number, of: number) =>
  entry(
    n,
    { os: 'unknown', architecture: 'unknown' },
    { 'vnd.docker.reference.type': 'attestation-manifest', 'vnd.docker.reference.digest': d(of) },
  );
const none: Observations = { missingChildren: new Set(), children: new Map(), missingBlobs: new Map() };

function verdictOf(
  source: Manifest,
  destination: Manifest,
  options: Partial<ValidateOptions> = {},
  observations = none,
  platform?: Platform,
): Verdict {
  const src = { digest: d(1000), manifest: source, ...(platform ? { platform } : {}) };
  const dst = { digest: d(2000), manifest: destination };
  const all = { ...DEFAULT_VALIDATE_OPTIONS, ...options };
  // As the runner does: the digests first, then the manifests when the digests do not settle it.
  return (
    verdictFromDigests(src.digest, dst.digest, all) ?? judge(compare(src, dst, all), src, dst, observations)
  );
}
const summary = (verdict: Verdict) =>
  verdict.status === 'passed' ? `passed ${verdict.rule}` : `${verdict.status} ${verdict.reason}`;

describe('platforms', () => {
  test.each([
    [linux('arm64', 'v8'), linux('arm64'), true],
    [linux('amd64', 'v1'), linux('amd64'), true],
    [linux('arm'), linux('arm', 'v7'), true],
    [linux('aarch64'), linux('arm64'), true],
    [linux('x86_64'), linux('amd64'), true],
    [linux('arm', 'v6'), linux('arm', 'v7'), false],
    [
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763.1' },
      { os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' },
      false,
    ],
  ])('%j = %j: %s', (a, b, same) => {
    expect(samePlatform(a, b)).toBe(same);
  });

  test('format', () => {
    expect(formatPlatform(linux('arm', 'v7'))).toBe('linux/arm/v7');
    expect(formatPlatform({ os: 'windows', architecture: 'amd64', 'os.version': '10.0.20348.1' })).toBe(
      'windows/amd64 10.0.20348.1',
    );
    expect(normalisePlatform(linux('ARM64', 'V8'))).toEqual(linux('arm64'));
  });

  test.each([
    [linux('amd64'), true],
    [linux('s390x'), false],
    [{ os: '', architecture: '' }, true],
    [{ os: 'darwin', architecture: 'arm64' }, false],
    [linux('arm', 'v7'), false],
  ])('default filter selects %j: %s', (platform, selected) => {
    expect(selectedByFilter(platform, DEFAULT_VALIDATE_OPTIONS.filter)).toBe(selected);
  });

  test('a variant filter narrows, an empty one allows any', () => {
    const filter = { arch: ['arm'], os: ['linux'], variant: ['v7'] };
    expect(selectedByFilter(linux('arm', 'v7'), filter)).toBe(true);
    expect(selectedByFilter(linux('arm', 'v6'), filter)).toBe(false);
    expect(selectedByFilter(linux('arm', 'v6'), { ...filter, variant: [] })).toBe(true);
  });
});

describe('rules', () => {
  const source = index(entry(1, linux('amd64')), entry(2, linux('arm64', 'v8')), entry(3, linux('s390x')));

  test('platforms: selected children present by digest; arm64/v8 equals arm64; s390x not required', () => {
    expect(summary(verdictOf(source, index(entry(1, linux('amd64')), entry(2, linux('arm64')))))).toBe(
      'passed platforms',
    );
  });

  test('only the present children are checked in the repository', () => {
    const src = { digest: d(1000), manifest: source };
    const dst = { digest: d(2000), manifest: index(entry(1, linux('amd64'))) };
    expect(childrenToCheck(compare(src, dst, DEFAULT_VALIDATE_OPTIONS))).toEqual([d(1)]);
  });

  test('precedence: digest-mismatch before platform-missing before manifest-missing, all findings kept', () => {
    const destination = index(entry(9, linux('amd64')), entry(3, linux('s390x')));
    const verdict = verdictOf(
      index(entry(1, linux('amd64')), entry(2, linux('arm64')), entry(3, linux('s390x'))),
      destination,
      {
        filter: { arch: ['amd64', 'arm64', 's390x'], os: ['linux'], variant: [] },
      },
      { ...none, missingChildren: new Set([d(3)]) },
    );
    expect(verdict.status === 'failed' && verdict.findings.map((f) => f.reason)).toEqual([
      'digest-mismatch',
      'platform-missing',
      'manifest-missing',
    ]);
    expect(summary(verdict)).toBe('failed digest-mismatch');
  });

  test('platform-mismatch names field and values', () => {
    const verdict = verdictOf(source, index(entry(1, linux('amd64')), entry(2, linux('arm', 'v7'))));
    expect(summary(verdict)).toBe('failed platform-mismatch');
    expect(verdict.status === 'failed' && verdict.detail).toMatch(/architecture "arm", source says "arm64"/);
  });

  test('attestations: required with provenance, ignored without, never a missing unknown platform', () => {
    const attested = index(entry(1, linux('amd64')), attestation(11, 1));
    const withoutAttestation = index(entry(1, linux('amd64')));
    expect(summary(verdictOf(attested, withoutAttestation))).toBe('failed platform-missing');
    expect(
      verdictOf(attested, withoutAttestation).status === 'failed' &&
        verdictOf(attested, withoutAttestation).detail,
    ).toMatch(/linux\/amd64 attestation/);
    expect(summary(verdictOf(attested, withoutAttestation, { provenance: false }))).toBe('passed platforms');
    expect(summary(verdictOf(attested, index(entry(1, linux('amd64')), attestation(11, 1))))).toBe(
      'passed platforms',
    );
  });

  test('no selected platform: skipped', () => {
    expect(summary(verdictOf(index(entry(3, linux('s390x'))), index()))).toBe('skipped no-matching-platform');
  });

  test('single source into a one-entry index; plain destination equal to the one selected child', () => {
    expect(summary(verdictOf(image(), index(entry(1000, linux('amd64'))), {}, none, linux('amd64')))).toBe(
      'passed platforms',
    );
    const oneSelected = index(entry(2000, linux('amd64')), entry(3, linux('s390x')));
    expect(summary(verdictOf(oneSelected, image()))).toBe('passed platforms');
  });

  test('Helm chart and other artifacts compare by digest only', () => {
    const chart = image(HELM_CONFIG);
    const view = (digest: number, manifest: Manifest) => ({ digest: d(digest), manifest });
    // The artifact path is taken (an image with the same shape goes the platform way) …
    expect(compare(view(1000, chart), view(2000, chart), DEFAULT_VALIDATE_OPTIONS).kind).toBe('artifact');
    expect(compare(view(1000, image()), view(2000, image()), DEFAULT_VALIDATE_OPTIONS).kind).toBe(
      'platforms',
    );
    // … and its verdict says so: no platform to compare, only the digests.
    const verdict = verdictOf(chart, chart);
    expect(summary(verdict)).toBe('failed digest-mismatch');
    expect(verdict.status === 'failed' && verdict.detail).toMatch(/^artifact without platforms: /);
    expect(verdict.platforms).toEqual([]);
  });

  test('require-identical refuses a rebuilt index', () => {
    expect(
      summary(
        verdictOf(source, index(entry(1, linux('amd64')), entry(2, linux('arm64'))), {
          requireIdentical: true,
        }),
      ),
    ).toBe('failed digest-mismatch');
  });

  test('deep: missing blobs of a selected child fail blob-missing', () => {
    const observations = { ...none, missingBlobs: new Map([[d(1), [d(900)]]]) };
    expect(
      summary(
        verdictOf(
          source,
          index(entry(1, linux('amd64')), entry(2, linux('arm64'))),
          { deep: true },
          observations,
        ),
      ),
    ).toBe('failed blob-missing');
  });
});

describe('schema 1', () => {
  const schema1: Manifest = {
    kind: 'schema1',
    mediaType: MediaType.dockerSchema1Signed,
    architecture: 'amd64',
    fsLayers: [d(903), d(902), d(901)],
    history: [JSON.stringify({ os: 'linux' }), JSON.stringify({ throwaway: true }), '{}'],
  };

  test('summary: platform and non-empty layers, bottom first', () => {
    expect(schema1Summary(schema1 as Manifest & { kind: 'schema1' })).toEqual({
      platform: linux('amd64'),
      layers: [d(901), d(903)],
    });
  });

  test('passes by rule schema1 when the destination image has those layers', () => {
    expect(summary(verdictOf(schema1, image(MediaType.dockerConfig, [d(901), d(903)])))).toBe(
      'passed schema1',
    );
    expect(summary(verdictOf(schema1, image(MediaType.dockerConfig, [d(901)])))).toBe(
      'failed digest-mismatch',
    );
  });

  test('through a one-entry index, using the fetched child', () => {
    const destination = index(entry(5, linux('amd64')));
    const observations = {
      ...none,
      children: new Map([[d(5), image(MediaType.dockerConfig, [d(901), d(903)])]]),
    };
    expect(summary(verdictOf(schema1, destination, {}, observations))).toBe('passed schema1');
    expect(summary(verdictOf(schema1, index(entry(5, linux('arm64')))))).toBe('failed platform-missing');
  });
});
