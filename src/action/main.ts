// The action: inputs → engine → failed list, report, outputs, summary, annotations, artifact → fail if needed.
import * as core from '@actions/core';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { RunSettings } from '../config/settings.js';
import { runEngine, type RunHooks } from '../engine/engine.js';
import { ConfigurationError } from '../engine/errors.js';
import { getInputs, Output, type ActionInputs } from './inputs.js';
import { planAnnotations } from '../report/annotations.js';
import { uploadResults } from './artifact.js';
import { githubContext, octokitFor, publishCheckRun, syncDriftIssue, upsertComment } from './github.js';
import { restoreManifestCache, saveManifestCache, type CacheLog } from './cache.js';
import { listLineLinks, reasonDocLinks } from './links.js';
import { currentEvent, selection } from './pull-request.js';
import { checkWritable, writeResultFiles } from '../report/files.js';
import { colorAllowed, createConsoleReporter } from '../report/console.js';
import { formatOutcomeLine, problemCount } from '../report/outcome.js';
import { buildSummary } from '../report/summary.js';

/** SIGINT/SIGTERM (a cancelled workflow) abort the run; `release` lets go of the handlers. */
function interruptOnSignals(): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    core.warning(
      `${signal} received (the workflow was cancelled): writing what is known, the rest is marked interrupted`,
    );
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    controller,
    release: () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    },
  };
}

