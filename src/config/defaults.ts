// Every setting's default, once: the action's inputs, the command line's flags and its --help read them here,
// and a test holds action.yml to them.

export const DEFAULTS = {
  source: '',
  destination: '',
  arch: 'amd64,arm64',
  os: 'linux,windows',
  variant: '',
  jobs: 10,
  tlsVerify: true,
  insecureRegistries: '',
  caFile: '',
  defaultProject: 'library',
  failedFile: 'mirror-validate-failed.txt',
  reportFile: 'mirror-validate-report.json',
  /** No JUnit XML unless a path is given. */
  junitFile: '',
  provenance: true,
  deep: false,
  requireIdentical: false,
  /** Signatures, attestations and SBOMs are not looked for unless asked. */
  referrers: 'ignore',
  /** Told from the list's content unless given. */
  listFormat: '',
  /** The list's own format unless given. */
  failedFormat: '',
  /** skopeo sync's options as the sync ran (for a skopeo sync list): none. */
  syncOptions: '',
  /** regsync `type: registry` entries read their registry's catalog only when asked. */
  registryCatalog: false,
  /** No mirror configuration: the destination input says where the images must be. */
  mirrorConfig: '',
  /** The first mirror in the cluster's pull order must hold each image. */
  mirrorPolicy: 'first',
  /** Seconds one image may take. */
  imageTimeout: 300,
  /** Seconds the whole run may take (GitHub's job limit is 6 hours). */
  timeout: 21600,
  cache: true,
  cacheDir: '',
  shard: '',
  changedOnly: false,
  failOnError: true,
  annotations: true,
  /** A pull-request comment kept current: off, on-failure or always. */
  comment: 'on-failure',
  /** A tracking issue for the nightly run's drift. */
  driftIssue: false,
  summary: true,
  artifactName: 'mirror-validate-failed',
  retentionDays: 0,
} as const;

export type Setting = keyof typeof DEFAULTS;

/** A default as the text an input or flag would hold. */
export const defaultText = (setting: Setting): string => String(DEFAULTS[setting]);

export const JOBS_MIN = 1;
export const JOBS_MAX = 20;
