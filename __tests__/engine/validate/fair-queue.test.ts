// The share logic of the fair queue: a group (a source registry) gets at most half the jobs while another waits.
import { describe, expect, test } from 'vitest';
import { FairQueue } from '../../../src/engine/validate/fair-queue.js';

describe('FairQueue', () => {
  test('a group gets at most half the jobs while another has work waiting; all of them when alone', () => {
    const items = ['a1', 'a2', 'a3', 'a4', 'a5', 'b1', 'b2', 'b3'];
    const queue = new FairQueue(items, (item) => item[0] as string, 4);
    expect([queue.take(), queue.take(), queue.take(), queue.take()]).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(queue.take()).toBeUndefined();
    queue.done('b1');
    expect(queue.take()).toBe('b3');
    // Nothing of b is waiting any more: a may use every job.
    expect([queue.take(), queue.take()]).toEqual(['a3', 'a4']);
    expect(queue.pending).toBe(1);
  });

  test('input order is kept with a single group', () => {
    const queue = new FairQueue([1, 2, 3], () => 'one', 2);
    expect([queue.take(), queue.take(), queue.take()]).toEqual([1, 2, undefined]);
  });
});
