// A loopback stand-in of the part of GitHub's REST API the action writes to, as documented
// (docs.github.com/rest: checks/runs "Create a check run", "Update a check run"; issues/comments "List issue
// comments", "Create an issue comment", "Update an issue comment"; issues "List repository issues", "Create an
// issue", "Update an issue"): it keeps what it was sent, answers as GitHub answers, and can refuse check runs
// with 403 "Resource not accessible by integration" or answer a secondary rate limit (403 with retry-after).
import http from 'node:http';
import { listenOnLoopback } from './listen.js';

export interface GitHubApiOptions {
  /** Check runs refused as a token without `checks: write` is. */
  refuseChecks?: boolean;
  /** How many check-run creations answer a secondary rate limit before one goes through (Infinity: all). */
  rateLimited?: number;
}

export interface CheckRun {
  id: number;
  create: {
    name: string;
    head_sha: string;
    conclusion: string;
    output: { title: string; summary: string; annotations: unknown[] };
  };
  updates: { output: { annotations: unknown[] } }[];
}

export interface GitHubApi {
  url: string;
  /** Every request, as `METHOD path`. */
  requests: string[];
  checkRuns: CheckRun[];
  comments: Map<number, { id: number; body: string }[]>;
  issues: { number: number; title: string; body: string; state: string; comments: string[] }[];
  options: GitHubApiOptions;
  close(): Promise<void>;
}

export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const api: Omit<GitHubApi, 'url' | 'close'> = {
    requests: [],
    checkRuns: [],
    comments: new Map(),
    issues: [],
    options,
  };
  let nextId = 100;
  let limited = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      api.requests.push(`${request.method} ${url.pathname}`);
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>)
        : {};
      const send = (status: number, data: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        response.end(JSON.stringify(data));
      };
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const paged = <T>(items: T[]) => items.slice((page - 1) * perPage, page * perPage);
      let match: RegExpExecArray | null;
      if (request.method === 'POST' && /^\/repos\/[^/]+\/[^/]+\/check-runs$/.test(url.pathname)) {
        if (options.refuseChecks)
          return send(403, {
            message: 'Resource not accessible by integration',
            documentation_url: 'https://docs.github.com/rest/checks/runs#create-a-check-run',
          });
        if (limited < (options.rateLimited ?? 0)) {
          limited += 1;
          return send(
            403,
            {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
            },
            { 'retry-after': '1' },
          );
        }
        const run = { id: nextId++, create: body as unknown as CheckRun['create'], updates: [] };
        api.checkRuns.push(run);
        return send(201, { id: run.id });
      }
      if (
        (match = /^\/repos\/[^/]+\/[^/]+\/check-runs\/(\d+)$/.exec(url.pathname)) &&
        request.method === 'PATCH'
      ) {
        const run = api.checkRuns.find((one) => one.id === Number(match![1]));
        if (!run) return send(404, { message: 'Not Found' });
        run.updates.push(body as CheckRun['updates'][number]);
        return send(200, { id: run.id });
      }
      if ((match = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
        const issue = Number(match[1]);
        const onPull = api.comments.get(issue);
        const onIssue = api.issues.find((one) => one.number === issue);
        if (request.method === 'GET') return send(200, paged(onPull ?? []));
        if (request.method === 'POST') {
          if (onIssue) {
            onIssue.comments.push(String(body.body));
            return send(201, { id: nextId++ });
          }
          const comment = { id: nextId++, body: String(body.body) };
          api.comments.set(issue, [...(onPull ?? []), comment]);
          return send(201, comment);
        }
      }
      if (
        (match = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(url.pathname)) &&
        request.method === 'PATCH'
      ) {
        for (const list of api.comments.values()) {
          const comment = list.find((one) => one.id === Number(match![1]));
          if (comment) {
            comment.body = String(body.body);
            return send(200, comment);
          }
        }
        return send(404, { message: 'Not Found' });
      }
      if (/^\/repos\/[^/]+\/[^/]+\/issues$/.test(url.pathname)) {
        if (request.method === 'GET')
          return send(
            200,
            paged(api.issues.filter((issue) => (url.searchParams.get('state') ?? 'open') === issue.state)),
          );
        if (request.method === 'POST') {
          const issue = {
            number: nextId++,
            title: String(body.title),
            body: String(body.body),
            state: 'open',
            comments: [],
          };
          api.issues.push(issue);
          return send(201, issue);
        }
      }
      if (
        (match = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)$/.exec(url.pathname)) &&
        request.method === 'PATCH'
      ) {
        const issue = api.issues.find((one) => one.number === Number(match![1]));
        if (!issue) return send(404, { message: 'Not Found' });
        Object.assign(issue, body);
        return send(200, issue);
      }
      send(404, { message: `Not Found: ${request.method} ${url.pathname}` });
    });
  });
  const { port, close } = await listenOnLoopback(server);
  return { ...api, url: `http://127.0.0.1:${port}`, close };
}
