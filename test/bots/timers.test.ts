import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { OutboundMessage } from '../../bots/ports.js';
import { harness, RecordingChannel, TestClock } from '../support/harness.js';

/** A channel whose sends to one conversation hang, once stalled, until released (a chat paced by Telegram, a stalled socket). */
class StalledChannel extends RecordingChannel {
  stalled: string | undefined;
  private release: () => void = () => {};
  private readonly gate = new Promise<void>((r) => (this.release = r));
  override async send(message: OutboundMessage): Promise<void> {
    if (message.conversationId === this.stalled) await this.gate;
    await super.send(message);
  }
  unstall(): void {
    this.release();
  }
}

describe('timers: due deadlines of different customers do not wait for each other (issue 16, fault 7)', () => {
  it("closes nine idle conversations while the tenth customer's send hangs", async () => {
    const clock = new TestClock();
    const stalled = new StalledChannel();
    const h = harness(new MemoryStore(clock.now), { clock, channel: stalled });
    const conversations = Array.from({ length: 10 }, (_, n) => `c${n}`);
    for (const c of conversations) await h.say(c, '你好');
    const greeted = stalled.sent.length;
    stalled.stalled = 'c0';
    clock.advance(11 * 60_000);
    const tick = h.poller.tick();
    await expect.poll(() => stalled.sent.length - greeted).toBe(9);
    const closes = stalled.sent.slice(greeted);
    expect(new Set(closes.map((m) => m.conversationId))).toEqual(new Set(conversations.slice(1)));
    expect(closes.every((m) => /较长时间没有回复/.test(m.text))).toBe(true);
    stalled.unstall();
    expect(await tick).toBe(10);
    expect(stalled.texts('c0').at(-1)).toMatch(/较长时间没有回复/);
  });
});
