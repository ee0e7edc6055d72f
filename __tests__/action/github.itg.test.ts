// The action's run() from source against a loopback stand-in of GitHub's REST API (testkit/github-api.ts):
// the check run with every failure annotated, in pages of 50; the pull-request comment kept as one; the 403
// fallback to workflow commands; a secondary rate limit waited out; the drift issue opened, updated, closed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startGitHubApi, type GitHubApi } from '../../testkit/github-api.js';
import { mirrorByApi } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { linux, pushImage } from '../../testkit/seed.js';
import { parseOutputs, runActionFromSource } from './harness.js';

let upstream: TestRegistry;
let mirror: TestRegistry;
let dir: string;
const SHA = 'a'.repeat(40);

beforeAll(async () => {
  [upstream, mirror] = await Promise.all([startRegistry('plain'), startRegistry('plain')]);
  await pushImage(upstream, 'app/web', '1.0', { platform: linux('amd64') });
  await mirrorByApi(upstream, 'app/web:1.0', mirror, 'app/web:1.0');
  dir = await mkdtemp(join(tmpdir(), 'mv-github-'));
  // 120 lines that fail (their destination was never mirrored), and one list that passes.
  await writeFile(
    join(dir, 'failing.txt'),
    Array.from({ length: 120 }, (_, n) => `app/web missing/web-${n} 1.0`).join('\n') + '\n',
  );
  await writeFile(join(dir, 'passing.txt'), 'app/web:1.0\n');
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function step(api: GitHubApi, inputs: Record<string, string>, pullRequest = true) {
  const outputFile = join(dir, `out-${Date.now()}-${Math.random()}`);
  await writeFile(outputFile, '');
  const eventPath = join(dir, `event-${Date.now()}-${Math.random()}.json`);
  await writeFile(
    eventPath,
    JSON.stringify(pullRequest ? { pull_request: { number: 7, head: { sha: SHA } } } : {}),
  );
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_API_URL: api.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/mirrors',
    GITHUB_SHA: 'b'.repeat(40),
    GITHUB_EVENT_NAME: pullRequest ? 'pull_request' : 'schedule',
    GITHUB_EVENT_PATH: eventPath,
    'INPUT_GITHUB-TOKEN': 'ghs_testtoken1234567890',
    INPUT_SOURCE: upstream.host,
    INPUT_DESTINATION: mirror.host,
    'INPUT_TLS-VERIFY': 'false',
    'INPUT_FAIL-ON-ERROR': 'false',
    INPUT_JOBS: '20',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result = await runActionFromSource(env);
  return { ...result, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

describe('the check run', () => {
  test('120 failures: one check run, 120 annotations in three requests, no workflow-command annotations', async () => {
    const api = await startGitHubApi();
    try {
      const result = await step(api, { file: 'failing.txt', comment: 'off' });
      expect(result.outputs.failed).toBe('120');
      expect(api.checkRuns).toHaveLength(1);
      const [run] = api.checkRuns;
      expect(run!.create).toMatchObject({ name: 'mirror-validate', head_sha: SHA, conclusion: 'neutral' });
      expect(run!.create.output.summary).toContain('| `destination-missing` | 120 |');
      const pages = [
        run!.create.output.annotations,
        ...run!.updates.map((update) => update.output.annotations),
      ];
      expect(pages.map((page) => page.length)).toEqual([50, 50, 20]);
      expect(pages.flat()[119]).toMatchObject({
        path: 'failing.txt',
        start_line: 120,
        end_line: 120,
        annotation_level: 'failure',
        title: 'mirror-validate: destination-missing',
      });
      expect(result.stdout).not.toMatch(/^::error /m);
      // The token reaches the log only to be masked.
      expect(result.stdout.split('ghs_testtoken1234567890').length - 1).toBe(
        result.stdout.split('::add-mask::ghs_testtoken1234567890').length - 1,
      );
    } finally {
      await api.close();
    }
  });

  test('403 on check runs: the first failures as workflow commands, and one notice naming the permission', async () => {
    const api = await startGitHubApi({ refuseChecks: true });
    try {
      const result = await step(api, { file: 'failing.txt', comment: 'off' });
      expect(result.stdout.match(/^::error /gm)).toHaveLength(10);
      expect(result.stdout.match(/^::notice::.*permissions: checks: write/gm)).toHaveLength(1);
      expect(result.code).toBe(0);
    } finally {
      await api.close();
    }
  });

  test('a secondary rate limit is waited out, then every annotation is written', async () => {
    const api = await startGitHubApi({ rateLimited: 1 });
    try {
      const started = Date.now();
      await step(api, { file: 'failing.txt', comment: 'off' });
      expect(Date.now() - started).toBeGreaterThan(1000);
      expect(api.checkRuns).toHaveLength(1);
      expect(
        api.requests.filter((request) => request.startsWith('POST') && request.endsWith('/check-runs')),
      ).toHaveLength(2);
    } finally {
      await api.close();
    }
  });

  test('a rate limit that never ends is given up, with a warning, after at most three tries; outputs are written', async () => {
    const api = await startGitHubApi({ rateLimited: Infinity });
    try {
      const result = await step(api, { file: 'failing.txt', comment: 'off' });
      expect(api.requests.filter((request) => request.endsWith('/check-runs'))).toHaveLength(3);
      expect(result.stdout).toMatch(/^::warning::check run not written: .*secondary rate limit/m);
      expect(result.stdout.match(/^::error /gm)).toHaveLength(10);
      expect(result.outputs.failed).toBe('120');
    } finally {
      await api.close();
    }
  }, 20_000);
});

describe('the pull-request comment', () => {
  test('posted on failure, updated in place, turned into "passes"; one comment however many runs', async () => {
    const api = await startGitHubApi();
    try {
      await step(api, { file: 'failing.txt' });
      expect(api.comments.get(7)).toHaveLength(1);
      const first = api.comments.get(7)![0]!;
      expect(first.body).toMatch(
        /^<!-- mirror-validate:comment failing\.txt -->\n### ❌ Mirror validation of `failing\.txt`/,
      );
      await step(api, { file: 'failing.txt' });
      expect(api.comments.get(7)).toHaveLength(1);
      // The same list passing later: the same comment says so.
      await writeFile(join(dir, 'failing.txt.bak'), await readFile(join(dir, 'failing.txt')));
      await writeFile(join(dir, 'failing.txt'), 'app/web:1.0\n');
      await step(api, { file: 'failing.txt' });
      expect(api.comments.get(7)).toHaveLength(1);
      expect(api.comments.get(7)![0]!.body).toMatch(/### ✅ Mirror validation of `failing\.txt` passes/);
      expect(
        api.requests.filter(
          (request) => request.startsWith('PATCH') && request.includes('/issues/comments/'),
        ),
      ).toHaveLength(2);
      await writeFile(join(dir, 'failing.txt'), await readFile(join(dir, 'failing.txt.bak')));
      // A first run that passes posts nothing.
      const quiet = await startGitHubApi();
      try {
        await step(quiet, { file: 'passing.txt' });
        expect(quiet.comments.size).toBe(0);
      } finally {
        await quiet.close();
      }
    } finally {
      await api.close();
    }
  });
});

describe('the drift issue', () => {
  test('opened, updated (still one), then closed with a comment when the mirror is clean', async () => {
    const api = await startGitHubApi();
    try {
      await step(api, { file: 'failing.txt', 'drift-issue': 'true', comment: 'off' }, false);
      expect(api.issues).toHaveLength(1);
      expect(api.issues[0]).toMatchObject({ title: 'Mirror drift: failing.txt', state: 'open' });
      expect(api.issues[0]!.body).toContain('### Broken (120)');
      await step(api, { file: 'failing.txt', 'drift-issue': 'true', comment: 'off' }, false);
      expect(api.issues).toHaveLength(1);
      await writeFile(join(dir, 'failing.txt.bak2'), await readFile(join(dir, 'failing.txt')));
      await writeFile(join(dir, 'failing.txt'), 'app/web:1.0\n');
      await step(api, { file: 'failing.txt', 'drift-issue': 'true', comment: 'off' }, false);
      await writeFile(join(dir, 'failing.txt'), await readFile(join(dir, 'failing.txt.bak2')));
      expect(api.issues).toHaveLength(1);
      expect(api.issues[0]!.state).toBe('closed');
      expect(api.issues[0]!.comments).toEqual([
        expect.stringMatching(/^The mirror is clean again: every line of `failing\.txt` passed/),
      ]);
    } finally {
      await api.close();
    }
  });
});
