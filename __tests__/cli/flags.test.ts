// The command line's flags and their translation into the engine's configuration, from source.
import { describe, expect, test } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { FLAGS, helpText, parseFlags, UsageError } from '../../src/cli/flags.js';
import { configFromFlags } from '../../src/cli/main.js';
import { redactor } from '../../src/cli/redact.js';

const config = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  configFromFlags(parseFlags(argv), env, '/work');

describe('parseFlags', () => {
  test.each([
    [['-f', 'a.txt'], { file: 'a.txt' }],
    [['-fa.txt'], { file: 'a.txt' }],
    [['--file=a.txt', '--deep'], { file: 'a.txt', deep: true }],
    [['-file', 'a.txt', '-debug'], { file: 'a.txt', debug: true }],
    [['--tls-verify=False'], { 'tls-verify': false }],
    [['--tls-verify=TRUE'], { 'tls-verify': true }],
  ])('%j', (argv, expected) => {
    expect(Object.fromEntries(parseFlags(argv))).toEqual(expected);
  });

  test.each([
    [['a.txt'], /unexpected argument "a.txt"/],
    [['--nope'], /unknown flag "--nope"/],
    [['-f', 'a', '-f', 'b'], /--file is given twice/],
    [['-f'], /--file needs a value/],
    [['--deep=1'], /--deep must be true or false, not "1"/],
  ])('%j is refused', (argv, message) => {
    expect(() => parseFlags(argv)).toThrow(UsageError);
    expect(() => parseFlags(argv)).toThrow(message);
  });
});

describe('configFromFlags', () => {
  test('defaults come from the one defaults object; paths resolve against the working folder', () => {
    const { settings, files } = config(['-f', 'list.txt']);
    expect(files.failedFile).toBe(`/work/${DEFAULTS.failedFile}`);
    expect(settings).toMatchObject({
      listFile: 'list.txt',
      listPath: '/work/list.txt',
      jobs: DEFAULTS.jobs,
      tls: { verify: DEFAULTS.tlsVerify, insecureRegistries: [] },
      defaultProject: DEFAULTS.defaultProject,
      imageTimeoutMs: DEFAULTS.imageTimeout * 1000,
      options: {
        filter: { arch: DEFAULTS.arch.split(','), os: DEFAULTS.os.split(','), variant: [] },
        provenance: DEFAULTS.provenance,
        deep: DEFAULTS.deep,
        requireIdentical: DEFAULTS.requireIdentical,
        referrers: { mode: 'ignore' },
      },
    });
  });

  test('--referrers takes the policy', () => {
    expect(config(['-f', 'l', '--referrers', 'sbom,text/spdx']).settings.options.referrers).toEqual({
      mode: 'list',
      kinds: ['sbom'],
      artifactTypes: ['text/spdx'],
    });
  });

  test('a password from the environment pairs with the user flag', () => {
    expect(
      config(['-f', 'l', '--destination-username', 'robot'], { MIRROR_VALIDATE_DESTINATION_PASSWORD: 'pw' })
        .settings.destinationCredential,
    ).toEqual({ username: 'robot', password: 'pw' });
  });

  test.each([
    [[], /the image list is required/],
    [['-f', 'l', '-j', '0'], /--jobs must be a whole number from 1 to 20/],
    [['-f', 'l', '--shard', '3/2'], /--shard must be i\/n/],
    [['-f', 'l', '--arch', ','], /--arch must name at least one value/],
    [['-f', 'l', '--referrers', 'all'], /--referrers must be ignore, require, or a comma list .* not "all"/],
    [['-f', 'l', '--source-password', 'p'], /--source-username and --source-password go together/],
  ])('%j is refused naming the flag', (argv, message) => {
    expect(() => config(argv)).toThrow(UsageError);
    expect(() => config(argv)).toThrow(message);
  });
});

describe('help', () => {
  test('every flag is listed, with the defaults of the defaults object', () => {
    const text = helpText('9.9.9');
    for (const flag of FLAGS) expect(text).toContain(`--${flag.name}`);
    expect(text).toContain(`(default "${DEFAULTS.arch}")`);
    expect(text).toContain(`(default ${DEFAULTS.jobs})`);
    expect(text).toContain('3 internal error');
  });
});

describe('redactor', () => {
  test('replaces every occurrence of every secret; ignores empty and very short ones', () => {
    const redact = redactor(['hunter2', undefined, '', 'pw']);
    expect(redact('user:hunter2 again hunter2, pw stays')).toBe('user:*** again ***, pw stays');
  });
});

describe('exit statuses', () => {
  test('a crash that is not the user\'s doing exits 3, "internal error", not 2 ("usage")', async () => {
    const { mkdtemp, rm, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runCli, EXIT } = await import('../../src/cli/main.js');
    const dir = await mkdtemp(join(tmpdir(), 'mv-exit-'));
    try {
      // An unreadable line is settled without any registry; printing its progress line breaks.
      await writeFile(join(dir, 'list.txt'), 'Not A Reference!\n');
      let stderr = '';
      const code = await runCli(['-f', 'list.txt'], {
        stdout: () => {
          throw new Error('stdout is gone');
        },
        stderr: (text) => (stderr += text),
        env: { HOME: dir },
        cwd: dir,
      });
      expect(code).toBe(EXIT.internal);
      expect(code).toBe(3);
      expect(stderr).toMatch(/internal error: Error: stdout is gone/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
