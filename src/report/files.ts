// The failed list and the JSON report: what both the action and the command line write, always.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RunReport } from '../engine/engine.js';
import type { LineResult } from '../engine/validate/result.js';

/** hangar's failed-list format: the raw failing lines in input order, so the file can be fed back to a mirror. */
export function formatFailedList(results: readonly LineResult[]): string {
  const lines = results.filter((result) => result.status === 'failed').map((result) => result.raw.trim());
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** One result as the report writes it. */
export function reportResult(result: LineResult) {
  return {
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
  };
}

function reportHead(report: RunReport) {
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
  };
}

/** The JSON report as an object (small runs, tests); files are written by writeJsonReport. */
export function buildJsonReport(report: RunReport) {
  return { ...reportHead(report), results: report.results.map(reportResult), requests: report.requests };
}

/**
 * Writes the same document one result per line, streaming: a 100,000-line report never exists twice in
 * memory (as objects and as one string) on top of the results themselves.
 */
async function writeJsonReport(path: string, report: RunReport): Promise<void> {
  const out = createWriteStream(path);
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  const write = (text: string) => (out.write(text) ? undefined : once(out, 'drain'));
  const head = JSON.stringify(reportHead(report));
  await write(`${head.slice(0, -1)},"results":[\n`);
  for (const [index, result] of report.results.entries()) {
    await write(`${index > 0 ? ',\n' : ''}${JSON.stringify(reportResult(result))}`);
  }
  await write(`\n],"requests":${JSON.stringify(report.requests)}}\n`);
  out.end();
  await done;
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
  if (paths.reportFile) await writeJsonReport(paths.reportFile, report);
  return paths;
}
