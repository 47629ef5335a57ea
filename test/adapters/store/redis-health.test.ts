import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisHealth, type DataLossIncident } from '../../../adapters/store/redis-health.js';
import { memoryLogger } from '../../../bots/log.js';
import { redisWithOutages } from '../../support/redis-outage.js';
import { startRedisServer, type FoundRedis } from '../../support/redis-server.js';
import { requireRedisServer } from '../../support/redis.js';

/**
 * Redis's health as an operator sees it in the log (issue 16, fault 3), on a throwaway
 * redis-server of this suite's own (FLUSHALL, CONFIG SET and ACL never touch the shared one),
 * with a clock the tests move.
 */
describe.runIf(requireRedisServer())('Redis health: persistence and data loss', () => {
  let server: FoundRedis;
  let admin: Redis;
  let dir: string;
  let now: number;
  const clock = () => now;
  const minutes = (n: number) => (now += n * 60_000);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-health-'));
    // Its dump is named so a test can block it (dbfilename is a protected setting).
    server = await startRedisServer(['--dir', dir, '--dbfilename', 'blocked.rdb']);
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    await admin.quit();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    now = Date.UTC(2026, 10, 23, 7, 0, 0);
    await admin.flushall();
  });

  /** Runs BGSAVE and waits until it is over. */
  async function saved(): Promise<void> {
    await admin.bgsave();
    while (/rdb_bgsave_in_progress:1/.test(await admin.info('persistence')))
      await new Promise((r) => setTimeout(r, 20));
  }

  /** A replica's health checks on its own connection, its log and the incidents it counted. */
  async function replica(options: {
    production?: boolean;
    url?: string;
    recordLatestWrite?: () => Promise<number | undefined>;
  }) {
    const log = memoryLogger();
    const incidents: DataLossIncident[] = [];
    const health = await RedisHealth.start({ url: options.url ?? server.url }, 'bot:', {
      log,
      clock,
      production: options.production ?? false,
      recordLatestWrite: options.recordLatestWrite,
      onIncident: (i) => incidents.push(i),
    });
    const said = (level: string, pattern: RegExp) =>
      log.lines.filter((l) => l.level === level && pattern.test(l.message));
    return { health, log, incidents, said };
  }

  describe('persistence', () => {
    it('tells the operator that a Redis without AOF or RDB loses accepted messages: an error in production, again hourly while it lasts', async () => {
      const prod = await replica({ production: true });
      expect(prod.said('error', /^Redis does not keep its data/)).toEqual([
        expect.objectContaining({
          fields: {
            servers: [
              { server: expect.stringMatching(/^127\.0\.0\.1:\d+$/), state: 'none', detail: 'appendonly no, save ""' },
            ],
          },
        }),
      ]);
      minutes(30);
      await prod.health.check();
      expect(prod.said('error', /^Redis does not keep its data/)).toHaveLength(1);
      minutes(31);
      await prod.health.check();
      expect(prod.said('error', /^Redis does not keep its data/)).toHaveLength(2);

      const dev = await replica({ production: false });
      expect(dev.said('warn', /^Redis does not keep its data/)).toHaveLength(1);
      expect(dev.said('error', /./)).toEqual([]);

      await admin.config('SET', 'appendonly', 'yes');
      try {
        await prod.health.check();
        expect(prod.said('info', /^Redis persists its data/)).toEqual([
          expect.objectContaining({ fields: { servers: [expect.stringMatching(/ aof$/)] } }),
        ]);
      } finally {
        await admin.config('SET', 'appendonly', 'no');
        await Promise.all([prod.health.close(), dev.health.close()]);
      }
    });

    it('says when the last save to disk failed', async () => {
      // The dump cannot be renamed into place: a directory holds its name.
      mkdirSync(join(dir, 'blocked.rdb', 'x'), { recursive: true });
      await admin.config('SET', 'save', '3600 1');
      const { health, said } = await replica({ production: true });
      try {
        await saved();
        await health.check();
        expect(said('error', /^Redis does not keep its data/).at(-1)?.fields).toEqual({
          servers: [expect.objectContaining({ state: 'failing', detail: 'rdb_last_bgsave_status:err' })],
        });
      } finally {
        await admin.config('SET', 'save', '');
        rmSync(join(dir, 'blocked.rdb'), { recursive: true });
        await saved(); // a save that succeeds: the next suites start from a good status
        await health.close();
      }
    });

    it('says it could not check when CONFIG is refused (a managed Redis), and does not fail', async () => {
      await admin.call('ACL', 'SETUSER', 'limited', 'on', '>secret', '~*', '&*', '+@all', '-config');
      const url = server.url.replace('//', '//limited:secret@');
      const { health, said } = await replica({ production: true, url });
      try {
        expect(said('warn', /^could not check whether Redis persists its data/)).toEqual([
          expect.objectContaining({
            fields: {
              servers: [expect.objectContaining({ state: 'unknown', detail: expect.stringMatching(/NOPERM/) })],
            },
          }),
        ]);
        expect(said('error', /./)).toEqual([]);
      } finally {
        await health.close();
        await admin.call('ACL', 'DELUSER', 'limited');
      }
    });
  });

  describe('the epoch marker', () => {
    it('is written once, without expiry, and quietly on a new installation', async () => {
      const { health, incidents, said } = await replica({ recordLatestWrite: async () => undefined });
      try {
        const marker = JSON.parse((await admin.get('bot:epoch')) ?? '{}');
        expect(marker).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), createdAt: now });
        expect(await admin.ttl('bot:epoch')).toBe(-1);
        expect(said('info', /^Redis epoch marker written/)).toHaveLength(1);
        minutes(1);
        await health.check();
        expect(JSON.parse((await admin.get('bot:epoch')) ?? '{}')).toEqual(marker);
        expect(incidents).toEqual([]);
        expect(said('error', /data-loss/)).toEqual([]);
      } finally {
        await health.close();
      }
    });

    it('reports a Redis that lost its data between two checks as one incident, with its window, and starts a new epoch', async () => {
      const { health, incidents, said } = await replica({ production: true });
      try {
        const before = await admin.get('bot:epoch');
        minutes(1);
        const lastSeen = now;
        await health.check();
        minutes(0.5);
        await admin.flushall();
        minutes(0.5);
        const { incident } = await health.check();
        const expected = {
          markers: [{ key: 'bot:epoch', server: expect.stringMatching(/^127\.0\.0\.1:\d+$/), found: 'gone' }],
          from: lastSeen,
          to: now,
        };
        expect(incident).toEqual(expected);
        expect(incidents).toEqual([expected]);
        expect(said('error', /^data-loss incident: Redis lost its data/)).toEqual([
          expect.objectContaining({
            fields: {
              from: new Date(lastSeen).toISOString(),
              to: new Date(now).toISOString(),
              servers: [expect.stringMatching(/ \(marker gone\)$/)],
            },
          }),
        ]);
        const after = await admin.get('bot:epoch');
        expect(after).not.toBeNull();
        expect(after).not.toBe(before);
        minutes(1);
        await health.check();
        expect(incidents).toHaveLength(1);
      } finally {
        await health.close();
      }
    });

    it('has every replica report the loss once: the first to look writes the new marker, the others see it replaced', async () => {
      const [a, b] = [await replica({}), await replica({})];
      try {
        minutes(1);
        await Promise.all([a.health.check(), b.health.check()]);
        const seen = now;
        await admin.flushall();
        minutes(1);
        const lostAt = now;
        expect((await a.health.check()).incident).toMatchObject({
          markers: [{ found: 'gone' }],
          from: seen,
          to: lostAt,
        });
        minutes(1);
        expect((await b.health.check()).incident).toMatchObject({
          markers: [{ found: 'replaced' }],
          from: seen,
          to: lostAt,
        });
        minutes(1);
        await Promise.all([a.health.check(), b.health.check()]);
        expect([a.incidents.length, b.incidents.length]).toEqual([1, 1]);
      } finally {
        await Promise.all([a.health.close(), b.health.close()]);
      }
    });

    it('at start-up, takes an empty Redis beside a record with writes for a loss since that write, and keys without a marker for an older deployment', async () => {
      const recordWrite = now - 3_600_000;
      const lost = await replica({ recordLatestWrite: async () => recordWrite });
      expect(lost.incidents).toEqual([
        { markers: [expect.objectContaining({ found: 'gone' })], from: recordWrite, to: now },
      ]);
      expect(lost.said('error', /^data-loss incident/)).toHaveLength(1);
      await lost.health.close();

      await admin.flushall();
      await admin.set('bot:{pending}', 'x');
      const older = await replica({ recordLatestWrite: async () => recordWrite });
      expect(older.incidents).toEqual([]);
      expect(await admin.exists('bot:epoch')).toBe(1);
      await older.health.close();
    });

    it('says once that it could not check while Redis is out of reach, and finds the marker again after', async () => {
      const relay = await redisWithOutages(server.url);
      const { health, incidents, said } = await replica({ url: relay.url });
      try {
        await relay.down();
        minutes(1);
        await health.check();
        minutes(1);
        await health.check();
        expect(said('warn', /^could not check whether Redis keeps its data/)).toHaveLength(1);
        await relay.up();
        minutes(1);
        expect(await health.check()).toMatchObject({ incident: undefined });
        expect(incidents).toEqual([]);
      } finally {
        await health.close();
        await relay.close();
      }
    });
  });
});
