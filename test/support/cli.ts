import { vi } from 'vitest';
import { main } from '../../bots/app/main.js';

/**
 * Runs the product's command line as `npm run …` does, in this process (a process start costs
 * seconds): main() with `env` as its environment and its own store connections. Resolves with its
 * exit code and what it wrote to stdout and stderr. One at a time: it captures the process's output.
 */
export async function runMain(
  env: NodeJS.ProcessEnv,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv, env), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}
