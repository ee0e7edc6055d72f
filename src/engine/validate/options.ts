// Engine options, shared by the CLI, the action and the engine.

export interface PlatformFilter {
  /** Architectures to require; an index entry with an empty architecture passes. */
  arch: string[];
  /** Operating systems to require; an index entry with an empty os passes. */
  os: string[];
  /** Variants to require; empty means any. */
  variant: string[];
}

export interface ValidateOptions {
  filter: PlatformFilter;
  /** true: attestation entries of selected platforms that the source has must be at the destination. */
  provenance: boolean;
  /** true: HEAD every config and layer blob of every selected destination platform manifest. */
  deep: boolean;
  /** true: only rule `identical` passes. */
  requireIdentical: boolean;
}

export const DEFAULT_VALIDATE_OPTIONS: ValidateOptions = {
  filter: { arch: ['amd64', 'arm64'], os: ['linux', 'windows'], variant: [] },
  provenance: true,
  deep: false,
  requireIdentical: false,
};
