// The heap governor collects once the used heap has grown its headroom past what the last collection kept.
import { expect, test } from 'vitest';
import { governHeap } from '../../src/engine/heap.js';

test('a heap grown by 100 MB is collected within a few checks; a quiet one is left alone', async () => {
  const heap = governHeap();
  try {
    await new Promise((resolve) => setTimeout(resolve, 600));
    const quiet = heap.collections();
    const held: number[][] = [];
    for (let i = 0; i < 100; i += 1) held.push(new Array(128 * 1024).fill(i));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(heap.collections()).toBeGreaterThan(quiet);
    expect(held.length).toBe(100);
  } finally {
    heap.stop();
  }
});
