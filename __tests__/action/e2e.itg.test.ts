// The action as GitHub runs it (run() from source; the committed bundle for the first, fullest case): INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and
// GITHUB_WORKSPACE, against real registries and a loopback stand-in of the artifact service.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  startArtifactService,
  runtimeToken,
  unzip,
  type ArtifactService,
} from '../../testkit/artifact-service.js';
import { mirrorIdentical, mirrorRebuilt } from '../../testkit/mirror.js';
import { startRegistry, type TestRegistry } from '../../testkit/registry.js';
import { seedStandardImages } from '../../testkit/seed.js';
import { parseOutputs, runActionFromSource } from './harness.js';
import { startGitHubApi } from '../../testkit/github-api.js';
import { junitErrors } from '../../testkit/junit-schema.js';
import { schemaErrors } from '../../testkit/report-schema.js';
import { nodeRuntimes } from '../../testkit/node.js';

const bundle = join(import.meta.dirname, '..', '..', 'dist', 'index.js');

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
}

async function runStep(
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
  list?: string,
  /** The committed bundle as GitHub runs it (on this Node binary), or run() from source in this process. */
  from: { node: string } | 'source' = 'source',
): Promise<StepRun> {
  // The step's folder holds its workspace and, beside it, the files the runner reads back.
  const stepDir = await mkdtemp(join(tmpdir(), 'mv-step-'));
  const workspace = join(stepDir, 'workspace');
  await mkdir(workspace);
  const outputFile = join(stepDir, 'output');
  const summaryFile = join(stepDir, 'summary');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  if (list !== undefined) await writeFile(join(workspace, 'images.txt'), list);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: workspace,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: workspace,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_REPOSITORY: 'acme/mirrors',
    GITHUB_RUN_ID: '1234',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    RUNNER_TEMP: workspace,
    ...extraEnv,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  const result =
    from !== 'source'
      ? await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(from.node, [bundle], { env, cwd: workspace, timeout: 60_000 }, (error, stdout, stderr) =>
            resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
          );
        })
      : await runActionFromSource(env);
  return {
    ...result,
    outputs: parseOutputs(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    workspace,
  };
}

