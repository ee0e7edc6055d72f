// JUnit XML, the test-report format CI systems outside GitHub read (GitLab's artifacts:reports:junit, Jenkins'
// junit step, Azure Pipelines' PublishTestResults): one test suite for the list file, one test case per line.
// A failed line is a <failure> with the reason code as its type and the detail as its message; a line skipped
// by the platform filter is <skipped>; a line that could not be validated (unreadable, interrupted) is an
// <error>, since it fails the run as a failure does. The element and attribute set is the one of the JUnit
// schema Jenkins' xunit plugin publishes (junit-10.xsd), which GitLab and Azure read as well.
import type { RunReport } from '../engine/report.js';
import type { LineResult } from '../engine/validate/result.js';
import { escapeXml } from './escape.js';
import { fileOf, isProblem } from './outcome.js';
import { writeStreamed } from './stream-file.js';

const attributes = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');

/** A test case's name: the line's source → destination, or the line as written when it is not an image. */
function caseName(result: LineResult): string {
  const written = result.raw.trim();
  return result.source && result.destination
    ? `line ${result.line}: ${result.source} → ${result.destination}`
    : `line ${result.line}: ${written || '(empty)'}`;
}

function testCase(result: LineResult, listFile: string): string {
  const head = `<testcase${attributes({ name: caseName(result), classname: fileOf(result, listFile), time: 0 })}`;
  if (result.status === 'passed') return `${head}/>`;
  if (result.status === 'skipped' && !isProblem(result))
    return `${head}><skipped>${escapeXml(`${result.reason}: ${result.detail}`)}</skipped></testcase>`;
  const tag = result.status === 'failed' ? 'failure' : 'error';
  const findings =
    result.status === 'failed' && result.findings.length > 1
      ? result.findings
          .map(
            (finding) =>
              `${finding.reason}${finding.platform ? ` (${finding.platform})` : ''}: ${finding.message}`,
          )
          .join('\n')
      : result.detail;
  return (
    `${head}><${tag}${attributes({ type: result.reason, message: result.detail })}>` +
    `${escapeXml(`${findings}\nline ${result.line}: ${result.raw}`)}</${tag}></testcase>`
  );
}

/** Writes the report as JUnit XML, one test case at a time (a 100,000-line list never sits in memory as XML). */
export async function writeJunit(path: string, report: RunReport): Promise<void> {
  let failures = 0;
  let errors = 0;
  let skipped = 0;
  for (const result of report.results.problems()) {
    if (result.status === 'failed') failures += 1;
    else if (isProblem(result)) errors += 1;
    else skipped += 1;
  }
  const seconds = Math.max(0, (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000);
  const counts = { tests: report.totals.lines, failures, errors, skipped, time: seconds.toFixed(3) };
  const { tests, time } = counts;
  await writeStreamed(path, async (write) => {
    await write(
      `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attributes({ name: 'mirror-validate', tests, failures, errors, time })}>\n` +
        `<testsuite${attributes({ name: report.listFile, ...counts, timestamp: report.startedAt.replace(/\.\d+Z$|Z$/, ''), hostname: 'mirror-validate' })}>\n`,
    );
    for (const result of report.results) await write(`${testCase(result, report.listFile)}\n`);
    await write('</testsuite>\n</testsuites>\n');
  });
}
