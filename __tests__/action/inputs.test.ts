// The action's inputs read the real way: INPUT_* variables, as the runner sets them.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { getInputs } from '../../src/action/inputs.js';

function setInputs(inputs: Record<string, string>) {
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('getInputs', () => {
  test('defaults', () => {
    setInputs({ file: 'images.txt' });
    expect(getInputs()).toMatchObject({
      file: 'images.txt',
      jobs: 10,
      tlsVerify: true,
      defaultProject: 'library',
      failedFile: 'mirror-validate-failed.txt',
      reportFile: 'mirror-validate-report.json',
      failOnError: true,
      annotations: true,
      summary: true,
      artifactName: 'mirror-validate-failed',
      retentionDays: 0,
      imageTimeoutMs: 300_000,
      options: {
        filter: { arch: ['amd64', 'arm64'], os: ['linux', 'windows'], variant: [] },
        provenance: true,
        deep: false,
        requireIdentical: false,
        referrers: { mode: 'ignore' },
      },
    });
  });

  test.each([
    [{ jobs: '1' }, { jobs: 1 }],
    [{ jobs: ' 20 ' }, { jobs: 20 }],
    [{ 'tls-verify': 'FALSE' }, { tlsVerify: false }],
    [{ 'tls-verify': 'False' }, { tlsVerify: false }],
    [
      { 'insecure-registries': 'Harbor.local:8443, 10.0.0.5:5000' },
      { insecureRegistries: ['harbor.local:8443', '10.0.0.5:5000'] },
    ],
    [{ timeout: '600' }, { runTimeoutMs: 600_000 }],
    [{ 'ca-file': 'certs/ca.pem' }, { caFile: 'certs/ca.pem' }],
    [{ deep: 'TRUE' }, { options: { deep: true } }],
    [{ deep: 'True' }, { options: expect.objectContaining({ deep: true }) }],
    [
      { arch: 'amd64, arm64 ,s390x' },
      {
        options: expect.objectContaining({
          filter: expect.objectContaining({ arch: ['amd64', 'arm64', 's390x'] }),
        }),
      },
    ],
    [
      { variant: 'v7' },
      { options: expect.objectContaining({ filter: expect.objectContaining({ variant: ['v7'] }) }) },
    ],
    [
      { source: 'quay.io', destination: 'harbor.local:8443' },
      { source: 'quay.io', destination: 'harbor.local:8443' },
    ],
    [{ 'retention-days': '90' }, { retentionDays: 90 }],
    [{ referrers: 'require' }, { options: expect.objectContaining({ referrers: { mode: 'require' } }) }],
    [
      { referrers: 'sig, att,application/vnd.cncf.notary.signature sig' },
      {
        options: expect.objectContaining({
          referrers: {
            mode: 'list',
            kinds: ['signature', 'attestation'],
            artifactTypes: ['application/vnd.cncf.notary.signature'],
          },
        }),
      },
    ],
    [{ 'image-timeout': '2.5' }, { imageTimeoutMs: 2500 }],
    [
      { 'destination-username': 'robot', 'destination-password': 's3cret' },
      { destinationCredential: { username: 'robot', password: 's3cret' } },
    ],
  ])('%j', (inputs, expected) => {
    setInputs({ file: 'images.txt', ...inputs });
    expect(getInputs()).toMatchObject(expected);
  });

  test.each([
    [{ file: '' }, /input "file" is required/],
    [{ jobs: '0' }, /input "jobs" must be a whole number from 1 to 20, not "0"/],
    [{ jobs: '21' }, /input "jobs" .* not "21"/],
    [{ jobs: 'abc' }, /input "jobs" .* not "abc"/],
    [{ jobs: '2.5' }, /input "jobs" .* not "2.5"/],
    [{ arch: ',' }, /input "arch" must name at least one value/],
    [{ os: 'linux;rm' }, /input "os" has an invalid value "linux;rm"/],
    [{ 'tls-verify': 'maybe' }, /input "tls-verify" must be true or false, not "maybe"/],
    [{ provenance: 'yes please' }, /input "provenance" must be true or false/],
    // getBooleanInput's words only (YAML 1.2 core schema): "no", "on", "1" are not booleans here.
    [{ 'tls-verify': 'no' }, /input "tls-verify" must be true or false, not "no"/],
    [{ cache: '1' }, /input "cache" must be true or false, not "1"/],
    [{ 'fail-on-error': '2' }, /input "fail-on-error" must be true or false/],
    [{ 'retention-days': '91' }, /input "retention-days" must be a whole number from 0 to 90/],
    [
      { referrers: 'signatures' },
      /input "referrers" must be ignore, require, or a comma list .* not "signatures"/,
    ],
    [{ referrers: 'ignore,sig' }, /input "referrers" must be ignore, require, or a comma list/],
    [{ referrers: 'sig,application/spdx+json; charset=utf-8' }, /input "referrers" .* not "sig,application/],
    [{ 'image-timeout': '0' }, /input "image-timeout" must be a positive number of seconds/],
    [{ timeout: '-1' }, /input "timeout" must be a positive number of seconds/],
    [
      { 'insecure-registries': 'https://harbor.local' },
      /input "insecure-registries" must list registry hosts .* not "https:\/\/harbor.local"/,
    ],
    [
      { 'insecure-registries': 'harbor.local/project' },
      /input "insecure-registries" must list registry hosts/,
    ],
    [{ 'source-username': 'u' }, /inputs "source-username" and "source-password" go together/],
    [{ 'destination-password': 'p' }, /inputs "destination-username" and "destination-password" go together/],
    [{ 'mirror-policy': 'some' }, /input "mirror-policy" must be one of first, all, not "some"/],
  ])('%j is refused, naming the input', (inputs, message) => {
    setInputs({ file: 'images.txt', ...inputs });
    expect(() => getInputs()).toThrow(message);
  });

  test('the source archive: with no file its images are the lines; with a file, the list is looked up in it', () => {
    setInputs({ file: '', 'source-archive': 'saved-images.zip' });
    expect(getInputs()).toMatchObject({
      file: 'saved-images.zip',
      sourceArchive: { path: 'saved-images.zip', asList: true },
    });
    setInputs({ file: 'images.txt', 'source-archive': 'saved-images.zip' });
    expect(getInputs()).toMatchObject({
      file: 'images.txt',
      sourceArchive: { path: 'saved-images.zip', asList: false },
    });
  });

  test('the cluster mirror configuration: paths by line or comma, and the policy', () => {
    setInputs({
      file: 'k8s',
      'mirror-config': 'cluster/registries.conf\ncluster/registries.conf.d, more.conf',
      'mirror-policy': 'all',
    });
    expect(getInputs().mirrors).toEqual({
      paths: ['cluster/registries.conf', 'cluster/registries.conf.d', 'more.conf'],
      policy: 'all',
    });
    setInputs({ file: 'k8s', 'mirror-config': '', 'mirror-policy': 'first' });
    expect(getInputs().mirrors).toBeUndefined();
  });

  test('passwords are masked as soon as they are read', () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      setInputs({ file: 'images.txt', 'source-username': 'u', 'source-password': 'hunter2-secret' });
      getInputs();
    } finally {
      spy.mockRestore();
    }
    expect(written.join('')).toContain('::add-mask::hunter2-secret');
  });
});
