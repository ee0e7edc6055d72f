// The result files both front doors write, always: the failed list and, when asked, the JSON report.
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { RunReport } from '../engine/report.js';
import { formatFailedList } from './failed-list.js';
import { writeJsonReport } from './json-report.js';
import { writeJunit } from './junit.js';

/** Fails early, naming the setting, when a result file could not be written where asked. */
export async function checkWritable(path: string, setting: string, shown: string = path): Promise<void> {
  const folder = dirname(resolve(path));
  let info;
  try {
    info = await stat(folder);
  } catch {
    throw new Error(`${setting}: the folder of "${shown}" does not exist (${folder})`);
  }
  if (!info.isDirectory()) throw new Error(`${setting}: "${folder}" is not a folder`);
  try {
    await access(folder, constants.W_OK);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.isDirectory()) throw new Error('is a folder');
    if (existing) await access(path, constants.W_OK);
  } catch (error) {
    throw new Error(`${setting}: "${shown}" cannot be written (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export async function writeResultFiles(
  report: RunReport,
  paths: { failedFile: string; reportFile?: string; junitFile?: string },
): Promise<void> {
  await writeFile(paths.failedFile, formatFailedList(report.results.problems(), report, report.failedFormat));
  if (paths.reportFile) await writeJsonReport(paths.reportFile, report);
  if (paths.junitFile) await writeJunit(paths.junitFile, report);
}
