import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { HarnessError, until } from './basics.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * One replica of the bot, run as an operator runs it: `node --import tsx bots/app/main.ts` with
 * its configuration in the environment (nothing else of the caller's environment leaks in),
 * serving Telegram's webhook and Slack's events on its own port. Its output (the JSON log) is
 * appended to `<logDir>/<name>.log` across restarts. Killed with SIGKILL (a crash, an OOM kill)
 * or stopped with SIGTERM (a deployment).
 */
export class Replica {
  private child: ChildProcess | undefined;
  private readonly log: WriteStream;
  /** Exits nobody asked for (the process crashed): each one is a finding. */
  crashes = 0;
  starts = 0;
  /** How long each start took, from spawning to `/readyz` answering (ms). */
  readonly startMs: number[] = [];
  private expectingExit = false;
  private ready = false;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    logDir: string,
  ) {
    this.log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Running and answering `/readyz` (since its start; a crash turns it false). */
  get up(): boolean {
    return this.ready;
  }

  /** Starts the process and resolves once `/readyz` answers 200; throws when it exits or takes over 60 s. */
  async start(): Promise<void> {
    const spawned = Date.now();
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env, PORT: String(this.port) };
    const child = spawn(process.execPath, ['--import', 'tsx', 'bots/app/main.ts'], { cwd: ROOT, env });
    this.child = child;
    this.expectingExit = false;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    let exited = false;
    child.once('exit', (code, signal) => {
      exited = true;
      this.ready = false;
      if (!this.expectingExit) {
        this.crashes++;
        this.log.write(
          `[chaos ${new Date().toISOString()}] ${this.name} exited by itself (code ${code}, signal ${signal})\n`,
        );
      }
    });
    const up = await until(async () => exited || (await this.healthy()), 60_000, 100);
    if (exited || !up) {
      await this.kill();
      throw new HarnessError(
        `replica ${this.name} did not start (see its log); ${exited ? 'it exited' : 'no answer in 60 s'}`,
      );
    }
    this.ready = true;
    this.starts++;
    this.startMs.push(Date.now() - spawned);
  }

  private async healthy(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** SIGKILL, as a crash: nothing in flight is finished. Resolves once the process is gone. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** SIGTERM, as a deployment stops it: it finishes what it holds; SIGKILL after `graceMs`. */
  async stop(graceMs = 30_000): Promise<void> {
    const child = this.child;
    const stopped = this.end('SIGTERM');
    const late = setTimeout(() => child?.kill('SIGKILL'), graceMs);
    await stopped;
    clearTimeout(late);
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.ready = false;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.expectingExit = true;
    const gone = once(child, 'exit');
    child.kill(signal);
    await gone;
    this.log.write(
      `[chaos ${new Date().toISOString()}] ${this.name} ${signal === 'SIGKILL' ? 'killed (SIGKILL)' : 'stopped (SIGTERM)'}\n`,
    );
  }

  close(): void {
    this.log.end();
  }
}
