// The action's inputs: names in one place, read into a typed object; a bad value throws naming the input.
import * as core from '@actions/core';
import type { Credential } from '../engine/engine.js';
import { parseShard, type Shard } from '../engine/list/select.js';
import { parseBooleanSetting, parseJobs, parseList, parsePositiveSeconds } from '../config/parse.js';
import type { ValidateOptions } from '../engine/validate/options.js';

export const Input = {
  file: 'file',
  source: 'source',
  destination: 'destination',
  arch: 'arch',
  os: 'os',
  variant: 'variant',
  jobs: 'jobs',
  tlsVerify: 'tls-verify',
  defaultProject: 'default-project',
  failedFile: 'failed-file',
  reportFile: 'report-file',
  provenance: 'provenance',
  deep: 'deep',
  requireIdentical: 'require-identical',
  imageTimeout: 'image-timeout',
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
  summary: 'summary',
  artifactName: 'artifact-name',
  retentionDays: 'retention-days',
} as const;

export const Output = {
  total: 'total',
  passed: 'passed',
  failed: 'failed',
  drifted: 'drifted',
  skipped: 'skipped',
  failedFile: 'failed-file',
  reportFile: 'report-file',
  artifactId: 'artifact-id',
  artifactUrl: 'artifact-url',
  result: 'result',
} as const;

export interface ActionInputs {
  file: string;
  source?: string;
  destination?: string;
  defaultProject: string;
  jobs: number;
  tlsVerify: boolean;
  imageTimeoutMs: number;
  cacheDir?: string;
  /** Persist the cache folder between workflow runs with GitHub's cache service. */
  cache: boolean;
  shard?: Shard;
  changedOnly: boolean;
  options: ValidateOptions;
  sourceCredential?: Credential;
  destinationCredential?: Credential;
  failedFile: string;
  reportFile: string;
  failOnError: boolean;
  annotations: boolean;
  summary: boolean;
  artifactName: string;
  retentionDays: number;
}

/** An input's value, trimmed; the default when empty (GitHub passes defaults from action.yml, tests may not). */
function read(name: string, fallback = ''): string {
  return core.getInput(name).trim() || fallback;
}

function checked<T>(name: string, parse: (text: string, label: string) => T, fallback: string): T {
  return parse(read(name, fallback), `input "${name}"`);
}

function credential(userInput: string, passwordInput: string): Credential | undefined {
  const username = read(userInput);
  const password = core.getInput(passwordInput);
  if (password) core.setSecret(password);
  if (!username && !password) return undefined;
  if (!username || !password) throw new Error(`inputs "${userInput}" and "${passwordInput}" go together`);
  return { username, password };
}

export function getInputs(): ActionInputs {
  const file = read(Input.file);
  if (!file) throw new Error(`input "${Input.file}" is required: the image list to validate`);
  const retentionDays = checked(
    Input.retentionDays,
    (text, label) => {
      if (!/^\d+$/.test(text) || Number(text) > 90)
        throw new Error(`${label} must be a whole number from 0 to 90, not "${text}"`);
      return Number(text);
    },
    '0',
  );
  const booleanInput = (name: string, fallback: boolean) =>
    checked(name, parseBooleanSetting, String(fallback));
  return {
    file,
    source: read(Input.source) || undefined,
    destination: read(Input.destination) || undefined,
    defaultProject: read(Input.defaultProject, 'library'),
    jobs: checked(Input.jobs, parseJobs, '10'),
    tlsVerify: booleanInput(Input.tlsVerify, true),
    imageTimeoutMs: checked(Input.imageTimeout, parsePositiveSeconds, '300') * 1000,
    cacheDir: read(Input.cacheDir) || undefined,
    cache: booleanInput(Input.cache, true),
    shard: parseShard(read(Input.shard), `input "${Input.shard}"`),
    changedOnly: booleanInput(Input.changedOnly, false),
    options: {
      filter: {
        arch: checked(Input.arch, parseList, 'amd64,arm64'),
        os: checked(Input.os, parseList, 'linux,windows'),
        variant: parseList(read(Input.variant), `input "${Input.variant}"`, { allowEmpty: true }),
      },
      provenance: booleanInput(Input.provenance, true),
      deep: booleanInput(Input.deep, false),
      requireIdentical: booleanInput(Input.requireIdentical, false),
    },
    sourceCredential: credential(Input.sourceUsername, Input.sourcePassword),
    destinationCredential: credential(Input.destinationUsername, Input.destinationPassword),
    failedFile: read(Input.failedFile, 'mirror-validate-failed.txt'),
    reportFile: read(Input.reportFile, 'mirror-validate-report.json'),
    failOnError: booleanInput(Input.failOnError, true),
    annotations: booleanInput(Input.annotations, true),
    summary: booleanInput(Input.summary, true),
    artifactName: read(Input.artifactName, 'mirror-validate-failed'),
    retentionDays,
  };
}
