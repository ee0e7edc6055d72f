// The JSON report: the run's settings and totals, every line's result as the engine returned it, and request
// counts. Its shape is published as schema/report.schema.json (version 1).
import { requestsPerLine, type RunReport } from '../engine/report.js';
import { writeStreamed } from './stream-file.js';

export const REPORT_VERSION = 1;

function reportHead(report: RunReport) {
  return {
    version: REPORT_VERSION,
    listFile: report.listFile,
    format: report.format,
    selection: report.selection ?? null,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    source: report.source ?? null,
    destination: report.destination ?? null,
    options: report.options,
    totals: report.totals,
    ...(report.archive ? { archive: report.archive } : {}),
  };
}

/** The JSON report as an object (small runs, tests); files are written by writeJsonReport. */
export function buildJsonReport(report: RunReport) {
  return {
    ...reportHead(report),
    results: report.results.toArray(),
    requests: report.requests,
    perLine: requestsPerLine(report),
  };
}

/**
 * Writes the same document one result per line, streaming: a 100,000-line report never exists twice in
 * memory (as objects and as one string) on top of the results themselves.
 */
export async function writeJsonReport(path: string, report: RunReport): Promise<void> {
  await writeStreamed(path, async (write) => {
    const head = JSON.stringify(reportHead(report));
    await write(`${head.slice(0, -1)},"results":[\n`);
    let index = 0;
    for (const json of report.results.json()) await write(`${index++ > 0 ? ',\n' : ''}${json}`);
    await write(
      `\n],"requests":${JSON.stringify(report.requests)},"perLine":${JSON.stringify(requestsPerLine(report))}}\n`,
    );
  });
}
