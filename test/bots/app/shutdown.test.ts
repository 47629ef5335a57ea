import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstStopSignal, shutdownBudget, stopWithin } from '../../../bots/app/shutdown.js';
import type { RedisStore } from '../../../adapters/store/redis.js';
import { Engine } from '../../../bots/engine.js';
import { memoryLogger } from '../../../bots/log.js';
import type { ChannelPort, InboundEvent, OutboundMessage } from '../../../bots/ports.js';
import { defaultFlow } from '../../support/flows.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../../support/redis.js';

/**
 * Issue 16, fault 9: a stopping bot waits for its turns in flight only for their share of
 * SHUTDOWN_TIMEOUT_MS (the rest is kept for closing and the exit), then hands their conversations back through the lease, so another replica answers the customer
 * at once instead of when the lock's TTL (30 s) runs out. Two replicas on one real Redis; the
 * bound is a deadline the test fires itself (no waiting on the clock).
 */

const flow = defaultFlow();

/** A channel whose sends wait until the test lets them through (`release`), like a platform that stopped answering. */
class HeldChannel implements ChannelPort {
  readonly asked: string[] = [];
  readonly sent: string[] = [];
  private waiting: Array<() => void> = [];
  private onAsk: Array<() => void> = [];
  constructor(private held: boolean) {}
  async send(message: OutboundMessage): Promise<void> {
    this.asked.push(message.text);
    for (const wake of this.onAsk.splice(0)) wake();
    if (this.held) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.sent.push(message.text);
  }
  /** Resolves once a send has been asked for. */
  asking(): Promise<void> {
    return this.asked.length > 0 ? Promise.resolve() : new Promise((resolve) => this.onAsk.push(resolve));
  }
  release(): void {
    this.held = false;
    for (const go of this.waiting.splice(0)) go();
  }
}

/** A deadline the test fires: `after` for stopWithin, `fire` to reach it. */
function deadline() {
  const fires: Array<() => void> = [];
  const asked: number[] = [];
  return {
    asked,
    after: (ms: number) =>
      new Promise<void>((resolve) => {
        asked.push(ms);
        fires.push(resolve);
      }),
    fire: () => fires.shift()?.(),
  };
}

const text = (id: string, conversationId: string, said: string): InboundEvent => ({
  id,
  conversationId,
  channel: 'telegram',
  customer: { id: conversationId },
  at: Date.now(),
  payload: { type: 'text', text: said },
});

describe.runIf(requireRedis())('a bounded shutdown (two replicas, real Redis)', () => {
  let raw: Redis;
  const prefixes: string[] = [];
  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    for (const p of prefixes) {
      const keys = await raw.keys(`${p}*`);
      if (keys.length) await raw.del(...keys);
    }
    await raw.quit();
  });

  async function replicas() {
    const prefix = testPrefix('shutdown');
    prefixes.push(prefix);
    const [storeA, storeB] = [await freshRedisStore({}, prefix), await freshRedisStore({}, prefix)];
    const make = (store: RedisStore, channel: ChannelPort) => {
      const log = memoryLogger();
      const engine = new Engine({
        store,
        flow: () => flow,
        channels: new Map([['telegram', channel]]),
        clock: Date.now,
        log,
        sleep: async () => {},
      });
      return { engine, store, channel, log };
    };
    return { a: make(storeA, new HeldChannel(true)), b: make(storeB, new HeldChannel(false)), storeA, storeB };
  }

  it('hands back a conversation whose reply is stuck past the bound: the other replica answers at once', async () => {
    const { a, b, storeB } = await replicas();
    const channelA = a.channel as HeldChannel;
    const channelB = b.channel as HeldChannel;
    const accepted = await a.engine.accept(text('u1', 'telegram:7001', '你好'), { begin: true });
    if (accepted.status !== 'accepted') throw new Error('not accepted');
    const turn = a.engine.run(accepted.conversationId, accepted.begun);
    await channelA.asking();
    // While A holds it, B cannot take the conversation (its lock would last 30 s).
    await b.engine.run('telegram:7001');
    expect(channelB.asked).toEqual([]);

    const bound = deadline();
    const stopping = stopWithin({
      stop: () => turn,
      release: () => a.engine.release(),
      close: () => a.store.close(),
      boundMs: 10_000,
      log: a.log,
      after: bound.after,
    });
    await Promise.resolve();
    bound.fire();
    expect(await stopping).toEqual({ finished: false, handedBack: 1, closed: true });
    // Of the default 10 s from the signal: 7.5 s for the turns, 1.5 s to hand back and close, 1 s left to exit.
    expect(bound.asked).toEqual([7_500, 1_500]);
    expect(a.log.lines.some((e) => e.level === 'warn' && /did not finish within the bound/.test(e.message))).toBe(true);

    // B takes the conversation now and sends the greeting A never got through.
    expect(await storeB.pending(10)).toContain('telegram:7001');
    await b.engine.recover();
    expect(channelB.sent).toEqual(channelA.asked);
    expect(channelB.sent[0]).toMatch(/请问有什么可以帮您/);
    // A's send comes back at last: A writes nothing more (its store is closed, its lease gone), and B's state stands.
    channelA.release();
    await turn;
    await b.engine.receive(text('u2', 'telegram:7001', '发票怎么开'));
    expect(channelB.sent.length).toBeGreaterThan(1);
    await storeB.close();
  });

  it('waits for turns that finish within the bound and hands back nothing', async () => {
    const { a, storeB } = await replicas();
    const channelA = a.channel as HeldChannel;
    const accepted = await a.engine.accept(text('u1', 'telegram:7002', '你好'), { begin: true });
    if (accepted.status !== 'accepted') throw new Error('not accepted');
    const turn = a.engine.run(accepted.conversationId, accepted.begun);
    await channelA.asking();
    const bound = deadline();
    const stopping = stopWithin({
      stop: () => turn,
      release: () => a.engine.release(),
      close: () => a.store.close(),
      boundMs: 10_000,
      log: a.log,
      after: bound.after,
    });
    channelA.release();
    expect(await stopping).toEqual({ finished: true, handedBack: 0, closed: true });
    expect(channelA.sent).toHaveLength(1);
    // Nothing is left for anyone: the reply was delivered and acknowledged.
    expect(await storeB.pending(10)).not.toContain('telegram:7002');
    await storeB.close();
  });

  it('hands back what a failed stop left, and still closes the store', async () => {
    const { a, storeB } = await replicas();
    const accepted = await a.engine.accept(text('u1', 'telegram:7003', '你好'), { begin: true });
    if (accepted.status !== 'accepted') throw new Error('not accepted');
    const turn = a.engine.run(accepted.conversationId, accepted.begun);
    await (a.channel as HeldChannel).asking();
    let closed = false;
    const stopped = await stopWithin({
      stop: async () => {
        throw new Error('a receiver could not stop');
      },
      release: () => a.engine.release(),
      close: async () => {
        await a.store.close();
        closed = true;
      },
      boundMs: 10_000,
      log: a.log,
      after: deadline().after,
    });
    expect(stopped).toEqual({ finished: false, handedBack: 1, closed: true });
    expect(closed).toBe(true);
    expect(
      a.log.lines.some((e) => e.level === 'error' && /a receiver could not stop/.test(String(e.fields?.error))),
    ).toBe(true);
    (a.channel as HeldChannel).release();
    await turn;
    await storeB.close();
  });
});

