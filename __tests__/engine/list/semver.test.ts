// Tag selection by semantic version, in regsync's dialect (regclient internal/semver) and skopeo's
// (Masterminds/semver v3), with the cases written from their documented rules.
import { describe, expect, test } from 'vitest';
import { parseConstraint } from '../../../src/engine/list/semver.js';

const TAGS = [
  '3',
  '3.5.0',
  '3.5.1',
  '3.9',
  '3.10',
  '3.19.1',
  '3.19.1-alpine',
  'v3.20.0',
  '4.0',
  '4.0.0-rc1',
  'latest',
  'edge',
  '1.2.3.4',
];
const chosen = (constraint: string, dialect: 'regsync' | 'masterminds') =>
  TAGS.filter(parseConstraint(constraint, dialect));

describe('regsync semverRange', () => {
  test.each([
    // AND of space-separated terms; missing parts are 0; a prerelease ranks below its release but counts.
    ['>=3.5.1 <4.0', ['3.5.1', '3.9', '3.10', '3.19.1', '3.19.1-alpine', 'v3.20.0', '4.0.0-rc1']],
    ['>=4', ['4.0']],
    ['3.9', ['3.9']],
    ['^3.10', ['3.10', '3.19.1', '3.19.1-alpine', 'v3.20.0', '4.0.0-rc1']],
    ['~3.19', ['3.19.1', '3.19.1-alpine']],
    ['>=1.2.3.4 <1.2.4', ['1.2.3.4']],
  ])('%s', (constraint, expected) => {
    expect(chosen(constraint, 'regsync')).toEqual(expected);
  });
});

describe('skopeo images-by-semver (Masterminds)', () => {
  test.each([
    // A prerelease only when the constraint names one; four parts are no version.
    ['>=3.5.1, <4.0', ['3.5.1', '3.9', '3.10', '3.19.1', 'v3.20.0']],
    ['>= 3.10 || 4.0.0-rc1', ['3.10', '3.19.1', 'v3.20.0', '4.0', '4.0.0-rc1']],
    ['3.x', ['3', '3.5.0', '3.5.1', '3.9', '3.10', '3.19.1', 'v3.20.0']],
    ['3.5 - 3.9', ['3.5.0', '3.5.1', '3.9']],
    ['!=3.9, ~3.9', []],
    ['^4.0.0-rc0', ['4.0', '4.0.0-rc1']],
  ])('%s', (constraint, expected) => {
    expect(chosen(constraint, 'masterminds')).toEqual(expected);
  });

  test('a constraint that cannot be read says which', () => {
    expect(() => parseConstraint('>=three', 'masterminds')).toThrow(
      /constraint ">=three": "three" is not a version/,
    );
  });
});
