// The action's run() from source, in this process, as the runner would start it: the environment replaced
// for the run (INPUT_*, GITHUB_*), the modules loaded fresh (github.context reads the event when it loads),
// stdout captured, and the exit status @actions/core sets read back.
import { vi } from 'vitest';

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runActionFromSource(env: Record<string, string>): Promise<InProcessRun> {
  const savedEnv = process.env;
  const savedExitCode = process.exitCode;
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  process.env = { ...env };
  process.exitCode = undefined;
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  try {
    vi.resetModules();
    const { run } = await import('../../src/action/main.js');
    await run();
    return { code: Number(process.exitCode ?? 0), stdout: chunks.join(''), stderr: '' };
  } finally {
    stdout.mockRestore();
    process.env = savedEnv;
    process.exitCode = savedExitCode;
  }
}

/** GITHUB_OUTPUT's `name<<DELIMITER` blocks, as the runner reads them. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const match of text.matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm))
    outputs[match[1] as string] = match[3] as string;
  return outputs;
}
