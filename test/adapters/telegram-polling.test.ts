import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { RedisStore } from '../../adapters/store/redis.js';
import { createTelegram, type TelegramReceiver } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { Store } from '../../bots/ports.js';
import { botApiStandIn, type BotApiStandIn } from '../support/bot-api.js';
import { defaultFlow } from '../support/flows.js';
import { TestClock } from '../support/harness.js';
import { redisWithOutages, type RedisOutage } from '../support/redis-outage.js';
import { redisUrl, requireRedis, testPrefix } from '../support/redis.js';
import { BOT_INFO, TOKEN, updates } from '../support/telegram.js';

/**
 * Long polling confirms an update to Telegram (the next getUpdates' offset passes it) only once
 * the update is stored. A real Redis behind a relay that goes down and comes back stands for a
 * Redis restart; a local stand-in of the Bot API keeps unconfirmed updates as Telegram does.
 * Polling's pauses are handed to the test, which decides when Redis is back: no sleeping.
 */
const flow = defaultFlow();
const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

interface Polling {
  api: BotApiStandIn;
  receiver: TelegramReceiver;
  log: ReturnType<typeof memoryLogger>;
  /** Pauses polling asked for, in ms, in order. */
  pauses: number[];
  /** Delivers an update by long polling and resolves once Telegram was told it is stored and its turn ran. */
  deliver(update: { update_id: number }): Promise<void>;
}

async function polling(store: Store, onPause: (ms: number, n: number) => Promise<void> = async () => {}) {
  const api = await botApiStandIn();
  cleanup.push(() => api.close());
  const log = memoryLogger();
  const clock = new TestClock();
  const pauses: number[] = [];
  const telegram = createTelegram(
    {
      token: TOKEN,
      apiRoot: api.url,
      mode: { kind: 'polling' },
      allowGroups: false,
      throttle: false,
      botInfo: BOT_INFO,
      pollWait: async (ms) => {
        pauses.push(ms);
        await onPause(ms, pauses.length);
      },
    },
    { log, clock: clock.now },
  );
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['telegram', telegram.channel]]),
    clock: clock.now,
    log,
    sleep: async () => {},
  });
  const receiver = telegram.receiver(engine);
  await receiver.start();
  cleanup.push(() => receiver.stop());
  const deliver = async (update: { update_id: number }) => {
    const confirmed = api.next('getUpdates', (c) => c.body.offset > update.update_id);
    api.push(update);
    await confirmed;
    await receiver.idle();
  };
  return { api, receiver, log, pauses, deliver } satisfies Polling;
}

describe('Telegram long polling and the store', () => {
  describe.runIf(requireRedis())('a Redis restart', () => {
    let redis: RedisOutage;
    let store: RedisStore;
    afterEach(async () => {
      await redis.up().catch(() => {});
      await store.close();
      await redis.close();
    });

    it('does not lose the message written meanwhile: it is fetched again and answered where the conversation stood', async () => {
      redis = await redisWithOutages(redisUrl);
      // ioredis gives up on a command after 3 reconnection attempts; quick ones keep the test fast.
      store = await RedisStore.connect({
        url: redis.url,
        prefix: testPrefix('poll'),
        redisOptions: { retryStrategy: () => 5 },
      });
      // Redis is back after polling's second pause (Telegram kept the update all along).
      const t = await polling(store, async (_, n) => {
        if (n === 2) await redis.up();
      });
      const need = updates.text(61, '我的订单还没发货');
      await t.deliver(need);
      expect(t.api.sent(61).at(-1)).toBe('您的意思是想了解订单什么时候发货\uff0c对吗\uff1f');

      await redis.down();
      const yes = updates.text(61, '是的');
      await t.deliver(yes);
      expect(t.pauses).toEqual([1_000, 2_000]);
      // Asked for from that update three times: twice it could not be stored, the third time it was.
      const offsets = t.api.of('getUpdates').map((c) => c.body.offset);
      expect(offsets.filter((o) => o === yes.update_id)).toHaveLength(3);
      expect(t.api.unconfirmed()).toEqual([]);
      // Answered as the confirmation it was, not taken as a new need.
      expect(t.api.sent(61).slice(-2)).toEqual([
        expect.stringMatching(/^一般情况下\uff0c付款成功后 48 小时内发货/),
        '请问还有其他可以帮助您的吗\uff1f',
      ]);
      expect(
        t.log.lines.some(
          (l) => l.message === 'a Telegram update could not be stored; polling pauses and Telegram keeps it',
        ),
      ).toBe(true);
    });
  });

  it('confirms the updates it stored when it stops, so a restart does not get them again', async () => {
    const store = new MemoryStore(new TestClock().now);
    const t = await polling(store);
    const hello = updates.text(62, '你好');
    const stored = t.api.next('sendMessage');
    t.api.push(hello);
    await stored;
    await t.receiver.idle();
    await t.receiver.stop();
    expect(t.api.of('getUpdates').at(-1)?.body).toMatchObject({ offset: hello.update_id + 1 });
    expect(t.api.unconfirmed()).toEqual([]);
  });
});
