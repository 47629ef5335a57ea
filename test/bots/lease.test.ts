import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { ChannelPort, OutboundMessage } from '../../bots/ports.js';
import { defaultFlow } from '../support/flows.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A channel paced like Telegram under load: every send waits in a queue for a while. */
class SlowChannel implements ChannelPort {
  readonly sent: string[] = [];
  constructor(private readonly delayMs: number) {}
  async send(message: OutboundMessage): Promise<void> {
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.sent.push(message.id);
  }
}

describe('holding a conversation through slow deliveries', () => {
  it('keeps its lease across many short waits, so another replica never sends the same reply again', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore(() => Date.now());
    const flow = defaultFlow();
    const channel = new SlowChannel(9_000);
    const make = () =>
      new Engine({
        store,
        flow: () => flow,
        channels: new Map([['test', channel]]),
        clock: () => Date.now(),
        log: memoryLogger(),
        options: { lockTtlMs: 30_000 },
      });
    const [a, b] = [make(), make()];
    const events = ['我的订单还没发货', '是的', '还有问题'].map((text, i) => ({
      id: `e${i}`,
      conversationId: 'c',
      channel: 'test',
      customer: { id: 'c' },
      at: Date.now(),
      payload: { type: 'text' as const, text },
    }));
    for (const e of events) await a.accept(e);
    // Five replies of nine seconds each: 45 s with the lease, longer than its 30 s term, while the
    // other replica sweeps every five seconds.
    const running = a.run('c');
    for (let t = 0; t < 60; t += 5) {
      await vi.advanceTimersByTimeAsync(5_000);
      await b.recover();
    }
    await running;
    expect(channel.sent).toHaveLength(5);
    expect(new Set(channel.sent).size).toBe(5);
  });
});
