import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The benchmark's correctness test spawns the benchmark tool: `npm run bench:test` runs it apart.
    exclude: [...configDefaults.exclude, 'test/bench/**'],
    globalSetup: ['test/support/redis-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
