// A time limit that lets go once the work is done: it fires on time, follows its parent, and clears.
import { describe, expect, test } from 'vitest';
import { deadline } from '../../src/registry/deadline.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deadline', () => {
  test('expires after its time, with a TimeoutError, and says it expired', async () => {
    const limit = deadline(20);
    expect(limit.signal.aborted).toBe(false);
    await wait(60);
    expect(limit.signal.aborted).toBe(true);
    expect(limit.expired).toBe(true);
    expect((limit.signal.reason as DOMException).name).toBe('TimeoutError');
    limit.clear();
  });

  test("a parent's abort passes on with its reason, and is not an expiry", () => {
    const parent = new AbortController();
    const limit = deadline(10_000, parent.signal);
    parent.abort(new Error('interrupted by SIGTERM'));
    expect(limit.signal.aborted).toBe(true);
    expect(limit.expired).toBe(false);
    expect((limit.signal.reason as Error).message).toBe('interrupted by SIGTERM');
    limit.clear();
  });

  test('a parent already aborted aborts at once', () => {
    const parent = new AbortController();
    parent.abort(new Error('gone'));
    expect(deadline(10_000, parent.signal).signal.aborted).toBe(true);
  });

  test('cleared: never fires, and lets go of its parent', async () => {
    const parent = new AbortController();
    const limit = deadline(20, parent.signal);
    limit.clear();
    await wait(60);
    expect(limit.signal.aborted).toBe(false);
    parent.abort(new Error('later'));
    expect(limit.signal.aborted).toBe(false);
    expect(limit.expired).toBe(false);
  });
});
