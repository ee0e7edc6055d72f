// The artifact step's decisions: GHES and a missing service (the run's handling of them: jobs.itg.test.ts).
import { describe, expect, test } from 'vitest';
import { isGhes, uploadResults } from '../../src/action/artifact.js';

describe('artifact upload', () => {
  test.each([
    ['https://github.com', false],
    ['https://acme.ghe.com', false],
    ['https://github.acme.internal', true],
    [undefined, false],
  ])('%s is GHES: %s', (url, expected) => {
    expect(isGhes(url)).toBe(expected);
  });

  test('outside Actions: skipped, saying the files stay on disk', async () => {
    expect(await uploadResults('a', ['/tmp/x'], 0, {})).toMatchObject({
      status: 'skipped',
      message: expect.stringMatching(/stay on disk/),
    });
  });

  // That the run then warns and goes on is held by jobs.itg.test.ts, through the action's run().
  test('on GHES: refused with a message naming the server, before any request', async () => {
    const outcome = await uploadResults('a', ['/tmp/x'], 0, {
      ACTIONS_RUNTIME_TOKEN: 'x',
      ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/',
      GITHUB_SERVER_URL: 'https://github.acme.internal',
    });
    expect(outcome).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/GitHub Enterprise Server/),
    });
  });
});
