import { defineConfig } from 'vitest/config';

/**
 * `npm run bench:test`: the benchmark's own correctness test (the variants send the same
 * replies), kept out of `npm test` because it runs the benchmark tool in a process of its own.
 */
export default defineConfig({
  test: {
    include: ['test/bench/**/*.test.ts'],
    globalSetup: ['test/support/redis-setup.ts', 'test/support/bundle-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 30_000,
  },
});
