import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    // A temp folder per run, removed at the end; the run fails on anything a test left behind.
    globalSetup: ['./testkit/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Registry-backed suites start their own processes; two cores, so keep the pool small.
    maxWorkers: 2,
    unstubEnvs: true,
    reporters: ['default', './testkit/plain-reporter.ts'],
  },
});
