// Pull-request narrowing and sharding: which list lines this step validates, as the run's line selection.
import * as core from '@actions/core';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { LineSelection } from '../config/settings.js';
import { changedLines } from '../engine/list/select.js';
import { manifestFiles } from '../engine/list-file.js';
import type { ActionInputs } from './inputs.js';

const run_ = promisify(execFile);

/**
 * The event that started the run, read when asked (not when the module loads): the runner writes its payload
 * to GITHUB_EVENT_PATH and names it in GITHUB_EVENT_NAME.
 */
export function currentEvent(): {
  name: string;
  pullRequest?: { number?: number; base?: { sha?: string }; head?: { sha?: string } };
} {
  const name = process.env.GITHUB_EVENT_NAME ?? '';
  const path = process.env.GITHUB_EVENT_PATH;
  if (!path) return { name };
  try {
    const payload = JSON.parse(readFileSync(path, 'utf8')) as {
      pull_request?: { number?: number; base?: { sha?: string }; head?: { sha?: string } };
    };
    return { name, pullRequest: payload.pull_request };
  } catch {
    return { name };
  }
}

/** The list as it was at the pull request's base commit; undefined when the file is new there. */
async function baseVersion(workspace: string, baseSha: string, path: string): Promise<string | undefined> {
  try {
    await run_('git', ['cat-file', '-e', `${baseSha}^{commit}`], { cwd: workspace });
  } catch {
    throw new Error(
      `changed-only needs the pull request's base commit ${baseSha.slice(0, 12)}, which this checkout does not have: ` +
        'set fetch-depth: 0 in actions/checkout (or fetch the base branch) before this step',
    );
  }
  try {
    const { stdout } = await run_('git', ['show', `${baseSha}:${path}`], {
      cwd: workspace,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch {
    return undefined; // the list is new in this pull request: every line is a change
  }
}

/** The shard and pull-request narrowing, as the run's line selection. */
export async function selection(
  inputs: ActionInputs,
  workspace: string,
  listPath: string,
): Promise<LineSelection | undefined> {
  let changed: LineSelection['changed'];
  if (inputs.changedOnly && inputs.sourceArchive?.asList) {
    core.notice('changed-only reads the changes of an image list; the source archive is validated whole');
  } else if (inputs.changedOnly) {
    const event = currentEvent();
    const pullRequest = event.pullRequest;
    if (!pullRequest?.base?.sha) {
      core.notice(
        `changed-only applies to pull requests; this is a ${event.name || 'local'} run, so the whole list is validated`,
      );
    } else {
      const relativePath = relative(workspace, listPath);
      const since = `lines added or changed since ${pullRequest.base.sha.slice(0, 12)}`;
      if ((await stat(listPath).catch(() => undefined))?.isDirectory()) {
        // A folder of manifests: each file's changed lines, against that file at the base commit.
        const files = new Map<string, Set<number>>();
        for (const file of await manifestFiles(listPath)) {
          const base = await baseVersion(
            workspace,
            pullRequest.base.sha,
            `${relativePath.split(sep).join('/')}/${file}`,
          );
          files.set(file, changedLines(base, await readFile(join(listPath, file), 'utf8')));
        }
        changed = { lines: new Set(), since, files };
      } else {
        const base = await baseVersion(workspace, pullRequest.base.sha, relativePath);
        changed = { lines: changedLines(base, await readFile(listPath, 'utf8')), since };
      }
    }
  }
  if (!inputs.shard && !changed) return undefined;
  return { ...(inputs.shard ? { shard: inputs.shard } : {}), ...(changed ? { changed } : {}) };
}
