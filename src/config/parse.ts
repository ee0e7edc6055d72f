// Value parsers shared by the action's inputs and the command line's flags.
// Each throws an Error whose message names the setting (`input "jobs"`, `--arch`, …) and the bad value.
import type { Credential } from '../registry/credentials.js';
import {
  COSIGN_KINDS,
  DEFAULT_SYNC_OPTIONS,
  MIRROR_POLICIES,
  type MirrorSettings,
  type ReferrerKind,
  type ReferrerPolicy,
  type Shard,
  type SyncOptions,
} from './settings.js';
import { JOBS_MAX, JOBS_MIN } from './defaults.js';

export function parseJobs(text: string, name: string): number {
  const trimmed = text.trim();
  const jobs = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(jobs) || jobs < JOBS_MIN || jobs > JOBS_MAX) {
    throw new Error(`${name} must be a whole number from ${JOBS_MIN} to ${JOBS_MAX}, not "${text}"`);
  }
  return jobs;
}

/** A comma- or space-separated list; empty only when allowed. */
export function parseList(text: string, name: string, { allowEmpty = false } = {}): string[] {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0 && !allowEmpty) throw new Error(`${name} must name at least one value`);
  for (const item of items) {
    if (!/^[A-Za-z0-9._-]+$/.test(item)) throw new Error(`${name} has an invalid value "${item}"`);
  }
  return items;
}

/** Registry hosts (`host[:port]`, no scheme or path), comma- or space-separated; may be empty. */
export function parseRegistries(text: string, name: string): string[] {
  const items = text.split(/[\s,]+/).filter((item) => item.length > 0);
  for (const item of items) {
    if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(item))
      throw new Error(
        `${name} must list registry hosts (host or host:port, no scheme or path), not "${item}"`,
      );
  }
  return items.map((item) => item.toLowerCase());
}

// The words @actions/core's getBooleanInput accepts (YAML 1.2's core schema); the command line takes the same.
const TRUE_WORDS = new Set(['true', 'True', 'TRUE']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE']);

export function parseBoolean(text: string, name: string): boolean {
  const word = text.trim();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw new Error(`${name} must be true or false, not "${text}"`);
}

export function parsePositiveSeconds(text: string, name: string): number {
  const trimmed = text.trim();
  const seconds = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(seconds > 0)) throw new Error(`${name} must be a positive number of seconds, not "${text}"`);
  return seconds;
}

export function parseRetentionDays(text: string, name: string): number {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) > 90)
    throw new Error(`${name} must be a whole number from 0 to 90, not "${text}"`);
  return Number(trimmed);
}

export function parseShard(text: string, name: string): Shard | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const match = /^(\d+)\s*\/\s*(\d+)$/.exec(trimmed);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count || count > 256) {
    throw new Error(`${name} must be i/n with 1 ≤ i ≤ n ≤ 256 (for example 2/4), not "${text}"`);
  }
  return { index, count };
}

/** A user and a password, given together or not at all. */
export function parseCredential(
  username: string | undefined,
  password: string | undefined,
  names: { username: string; password: string },
): Credential | undefined {
  if (!username && !password) return undefined;
  if (!username || !password) throw new Error(`${names.username} and ${names.password} go together`);
  return { username, password };
}

// A media type's two parts (RFC 6838 section 4.2 restricted names), parameters not allowed.
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

/** `ignore`, `require`, or a comma list of cosign kinds (`sig`, `att`, `sbom`) and artifact types. */
export function parseReferrers(text: string, name: string): ReferrerPolicy {
  const items = text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  const word = items.length === 1 ? items[0] : undefined;
  if (word === 'ignore') return { mode: 'ignore' };
  if (word === 'require') return { mode: 'require' };
  const kinds: ReferrerKind[] = [];
  const artifactTypes: string[] = [];
  for (const item of items) {
    const kind = Object.hasOwn(COSIGN_KINDS, item) ? COSIGN_KINDS[item] : undefined;
    if (kind) {
      if (!kinds.includes(kind)) kinds.push(kind);
    } else if (MEDIA_TYPE.test(item)) {
      if (!artifactTypes.includes(item)) artifactTypes.push(item);
    } else {
      throw new Error(
        `${name} must be ignore, require, or a comma list of sig, att, sbom and artifact types (type/subtype), not "${text}"`,
      );
    }
  }
  if (items.length === 0)
    throw new Error(`${name} must be ignore, require, or a comma list of sig, att, sbom and artifact types`);
  return { mode: 'list', kinds, artifactTypes };
}

/** `--scoped --all --append-suffix=-mirror --override-arch arm64`, as skopeo takes them. */
export function parseSyncOptions(text: string, name: string): SyncOptions {
  const options: SyncOptions = { ...DEFAULT_SYNC_OPTIONS };
  const words = text.split(/\s+/).filter(Boolean);
  for (let at = 0; at < words.length; at += 1) {
    const word = words[at] as string;
    const [flag, inline] = word.split(/=(.*)/s) as [string, string | undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      at += 1;
      const next = words[at];
      if (next === undefined) throw new Error(`${name}: ${flag} needs a value`);
      return next;
    };
    if (flag === '--scoped') options.scoped = true;
    else if (flag === '--all' || flag === '-a') options.all = true;
    else if (flag === '--append-suffix') options.appendSuffix = value();
    else if (flag === '--override-os') options.os = value();
    else if (flag === '--override-arch') options.arch = value();
    else if (flag === '--override-variant') options.variant = value();
    else if (['--src', '-s', '--dest', '-d'].includes(flag)) value();
    else if (['--keep-going', '--preserve-digests', '--remove-signatures', '--dry-run'].includes(flag))
      continue;
    else
      throw new Error(
        `${name}: "${word}" is not one of skopeo sync's naming options (--scoped, --append-suffix, --all, --override-os, --override-arch, --override-variant)`,
      );
  }
  return options;
}

/** One of the given words, or the error naming the setting and the choices. */
/**
 * mirror-config and mirror-policy: the files or folders the cluster's runtime reads (comma- or line-separated),
 * and which mirrors must hold an image; undefined when no path is given.
 */
export function parseMirrorSettings(
  pathsText: string,
  policyText: string,
  names: { paths: string; policy: string },
  resolvePath: (path: string) => string = (path) => path,
): MirrorSettings | undefined {
  const paths = pathsText
    .split(/[\n,]/)
    .map((path) => path.trim())
    .filter(Boolean);
  const policy = parseChoice(policyText, names.policy, MIRROR_POLICIES) ?? 'first';
  if (paths.length === 0) return undefined;
  return { paths: paths.map(resolvePath), policy };
}

export function parseChoice<T extends string>(
  text: string,
  name: string,
  choices: readonly T[],
): T | undefined {
  const word = text.trim();
  if (!word) return undefined;
  if (!(choices as readonly string[]).includes(word))
    throw new Error(`${name} must be one of ${choices.join(', ')}, not "${text}"`);
  return word as T;
}
