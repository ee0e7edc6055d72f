// Entries that name their tags by a pattern become one line per tag: each source repository's tag list is read
// once per run, however many entries name it, and matched against each entry's sets. A pattern that matches
// no tag is a failure of its entry (`no-matching-tags`), never silence; a tag list that cannot be read fails
// the entry with the registry's reason.
import { errorVerdict } from '../validate/reasons.js';
import { failed } from '../validate/rules.js';
import type { ImageEntry, PatternEntry, ResolvedEntry, TagPattern, ListEntry } from './entries.js';
import { parseConstraint } from './semver.js';

/** Whether a pattern chooses a tag: one of its sets does (no sets: every tag). */
export function tagMatcher(pattern: TagPattern): (tag: string) => boolean {
  const sets = pattern.sets.map((set) => ({
    ...set,
    semver: set.semver?.constraints.map((constraint) => parseConstraint(constraint, set.semver!.dialect)),
  }));
  if (sets.length === 0) return () => true;
  return (tag) =>
    sets.some(
      (set) =>
        (!set.semver || set.semver.some((satisfies) => satisfies(tag))) &&
        (set.allow.length === 0 || set.allow.some((regex) => regex.test(tag))) &&
        !set.deny.some((regex) => regex.test(tag)),
    );
}

export type ListTags = (registry: string, repository: string, signal?: AbortSignal) => Promise<string[]>;

/** Patterns replaced by their tags, in place; how many tag lists were read. */
export async function expandPatterns(
  entries: readonly ListEntry[],
  listTags: ListTags,
  options: { jobs: number; signal?: AbortSignal },
): Promise<{ entries: ResolvedEntry[]; listings: number }> {
  const patterns = entries.filter((entry): entry is PatternEntry => entry.kind === 'pattern');
  // Read the tag lists a few at a time: one per repository, bounded like the lines.
  const repositories = [
    ...new Set(patterns.map((entry) => `${entry.source.registry} ${entry.source.repository}`)),
  ];
  const results = new Map<string, { tags: string[] } | { error: unknown }>();
  let next = 0;
  const worker = async () => {
    while (next < repositories.length) {
      const [registry, repository] = (repositories[next++] as string).split(' ') as [string, string];
      try {
        results.set(`${registry}/${repository}`, {
          tags: await listTags(registry, repository, options.signal),
        });
      } catch (error) {
        results.set(`${registry}/${repository}`, { error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, repositories.length) }, worker));

  const resolved: ResolvedEntry[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'pattern') {
      resolved.push(entry);
      continue;
    }
    const repository = `${entry.source.registry}/${entry.source.repository}`;
    const listing = results.get(repository) as { tags: string[] } | { error: unknown };
    const base = { line: entry.line, raw: entry.raw, ...(entry.origin ? { origin: entry.origin } : {}) };
    if ('error' in listing) {
      resolved.push({
        kind: 'settled',
        ...base,
        source: repository,
        destination: `${entry.destination.registry}/${entry.destination.repository}`,
        // Interrupted while listing: the entry is skipped as interrupted, like a line never started.
        verdict: options.signal?.aborted
          ? {
              status: 'skipped',
              reason: 'interrupted',
              detail: 'the run was interrupted before the tags of this entry were listed',
              platforms: [],
            }
          : errorVerdict(listing.error, 'source', `${repository} (its tag list)`),
      });
      continue;
    }
    const matches = listing.tags.filter(tagMatcher(entry.pattern));
    if (matches.length === 0) {
      resolved.push({
        kind: 'settled',
        ...base,
        source: repository,
        destination: `${entry.destination.registry}/${entry.destination.repository}`,
        verdict: failed(
          [
            {
              reason: 'no-matching-tags',
              message: `no tag of ${repository} matches ${entry.pattern.described} (${listing.tags.length} tag${listing.tags.length === 1 ? '' : 's'} listed)`,
              brief: `no tag matches ${entry.pattern.described} (${listing.tags.length} tag${listing.tags.length === 1 ? '' : 's'} listed)`,
            },
          ],
          [],
        ),
      });
      continue;
    }
    for (const tag of matches) {
      const image: ImageEntry = {
        kind: 'image',
        line: entry.line,
        raw: `${entry.raw} :${tag}`,
        source: { ...entry.source, tag },
        destination: { ...entry.destination, tag: `${tag}${entry.tagSuffix ?? ''}` },
        origin: { entry: entry.origin?.entry ?? 0, tag },
        ...(entry.overrides ? { overrides: entry.overrides } : {}),
      };
      resolved.push(image);
    }
  }
  return { entries: resolved, listings: repositories.length };
}
