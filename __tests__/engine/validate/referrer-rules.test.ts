// The referrer rules: kinds, what a policy requires and asks for, and how referrers change a verdict.
import { describe, expect, test } from 'vitest';
import { parseReferrers } from '../../../src/config/parse.js';
import { formatReferrers } from '../../../src/config/settings.js';
import {
  checksReferrers,
  cosignSuffixes,
  isRequired,
  kindOf,
  serverFilter,
  subjectsOf,
  withReferrers,
} from '../../../src/engine/validate/referrer-rules.js';
import type { ReferrerResult, Verdict } from '../../../src/engine/validate/result.js';
import { failed } from '../../../src/engine/validate/rules.js';

const D = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const policy = (text: string) => parseReferrers(text, 'referrers');

describe('kindOf', () => {
  test.each([
    ['application/vnd.dev.cosign.artifact.sig.v1+json', undefined, 'signature'],
    ['application/vnd.cncf.notary.signature', undefined, 'signature'],
    ['application/vnd.dev.sigstore.bundle.v0.3+json', undefined, 'signature'],
    [
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      { 'dev.sigstore.bundle.predicateType': 'https://sigstore.dev/cosign/sign/v1' },
      'signature',
    ],
    [
      'application/vnd.dev.sigstore.bundle.v0.3+json',
      { 'dev.sigstore.bundle.predicateType': 'https://slsa.dev/provenance/v1' },
      'attestation',
    ],
    ['application/vnd.in-toto+json', undefined, 'attestation'],
    ['application/vnd.dsse.envelope.v1+json', undefined, 'attestation'],
    ['application/spdx+json', undefined, 'sbom'],
    ['text/spdx+json', undefined, 'sbom'],
    ['application/vnd.cyclonedx+json', undefined, 'sbom'],
    ['application/vnd.example.thing', undefined, 'other'],
    [undefined, undefined, 'other'],
    // Names of Object.prototype are no kind (a registry chooses the artifact type).
    ['constructor', undefined, 'other'],
    ['__proto__', undefined, 'other'],
  ])('%s %j is %s', (artifactType, annotations, kind) => {
    expect(kindOf(artifactType, annotations)).toBe(kind);
  });
});

describe('policies', () => {
  test('what each requires, which cosign tags it asks for, and when the registry may filter', () => {
    const sbom = { kind: 'sbom' as const, artifactType: 'application/spdx+json' };
    const notation = { kind: 'signature' as const, artifactType: 'application/vnd.cncf.notary.signature' };
    expect([isRequired(policy('ignore'), sbom), isRequired(policy('require'), sbom)]).toEqual([false, true]);
    expect([isRequired(policy('sig'), sbom), isRequired(policy('sig'), notation)]).toEqual([false, true]);
    expect(isRequired(policy('application/spdx+json'), sbom)).toBe(true);
    expect(isRequired(policy('application/spdx+json'), { kind: 'sbom' })).toBe(false);
    expect(cosignSuffixes(policy('require'))).toEqual(['sig', 'att', 'sbom']);
    expect(cosignSuffixes(policy('att,text/spdx'))).toEqual(['att']);
    expect(cosignSuffixes(policy('ignore'))).toEqual([]);
    expect(serverFilter(policy('application/spdx+json'))).toBe('application/spdx+json');
    expect(serverFilter(policy('sbom,application/spdx+json'))).toBeUndefined();
    expect(serverFilter(policy('a/b,c/d'))).toBeUndefined();
    expect(serverFilter(policy('require'))).toBeUndefined();
  });

  test.each(['constructor', 'toString', '__proto__'])('%s is no policy word', (text) => {
    expect(() => policy(text)).toThrow(/referrers must be ignore, require, or a comma list/);
  });

  test.each(['ignore', 'require', 'sig,att', 'sbom,application/vnd.cncf.notary.signature'])(
    '%s is written back as given',
    (text) => expect(formatReferrers(policy(text))).toBe(text),
  );
});

const passedIndex: Verdict = {
  status: 'passed',
  rule: 'platforms',
  sourceDigest: D(1),
  destinationDigest: D(9),
  detail: 'every selected platform is mirrored by digest (linux/amd64)',
  platforms: [{ platform: 'linux/amd64', sourceDigest: D(2), destinationDigest: D(2), status: 'ok' }],
};

const referrer = (
  status: ReferrerResult['status'],
  overrides: Partial<ReferrerResult> = {},
): ReferrerResult => ({
  kind: 'signature',
  artifactType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
  digest: D(5),
  subject: 'linux/amd64',
  subjectDigest: D(2),
  via: 'referrers-api',
  status,
  ...overrides,
});

