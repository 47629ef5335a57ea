import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the suites that drive Debian's Chromium through playwright-core
 * (test/browser/), apart from `npm test` because they spawn the real process and a browser. The
 * same Redis set-up as vitest.config.ts; generous timeouts (a process start, a browser, scrypt).
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/support/redis-setup.ts', 'test/support/bundle-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One suite at a time: each starts its own Chromium, and the console's starts the product too.
    fileParallelism: false,
  },
});
