// The failed list and the JSON report: what both the action and the command line write, always.
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RunReport } from '../engine.js';
import type { LineResult } from '../validate/result.js';

/** hangar's failed-list format: the raw failing lines in input order, so the file can be fed back to a mirror. */
export function formatFailedList(results: readonly LineResult[]): string {
  const lines = results.filter((result) => result.status === 'failed').map((result) => result.raw.trim());
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function buildJsonReport(report: RunReport) {
  return {
    version: 1,
    listFile: report.listFile,
    selection: report.selection ?? null,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    source: report.source ?? null,
    destination: report.destination ?? null,
    options: report.options,
    totals: report.totals,
    results: report.results.map((result) => ({
      line: result.line,
      raw: result.raw,
      source: result.source ?? null,
      destination: result.destination ?? null,
      status: result.status,
      ...(result.status === 'passed' ? { rule: result.rule } : { reason: result.reason }),
      detail: result.detail,
      ...(result.status === 'failed' ? { findings: result.findings } : {}),
      ...(result.status !== 'skipped' && result.sourceDigest ? { sourceDigest: result.sourceDigest } : {}),
      ...(result.status !== 'skipped' && result.destinationDigest
        ? { destinationDigest: result.destinationDigest }
        : {}),
      ...(result.status === 'failed' && result.registry ? { registry: result.registry } : {}),
      ...(result.status === 'failed' && result.drift ? { drift: result.drift } : {}),
      platforms: result.status === 'skipped' ? [] : result.platforms,
    })),
    requests: report.requests,
  };
}

/** Fails early, naming the setting, when a result file could not be written where asked. */
export async function checkWritable(path: string, setting: string): Promise<void> {
  const folder = dirname(resolve(path));
  let info;
  try {
    info = await stat(folder);
  } catch {
    throw new Error(`${setting}: the folder of "${path}" does not exist (${folder})`);
  }
  if (!info.isDirectory()) throw new Error(`${setting}: "${folder}" is not a folder`);
  try {
    await access(folder, constants.W_OK);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new Error('is a folder');
    if (existing) await access(path, constants.W_OK);
  } catch (error) {
    throw new Error(`${setting}: "${path}" cannot be written (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export async function writeResultFiles(
  report: RunReport,
  paths: { failedFile: string; reportFile?: string },
): Promise<{ failedFile: string; reportFile?: string }> {
  await writeFile(paths.failedFile, formatFailedList(report.results));
  if (paths.reportFile)
    await writeFile(paths.reportFile, `${JSON.stringify(buildJsonReport(report), null, 2)}\n`);
  return paths;
}
