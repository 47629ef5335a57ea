import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Redis } from 'ioredis';

/**
 * Finds a Redis the way the project's tests and benchmark do: REDIS_URL, else 127.0.0.1:6379,
 * else a throwaway `redis-server` from PATH on a free port.
 */
export interface FoundRedis {
  url: string;
  /** Stops the throwaway server, if one was started. */
  stop(): void;
}

export function ping(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** A TCP port nothing listens on at the moment of asking (127.0.0.1). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves to a reachable Redis, or throws saying why none could be had. */
export async function findRedis(env: NodeJS.ProcessEnv = process.env): Promise<FoundRedis> {
  if (env.REDIS_URL) {
    const u = new URL(env.REDIS_URL);
    if (await ping(u.hostname, Number(u.port || 6379))) return { url: env.REDIS_URL, stop: () => {} };
    throw new Error(`REDIS_URL=${env.REDIS_URL} does not answer PING`);
  }
  if (await ping('127.0.0.1', 6379)) return { url: 'redis://127.0.0.1:6379', stop: () => {} };
  try {
    return await startRedisServer();
  } catch (err) {
    throw new Error(`no Redis on 127.0.0.1:6379 and redis-server could not be started (${(err as Error).message})`);
  }
}

/**
 * A throwaway `redis-server` from PATH on a free port, without persistence (`--save ''
 * --appendonly no`, then `args`), once it answers PING: what a suite may FLUSHALL or reconfigure
 * (CONFIG SET, ACL) without touching the shared server. Throws when it cannot start.
 */
export async function startRedisServer(args: string[] = []): Promise<FoundRedis> {
  const port = await freePort();
  const base = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child: ChildProcess = spawn('redis-server', [...base, ...args], { stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    const started = Date.now();
    const poll = async () => {
      if (await ping('127.0.0.1', port, 200)) return resolve();
      if (Date.now() - started > 10_000) {
        child.kill('SIGTERM');
        return reject(new Error('redis-server did not answer within 10 s'));
      }
      setTimeout(() => void poll(), 100);
    };
    void poll();
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}

/** Deletes every key on the server at `url` matching `pattern` (SCAN, in batches): a suite's run, a benchmark variant's prefix. */
export async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