describe('the action as a workflow step', () => {
  let upstream: TestRegistry;
  let mirror: TestRegistry;
  let artifacts: ArtifactService;
  const workspaces: string[] = [];
  const list = [
    '# mirrored images',
    'upstream/multi mirror/multi 1.0',
    'upstream/attested mirror/attested 1.0',
    'upstream/single-docker mirror/single-docker 1.0',
    'upstream/chart mirror/<chart> 1.0',
    '',
  ].join('\n');

  /** The step's inputs against the test registries, the destination's credentials given as inputs. */
  const mirrorInputs = () => ({
    file: 'images.txt',
    source: upstream.host,
    destination: mirror.host,
    'tls-verify': 'false',
    'insecure-registries': mirror.host,
    'destination-username': mirror.username!,
    'destination-password': mirror.password!,
  });

  beforeAll(async () => {
    [upstream, mirror, artifacts] = await Promise.all([
      startRegistry('plain'),
      startRegistry('token'),
      startArtifactService(),
    ]);
    await seedStandardImages(upstream);
    await mirrorIdentical(upstream, 'upstream/multi:1.0', mirror, 'mirror/multi:1.0');
    await mirrorRebuilt(upstream, 'upstream/attested:1.0', mirror, 'mirror/attested:1.0');
  });
  afterAll(async () => {
    await Promise.all([upstream?.stop(), mirror?.stop(), artifacts?.close()]);
    await Promise.all(workspaces.map((dir) => rm(dirname(dir), { recursive: true, force: true })));
  });

  test.each(nodeRuntimes())(
    'dist/index.js on $name, a failing line: outputs, summary, annotations, artifact bytes, masked password, failed step',
    async (runtime) => {
      const run = await runStep(
        mirrorInputs(),
        { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: `${artifacts.url}/` },
        list,
        { node: runtime.path },
      );
      workspaces.push(run.workspace);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.outputs).toMatchObject({
        total: '4',
        passed: '2',
        failed: '1',
        skipped: '1',
        result: 'failure',
        'failed-file': join(run.workspace, 'mirror-validate-failed.txt'),
        'report-file': join(run.workspace, 'mirror-validate-report.json'),
        // The service numbers the artifacts it was given: this run's is the latest.
        'artifact-id': String(artifacts.artifacts.length),
        'artifact-url': `https://github.com/acme/mirrors/actions/runs/1234/artifacts/${artifacts.artifacts.length}`,
      });
      const failedList = await readFile(join(run.workspace, 'mirror-validate-failed.txt'), 'utf8');
      expect(failedList).toBe('upstream/single-docker mirror/single-docker 1.0\n');
      // The password is masked before anything could print it, and never printed.
      expect(run.stdout).toContain(`::add-mask::${mirror.password}`);
      expect(run.stdout.replace(`::add-mask::${mirror.password}`, '')).not.toContain(mirror.password);
      // Annotations on the list file's lines.
      expect(run.stdout).toMatch(
        /::error title=mirror-validate%3A destination-missing,file=images.txt,line=4::/,
      );
      expect(run.stdout).toMatch(/::warning title=mirror-validate%3A invalid-line,file=images.txt,line=5::/);
      expect(run.stdout).toMatch(/::error::.*1 failed/);
      // The summary: verdict, the failed line, escaped values.
      expect(run.summary).toContain('1 failed, 2 passed, 1 skipped of 4 lines');
      expect(run.summary).toContain('destination-missing');
      expect(run.summary).toContain('&lt;chart&gt;');
      // The summary links the artifact it was written after.
      expect(run.summary).toContain(
        `href="https://github.com/acme/mirrors/actions/runs/1234/artifacts/${artifacts.artifacts.length}"`,
      );
      expect(run.summary).not.toContain('<chart>');
      // The failed line's number links to the list at the run's commit.
      expect(run.summary).toContain(
        '<a href="https://github.com/acme/mirrors/blob/0123456789abcdef0123456789abcdef01234567/images.txt#L4">4</a>',
      );
      // The artifact holds exactly the failed list and the report.
      const artifact = artifacts.artifacts.at(-1)!;
      expect(artifact).toMatchObject({ name: 'mirror-validate-failed', finalized: true });
      const files = unzip(artifact.zip);
      expect([...files.keys()].sort()).toEqual(['mirror-validate-failed.txt', 'mirror-validate-report.json']);
      expect(files.get('mirror-validate-failed.txt')?.toString()).toBe(failedList);
      const report = JSON.parse(files.get('mirror-validate-report.json')!.toString()) as { totals: object };
      expect(schemaErrors(report)).toEqual([]);
      expect(report.totals).toEqual({
        lines: 4,
        passed: 2,
        failed: 1,
        skipped: 1,
        drifted: 0,
        notChecked: 0,
      });
    },
  );

  test.each(nodeRuntimes())(
    'dist/index.js on $name writes its check run and pull-request comment through GITHUB_API_URL',
    async (runtime) => {
      const api = await startGitHubApi();
      try {
        const stepDir = await mkdtemp(join(tmpdir(), 'mv-event-'));
        const eventPath = join(stepDir, 'event.json');
        await writeFile(
          eventPath,
          JSON.stringify({ pull_request: { number: 3, head: { sha: 'c'.repeat(40) } } }),
        );
        const run = await runStep(
          { ...mirrorInputs(), 'github-token': 'ghs_bundletoken0987654321' },
          { GITHUB_API_URL: api.url, GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath },
          list,
          { node: runtime.path },
        );
        workspaces.push(run.workspace);
        await rm(stepDir, { recursive: true, force: true });
        expect(run.code, run.stdout + run.stderr).toBe(1);
        expect(api.checkRuns).toHaveLength(1);
        expect(api.checkRuns[0]!.create).toMatchObject({ head_sha: 'c'.repeat(40), conclusion: 'failure' });
        expect(api.checkRuns[0]!.create.output.annotations).toHaveLength(2);
        expect(api.comments.get(3)).toHaveLength(1);
        expect(run.stdout).not.toMatch(/^::error /m);
        // The token is only ever masked.
        expect(run.stdout.replaceAll('::add-mask::ghs_bundletoken0987654321', '')).not.toContain(
          'ghs_bundletoken0987654321',
        );
      } finally {
        await api.close();
      }
    },
  );

  test('outside Actions the upload is skipped with a notice; fail-on-error false keeps the step green; JUnit XML', async () => {
    const run = await runStep(
      { ...mirrorInputs(), 'fail-on-error': 'false', 'junit-file': 'junit.xml' },
      {},
      list,
    );
    workspaces.push(run.workspace);
    expect(run.code).toBe(0);
    const xml = await readFile(join(run.workspace, 'junit.xml'), 'utf8');
    expect(await junitErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<testsuite name="images.txt" tests="4" failures="1" errors="1" skipped="0"/);
    expect(run.outputs.result).toBe('failure');
    expect(run.outputs['artifact-id']).toBe('');
    expect(run.stdout).toMatch(/::notice::not running in GitHub Actions/);
  });

  test('an upload refused by the service is a warning, the results stay', async () => {
    artifacts.failCreateWith = 400;
    try {
      const run = await runStep(
        mirrorInputs(),
        { ACTIONS_RUNTIME_TOKEN: runtimeToken(), ACTIONS_RESULTS_URL: `${artifacts.url}/` },
        list,
      );
      workspaces.push(run.workspace);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/::warning::artifact upload .* failed/);
      expect(run.outputs.failed).toBe('1');
    } finally {
      artifacts.failCreateWith = undefined;
    }
  });

  test.each([
    [{ jobs: '21' }, /input "jobs" must be a whole number from 1 to 20, not "21"/],
    [{ 'tls-verify': 'maybe' }, /input "tls-verify" must be true or false, not "maybe"/],
    [{ arch: ' , ' }, /input "arch" must name at least one value/],
    [{ file: 'missing.txt' }, /image list "missing.txt" does not exist/],
    [
      { 'failed-file': 'no/such/folder/failed.txt' },
      /input "failed-file": the folder of "[^"]*no\/such\/folder\/failed.txt" does not exist/,
    ],
  ])('bad input %j fails the step naming it', async (bad, message) => {
    const run = await runStep({ file: 'images.txt', destination: mirror.host, ...bad }, {}, 'nginx:1\n');
    workspaces.push(run.workspace);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(message);
    expect(run.outputs.result).toBe('failure');
  });
});
