import { bundle, staleness } from '../../scripts/bundle.mjs';

/**
 * Builds dist/ when it is missing or older than a source (scripts/bundle.mjs), once before the
 * suites: the tests that start the product as a process run what `npm start` runs (PROGRAM, in
 * program.ts), never an earlier build. About a second when something changed, a few ms otherwise.
 */
export default async function setup(): Promise<void> {
  if (staleness() !== undefined) await bundle();
}
