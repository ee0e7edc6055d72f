// Which lines of the list a run validates: one shard of n, or only the lines a pull request added or changed.
// Pure.
import { createHash } from 'node:crypto';
import type { Shard } from '../../config/parse.js';
import { comparisonKey, isComment, splitLines, type ListEntry } from './image-list.js';

/**
 * The shard a line belongs to: a hash of what it compares (or of its text, for an unreadable line), so a line
 * stays in its shard when others are added, removed or moved, and duplicates land together.
 */
export function shardOf(entry: ListEntry, count: number): number {
  const key = entry.kind === 'image' ? comparisonKey(entry) : entry.raw.trim();
  return (createHash('sha256').update(key).digest().readUInt32BE(0) % count) + 1;
}

export function inShard(entry: ListEntry, shard: Shard): boolean {
  return shardOf(entry, shard.count) === shard.index;
}

/** How a run is narrowed to one shard, as both front doors say it. */
export const shardFilter = (shard: Shard) => ({
  select: (entry: ListEntry) => inShard(entry, shard),
  selection: `shard ${shard.index}/${shard.count}`,
});

/**
 * Line numbers (1-based) of the head version whose text is not in the base version: the lines a change
 * added or edited. Comments and blank lines are never reported; a moved line is not a change.
 */
export function changedLines(baseText: string | undefined, headText: string): Set<number> {
  const base = new Set(
    baseText === undefined
      ? []
      : splitLines(baseText)
          .filter((line) => !isComment(line))
          .map((line) => line.trim().replace(/\s+/g, ' ')),
  );
  const changed = new Set<number>();
  splitLines(headText).forEach((line, index) => {
    if (!isComment(line) && !base.has(line.trim().replace(/\s+/g, ' '))) changed.add(index + 1);
  });
  return changed;
}
