// Links from the job summary to the list file's lines at the commit the run validated:
// <server>/<owner>/<repo>/blob/<sha>/<path>#L<line>. Only inside a workflow run, and only for a list inside the
// workspace (the checkout), since nothing else is in the repository at that commit.
import { isAbsolute, relative, sep } from 'node:path';

export interface RunContext {
  env: NodeJS.ProcessEnv;
  workspace: string;
  listPath: string;
  /** For a pull request: the head commit, where the list's lines are as the author wrote them. */
  pullRequestHeadSha?: string;
}

/**
 * `<server>/<owner>/<repo>/blob/<ref>` when the server, the repository and the ref look like what GitHub sets
 * (values from the environment go into HTML links); undefined otherwise.
 */
function blobBase(
  server: string | undefined,
  repository: string | undefined,
  ref: string,
  refPattern: RegExp,
) {
  const base = (server ?? '').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(base) || !/^[\w.-]+\/[\w.-]+$/.test(repository ?? '') || !refPattern.test(ref))
    return undefined;
  return `${base}/${repository}/blob/${ref}`;
}

/** A function from a line number to its URL, or undefined when there is nothing to link to. */
export function listLineLinks(context: RunContext): ((line: number, file?: string) => string) | undefined {
  const { env } = context;
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_RUN_ID) return undefined;
  // GITHUB_SHA of a pull_request event is the test merge commit; the head commit is what the author pushed.
  const sha = context.pullRequestHeadSha || env.GITHUB_SHA || '';
  const base = blobBase(env.GITHUB_SERVER_URL, env.GITHUB_REPOSITORY, sha, /^[0-9a-f]{40,64}$/);
  if (!base) return undefined;
  const path = relative(context.workspace, context.listPath);
  if (!path || path.startsWith('..') || isAbsolute(path)) return undefined;
  const encoded = path.split(sep).map(encodeURIComponent).join('/');
  // A folder of manifests: the file inside it (a `/`-separated path) follows the folder's.
  return (line, file) =>
    `${base}/${encoded}${file ? `/${file.split('/').map(encodeURIComponent).join('/')}` : ''}#L${line}`;
}

/**
 * Links from reason codes to their section of docs/reasons.md in the action's own repository, at the ref the
 * workflow uses (GITHUB_ACTION_REPOSITORY and GITHUB_ACTION_REF, set when a step `uses: owner/repo@ref`).
 */
export function reasonDocLinks(env: NodeJS.ProcessEnv): ((reason: string) => string) | undefined {
  const base = blobBase(
    env.GITHUB_SERVER_URL,
    env.GITHUB_ACTION_REPOSITORY,
    env.GITHUB_ACTION_REF ?? '',
    /^[\w./-]+$/,
  );
  return base ? (reason) => `${base}/docs/reasons.md#${encodeURIComponent(reason)}` : undefined;
}
