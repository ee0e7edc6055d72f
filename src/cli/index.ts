#!/usr/bin/env node
// Entry of the `mirror-validate` command: runs the CLI, turns SIGINT/SIGTERM into an orderly stop.
import { runCli } from './main.js';

const controller = new AbortController();
let signalled: NodeJS.Signals | undefined;
const onSignal = (signal: NodeJS.Signals) => {
  if (signalled) process.exit(signal === 'SIGINT' ? 130 : 143);
  signalled = signal;
  process.stderr.write(
    `mirror-validate: ${signal} received; writing what is known, the rest is marked interrupted\n`,
  );
  controller.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  signal: controller.signal,
  terminal: { stderr: process.stderr.isTTY === true, columns: process.stderr.columns },
});
process.exitCode = signalled ? (signalled === 'SIGINT' ? 130 : 143) : code;
