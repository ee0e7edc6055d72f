// Runs a node script (the committed bundles) as a separate process, as users and the runner do.
import { execFile } from 'node:child_process';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runNode(
  args: string[],
  options: { cwd: string; env: Record<string, string>; node?: string },
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    execFile(
      options.node ?? 'node',
      args,
      { cwd: options.cwd, env: options.env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
