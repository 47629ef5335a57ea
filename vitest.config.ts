import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The benchmark's correctness test spawns the benchmark tool: `npm run bench:test` runs it apart;
    // the browser tests drive Chromium against the real process: `npm run test:browser`.
    exclude: [...configDefaults.exclude, 'test/bench/**', 'test/browser/**'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 20_000,
    // Test files share a worker's module cache instead of importing the whole graph again each
    // (xstate, zod, grammY, Bolt): 83 s → 43–49 s on the 2-core machine. Every suite cleans up its
    // own nock interceptors, timers and servers, so none depends on a fresh module state.
    isolate: false,
    hookTimeout: 30_000,
  },
});
