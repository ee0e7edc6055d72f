// A registry is untrusted input: each way testkit/hostile.ts can be wrong or malicious must fail its line,
// bounded in time and memory, with a clear reason; never a crash, a hang, a pass, or credentials sent where
// they must not go. The hostile registry is HTTPS with its own certificate, trusted through ca-file, with
// tls-verify on; the source is the real distribution registry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runEngine } from '../../src/engine/engine.js';
import { DEFAULT_VALIDATE_OPTIONS } from '../../src/config/settings.js';
import type { FailedLine, LineResult } from '../../src/engine/validate/result.js';
import { startHostileRegistry, type HostileCase, type HostileRegistry } from '../../testkit/hostile.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

let upstream: TestRegistry;
let hostile: HostileRegistry;
let dir: string;
const PASSWORD = 'hostile-test-Password9';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mv-hostile-'));
  upstream = await startRegistry('plain');
  await seedStandardImages(upstream, 'upstream');
  hostile = await startHostileRegistry(dir);
}, 60_000);
afterAll(async () => {
  await hostile?.close();
  await upstream?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One line against one case: its result, how long it took, and everything the run logged. */
async function validate(
  name: HostileCase,
  trust: { caFile?: string; env?: NodeJS.ProcessEnv } = { caFile: hostile.caFile },
) {
  const listFile = join(dir, `${name}.txt`);
  await writeFile(listFile, `upstream/single-oci hostile/${name} 1.0\n`);
  const output: string[] = [];
  const started = Date.now();
  const [result] = (await runEngine(
    {
      listFile,
      source: upstream.host,
      destination: hostile.host,
      defaultProject: 'library',
      options: DEFAULT_VALIDATE_OPTIONS,
      jobs: 2,
      tls: { verify: true, insecureRegistries: [upstream.host], caFile: trust.caFile },
      imageTimeoutMs: 8_000,
      destinationCredential: { username: 'ci', password: PASSWORD },
      env: { HOME: dir, ...trust.env },
    },
    { log: (message) => output.push(message), debug: (message) => output.push(message) },
    async (report) => report.results.toArray(),
  )) as [LineResult];
  const seconds = (Date.now() - started) / 1000;
  return { result, seconds, output: output.join('\n') };
}

const failedWith = (result: LineResult) =>
  result.status === 'failed' ? `${result.reason}: ${result.detail}` : `${result.status}`;

// [case, reason, what the detail must say]
const CASES: [HostileCase, string, RegExp][] = [
  ['big-length', 'invalid-manifest', /exceeds the 4194304-byte limit/],
  ['big-chunked', 'invalid-manifest', /exceeds the 4194304-byte limit/],
  ['endless', 'invalid-manifest', /exceeds the 4194304-byte limit/],
  ['drip', 'timeout', /no verdict within the image timeout of 8 s/],
  // Not inflated: the gzip bytes are read as they are (64 KiB), and are no manifest.
  ['gzip-bomb', 'invalid-manifest', /the manifest is not JSON/],
  ['huge-index', 'invalid-manifest', /exceeds the 4194304-byte limit/],
  ['wide-index', 'invalid-manifest', /an index of 5000 entries \(more than 1000/],
  // Nesting is not followed: the child index is one entry, here of the wrong platform.
  ['nested-index', 'platform-missing', /destination index lacks linux\/arm64/],
  ['redirect-loop', 'unreachable', /too many redirects/],
  ['redirect-to-http', 'tls', /redirected from HTTPS to plain HTTP/],
  ['redirect-to-file', 'unreachable', /refusing to follow .* to a file: address/],
  // The body of a redirect is not read; its connection dropping mid-body is no crash, and the loop is found.
  ['redirect-cut', 'unreachable', /too many redirects/],
  // Nor is a redirect's body waited for: one that never ends does not hold the line.
  ['redirect-stall', 'unreachable', /too many redirects/],
  ['token-silent', 'timeout', /no verdict within the image timeout of 8 s/],
  ['token-html', 'unreachable', /token service .* no JSON/],
  ['token-huge', 'unreachable', /token service of .* answered more than 1 MiB/],
  // A token of no lifetime is used (kept at least 10 s); the line then compares, and the image differs.
  ['token-expires-zero', 'digest-mismatch', /destination has sha256:/],
  ['challenge-garbage', 'auth', /a challenge that cannot be used/],
  ['challenge-no-realm', 'auth', /a challenge that cannot be used/],
  ['challenge-http-realm', 'tls', /refusing to send credentials over plain HTTP/],
  ['retry-after-day', 'rate-limited', /retry after 86400 s/],
  ['retry-after-week', 'rate-limited', /retry after 60480\d s/],
  ['type-mismatch', 'invalid-manifest', /the body is .*index.* but its Content-Type says .*manifest/],
  // A right sha512 header is checked and accepted; the line then compares, and the image differs.
  ['sha512-right', 'digest-mismatch', /destination has sha256:/],
  ['sha512-wrong', 'integrity', /the registry says sha512:.* but the body has sha512:/],
  ['digest-unknown-algorithm', 'integrity', /md5:0+, in an algorithm that cannot be checked/],
  ['huge-headers', 'unreachable', /Header overflow/],
];

describe('hostile registry answers', () => {
  test.each(CASES)('%s: %s', async (name, reason, detail) => {
    const { result, seconds, output } = await validate(name);
    expect(result.status === 'failed' && result.reason, failedWith(result)).toBe(reason);
    expect((result as FailedLine).detail).toMatch(detail);
    // Bounded: the image timeout (8 s) is the longest any case may hold its line.
    expect(seconds).toBeLessThan(20);
    expect(output).not.toContain(PASSWORD);
    expect(hostile.credentialsOverHttp).toEqual([]);
  });
});

describe('trusting a private CA', () => {
  test('SSL_CERT_FILE is trusted like ca-file', async () => {
    const { result } = await validate('sha512-right', { env: { SSL_CERT_FILE: hostile.caFile } });
    expect(failedWith(result)).toMatch(/^digest-mismatch/);
  });

  test('no CA given: the self-signed registry fails tls, naming ca-file and insecure-registries', async () => {
    const { result } = await validate('sha512-right', {});
    expect(failedWith(result)).toMatch(/^tls: .*give its CA with ca-file, or list .* in insecure-registries/);
  });

  test('a ca-file that cannot be read is a configuration error naming it', async () => {
    await expect(validate('sha512-right', { caFile: join(dir, 'missing.pem') })).rejects.toThrow(
      /ca-file ".*missing\.pem" cannot be read/,
    );
  });
});
