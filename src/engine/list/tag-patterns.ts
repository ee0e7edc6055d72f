// Entries that name their tags by a pattern become one line per tag: each source repository's tag list is read
// once per run, however many entries name it, and matched against each entry's sets. A pattern that matches
// no tag is a failure of its entry (`no-matching-tags`), never silence; a tag list that cannot be read fails
// the entry with the registry's reason.
import { errorVerdict } from '../validate/reasons.js';
import type { Verdict } from '../validate/result.js';
import { failed } from '../validate/rules.js';
import {
  settledFrom,
  type ImageEntry,
  type ListEntry,
  type PatternEntry,
  type RegistryEntry,
  type ResolvedEntry,
  type SettledEntry,
  type TagPattern,
} from './entries.js';
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
export type ListRepositories = (registry: string, signal?: AbortSignal) => Promise<string[]>;

/** An entry settled before any image is compared, at its destination repository (or prefix). */
const settle = (entry: PatternEntry | RegistryEntry, source: string, verdict: Verdict) =>
  settledFrom(
    entry,
    source,
    entry.kind === 'registry'
      ? `${entry.destination.registry}/${entry.destination.prefix}`
      : `${entry.destination.registry}/${entry.destination.repository}`,
    verdict,
  );

/** Nothing the entry names is there to mirror: a failure of its own (`no-matching-tags`). */
const nothingMatches = (message: string, brief: string): Verdict =>
  failed([{ reason: 'no-matching-tags', message, brief }], []);

/** A failed or interrupted entry whose repositories or tags could not be listed. */
function listingFailed(
  entry: PatternEntry | RegistryEntry,
  what: string,
  error: unknown,
  signal: AbortSignal | undefined,
): SettledEntry {
  return settle(
    entry,
    what,
    // Interrupted while listing: the entry is skipped as interrupted, like a line never started.
    signal?.aborted
      ? {
          status: 'skipped',
          reason: 'interrupted',
          detail: 'the run was interrupted before the tags of this entry were listed',
          platforms: [],
        }
      : errorVerdict(error, 'source', `${what} (its ${entry.kind === 'registry' ? 'catalog' : 'tag list'})`),
  );
}

/**
 * Registry entries become one pattern entry per repository of the source's catalog that `repos` chooses: each
 * catalog read once. None chosen fails the entry `no-matching-tags` (nothing would be mirrored for it).
 */
async function expandRegistries(
  entries: readonly ListEntry[],
  listRepositories: ListRepositories | undefined,
  signal: AbortSignal | undefined,
): Promise<(ListEntry & { kind: Exclude<ListEntry['kind'], 'registry'> })[]> {
  const catalogs = new Map<string, Promise<string[]>>();
  const expanded: (ListEntry & { kind: Exclude<ListEntry['kind'], 'registry'> })[] = [];
  for (const entry of entries) {
    if (entry.kind !== 'registry') {
      expanded.push(entry);
      continue;
    }
    if (!listRepositories) throw new Error('a registry entry needs the registry catalog');
    let catalog = catalogs.get(entry.source.registry);
    if (!catalog) {
      catalog = listRepositories(entry.source.registry, signal);
      catalog.catch(() => undefined);
      catalogs.set(entry.source.registry, catalog);
    }
    let repositories: string[];
    try {
      repositories = await catalog;
    } catch (error) {
      expanded.push(listingFailed(entry, entry.source.registry, error, signal));
      continue;
    }
    const chosen = repositories.filter(
      (name) =>
        (entry.repos.allow.length === 0 || entry.repos.allow.some((regex) => regex.test(name))) &&
        !entry.repos.deny.some((regex) => regex.test(name)),
    );
    if (chosen.length === 0) {
      expanded.push(
        settle(
          entry,
          entry.source.registry,
          nothingMatches(
            `no repository of ${entry.source.registry}'s catalog matches repos ${entry.repos.allow.map(String).join(' ')} (${repositories.length} listed)`,
            `no repository of the catalog matches (${repositories.length} listed)`,
          ),
        ),
      );
      continue;
    }
    for (const repository of chosen)
      expanded.push({
        kind: 'pattern',
        line: entry.line,
        raw: `${entry.raw} ${repository}`,
        ...(entry.span ? { span: entry.span } : {}),
        source: { registry: entry.source.registry, repository },
        destination: {
          registry: entry.destination.registry,
          repository: `${entry.destination.prefix}${repository}`,
        },
        pattern: entry.pattern,
        ...(entry.origin ? { origin: entry.origin } : {}),
        ...(entry.overrides ? { overrides: entry.overrides } : {}),
      });
  }
  return expanded;
}

/** Patterns replaced by their tags, in place; how many tag lists were read. */
export async function expandPatterns(
  listed: readonly ListEntry[],
  listTags: ListTags,
  options: { jobs: number; signal?: AbortSignal; listRepositories?: ListRepositories },
): Promise<{ entries: ResolvedEntry[]; listings: number }> {
  const entries = await expandRegistries(listed, options.listRepositories, options.signal);
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
    if ('error' in listing) {
      resolved.push(listingFailed(entry, repository, listing.error, options.signal));
      continue;
    }
    const matches = listing.tags.filter(tagMatcher(entry.pattern));
    if (matches.length === 0) {
      const listed = `${listing.tags.length} tag${listing.tags.length === 1 ? '' : 's'} listed`;
      resolved.push(
        settle(
          entry,
          repository,
          nothingMatches(
            `no tag of ${repository} matches ${entry.pattern.described} (${listed})`,
            `no tag matches ${entry.pattern.described} (${listed})`,
          ),
        ),
      );
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
