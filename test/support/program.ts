/**
 * The product's command line as `npm start` runs it, without npm: node on the bundle (dist/main.js,
 * built by scripts/bundle.mjs; the test setup, bundle-setup.ts, builds it when stale). Spawned
 * with the checkout as its working directory: `spawn(process.execPath, [...PROGRAM, ...args], { cwd })`.
 */
export const PROGRAM = ['--enable-source-maps', 'dist/main.js'] as const;
