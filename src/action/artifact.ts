// Uploads the failed list and the report as a workflow artifact. Never loses a result: outside Actions it
// skips with a notice, on GHES and on any upload error it warns and the step goes on.
import { DefaultArtifactClient } from '@actions/artifact';
import { basename, dirname } from 'node:path';

export type ArtifactOutcome =
  | { status: 'uploaded'; id: number; url: string }
  | { status: 'skipped'; message: string }
  | { status: 'failed'; message: string };

export function isGhes(serverUrl: string | undefined): boolean {
  if (!serverUrl) return false;
  const host = new URL(serverUrl).hostname.toLowerCase();
  return !(host === 'github.com' || host.endsWith('.ghe.com') || host.endsWith('.ghe.localhost'));
}

export async function uploadResults(
  name: string,
  files: string[],
  retentionDays: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ArtifactOutcome> {
  if (!env.ACTIONS_RUNTIME_TOKEN || !env.ACTIONS_RESULTS_URL) {
    return {
      status: 'skipped',
      message: 'not running in GitHub Actions (no artifact service): the failed list and report stay on disk',
    };
  }
  if (isGhes(env.GITHUB_SERVER_URL)) {
    return {
      status: 'failed',
      message: `artifact upload is not supported on GitHub Enterprise Server (${env.GITHUB_SERVER_URL}); the files stay on disk`,
    };
  }
  try {
    // Files share one folder in practice (the workspace); the artifact holds them by their names.
    const root = dirname(files[0] as string);
    const sameFolder = files.every((file) => dirname(file) === root);
    const client = new DefaultArtifactClient();
    const uploaded = await client.uploadArtifact(name, files, sameFolder ? root : '/', {
      ...(retentionDays > 0 ? { retentionDays } : {}),
    });
    if (uploaded.id === undefined)
      return { status: 'failed', message: 'the artifact service returned no artifact id' };
    const url = `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}/artifacts/${uploaded.id}`;
    return { status: 'uploaded', id: uploaded.id, url };
  } catch (error) {
    return {
      status: 'failed',
      message: `artifact upload of ${files.map((file) => basename(file)).join(', ')} failed: ${(error as Error).message}`,
    };
  }
}
