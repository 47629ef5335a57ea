import type { TestProject } from 'vitest/node';
import { findRedis } from './redis-server.js';

/**
 * Finds a real Redis for the store suites (see redis-server.ts). Without one the Redis suites
 * fail under CI=true and are skipped, loudly, elsewhere.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisMissing: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let url = '';
  let missing = '';
  let stop = () => {};
  try {
    const found = await findRedis();
    url = found.url;
    stop = found.stop;
  } catch (err) {
    missing = (err as Error).message;
    const banner = `\n${'!'.repeat(78)}\n!! Redis store suites cannot run: ${missing}.\n!! Set REDIS_URL or install redis-server.${process.env.CI === 'true' ? ' CI=true: they will FAIL.' : ' They are SKIPPED.'}\n${'!'.repeat(78)}\n`;
    process.stderr.write(banner);
  }
  project.provide('redisUrl', url);
  project.provide('redisMissing', missing);
  return async () => stop();
}
