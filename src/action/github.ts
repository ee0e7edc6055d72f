// The GitHub API side of the action, through @actions/github's Octokit: the check run that carries every
// failure as an annotation, the pull-request comment kept current, and the drift issue. Each is optional and
// none fails the step: without the permission (403 "Resource not accessible by integration", as for forks)
// the step says once which permission to add and goes on; a secondary rate limit (403 or 429 with
// retry-after) is waited out twice at most, 60 s at the most each time, then given up with a warning.
import * as core from '@actions/core';
import { getOctokit } from '@actions/github';
import type { RunReport } from '../engine/report.js';
import { checkRunPayloads, commentBody, driftIssueBody, marker } from '../report/github.js';
import { isProblem } from '../report/outcome.js';

type Octokit = ReturnType<typeof getOctokit>;

interface RequestFailure {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

const MAX_WAITS = 2;
const MAX_WAIT_SECONDS = 60;

function retryAfterSeconds(error: RequestFailure): number | undefined {
  if (error.status !== 403 && error.status !== 429) return undefined;
  const header = error.response?.headers?.['retry-after'];
  const limited =
    header !== undefined || /secondary rate limit|rate limit exceeded/i.test(error.message ?? '');
  if (!limited) return undefined;
  const seconds = Number(header ?? MAX_WAIT_SECONDS);
  return Math.min(Number.isFinite(seconds) && seconds >= 0 ? seconds : MAX_WAIT_SECONDS, MAX_WAIT_SECONDS);
}

/** A request, with a secondary rate limit waited out at most twice. */
async function call<T>(request: () => Promise<T>): Promise<T> {
  for (let waits = 0; ; waits += 1) {
    try {
      return await request();
    } catch (error) {
      const seconds = retryAfterSeconds(error as RequestFailure);
      if (seconds === undefined || waits >= MAX_WAITS) throw error;
      core.info(`GitHub API rate limit: waiting ${seconds} s`);
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    }
  }
}

/** A refusal of this token (no permission), as opposed to a rate limit or a fault. */
const refused = (error: unknown) => {
  const failure = error as RequestFailure;
  return (failure.status === 403 || failure.status === 404) && retryAfterSeconds(failure) === undefined;
};

export interface GitHubContext {
  token: string;
  owner: string;
  repo: string;
  headSha: string;
  pullRequest?: number;
  /** `list.txt`, relative to the repository, as annotations and markers name it. */
  path: string;
  shard?: string;
  failOnError: boolean;
  lineLink?: (line: number, file?: string) => string;
  touched?: ReadonlySet<number>;
}

export function githubContext(
  env: NodeJS.ProcessEnv,
  event: { pullRequest?: { number?: number; head?: { sha?: string } } },
  rest: Omit<GitHubContext, 'owner' | 'repo' | 'headSha' | 'pullRequest'>,
): GitHubContext | undefined {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const headSha = event.pullRequest?.head?.sha || env.GITHUB_SHA;
  if (!rest.token || !owner || !repo || !headSha) return undefined;
  return {
    ...rest,
    owner,
    repo,
    headSha,
    ...(event.pullRequest?.number ? { pullRequest: event.pullRequest.number } : {}),
  };
}

/**
 * One check run with every failure and warning annotated, created completed, further annotations added 50 an
 * update. False when the token may not write checks (the caller then annotates with workflow commands).
 */
export async function publishCheckRun(
  octokit: Octokit,
  context: GitHubContext,
  report: RunReport,
): Promise<boolean> {
  const payloads = checkRunPayloads(report, {
    name: `mirror-validate${context.shard ? ` (${context.shard})` : ''}`,
    headSha: context.headSha,
    path: context.path,
    failOnError: context.failOnError,
  });
  let id: number;
  try {
    const created = await call(() =>
      octokit.rest.checks.create({ owner: context.owner, repo: context.repo, ...payloads.create }),
    );
    id = created.data.id;
  } catch (error) {
    if (refused(error)) {
      core.notice(
        'mirror-validate could not create its check run (every failed line annotated): give the workflow `permissions: checks: write`. The first failures are annotated with workflow commands instead.',
      );
      return false;
    }
    core.warning(
      `check run not written: ${(error as Error).message}; annotating with workflow commands instead`,
    );
    return false;
  }
  try {
    for (const update of payloads.updates)
      await call(() =>
        octokit.rest.checks.update({ owner: context.owner, repo: context.repo, check_run_id: id, ...update }),
      );
  } catch (error) {
    core.warning(`check run ${id}: not every annotation was written: ${(error as Error).message}`);
  }
  return true;
}

/** Every page of a listing (100 a page), bounded at 50 pages. */
async function everyPage<T>(list: (page: number) => Promise<{ data: T[] }>): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= 50; page += 1) {
    const { data } = await call(() => list(page));
    all.push(...data);
    if (data.length < 100) break;
  }
  return all;
}

