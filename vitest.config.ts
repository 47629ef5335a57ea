import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The benchmark's correctness test spawns the benchmark tool: `npm run bench:test` runs it apart;
    // the browser tests drive Chromium against the real process: `npm run test:browser`.
    exclude: [...configDefaults.exclude, 'test/bench/**', 'test/browser/**'],
    globalSetup: ['test/support/redis-setup.ts', 'test/support/bundle-setup.ts'],
    testTimeout: 20_000,
    // Test files share a worker's module cache instead of importing the whole graph again each
    // (xstate, zod, grammY, Bolt): 83 s → 43–49 s on the 2-core machine. Every suite cleans up its
    // own nock interceptors, timers and servers, so none depends on a fresh module state.
    isolate: false,
    // Two workers on the 2-core machine: most suites wait on Redis, PostgreSQL, PGlite or a spawned
    // process, so two files at once fill the cores (measured 2026-12-01: 138 s with the default one
    // worker, 98 s with two, 105 s with three).
    maxWorkers: 2,
    hookTimeout: 30_000,
  },
});
