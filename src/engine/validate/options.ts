// Engine options, shared by the CLI, the action and the engine.
import { DEFAULTS } from '../../config/defaults.js';

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
