// The settings of a run, as both front doors build them from inputs or flags and the engine receives them:
// value objects only, checked by the parsers (parse.ts) before they get here. Nothing here runs anything.
import type { Credential } from '../registry/credentials.js';
import { DEFAULTS } from './defaults.js';

export interface PlatformFilter {
  /** Architectures to require; an index entry with an empty architecture passes. */
  arch: string[];
  /** Operating systems to require; an index entry with an empty os passes. */
  os: string[];
  /** Variants to require; empty means any. */
  variant: string[];
}

/** What the cosign tag conventions and artifact types sort referrers into (see referrer-rules.ts). */
export const REFERRER_KINDS = ['signature', 'attestation', 'sbom', 'other'] as const;
export type ReferrerKind = (typeof REFERRER_KINDS)[number];

/**
 * Which referrers of a mirrored image must be at the destination: none (`ignore`: none are looked for),
 * every one found at the source (`require`), or those of the kinds and artifact types listed.
 */
export type ReferrerPolicy =
  { mode: 'ignore' } | { mode: 'require' } | { mode: 'list'; kinds: ReferrerKind[]; artifactTypes: string[] };

export interface ValidateOptions {
  filter: PlatformFilter;
  /** true: attestation entries of selected platforms that the source has must be at the destination. */
  provenance: boolean;
  /** true: HEAD every config and layer blob of every selected destination platform manifest. */
  deep: boolean;
  /** true: only rule `identical` passes. */
  requireIdentical: boolean;
  referrers: ReferrerPolicy;
}

const list = (text: string) => text.split(',').filter(Boolean);

/** The options with every setting at its default (config/defaults.ts). */
export const DEFAULT_VALIDATE_OPTIONS: ValidateOptions = {
  filter: { arch: list(DEFAULTS.arch), os: list(DEFAULTS.os), variant: list(DEFAULTS.variant) },
  provenance: DEFAULTS.provenance,
  deep: DEFAULTS.deep,
  requireIdentical: DEFAULTS.requireIdentical,
  referrers: { mode: 'ignore' },
};

/** cosign's tag suffixes, as the policy names them, and the kind each stands for. */
export const COSIGN_KINDS: Record<string, ReferrerKind> = {
  sig: 'signature',
  att: 'attestation',
  sbom: 'sbom',
};

/** A referrers policy as written in an input or flag. */
export function formatReferrers(policy: ReferrerPolicy): string {
  if (policy.mode !== 'list') return policy.mode;
  const names = Object.fromEntries(Object.entries(COSIGN_KINDS).map(([name, kind]) => [kind, name]));
  return [...policy.kinds.map((kind) => names[kind] ?? kind), ...policy.artifactTypes].join(',');
}

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

/**
 * Which lines of the list a run validates, as a value: a line is validated when it is in the shard (if one is
 * given) and among the changed lines (if given).
 */
export interface LineSelection {
  shard?: Shard;
  /**
   * Line numbers a pull request added or changed, and how to say so (`lines added or changed since …`); for a
   * folder of manifests, by file inside the folder (`files`), which the engine turns into the folder's lines.
   */
  changed?: { lines: ReadonlySet<number>; since: string; files?: ReadonlyMap<string, ReadonlySet<number>> };
}

/** TLS per run: hangar's tls-verify, Docker's insecure-registries, and extra CAs. */
export interface TlsSettings {
  /** false: accept self-signed certificates and allow plain HTTP (hangar's flag). */
  verify: boolean;
  /** Registries (`host[:port]`) insecure whatever `verify` says: the only ones credentials reach over HTTP. */
  insecureRegistries: readonly string[];
  /** A PEM bundle trusted besides the system's CAs (SSL_CERT_FILE and NODE_EXTRA_CA_CERTS are read too). */
  caFile?: string;
}

