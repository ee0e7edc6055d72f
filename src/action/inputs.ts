// The action's inputs: names in one place, read into a typed object; a bad value throws naming the input.
import * as core from '@actions/core';
import { defaultText, type Setting } from '../config/defaults.js';
import {
  parseBoolean,
  parseCredential,
  parseJobs,
  parseList,
  parsePositiveSeconds,
  parseReferrers,
  parseRegistries,
  parseRetentionDays,
  parseChoice,
  parseShard,
  parseSyncOptions,
  parseMirrorSettings,
} from '../config/parse.js';
import {
  FAILED_FORMATS,
  LIST_FORMATS,
  type FailedFormat,
  type ListFormat,
  type MirrorSettings,
  type Shard,
  type SyncOptions,
  type ValidateOptions,
} from '../config/settings.js';
import type { Credential } from '../registry/credentials.js';

export const Input = {
  file: 'file',
  sourceArchive: 'source-archive',
  source: 'source',
  destination: 'destination',
  arch: 'arch',
  os: 'os',
  variant: 'variant',
  jobs: 'jobs',
  tlsVerify: 'tls-verify',
  insecureRegistries: 'insecure-registries',
  caFile: 'ca-file',
  defaultProject: 'default-project',
  failedFile: 'failed-file',
  reportFile: 'report-file',
  junitFile: 'junit-file',
  provenance: 'provenance',
  deep: 'deep',
  requireIdentical: 'require-identical',
  referrers: 'referrers',
  listFormat: 'list-format',
  failedFormat: 'failed-format',
  syncOptions: 'sync-options',
  registryCatalog: 'registry-catalog',
  mirrorConfig: 'mirror-config',
  mirrorPolicy: 'mirror-policy',
  imageTimeout: 'image-timeout',
  timeout: 'timeout',
  cacheDir: 'cache-dir',
  cache: 'cache',
  shard: 'shard',
  changedOnly: 'changed-only',
  sourceUsername: 'source-username',
  sourcePassword: 'source-password',
  destinationUsername: 'destination-username',
  destinationPassword: 'destination-password',
  failOnError: 'fail-on-error',
  annotations: 'annotations',
  githubToken: 'github-token',
  comment: 'comment',
  driftIssue: 'drift-issue',
  summary: 'summary',
  artifactName: 'artifact-name',
  retentionDays: 'retention-days',
} as const;

export const Output = {
  total: 'total',
  passed: 'passed',
  failed: 'failed',
  drifted: 'drifted',
  notChecked: 'not-checked',
  skipped: 'skipped',
  failedFile: 'failed-file',
  reportFile: 'report-file',
  artifactId: 'artifact-id',
  artifactUrl: 'artifact-url',
  result: 'result',
} as const;

export interface ActionInputs {
  /** The image list; without one, the source archive's name (every image it carries is a line). */
  file: string;
  /** The archive every line's source is read from, as given (resolved against the workspace by main.ts). */
  sourceArchive?: { path: string; asList: boolean };
  source?: string;
  destination?: string;
  defaultProject: string;
  jobs: number;
  tlsVerify: boolean;
  insecureRegistries: string[];
  caFile?: string;
  imageTimeoutMs: number;
  runTimeoutMs: number;
  cacheDir?: string;
  /** Persist the cache folder between workflow runs with GitHub's cache service. */
  cache: boolean;
  shard?: Shard;
  changedOnly: boolean;
  options: ValidateOptions;
  listFormat?: ListFormat;
  failedFormat?: FailedFormat;
  syncOptions: SyncOptions;
  registryCatalog: boolean;
  /** The cluster's mirror configuration, paths as given (resolved against the workspace by main.ts). */
  mirrors?: MirrorSettings;
  sourceCredential?: Credential;
  destinationCredential?: Credential;
  failedFile: string;
  reportFile: string;
  /** Where JUnit XML is written; none when empty. */
  junitFile?: string;
  failOnError: boolean;
  annotations: boolean;
  /** For the check run, the pull-request comment and the drift issue; empty outside a workflow. */
  githubToken: string;
  comment: 'off' | 'on-failure' | 'always';
  driftIssue: boolean;
  summary: boolean;
  artifactName: string;
  retentionDays: number;
}