async function validate(inputs: ActionInputs, workspace: string): Promise<void> {
  const listPath = isAbsolute(inputs.file) ? inputs.file : resolve(workspace, inputs.file);
  const failedFile = resolve(workspace, inputs.failedFile);
  const reportFile = resolve(workspace, inputs.reportFile);
  await checkWritable(failedFile, `input "failed-file"`);
  await checkWritable(reportFile, `input "report-file"`);
  const junitFile = inputs.junitFile ? resolve(workspace, inputs.junitFile) : undefined;
  if (junitFile) await checkWritable(junitFile, `input "junit-file"`);
  const narrowed = await selection(inputs, workspace, listPath);
  // With the cache on and no folder named, the runner's temp folder holds it; GitHub's cache carries it over.
  // (Outside a runner, without cache-dir, there is no cache.)
  const cacheDir = inputs.cacheDir
    ? resolve(workspace, inputs.cacheDir)
    : inputs.cache && process.env.RUNNER_TEMP
      ? join(process.env.RUNNER_TEMP, 'mirror-validate-cache')
      : undefined;
  const cacheLog: CacheLog = {
    info: (message: string) => core.info(message),
    warning: (message: string) => core.warning(message),
  };
  if (cacheDir && inputs.cache) await restoreManifestCache(cacheDir, cacheLog);
  const { controller, release } = interruptOnSignals();
  // The step's log: failures as they come, a progress line every ten seconds, passes folded at the end.
  const info = (text: string) => {
    for (const line of text.replace(/\n$/, '').split('\n')) core.info(line);
  };
  const view = createConsoleReporter({
    out: info,
    err: info,
    tty: false,
    color: colorAllowed(process.env, false, false),
    verbose: false,
    github: true,
    listFile: inputs.file,
    reasonsDoc: 'docs/reasons.md of this action',
  });
  const settings: RunSettings = {
    listFile: inputs.file,
    listPath,
    source: inputs.source,
    destination: inputs.destination,
    defaultProject: inputs.defaultProject,
    options: inputs.options,
    jobs: inputs.jobs,
    tls: {
      verify: inputs.tlsVerify,
      insecureRegistries: inputs.insecureRegistries,
      ...(inputs.caFile ? { caFile: resolve(workspace, inputs.caFile) } : {}),
    },
    runTimeoutMs: inputs.runTimeoutMs,
    sourceCredential: inputs.sourceCredential,
    destinationCredential: inputs.destinationCredential,
    imageTimeoutMs: inputs.imageTimeoutMs,
    cacheDir,
    selection: narrowed,
    ...(inputs.listFormat ? { listFormat: inputs.listFormat } : {}),
    ...(inputs.failedFormat ? { failedFormat: inputs.failedFormat } : {}),
    syncOptions: inputs.syncOptions,
    registryCatalog: inputs.registryCatalog,
    ...(inputs.sourceArchive
      ? {
          sourceArchive: {
            path: resolve(workspace, inputs.sourceArchive.path),
            name: inputs.sourceArchive.path,
            asList: inputs.sourceArchive.asList,
          },
        }
      : {}),
    ...(inputs.mirrors
      ? {
          mirrors: { ...inputs.mirrors, paths: inputs.mirrors.paths.map((path) => resolve(workspace, path)) },
        }
      : {}),
  };
  const hooks: RunHooks = {
    signal: controller.signal,
    onSecret: (secret) => core.setSecret(secret),
    log: (message) => view.note(message),
    debug: (message) => core.debug(message),
    onStart: (lines) => view.start(lines),
    onResult: (result, done) => view.onResult(result, done),
  };
  try {
    await runEngine(settings, hooks, async (report) => {
      // Files and outputs first: whatever happens next, the results are kept.
      await writeResultFiles(report, { failedFile, reportFile, junitFile });
      const problems = problemCount(report);
      core.setOutput(Output.total, report.totals.lines);
      core.setOutput(Output.passed, report.totals.passed);
      core.setOutput(Output.failed, report.totals.failed);
      core.setOutput(Output.skipped, report.totals.skipped);
      core.setOutput(Output.drifted, report.totals.drifted);
      core.setOutput(Output.notChecked, report.totals.notChecked);
      core.setOutput(Output.failedFile, failedFile);
      core.setOutput(Output.reportFile, reportFile);
      core.setOutput(Output.result, problems > 0 ? 'failure' : 'success');
      core.setOutput(Output.artifactId, '');
      core.setOutput(Output.artifactUrl, '');
      view.finish(report, [
        { label: 'failed list', path: inputs.failedFile },
        { label: 'report', path: inputs.reportFile },
        ...(inputs.junitFile ? [{ label: 'JUnit XML', path: inputs.junitFile }] : []),
      ]);

      // Each shard of a matrix uploads, summarises, annotates and comments under its own name.
      const shardName = inputs.shard ? `shard ${inputs.shard.index}/${inputs.shard.count}` : undefined;
      const file = relative(workspace, listPath) || inputs.file;
      const event = currentEvent();
      // An archive read as the list is no file: nothing to link to or annotate on.
      const listIsFile = !inputs.sourceArchive?.asList;
      const lineLink = !listIsFile
        ? undefined
        : listLineLinks({
            env: process.env,
            workspace,
            listPath,
            pullRequestHeadSha: event.pullRequest?.head?.sha,
          });
      // The check run, the comment and the drift issue go through GitHub's API with the workflow's token.
      const github = githubContext(process.env, event, {
        token: inputs.githubToken,
        path: file,
        shard: shardName,
        failOnError: inputs.failOnError,
        lineLink,
        // A folder's changed lines are by file: the selection already holds only what the change touched.
        touched: narrowed?.changed?.files ? undefined : narrowed?.changed?.lines,
      });
      const octokit = github ? octokitFor(github.token) : undefined;
      const annotate = inputs.annotations && listIsFile;
      const checkRun = annotate && github && octokit ? await publishCheckRun(octokit, github, report) : false;
      // Without a check run (no token, no permission), the first failures as workflow commands.
      if (annotate && !checkRun) {
        for (const annotation of planAnnotations(report.results.problems(), file)) {
          const properties = {
            title: annotation.title,
            file: annotation.file,
            startLine: annotation.startLine,
          };
          if (annotation.kind === 'error') core.error(annotation.message, properties);
          else if (annotation.kind === 'warning') core.warning(annotation.message, properties);
          else core.notice(annotation.message);
        }
      }

      if (github && octokit) {
        await upsertComment(octokit, github, report, inputs.comment);
        if (inputs.driftIssue) await syncDriftIssue(octokit, github, report);
      }

      const artifactName = inputs.shard
        ? `${inputs.artifactName}-shard-${inputs.shard.index}-of-${inputs.shard.count}`
        : inputs.artifactName;
      let artifactNote = `the report ${inputs.reportFile}`;
      let uploaded: { name: string; url: string } | undefined;
      if (report.totals.failed > 0) {
        const artifact = await uploadResults(
          artifactName,
          [failedFile, reportFile, ...(junitFile ? [junitFile] : [])],
          inputs.retentionDays,
        );
        if (artifact.status === 'uploaded') {
          core.setOutput(Output.artifactId, artifact.id);
          core.setOutput(Output.artifactUrl, artifact.url);
          core.info(`artifact ${artifactName}: ${artifact.url}`);
          artifactNote = `the artifact ${artifactName}`;
          uploaded = { name: artifactName, url: artifact.url };
        } else if (artifact.status === 'skipped') core.notice(artifact.message);
        else core.warning(artifact.message);
      }

      if (inputs.summary && process.env.GITHUB_STEP_SUMMARY) {
        const title = `Mirror validation${shardName ? ` (${shardName})` : ''}`;
        await core.summary
          .addRaw(
            buildSummary(report, {
              fullResultsHint: artifactNote,
              title,
              lineLink,
              reasonLink: reasonDocLinks(process.env),
              artifact: uploaded,
            }),
          )
          .write();
      }

      // Optional and possibly slow: after every result is out; not for a cancelled run.
      if (cacheDir && inputs.cache && !controller.signal.aborted) await saveManifestCache(cacheDir, cacheLog);

      if (controller.signal.aborted) {
        core.setFailed(
          `interrupted: ${report.results.problems().filter((r) => r.status === 'skipped' && r.reason === 'interrupted').length} lines were not validated`,
        );
      } else if (problems > 0 && inputs.failOnError) {
        core.setFailed(`${formatOutcomeLine(report)}; the failing lines are in ${inputs.failedFile}`);
      }
    });
  } finally {
    release();
  }
}

export async function run(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  try {
    await validate(getInputs(), workspace);
  } catch (error) {
    core.setOutput(Output.result, 'failure');
    // A bad input or list names itself; anything else is a bug, and its stack goes to the debug log.
    if (!(error instanceof ConfigurationError) && (error as Error).stack) core.debug((error as Error).stack!);
    core.setFailed((error as Error).message);
  }
}