describe('subjects and verdicts', () => {
  test('subjects: the platforms present, and the index (at the destination only when identical)', () => {
    expect(subjectsOf(passedIndex, [{ label: 'linux/amd64', digest: D(2) }], true)).toEqual([
      { label: 'index', digest: D(1), atDestination: false },
      { label: 'linux/amd64', digest: D(2), atDestination: true },
    ]);
    // A single image missing at the destination: no subject (nothing there could carry its referrers).
    expect(
      subjectsOf(
        failed([{ reason: 'platform-missing', message: 'x' }], [], {
          sourceDigest: D(3),
          destinationDigest: D(9),
        }),
        [],
        false,
      ),
    ).toEqual([]);
    // One subject per digest, when an index lists a manifest twice.
    expect(
      subjectsOf(
        passedIndex,
        [
          { label: 'linux/amd64', digest: D(2) },
          { label: 'linux/amd64/v1', digest: D(2) },
        ],
        true,
      ),
    ).toHaveLength(2);
    const single: Verdict = { ...passedIndex, sourceDigest: D(2) };
    expect(subjectsOf(single, [{ label: 'linux/amd64', digest: D(2) }], false)).toEqual([
      { label: 'linux/amd64', digest: D(2), atDestination: true },
    ]);
  });

  test('which verdicts have their referrers checked', () => {
    expect(checksReferrers(passedIndex)).toBe(true);
    expect(checksReferrers({ ...passedIndex, rule: 'schema1' })).toBe(false);
    const partly = failed([{ reason: 'manifest-missing', message: 'x' }], []);
    const missing = failed([{ reason: 'destination-missing', message: 'x' }], []);
    expect([checksReferrers(partly), checksReferrers(missing)]).toEqual([true, false]);
  });

  test('all arrived: passed, with what arrived in the detail', () => {
    const verdict = withReferrers(
      passedIndex,
      [referrer('ok'), referrer('not-required', { kind: 'sbom' })],
      [],
    );
    expect(verdict).toMatchObject({ status: 'passed', rule: 'platforms', referrers: expect.any(Array) });
    expect(verdict.detail).toMatch(/; 1 signature at the destination as at the source$/);
  });

  test.each([
    [
      'missing',
      {},
      /^signature sha256:555555555555… \(application\/vnd\.dev\.cosign\.artifact\.sig\.v1\+json\) of linux\/amd64 is not at the destination$/,
    ],
    [
      'unlisted',
      {},
      /is at the destination, but the destination's referrers of sha256:222222222222… do not list it/,
    ],
    [
      'tag-moved',
      {
        via: 'cosign-tag' as const,
        tag: 'sha256-2222.sig',
        destinationDigest: D(7),
        artifactType: undefined,
      },
      /^signature sha256:555555555555… \(cosign tag sha256-2222\.sig\) of linux\/amd64: the destination's tag holds sha256:777777777777…$/,
    ],
  ])('%s: failed referrer-missing, naming type, digest and platform', (status, overrides, message) => {
    const verdict = withReferrers(passedIndex, [referrer(status as ReferrerResult['status'], overrides)], []);
    expect(verdict).toMatchObject({ status: 'failed', reason: 'referrer-missing' });
    expect(verdict).not.toHaveProperty('rule');
    if (verdict.status !== 'failed') throw new Error('not failed');
    expect(verdict.findings).toEqual([
      { reason: 'referrer-missing', platform: 'linux/amd64', message: expect.stringMatching(message) },
    ]);
  });

  test('after manifest-missing in precedence, before blob-missing', () => {
    const partly = failed(
      [
        { reason: 'blob-missing', message: 'b' },
        { reason: 'manifest-missing', message: 'm' },
      ],
      [],
    );
    const verdict = withReferrers(partly, [referrer('missing')], []);
    expect(verdict.status === 'failed' && verdict.findings.map((finding) => finding.reason)).toEqual([
      'manifest-missing',
      'referrer-missing',
      'blob-missing',
    ]);
  });

  test('referrers of a replaced index: a warning, the line still passes', () => {
    const verdict = withReferrers(
      passedIndex,
      [
        referrer('not-carried', { subject: 'index', subjectDigest: D(1) }),
        referrer('not-carried', { subject: 'index', subjectDigest: D(1), kind: 'sbom' }),
      ],
      [],
    );
    expect(verdict.status).toBe('passed');
    expect(verdict.warnings).toEqual([
      expect.stringMatching(
        /^1 signature, 1 SBOM of the source index sha256:111111111111… cannot be carried over/,
      ),
    ]);
  });

  test('a listing that failed is a finding of its own', () => {
    const verdict = withReferrers(
      passedIndex,
      [],
      [{ reason: 'timeout', message: 'source referrers: timed out' }],
    );
    expect(verdict).toMatchObject({ status: 'failed', reason: 'timeout' });
  });
});