/** An input's value, trimmed; the default when empty (GitHub passes defaults from action.yml, tests may not). */
function read(setting: Setting): string {
  return core.getInput(Input[setting]).trim() || defaultText(setting);
}

function parsed<T>(setting: Setting, parse: (text: string, label: string) => T): T {
  return parse(read(setting), `input "${Input[setting]}"`);
}

const boolean = (setting: Setting) => parsed(setting, parseBoolean);

/** A token input, masked; not in the defaults object (its default is the workflow's own token). */
function secretInput(name: string): string {
  const value = core.getInput(name).trim();
  if (value) core.setSecret(value);
  return value;
}

function credential(userInput: string, passwordInput: string): Credential | undefined {
  const password = core.getInput(passwordInput);
  if (password) core.setSecret(password);
  return parseCredential(core.getInput(userInput).trim(), password, {
    username: `inputs "${userInput}"`,
    password: `"${passwordInput}"`,
  });
}

export function getInputs(): ActionInputs {
  const listed = core.getInput(Input.file).trim();
  const archive = core.getInput(Input.sourceArchive).trim();
  if (!listed && !archive)
    throw new Error(
      `input "${Input.file}" is required: the image list to validate (or "${Input.sourceArchive}", whose images are then the lines)`,
    );
  return {
    file: listed || archive,
    ...(archive ? { sourceArchive: { path: archive, asList: !listed } } : {}),
    source: read('source') || undefined,
    destination: read('destination') || undefined,
    defaultProject: read('defaultProject'),
    jobs: parsed('jobs', parseJobs),
    tlsVerify: boolean('tlsVerify'),
    insecureRegistries: parsed('insecureRegistries', parseRegistries),
    caFile: read('caFile') || undefined,
    imageTimeoutMs: parsed('imageTimeout', parsePositiveSeconds) * 1000,
    runTimeoutMs: parsed('timeout', parsePositiveSeconds) * 1000,
    cacheDir: read('cacheDir') || undefined,
    cache: boolean('cache'),
    shard: parsed('shard', parseShard),
    changedOnly: boolean('changedOnly'),
    options: {
      filter: {
        arch: parsed('arch', parseList),
        os: parsed('os', parseList),
        variant: parsed('variant', (text, label) => parseList(text, label, { allowEmpty: true })),
      },
      provenance: boolean('provenance'),
      deep: boolean('deep'),
      requireIdentical: boolean('requireIdentical'),
      referrers: parsed('referrers', parseReferrers),
    },
    listFormat: parsed('listFormat', (text, label) => parseChoice(text, label, LIST_FORMATS)),
    failedFormat: parsed('failedFormat', (text, label) => parseChoice(text, label, FAILED_FORMATS)),
    syncOptions: parsed('syncOptions', parseSyncOptions),
    registryCatalog: boolean('registryCatalog'),
    mirrors: parseMirrorSettings(read('mirrorConfig'), read('mirrorPolicy'), {
      paths: `input "${Input.mirrorConfig}"`,
      policy: `input "${Input.mirrorPolicy}"`,
    }),
    sourceCredential: credential(Input.sourceUsername, Input.sourcePassword),
    destinationCredential: credential(Input.destinationUsername, Input.destinationPassword),
    failedFile: read('failedFile'),
    reportFile: read('reportFile'),
    junitFile: read('junitFile') || undefined,
    failOnError: boolean('failOnError'),
    annotations: boolean('annotations'),
    githubToken: secretInput(Input.githubToken),
    comment:
      parsed('comment', (text, label) =>
        parseChoice(text, label, ['off', 'on-failure', 'always'] as const),
      ) ?? 'on-failure',
    driftIssue: boolean('driftIssue'),
    summary: boolean('summary'),
    artifactName: read('artifactName'),
    retentionDays: parsed('retentionDays', parseRetentionDays),
  };
}
