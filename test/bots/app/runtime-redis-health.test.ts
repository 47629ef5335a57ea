import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataLossIncident } from '../../../adapters/store/redis-health.js';
import { createRuntime } from '../../../bots/app/runtime.js';
import { parseConfig } from '../../../bots/config.js';
import { DEFAULT_FLOWS_DIR } from '../../../bots/flows-registry.js';
import { createLogger } from '../../../bots/log.js';
import { requirePostgres, serverRecord } from '../../adapters/record/support.js';
import { RecordingChannel, TestClock } from '../../support/harness.js';
import { startRedisServer, type FoundRedis } from '../../support/redis-server.js';
import { requireRedisServer } from '../../support/redis.js';

/**
 * The bot as production builds it (createRuntime), on a throwaway redis-server without
 * persistence and a record on the PostgreSQL server: what its log says about Redis at start-up
 * (issue 16, fault 3), and a Redis that came back empty while the bot was stopped.
 */
describe('Redis health at start-up', () => {
  if (!requireRedisServer() || !requirePostgres()) return;
  const server = serverRecord();
  let redis: FoundRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedisServer();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    await admin.quit();
    redis.stop();
  });

  async function start(onDataLoss?: (incident: DataLossIncident) => void) {
    const env = { REDIS_URL: redis.url, DATABASE_URL: server.url, NODE_ENV: 'production', REDIS_PREFIX: 'bot:' };
    // The production logger (pino, with its redaction), its lines kept as the operator reads them.
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const channel = new RecordingChannel();
    const clock = new TestClock();
    // The shipped flows as a local draft: compiled, not published (publishing runs the corpus, seconds).
    const runtime = await createRuntime(
      { config: parseConfig(env), log, clock: clock.now, desk: false, onDataLoss, flowsDir: DEFAULT_FLOWS_DIR },
      () => ({
        channels: new Map([['test', channel]]),
      }),
    );
    const errors = () => lines.filter((l) => l.level === 'error').map((l) => String(l.msg));
    return { runtime, channel, clock, errors, lines };
  }

  it('warns that Redis does not persist, and reports the data lost while the bot was stopped as one incident since the record last wrote', async () => {
    const first = await start();
    // A new installation: the marker is written without a word; the missing persistence is an error in production.
    expect(first.errors()).toEqual([expect.stringMatching(/^Redis does not keep its data/)]);
    const id = randomUUID();
    await first.runtime.engine.receive({
      id,
      conversationId: `c-${id}`,
      channel: 'test',
      customer: { id },
      at: first.clock.now(),
      payload: { type: 'text', text: '你好' },
    });
    expect(first.channel.texts(`c-${id}`)).toHaveLength(1);
    await first.runtime.close();
    const lastWrite = await server.record.latestWrite();
    expect(lastWrite).toBeGreaterThanOrEqual(first.clock.now());

    // Redis restarts empty while the bot is stopped.
    await admin.flushall();
    const incidents: DataLossIncident[] = [];
    const second = await start((i) => incidents.push(i));
    try {
      expect(incidents).toEqual([
        { markers: [expect.objectContaining({ found: 'gone' })], from: lastWrite, to: expect.any(Number) },
      ]);
      expect(second.errors()).toEqual([
        expect.stringMatching(/^Redis does not keep its data/),
        expect.stringMatching(/^data-loss incident: Redis lost its data/),
      ]);
      // What else it may be is said in the line, not redacted (the trial found it hidden as a `note`).
      const incident = second.lines.find((l) => String(l.msg).startsWith('data-loss incident'));
      expect(incident?.explanation).toMatch(/REDIS_PREFIX/);
    } finally {
      await second.runtime.close();
    }
  });
});
