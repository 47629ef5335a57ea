import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROGRAM } from '../../support/program.js';

/**
 * The product as deployed, for the browser tests: `node dist/main.js` (what `npm start` runs,
 * built by the test setup) as a child process with the environment given, its output read as an operator
 * reads it. Nothing here sleeps: `line` waits for what the process prints.
 */

export const root = join(import.meta.dirname, '..', '..', '..');

export interface Product {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves with the first match of `pattern` in stdout (already printed or to come); rejects if the process exits first. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  /** SIGTERM, then resolves with the exit code (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
}

/** Starts the product with only `env` (plus PATH and HOME) as its environment. */
export function startProduct(env: Record<string, string>, args: readonly string[] = []): Product {
  const child = spawn(process.execPath, [...PROGRAM, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let all = '';
  const waiters: Array<{ pattern: RegExp; resolve: (m: RegExpExecArray) => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    all += d.toString();
    for (const w of [...waiters]) {
      const match = w.pattern.exec(stdout);
      if (match) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(match);
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (all += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => all,
    line: (pattern) => {
      const match = pattern.exec(stdout);
      if (match) return Promise.resolve(match);
      return Promise.race([
        new Promise<RegExpExecArray>((resolve) => waiters.push({ pattern, resolve })),
        exited.then((code) => {
          throw new Error(`the product exited (${code}) before printing ${pattern}:\n${all}`);
        }),
      ]);
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Runs a command of the product to its end with `input` piped in; resolves with its exit code and output. */
export function runProduct(
  env: Record<string, string>,
  args: readonly string[],
  input: string,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...PROGRAM, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}