describe("the shutdown's bound, from the signal to the end of the process", () => {
  it('gives the turns what is left after a fifth for closing (at most 1.5 s) and a fifth for the exit (at most 1 s)', () => {
    expect(shutdownBudget(10_000)).toEqual({ turnsMs: 7_500, closeMs: 1_500, exitMs: 1_000 });
    expect(shutdownBudget(30_000)).toEqual({ turnsMs: 27_500, closeMs: 1_500, exitMs: 1_000 });
    expect(shutdownBudget(1_500)).toEqual({ turnsMs: 900, closeMs: 300, exitMs: 300 });
    expect(shutdownBudget(0)).toEqual({ turnsMs: 0, closeMs: 0, exitMs: 0 });
  });

  it('does not wait past its share for a store that never answers, and says so', async () => {
    const log = memoryLogger();
    const bound = deadline();
    let graceMs: number | undefined;
    const stopping = stopWithin({
      stop: async () => {},
      release: async () => 0,
      close: (ms) => {
        graceMs = ms;
        return new Promise<void>(() => {});
      },
      boundMs: 10_000,
      log,
      after: bound.after,
    });
    // The turns finished; closing hangs until its share (the second deadline) runs out.
    await new Promise((resolve) => setImmediate(resolve));
    expect(bound.asked).toEqual([7_500, 1_500]);
    bound.fire();
    bound.fire();
    expect(await stopping).toEqual({ finished: true, handedBack: 0, closed: false });
    // Requests still in progress on the port get half of the closing's share.
    expect(graceMs).toBe(750);
    expect(log.lines.some((e) => e.level === 'warn' && /closing took too long/.test(e.message))).toBe(true);
  });

  it('does not wait past the bound for a hand-back that never answers (Redis down), and never throws', async () => {
    const log = memoryLogger();
    const bound = deadline();
    let closing = false;
    const stopping = stopWithin({
      stop: () => new Promise<void>(() => {}),
      release: () => new Promise<number>(() => {}),
      close: async () => {
        closing = true;
      },
      boundMs: 1_500,
      log,
      after: bound.after,
    });
    await new Promise((resolve) => setImmediate(resolve));
    bound.fire();
    await new Promise((resolve) => setImmediate(resolve));
    expect(bound.asked).toEqual([900, 300]);
    bound.fire();
    expect(await stopping).toEqual({ finished: false, handedBack: 0, closed: false });
    expect(closing).toBe(false);
  });
});

describe('the stop signal', () => {
  it('resolves on the first SIGTERM or SIGINT and keeps handling repeats, so a forwarded copy cannot kill the bot', async () => {
    const signals = new EventEmitter();
    const log = memoryLogger();
    const first = firstStopSignal(log, signals);
    signals.emit('SIGINT');
    signals.emit('SIGINT');
    signals.emit('SIGTERM');
    expect(await first).toBe('SIGINT');
    expect(signals.listenerCount('SIGINT')).toBe(1);
    expect(signals.listenerCount('SIGTERM')).toBe(1);
    expect(log.lines.filter((e) => /already stopping/.test(e.message)).map((e) => e.fields?.signal)).toEqual([
      'SIGINT',
      'SIGTERM',
    ]);
  });
});
