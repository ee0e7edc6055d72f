// Links from the summary to list lines: built from the workflow run's context, never outside one.
import { describe, expect, test } from 'vitest';
import { listLineLinks, reasonDocLinks } from '../../src/action/links.js';

const sha = 'a'.repeat(40);
const run = {
  GITHUB_ACTIONS: 'true',
  GITHUB_RUN_ID: '42',
  GITHUB_SERVER_URL: 'https://github.example.com/',
  GITHUB_REPOSITORY: 'acme/mirrors',
  GITHUB_SHA: sha,
};

describe('list line links', () => {
  test('server, repository, commit, path inside the workspace, line', () => {
    const link = listLineLinks({ env: run, workspace: '/w', listPath: '/w/lists/air gap#1.txt' });
    expect(link?.(17)).toBe(
      `https://github.example.com/acme/mirrors/blob/${sha}/lists/air%20gap%231.txt#L17`,
    );
  });

  test('a pull request links to its head commit, not the merge commit', () => {
    const head = 'b'.repeat(40);
    const link = listLineLinks({ env: run, workspace: '/w', listPath: '/w/l.txt', pullRequestHeadSha: head });
    expect(link?.(1)).toBe(`https://github.example.com/acme/mirrors/blob/${head}/l.txt#L1`);
  });

  test.each([
    ['outside Actions', { ...run, GITHUB_ACTIONS: undefined }, '/w/l.txt'],
    ['no run id', { ...run, GITHUB_RUN_ID: undefined }, '/w/l.txt'],
    ['no commit', { ...run, GITHUB_SHA: undefined }, '/w/l.txt'],
    ['a commit that is not one', { ...run, GITHUB_SHA: 'main' }, '/w/l.txt'],
    ['a repository with a slash too many', { ...run, GITHUB_REPOSITORY: 'a/b/c' }, '/w/l.txt'],
    ['a server that is not http(s)', { ...run, GITHUB_SERVER_URL: 'javascript:alert(1)' }, '/w/l.txt'],
    ['a list outside the workspace', run, '/elsewhere/l.txt'],
  ])('no link: %s', (_, env, listPath) => {
    expect(listLineLinks({ env, workspace: '/w', listPath })).toBeUndefined();
  });
});

describe('reason links', () => {
  test("to docs/reasons.md in the action's repository at the ref the step uses", () => {
    const link = reasonDocLinks({
      ...run,
      GITHUB_ACTION_REPOSITORY: 'acme/mirror-validate',
      GITHUB_ACTION_REF: 'v1',
    });
    expect(link?.('destination-missing')).toBe(
      'https://github.example.com/acme/mirror-validate/blob/v1/docs/reasons.md#destination-missing',
    );
  });

  test.each([
    ['a local action (uses: ./)', { ...run }],
    ['a ref with a space', { ...run, GITHUB_ACTION_REPOSITORY: 'a/b', GITHUB_ACTION_REF: 'v1 x' }],
  ])('no link: %s', (_, env) => {
    expect(reasonDocLinks(env)).toBeUndefined();
  });
});
