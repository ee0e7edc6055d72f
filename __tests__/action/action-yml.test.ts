// action.yml is what GitHub reads: every input it declares is one the action reads, with the default of the
// one defaults object, and a description.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { DEFAULTS, defaultText, type Setting } from '../../src/config/defaults.js';
import { Input, Output } from '../../src/action/inputs.js';

const action = parse(await readFile(join(import.meta.dirname, '..', '..', 'action.yml'), 'utf8')) as {
  inputs: Record<string, { description?: string; default?: string; required?: boolean }>;
  outputs: Record<string, { description?: string }>;
};

describe('action.yml', () => {
  test('declares exactly the inputs the action reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.values(Input).sort());
  });

  test.each(Object.keys(DEFAULTS) as Setting[])('%s: default as in the defaults object', (setting) => {
    const declared = action.inputs[Input[setting]];
    expect(declared, Input[setting]).toBeDefined();
    expect(String(declared?.default ?? ''), Input[setting]).toBe(defaultText(setting));
  });

  test('every input and output has a description', () => {
    for (const [name, input] of Object.entries(action.inputs))
      expect(input.description?.trim(), name).toBeTruthy();
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.description?.trim(), name).toBeTruthy();
    expect(Object.keys(action.outputs).sort()).toEqual(Object.values(Output).sort());
  });
});

describe('the runtime action.yml declares is the one CI builds and checks the bundle on', () => {
  const root = join(import.meta.dirname, '..', '..');
  test('runs.using node24, .node-version 24, the workflows read .node-version, node24.sh installs 24', async () => {
    const runs = (action as unknown as { runs: { using: string } }).runs;
    expect(runs.using).toBe('node24');
    expect((await readFile(join(root, '.node-version'), 'utf8')).trim()).toBe('24');
    for (const workflow of ['check-dist.yml', 'ci.yml', 'release.yml']) {
      const text = await readFile(join(root, '.github', 'workflows', workflow), 'utf8');
      expect(text, workflow).toMatch(/node-version-file: .*\.node-version/);
    }
    expect(await readFile(join(root, 'scripts', 'node24.sh'), 'utf8')).toMatch(/^version=24\./m);
  });
});