/**
 * The pull request's comment for this list and shard: created when the run fails (or always), updated in place
 * on every run, turned into "passes" when a later run passes; never a second one.
 */
export async function upsertComment(
  octokit: Octokit,
  context: GitHubContext,
  report: RunReport,
  mode: 'off' | 'on-failure' | 'always',
): Promise<void> {
  if (mode === 'off' || context.pullRequest === undefined) return;
  const issue_number = context.pullRequest;
  const tag = marker('comment', context.path, context.shard);
  const failing = report.results.problems().some(isProblem);
  try {
    const comments = await everyPage((page) =>
      octokit.rest.issues.listComments({
        owner: context.owner,
        repo: context.repo,
        issue_number,
        per_page: 100,
        page,
      }),
    );
    const existing = comments.find((comment) => comment.body?.startsWith(tag));
    if (!existing && !failing && mode === 'on-failure') return;
    const body = commentBody(report, {
      marker: tag,
      listFile: context.path,
      lineLink: context.lineLink,
      touched: context.touched,
    });
    if (existing)
      await call(() =>
        octokit.rest.issues.updateComment({
          owner: context.owner,
          repo: context.repo,
          comment_id: existing.id,
          body,
        }),
      );
    else
      await call(() =>
        octokit.rest.issues.createComment({ owner: context.owner, repo: context.repo, issue_number, body }),
      );
  } catch (error) {
    if (refused(error))
      core.notice(
        'mirror-validate could not comment on the pull request: give the workflow `permissions: pull-requests: write`.',
      );
    else core.warning(`pull-request comment not written: ${(error as Error).message}`);
  }
}

/** The nightly tracking issue: opened or updated while the mirror has problems, closed when it is clean. */
export async function syncDriftIssue(
  octokit: Octokit,
  context: GitHubContext,
  report: RunReport,
): Promise<void> {
  const tag = marker('drift', context.path, context.shard);
  const failing = report.results.problems().some(isProblem);
  try {
    const issues = await everyPage((page) =>
      octokit.rest.issues.listForRepo({
        owner: context.owner,
        repo: context.repo,
        state: 'open',
        per_page: 100,
        page,
      }),
    );
    const existing = issues.find((issue) => !issue.pull_request && issue.body?.startsWith(tag));
    if (!failing) {
      if (!existing) return;
      await call(() =>
        octokit.rest.issues.createComment({
          owner: context.owner,
          repo: context.repo,
          issue_number: existing.number,
          body: `The mirror is clean again: every line of \`${context.path}\` passed on ${report.finishedAt}.`,
        }),
      );
      await call(() =>
        octokit.rest.issues.update({
          owner: context.owner,
          repo: context.repo,
          issue_number: existing.number,
          state: 'closed',
        }),
      );
      return;
    }
    const { title, body } = driftIssueBody(report, { marker: tag, listFile: context.path });
    if (existing)
      await call(() =>
        octokit.rest.issues.update({
          owner: context.owner,
          repo: context.repo,
          issue_number: existing.number,
          title,
          body,
        }),
      );
    else
      await call(() => octokit.rest.issues.create({ owner: context.owner, repo: context.repo, title, body }));
  } catch (error) {
    if (refused(error))
      core.notice(
        'mirror-validate could not write its drift issue: give the workflow `permissions: issues: write`.',
      );
    else core.warning(`drift issue not written: ${(error as Error).message}`);
  }
}

/**
 * An Octokit for the API this run's server has (GITHUB_API_URL, read when called: @actions/github's own
 * context reads it once, when the module loads).
 */
export const octokitFor = (token: string, env: NodeJS.ProcessEnv = process.env): Octokit =>
  getOctokit(token, { baseUrl: env.GITHUB_API_URL || 'https://api.github.com' });
