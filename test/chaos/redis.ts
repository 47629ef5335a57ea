import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { ping } from '../support/redis-server.js';
import { HarnessError, until } from './basics.js';

/**
 * The run's own redis-server, as an operator runs it in production: append-only persistence
 * (`appendonly yes`, `appendfsync everysec`: at most about a second of writes lost on a crash),
 * no RDB snapshots, data in `dir`. It can be killed (SIGKILL, as a crash or an OOM kill) and
 * started again on the same port and folder, where it replays its append-only file.
 */
export class RedisServer {
  private child: ChildProcess | undefined;
  /** How many times it came up (1 after the first start). */
  starts = 0;

  constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it and resolves once it answers PING (loading the append-only file first); throws after 20 s. */
  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--logfile', 'redis.log');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    // Set when the process fails to start or exits while it is being waited for.
    let why: string | undefined;
    child.once('error', (err) => (why ??= `redis-server could not be started: ${err.message} (is it on PATH?)`));
    child.once('exit', (code) => (why ??= `redis-server exited with code ${code}; see ${this.dir}/redis.log`));
    const up = await until(async () => why !== undefined || (await ping('127.0.0.1', this.port, 200)), 20_000, 100);
    if (why !== undefined) throw new HarnessError(why);
    if (!up) throw new HarnessError(`redis-server on port ${this.port} did not answer within 20 s`);
    this.starts++;
  }

  /** SIGKILL: no shutdown, no final fsync; resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = once(child, 'exit');
    child.kill('SIGKILL');
    await gone;
  }
}
