// The jobs users run the action in, end to end through the action's run() from source: a pull-request check on the lines the
// pull request changed, and a matrix of shards.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseOutputs, runActionFromSource } from './harness.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startArtifactService, runtimeToken, type ArtifactService } from '../../testkit/artifact-service.js';
import { startCacheService, type CacheService } from '../../testkit/cache-service.js';
import { mirrorByApi, mirrorRebuilt } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';

const git = promisify(execFile);
let upstream: TestRegistry;
let mirror: TestRegistry;
let artifacts: ArtifactService;
let scratch: string;
let repo: string;
let baseSha: string;

async function step(inputs: Record<string, string>, env: Record<string, string> = {}) {
  const outputFile = join(scratch, `out-${Date.now()}-${Math.random()}`);
  await writeFile(outputFile, '');
  const all: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: repo,
    GITHUB_WORKSPACE: repo,
    GITHUB_OUTPUT: outputFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/mirrors',
    GITHUB_RUN_ID: '77',
    INPUT_SOURCE: upstream.host,
    INPUT_DESTINATION: mirror.host,
    'INPUT_TLS-VERIFY': 'false',
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) all[`INPUT_${name.toUpperCase()}`] = value;
  const result = await runActionFromSource(all);
  return { ...result, outputs: parseOutputs(await readFile(outputFile, 'utf8')) };
}

beforeAll(async () => {
  [upstream, mirror, artifacts] = await Promise.all([
    startRegistry('plain'),
    startRegistry('plain'),
    startArtifactService(),
  ]);
  await seedStandardImages(upstream);
  for (const name of ['multi', 'attested', 'chart'])
    await mirrorByApi(upstream, `upstream/${name}:1.0`, mirror, `upstream/${name}:1.0`);
  scratch = await mkdtemp(join(tmpdir(), 'mv-jobs-'));
  repo = join(scratch, 'repo');
  await mkdir(repo);
  for (const name of ['multi', 'attested', 'single-oci']) {
    await mirrorRebuilt(upstream, `upstream/${name}:1.0`, mirror, `rebuilt/${name}:1.0`);
  }
  const run = (...args: string[]) => git('git', args, { cwd: repo });
  await run('init', '-q', '-b', 'main');
  await run('config', 'user.email', 'ci@example.com');
  await run('config', 'user.name', 'CI');
  // Base: three lines, one of which (single-docker) is broken at the destination.
  await writeFile(
    join(repo, 'images.txt'),
    '# images\nupstream/multi:1.0\nupstream/single-docker:1.0\nupstream/attested:1.0\n',
  );
  // A folder of manifests: a Deployment and, in a subfolder, a CronJob (its image changes in the head commit).
  await mkdir(join(repo, 'k8s', 'jobs'), { recursive: true });
  await writeFile(join(repo, 'k8s', 'web.yaml'), workload('Deployment', 'web', 'upstream/multi:1.0'));
  await writeFile(
    join(repo, 'k8s', 'jobs', 'nightly.yaml'),
    workload('Job', 'nightly', 'upstream/multi:1.0'),
  );
  await writeFile(join(repo, 'k8s', 'README.md'), 'not a manifest\n');
  await run('add', 'images.txt', 'k8s');
  await run('commit', '-q', '-m', 'base');
  baseSha = (await run('rev-parse', 'HEAD')).stdout.trim();
  // Head: the broken line removed, one line edited (still passing), one added that fails.
  await writeFile(
    join(repo, 'images.txt'),
    '# images\nupstream/multi:1.0\nupstream/chart:1.0\nupstream/single-oci:1.0\n',
  );
  await writeFile(
    join(repo, 'k8s', 'jobs', 'nightly.yaml'),
    workload('Job', 'nightly', 'upstream/single-oci:1.0'),
  );
  await run('commit', '-q', '-am', 'head');
});
afterAll(async () => {
  await Promise.all([upstream?.stop(), mirror?.stop(), artifacts?.close()]);
  await rm(scratch, { recursive: true, force: true });
});

/** A workload naming one image of the upstream, its image: on line 9. */
const workload = (kind: string, name: string, image: string) =>
  `apiVersion: apps/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - image: ${upstream.host}/${image}\n          name: main\n`;

async function event(payload: object) {
  const path = join(scratch, `event-${Date.now()}-${Math.random()}.json`);
  await writeFile(path, JSON.stringify(payload));
  return path;
}

describe('pull-request check (changed-only)', () => {
  test('only the added and changed lines are validated, annotated on their lines; removed lines are not', async () => {
    const result = await step(
      { file: 'images.txt', 'changed-only': 'true' },
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: await event({
          pull_request: { number: 7, base: { sha: baseSha }, head: { sha: 'x' } },
        }),
      },
    );
    expect(result.outputs).toMatchObject({ total: '2', passed: '1', failed: '1', result: 'failure' });
    expect(result.stdout).toMatch(/lines added or changed since [0-9a-f]{12}: 2 of 3 lines/);
    expect(result.stdout).toMatch(
      /::error title=mirror-validate%3A destination-missing,file=images.txt,line=4::upstream\/single-oci/,
    );
    expect(result.stdout).not.toMatch(/single-docker/);
    expect(result.stdout).not.toMatch(/images.txt:2 /);
  });

  test('a folder of manifests: only the images of changed image: lines, annotated on their own file and line', async () => {
    const result = await step(
      { file: 'k8s', 'changed-only': 'true' },
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: await event({
          pull_request: { number: 8, base: { sha: baseSha }, head: { sha: 'x' } },
        }),
      },
    );
    expect(result.outputs).toMatchObject({ total: '1', failed: '1', result: 'failure' });
    expect(result.stdout).toMatch(/lines added or changed since [0-9a-f]{12}: 1 of 2 lines/);
    expect(result.stdout).toMatch(
      /::error title=mirror-validate%3A destination-missing,file=k8s\/jobs\/nightly.yaml,line=9::[0-9.:]+\/upstream\/single-oci:1.0 \(Job nightly\)/,
    );
    // Without changed-only, both files' images, each told by its own file.
    const whole = await step({ file: 'k8s' });
    expect(whole.outputs).toMatchObject({ total: '2', passed: '1', failed: '1' });
    expect(whole.stdout).toMatch(/k8s\/jobs\/nightly.yaml:9 /);
  });

  test('a checkout without the base commit gets a clear message naming fetch-depth', async () => {
    const result = await step(
      { file: 'images.txt', 'changed-only': 'true' },
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: await event({ pull_request: { base: { sha: 'f'.repeat(40) } } }),
      },
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /::error::changed-only needs the pull request's base commit ffffffffffff.*fetch-depth: 0/,
    );
  });

  test('outside a pull request the input is ignored with a notice', async () => {
    const result = await step(
      { file: 'images.txt', 'changed-only': 'true' },
      { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: await event({ ref: 'refs/heads/main' }) },
    );
    expect(result.stdout).toMatch(/::notice::changed-only applies to pull requests; this is a push run/);
    expect(result.outputs.total).toBe('3');
  });
});

