import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/**
 * The browser the browser tests drive (playwright-core): `CHROMIUM_PATH`, else Debian's
 * `/usr/bin/chromium` (.ci/run installs it). Without one a suite fails under CI=true and is
 * skipped with a banner elsewhere.
 */

const CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
}

/**
 * The Chromium to launch, or undefined when there is none; then, under CI, registers a failing
 * test named after `suite`, and elsewhere prints a banner saying `suite` is skipped.
 */
export function chromiumFor(suite: string): string | undefined {
  const executablePath = findChromium();
  if (executablePath) return executablePath;
  if (CI) {
    describe(`${suite}, under CI`, () => {
      it('has a Chromium to run in', () => {
        throw new Error('No Chromium: set CHROMIUM_PATH or install Debian chromium (.ci/run does)');
      });
    });
  } else {
    const line = '!'.repeat(78);
    console.warn(
      `\n${line}\n!! SKIPPED: ${suite}:\n!! no Chromium. Install Debian's (apt-get install chromium) or set CHROMIUM_PATH.\n${line}\n`,
    );
  }
  return undefined;
}