/** The list formats read (told by the content, or forced by list-format). */
export const LIST_FORMATS = [
  'hangar',
  'regsync',
  'skopeo-sync',
  'oc-mirror',
  'hauler',
  'zarf',
  'kubernetes',
  'helm',
  /** No list: every image of the source archive is a line (source-archive without file). */
  'archive',
] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** What the failed file may be written as: the input's own format (the default), or one of these. */
export const FAILED_FORMATS = [...LIST_FORMATS, 'skopeo-copy', 'oc-mapping'] as const;
export type FailedFormat = (typeof FAILED_FORMATS)[number];

/**
 * Why a list cannot have its failures written as `failed`, or undefined when it can: a skopeo sync file names
 * one destination for all its images, and a Zarf package is a package of its own images.
 */
export function failedFormatProblem(list: ListFormat, failed: FailedFormat): string | undefined {
  if ((failed === 'skopeo-sync' || failed === 'zarf') && list !== failed)
    return `failed-format ${failed} needs a ${failed === 'zarf' ? 'Zarf package' : 'skopeo sync file'} as the list, not a ${list} list`;
  return undefined;
}

/** skopeo sync's naming and platform options, as the sync was run (sync-options / --sync-options). */
export interface SyncOptions {
  scoped: boolean;
  appendSuffix: string;
  all: boolean;
  os?: string;
  arch?: string;
  variant?: string;
}

export const DEFAULT_SYNC_OPTIONS: SyncOptions = { scoped: false, appendSuffix: '', all: false };

/**
 * Which mirrors in the cluster's pull order must hold an image: the first (the one the runtime asks first) or
 * every one (regional mirrors kept alike).
 */
export const MIRROR_POLICIES = ['first', 'all'] as const;
export type MirrorPolicy = (typeof MIRROR_POLICIES)[number];

/** The cluster's mirror configuration as the destination of every image (mirror-config). */
export interface MirrorSettings {
  /** Files or folders the runtime reads: a certs.d folder, registries.conf and drop-ins, registries.yaml, mirror sets. */
  paths: string[];
  policy: MirrorPolicy;
}

/** List formats whose images the cluster pulls by the name the list gives: they may be sent by mirror-config. */
export const MIRRORABLE_FORMATS: readonly ListFormat[] = ['hangar', 'kubernetes', 'helm'];

/** Everything a run is told to do. */
export interface RunSettings {
  /** Path of the image list, as the user gave it (used in messages and annotations). */
  listFile: string;
  /** Where to read it, when that differs from listFile (resolved against the workspace or working folder). */
  listPath?: string;
  /** Registry overrides (hangar's --source / --destination). */
  source?: string;
  destination?: string;
  defaultProject: string;
  options: ValidateOptions;
  /** 1–20, checked by the parsers. */
  jobs: number;
  tls: TlsSettings;
  sourceCredential?: Credential;
  destinationCredential?: Credential;
  /** Per-image time budget. */
  imageTimeoutMs: number;
  /** Milliseconds the whole run may take; then the lines not yet finished are `skipped` / `interrupted`. */
  runTimeoutMs?: number;
  /** A folder where manifests fetched by digest are kept across runs (content-addressed, verified on read). */
  cacheDir?: string;
  selection?: LineSelection;
  /** The list's format when it is not to be told from the content. */
  listFormat?: ListFormat;
  /** What the failed file is written as, when not the list's own format. */
  failedFormat?: FailedFormat;
  /** Whether regsync `type: registry` entries may read their source registry's catalog. */
  registryCatalog?: boolean;
  /** For a skopeo sync file: the options the sync ran with. */
  syncOptions?: SyncOptions;
  /**
   * The source of every line is this archive, read in place (no source registry is asked); without a list
   * (`asList`), every image it carries is a line and `listFile` names the archive.
   */
  sourceArchive?: { path: string; name: string; asList: boolean };
  /** The cluster's mirror configuration decides each image's destination (instead of `destination`). */
  mirrors?: MirrorSettings;
  /** Where the Docker config and credential helpers are found; the process's environment by default. */
  env?: NodeJS.ProcessEnv;
}