describe('sharding', () => {
  test('a matrix of shards covers the list once, each artifact named by its shard', async () => {
    const totals: number[] = [];
    const failedLines: string[] = [];
    for (const shard of ['1/3', '2/3', '3/3']) {
      const result = await step(
        { file: 'images.txt', shard, 'failed-file': `failed-${shard.replace('/', '-of-')}.txt` },
        { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: `${artifacts.url}/` },
      );
      totals.push(Number(result.outputs.total));
      failedLines.push(
        ...(await readFile(join(repo, `failed-${shard.replace('/', '-of-')}.txt`), 'utf8'))
          .split('\n')
          .filter(Boolean),
      );
      if (Number(result.outputs.failed) > 0) {
        expect(artifacts.artifacts.at(-1)?.name).toBe(
          `mirror-validate-failed-shard-${shard.replace('/', '-of-')}`,
        );
      }
    }
    expect(totals.reduce((a, b) => a + b, 0)).toBe(3);
    // The merged failed lists are the failed list of a whole run.
    expect(failedLines).toEqual(['upstream/single-oci:1.0']);
  });
});

describe('on GitHub Enterprise Server', () => {
  test('the artifact upload is a warning: outputs are written and the run does not fail for it', async () => {
    const uploads = artifacts.artifacts.length;
    const result = await step(
      { file: 'images.txt', 'fail-on-error': 'false', 'failed-file': 'failed-ghes.txt' },
      {
        ACTIONS_RUNTIME_TOKEN: runtimeToken(),
        ACTIONS_RESULTS_URL: `${artifacts.url}/`,
        GITHUB_SERVER_URL: 'https://github.acme.internal',
      },
    );
    // A failing line, so an upload is attempted: refused for GHES with a warning, nothing sent.
    expect(result.outputs.failed).toBe('1');
    expect(result.stdout).toMatch(
      /^::warning::artifact upload is not supported on GitHub Enterprise Server \(https:\/\/github\.acme\.internal\); the files stay on disk$/m,
    );
    expect(artifacts.artifacts.length).toBe(uploads);
    expect(result.outputs['artifact-id']).toBe('');
    expect(result.outputs.result).toBe('failure');
    expect(result.code).toBe(0);
    expect(result.stdout).not.toMatch(/^::error::/m);
    expect(await readFile(join(repo, 'failed-ghes.txt'), 'utf8')).toBe('upstream/single-oci:1.0\n');
  });
});

describe('nightly re-run with the cache', () => {
  let cacheService: CacheService;
  beforeAll(async () => {
    cacheService = await startCacheService();
    await writeFile(
      join(repo, 'nightly.txt'),
      'upstream/multi rebuilt/multi 1.0\nupstream/attested rebuilt/attested 1.0\nupstream/single-oci rebuilt/single-oci 1.0\n',
    );
  });
  afterAll(() => cacheService?.close());

  test('the second night restores the cache and makes no manifest GETs to the source', async () => {
    const sourceGets: number[] = [];
    // The same runner temp path each night (as on GitHub's runners), emptied in between: a fresh machine.
    const runnerTemp = await mkdtemp(join(scratch, 'runner-temp-'));
    for (const night of [1, 2]) {
      await mkdir(runnerTemp, { recursive: true });
      const result = await step(
        { file: 'nightly.txt', 'report-file': `nightly-${night}.json` },
        {
          RUNNER_TEMP: runnerTemp,
          GITHUB_RUN_ID: String(100 + night),
          ACTIONS_CACHE_SERVICE_V2: 'true',
          ACTIONS_RUNTIME_TOKEN: runtimeToken(String(100 + night)),
          ACTIONS_RESULTS_URL: `${cacheService.url}/`,
        },
      );

      expect(result.outputs.passed, result.stdout).toBe('3');
      const report = JSON.parse(await readFile(join(repo, `nightly-${night}.json`), 'utf8')) as {
        requests: Record<string, { manifestGets: number; cacheHits: number }>;
      };
      sourceGets.push(report.requests[upstream.host]?.manifestGets ?? -1);
      if (night === 2)
        expect(result.stdout).toMatch(/manifest cache restored from mirror-validate-manifests-v1-/);
    }
    expect(sourceGets[0]).toBeGreaterThan(0);
    expect(sourceGets[1]).toBe(0);
    expect(cacheService.entries.filter((entry) => entry.finalized)).toHaveLength(2);
  });
});
