import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * Finds a real Redis for the store suites: REDIS_URL, else 127.0.0.1:6379, else a throwaway
 * `redis-server` from PATH on a free port. Without one the Redis suites fail under CI=true and
 * are skipped, loudly, elsewhere.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisMissing: string;
  }
}

function ping(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
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

function freePort(): Promise<number> {
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

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = '';
  let missing = '';
  if (process.env.REDIS_URL) {
    const u = new URL(process.env.REDIS_URL);
    if (await ping(u.hostname, Number(u.port || 6379))) url = process.env.REDIS_URL;
    else missing = `REDIS_URL=${process.env.REDIS_URL} does not answer PING`;
  } else if (await ping('127.0.0.1', 6379)) {
    url = 'redis://127.0.0.1:6379';
  } else {
    const port = await freePort();
    try {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      await new Promise<void>((resolve, reject) => {
        child?.once('error', reject);
        const started = Date.now();
        const poll = async () => {
          if (await ping('127.0.0.1', port, 200)) return resolve();
          if (Date.now() - started > 10_000) return reject(new Error('redis-server did not answer within 10 s'));
          setTimeout(() => void poll(), 100);
        };
        void poll();
      });
      url = `redis://127.0.0.1:${port}`;
    } catch (err) {
      missing = `no Redis on 127.0.0.1:6379 and redis-server could not be started (${(err as Error).message})`;
      child = undefined;
    }
  }
  if (!url) {
    const banner = `\n${'!'.repeat(78)}\n!! Redis store suites cannot run: ${missing}.\n!! Set REDIS_URL or install redis-server.${process.env.CI === 'true' ? ' CI=true: they will FAIL.' : ' They are SKIPPED.'}\n${'!'.repeat(78)}\n`;
    process.stderr.write(banner);
  }
  project.provide('redisUrl', url);
  project.provide('redisMissing', missing);
  return async () => {
    child?.kill('SIGTERM');
  };
}
