// The runner: fetches what the rules need, with bounded concurrency and the fewest requests, and turns every
// list entry into exactly one result. Registry failures of one image are that image's result; every verdict
// comes from the pure rules (rules.ts, reasons.ts).
import { comparisonKey, type ImageEntry, type ResolvedEntry } from '../list/entries.js';
import { deadline } from '../../registry/deadline.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import type { RegistryReader } from '../../registry/reader.js';
import { FairQueue } from './fair-queue.js';
import { SharedHeads } from './shared-heads.js';
import { checkReferrers } from './referrers.js';
import { validateArchived } from './archive-pair.js';
import { LineResults } from './line-results.js';
import type { ValidateOptions } from '../../config/settings.js';
import { validatePair } from './pair.js';
import { timeoutVerdict, unexpectedVerdict } from './reasons.js';
import type { LineIdentity, LineResult, Verdict } from './result.js';

export interface RunnerInput {
  entries: readonly ResolvedEntry[];
  options: ValidateOptions;
  /** Validations at once (the configuration checks the range). */
  jobs: number;
  imageTimeoutMs: number;
  reader: RegistryReader;
  signal?: AbortSignal;
  /** Refines a result as it settles (drift), before it is reported or kept. */
  refine?: (result: LineResult) => LineResult;
  onResult?: (result: LineResult, done: number, total: number) => void;
}

const identityOf = (entry: ResolvedEntry): LineIdentity => ({
  line: entry.line,
  ...(entry.file ? { file: entry.file } : {}),
  raw: entry.raw,
  source:
    entry.kind === 'image' ? formatReference(entry.source) : entry.kind === 'settled' ? entry.source : null,
  destination:
    entry.kind === 'image'
      ? formatReference(entry.destination)
      : entry.kind === 'settled'
        ? entry.destination
        : null,
  ...(entry.origin ? { origin: entry.origin } : {}),
  ...(entry.kind === 'image' && entry.mirror ? { mirror: entry.mirror } : {}),
  ...(entry.uses
    ? { workloads: entry.uses.map((use) => `${use.file ? `${use.file}:` : ''}${use.line} ${use.workload}`) }
    : {}),
});

/** The run's options with what one entry changes for itself (its platforms, its referrers policy). */
const optionsFor = (entry: ImageEntry, options: ValidateOptions): ValidateOptions =>
  entry.overrides
    ? {
        ...options,
        ...(entry.overrides.filter ? { filter: entry.overrides.filter } : {}),
        ...(entry.overrides.referrers ? { referrers: entry.overrides.referrers } : {}),
      }
    : options;

/** Validates every entry; results in input order, one per entry (passed lines spooled, see LineResults). */
export async function validateEntries(input: RunnerInput): Promise<LineResults> {
  const { entries, options, reader } = input;
  const results = new LineResults(entries.length);
  let done = 0;
  const settle = (index: number, verdict: Verdict) => {
    const settled = { ...identityOf(entries[index] as ResolvedEntry), ...verdict } as LineResult;
    const result = input.refine ? input.refine(settled) : settled;
    results.set(index, result);
    done += 1;
    input.onResult?.(result, done, entries.length);
  };

  // Lines with the same source and destination are validated once and reported on each line.
  const pairs = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    if (entry.kind === 'invalid') {
      settle(index, { status: 'skipped', reason: 'invalid-line', detail: entry.reason, platforms: [] });
      return;
    }
    if (entry.kind === 'settled') {
      settle(index, entry.verdict);
      return;
    }
    const key = comparisonKey(entry);
    pairs.set(key, [...(pairs.get(key) ?? []), index]);
  });

  // The abort's reason says why (a signal, the run's timeout), when it was given as an Error.
  const why = () => {
    const reason: unknown = input.signal?.reason;
    return reason instanceof Error && reason.message ? ` (${reason.message})` : '';
  };
  const interrupt = (indexes: number[], detail: string) => {
    for (const index of indexes)
      settle(index, { status: 'skipped', reason: 'interrupted', detail: `${detail}${why()}`, platforms: [] });
  };

  // What each registry will be asked for, in queue order, so its token service can be asked in batches.
  if (reader.plan) {
    const repositories = new Map<string, string[]>();
    for (const indexes of pairs.values()) {
      const entry = entries[indexes[0] as number] as ImageEntry;
      // An archived source is read from the archive: its registry is never asked.
      for (const ref of entry.archived ? [entry.destination] : [entry.source, entry.destination]) {
        const names = repositories.get(ref.registry) ?? [];
        names.push(ref.repository);
        repositories.set(ref.registry, names);
      }
    }
    for (const [registry, names] of repositories) reader.plan(registry, names);
  }

  // Grouped by source registry: a slow upstream may hold at most half the workers while others wait.
  // A source several pairs read is asked for once (see shared-heads.ts).
  const heads = new SharedHeads(
    reader,
    [...pairs.values()]
      .map((indexes) => entries[indexes[0] as number] as ImageEntry)
      .filter((entry) => !entry.archived)
      .map((entry) => entry.source),
  );
  const queue = new FairQueue(
    [...pairs.values()],
    (indexes) => (entries[indexes[0] as number] as ImageEntry).source.registry,
    input.jobs,
  );
  const worker = async () => {
    while (queue.pending > 0) {
      const indexes = queue.take();
      if (!indexes) {
        await queue.changed();
        continue;
      }
      try {
        await validateGroup(indexes);
      } finally {
        queue.done(indexes);
      }
    }
  };
  const validateGroup = async (indexes: number[]) => {
    if (input.signal?.aborted) {
      interrupt(indexes, 'the run was interrupted before this line was validated');
      return;
    }
    const entry = entries[indexes[0] as number] as ImageEntry;
    const timeout = deadline(input.imageTimeoutMs, input.signal);
    let verdict: Verdict;
    try {
      const own = optionsFor(entry, options);
      if (entry.archived) {
        verdict = await validateArchived(
          entry.archived,
          entry.source,
          entry.destination,
          own,
          reader,
          timeout.signal,
        );
      } else {
        const registrySide = {
          head: (ref: ImageReference, signal: AbortSignal) => heads.head(ref, signal),
          reader,
        };
        verdict = await validatePair(
          entry.source,
          entry.destination,
          own,
          reader,
          timeout.signal,
          registrySide,
        );
        verdict = await checkReferrers(verdict, entry.source, entry.destination, own, reader, timeout.signal);
      }
    } catch (error) {
      if (input.signal?.aborted) {
        interrupt(indexes, 'the run was interrupted while this line was being validated');
        return;
      }
      verdict = timeout.expired ? timeoutVerdict(input.imageTimeoutMs) : unexpectedVerdict(error);
    } finally {
      timeout.clear();
      if (!entry.archived) heads.release(entry.source);
    }
    for (const index of indexes) settle(index, verdict);
  };
  try {
    await Promise.all(Array.from({ length: Math.min(input.jobs, Math.max(queue.pending, 1)) }, worker));
  } catch (error) {
    results.close();
    throw error;
  }
  return results;
}
