// What every list reader gives the engine, whatever the format the list was written in: one entry per image
// line (or per tag a pattern expands to), with where it came from. The engine never knows which format a
// line came from; only the readers and the failed-list writers do.
import type { PlatformFilter, ReferrerPolicy } from '../../config/settings.js';
import { formatReference, type ImageReference } from '../../registry/reference.js';
import type { Verdict } from '../validate/result.js';
import type { ArchiveContents, ArchivedImage } from '../../archive/images.js';
import type { ArchiveMembers } from '../../archive/members.js';

export type { ListFormat } from '../../config/settings.js';

/** Where in its file an entry came from, beyond its line. */
export interface EntryOrigin {
  /** The entry's index in the file (regsync `sync[i]`, a hauler image, a Zarf component's image …). */
  entry: number;
  /** The tag a pattern entry expanded to, or the tag an entry lists among several. */
  tag?: string;
}

/** Settings one entry changes for itself (a regsync entry's platforms and referrers, a Zarf architecture). */
export interface EntryOverrides {
  filter?: PlatformFilter;
  referrers?: ReferrerPolicy;
  /** Platforms given as a whole instead of a filter, said in the verdict (`regsync platform: linux/arm64`). */
  said?: string;
}

/** A workload that names an image: where (`file` inside a folder of manifests) and which (`Deployment shop/web`). */
export interface WorkloadUse {
  line: number;
  workload: string;
  file?: string;
}

interface EntryBase {
  /** 1-based line in the list file: the entry's line (for YAML, the line of the entry or of its tag item). */
  line: number;
  /** For a folder of manifests: the file the line is in, inside the folder (`/`-separated). */
  file?: string;
  /** The line as written, or for YAML formats a one-line description of the entry. */
  raw: string;
  /** For an entry written over several lines (YAML): its first and last line, for changed-only. */
  span?: [number, number];
  /**
   * Kubernetes workloads: every workload that names the image, at its `image:` line (the first is the entry's
   * own line): changed-only selects the image when any of those lines changed, and the report names them all.
   */
  uses?: WorkloadUse[];
  origin?: EntryOrigin;
}

export interface ImageEntry extends EntryBase {
  kind: 'image';
  source: ImageReference;
  destination: ImageReference;
  overrides?: EntryOverrides;
  /** With mirror-config: the rule that sent the image to this destination, and which mirror in pull order. */
  mirror?: string;
  /** With source-archive: the image as the archive carries it, read from there instead of its registry. */
  archived?: ArchivedSource;
}

/** An archived image, and the archive it is read from. */
export interface ArchivedSource {
  image: ArchivedImage;
  members: ArchiveMembers;
  contents: ArchiveContents;
}

/** One way a tag is chosen: it satisfies one semver constraint (when given), one allow pattern (when given), no deny. */
export interface TagSet {
  allow: RegExp[];
  deny: RegExp[];
  /** Semantic-version constraints in the format's dialect (see semver.ts): a tag must satisfy one. */
  semver?: { constraints: string[]; dialect: 'regsync' | 'masterminds' };
}

/** Which of a repository's tags an entry means: matched against the source's tag list, once per repository. */
export interface TagPattern {
  /** A tag is meant when one set chooses it; no set: every tag. */
  sets: TagSet[];
  /** How the entry said it, for messages (`tags allow ^3\.\d+$` …). */
  described: string;
}

/** An entry whose tags come from the source's tag list. */
export interface PatternEntry extends EntryBase {
  kind: 'pattern';
  /** The source repository (no tag). */
  source: { registry: string; repository: string };
  /** The destination of a tag `t` is this with `t`. */
  destination: { registry: string; repository: string };
  pattern: TagPattern;
  /** Added to each tag at the destination (skopeo sync --append-suffix). */
  tagSuffix?: string;
  overrides?: EntryOverrides;
}

/** An entry whose repositories come from the source registry's catalog (regsync `type: registry`). */
export interface RegistryEntry extends EntryBase {
  kind: 'registry';
  source: { registry: string };
  /** The destination of repository `r` is `<registry>/<prefix>r`. */
  destination: { registry: string; prefix: string };
  /** Repositories chosen: one allow (none: every one), no deny; anchored. */
  repos: { allow: RegExp[]; deny: RegExp[] };
  pattern: TagPattern;
  overrides?: EntryOverrides;
}

export interface InvalidEntry extends EntryBase {
  kind: 'invalid';
  reason: string;
}

/** An entry whose verdict is known before any image is compared (a pattern that matched no tag). */
export interface SettledEntry extends EntryBase {
  kind: 'settled';
  source: string | null;
  destination: string | null;
  verdict: Verdict;
}

export type ListEntry = ImageEntry | PatternEntry | RegistryEntry | InvalidEntry | SettledEntry;

/**
 * An entry whose verdict is known before any image is compared (a pattern that matched nothing, an image no
 * mirror covers, a line the archive lacks), keeping where it came from: its line, text, span, origin and uses.
 */
export function settledFrom(
  entry: ListEntry,
  source: string | null,
  destination: string | null,
  verdict: Verdict,
): SettledEntry {
  return {
    kind: 'settled',
    line: entry.line,
    raw: entry.raw,
    ...(entry.file ? { file: entry.file } : {}),
    ...(entry.span ? { span: entry.span } : {}),
    ...(entry.origin ? { origin: entry.origin } : {}),
    ...(entry.uses ? { uses: entry.uses } : {}),
    source,
    destination,
    verdict,
  };
}
/** Entries once patterns are expanded: what the runner validates. */
export type ResolvedEntry = ImageEntry | InvalidEntry | SettledEntry;

/**
 * What a line compares, as one string: lines with the same key are validated once, land in the same shard
 * and share their drift record.
 */
export const pairKey = (source: string, destination: string): string => `${source} ${destination}`;

/** An entry's own settings, as part of what it compares (two entries with other platforms are two checks). */
const overridesKey = (overrides: EntryOverrides | undefined): string =>
  overrides ? ` ${JSON.stringify(overrides)}` : '';

export const comparisonKey = (entry: ImageEntry): string =>
  pairKey(formatReference(entry.source), formatReference(entry.destination)) + overridesKey(entry.overrides);

/** `os/architecture[/variant]` platforms, as an entry's own filter of just those platforms. */
export function platformsFilter(platforms: readonly string[], where: string): PlatformFilter {
  const filter: PlatformFilter = { arch: [], os: [], variant: [] };
  for (const platform of platforms) {
    const [os, architecture, variant] = platform.split('/');
    if (!os || !architecture) throw new Error(`${where}: "${platform}" is not os/architecture[/variant]`);
    if (!filter.os.includes(os)) filter.os.push(os);
    if (!filter.arch.includes(architecture)) filter.arch.push(architecture);
    if (variant && !filter.variant.includes(variant)) filter.variant.push(variant);
  }
  return filter;
}
