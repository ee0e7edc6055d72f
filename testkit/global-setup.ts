// One temporary folder per test run: every test's temp folders (and the registries', skopeo's, the artifact
// stand-in's) go under it because TMPDIR points there for the workers and every process they start. At the end
// it is removed, also when tests failed; the run fails if a test left something in it, or anything new
// appeared in the system temp folder beside it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const system = tmpdir();
  const before = new Set(readdirSync(system));
  const root = mkdtempSync(join(system, 'mirror-validate-tests-'));
  process.env.TMPDIR = root;
  return () => {
    const leftInRoot = readdirSync(root);
    rmSync(root, { recursive: true, force: true });
    process.env.TMPDIR = system;
    // Only names like ours: other programs on the machine may use the system temp folder meanwhile.
    const ours = /^(mv-|mirror-validate-|event-|skopeo|registry|tmp-\d)/;
    const leftInSystem = readdirSync(system).filter((name) => !before.has(name) && ours.test(name));
    const problems = [
      ...leftInRoot.map((name) => `left in the run's temp folder: ${name}`),
      ...leftInSystem.map((name) => `left in ${system}: ${name}`),
    ];
    if (problems.length > 0) {
      // Vitest reports an error thrown here but still exits 0: set the status ourselves.
      process.stderr.write(`\ntests did not clean up:\n${problems.join('\n')}\n`);
      process.exitCode = 1;
    }
  };
}
