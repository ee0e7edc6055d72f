import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Registry-backed suites start their own processes; two cores, so keep the pool small.
    maxWorkers: 2,
    unstubEnvs: true,
    reporters: ['default', './testkit/plain-reporter.ts'],
  },
});
