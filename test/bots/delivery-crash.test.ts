import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { OutboundMessage } from '../../bots/ports.js';
import { defaultFlow } from '../support/flows.js';
import { harness, RecordingChannel, RecordingDesk, TestClock } from '../support/harness.js';

/** A channel whose sends to one conversation, once stalled, never finish: the process died during them. */
class DyingChannel extends RecordingChannel {
  dying: string | undefined;
  override async send(message: OutboundMessage): Promise<void> {
    if (message.conversationId === this.dying) return new Promise(() => {});
    await super.send(message);
  }
}

const AGENT = { id: 'UWANG', name: '小王' };

describe('a crash repeats at most the one item in flight (issue 16, fault 2)', () => {
  it("does not post the desk's claim update twice when the worker dies sending the customer's reply after it", async () => {
    const clock = new TestClock();
    const store = new MemoryStore(clock.now);
    const desk = new RecordingDesk();
    const flow = defaultFlow(undefined, { desk: true });
    const dying = new DyingChannel();
    const first = harness(store, { clock, desk, flow, channel: dying });
    await first.say('c1', '我的订单还没发货，转人工');
    expect(desk.cards).toHaveLength(1);
    // The claim's turn: the card is updated, then the customer is told who joined; the process dies
    // while that reply is in flight.
    dying.dying = 'c1';
    void first.agent('c1', 'claim', AGENT);
    await expect.poll(() => desk.updates.filter((u) => u.status === 'claimed').length).toBe(1);
    // Another replica takes the conversation over once the dead one's lease has lapsed.
    clock.advance(31_000);
    const second = harness(store, { clock, desk, flow });
    await second.engine.recover();
    expect(desk.updates.filter((u) => u.status === 'claimed')).toHaveLength(1);
    expect(second.channel.texts('c1')).toEqual([expect.stringContaining('小王')]);
  });
});
