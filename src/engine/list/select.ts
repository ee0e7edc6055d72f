// Which lines of the list a run validates: one shard of n, or only the lines a pull request added or changed.
// Pure.
import { createHash } from 'node:crypto';
import type { LineSelection, Shard } from '../../config/settings.js';
import { comparisonKey, type ListEntry } from './entries.js';
import { isComment, splitLines } from './image-list.js';

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

/** A line changed, or for an entry written over several lines (YAML), any of its lines. */
function isChanged(entry: ListEntry, lines: ReadonlySet<number>): boolean {
  if (lines.has(entry.line)) return true;
  if (!entry.span) return false;
  for (let line = entry.span[0]; line <= entry.span[1]; line += 1) if (lines.has(line)) return true;
  return false;
}

/**
 * An entry the change touched, at the line it changed: an image named by several workloads is checked when any
 * of its `image:` lines changed, and reported (annotated) on the first of those, the line the pull request shows.
 */
function changedAt<T extends ListEntry>(entry: T, lines: ReadonlySet<number>): T | undefined {
  if (isChanged(entry, lines)) return entry;
  const use = entry.uses?.find((one) => lines.has(one.line));
  if (use === undefined) return undefined;
  // The entry's span is its first use's: at another use's line, it has none.
  const { span: _span, ...rest } = entry;
  return { ...rest, line: use.line } as T;
}

/** The entries a selection keeps (in the shard, and changed when changes are given), and how to say so. */
export function selectEntries<T extends ListEntry>(
  entries: readonly T[],
  selection: LineSelection | undefined,
): { entries: readonly T[]; said?: string } {
  if (!selection || (!selection.shard && !selection.changed)) return { entries };
  const { shard, changed } = selection;
  const said = [
    ...(shard ? [`shard ${shard.index}/${shard.count}`] : []),
    ...(changed ? [changed.since] : []),
  ].join(', ');
  return {
    entries: entries.flatMap((entry) => {
      if (shard && !inShard(entry, shard)) return [];
      const kept = changed ? changedAt(entry, changed.lines) : entry;
      return kept ? [kept] : [];
    }),
    said,
  };
}

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
