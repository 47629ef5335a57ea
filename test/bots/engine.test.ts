import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { ConversationFlow } from '../../flows/step.js';
import { blocked, harness, permanent, TestClock, transient } from '../support/harness.js';
import { defaultFlow } from '../support/flows.js';

function setup() {
  const clock = new TestClock();
  return harness(new MemoryStore(clock.now), { clock });
}

describe('engine: one turn of one conversation', () => {
  it('runs a whole conversation and delivers every reply in order', async () => {
    const h = setup();
    for (const line of ['你好', '我的订单还没发货', '是的', '没有了', '5']) await h.say('c1', line);
    expect(h.channel.texts('c1')).toEqual([
      '您好，本店欢迎您的光临！请问有什么可以帮您？',
      '您的意思是想了解订单什么时候发货，对吗？',
      expect.stringMatching(/^一般情况下/),
      '请问还有其他可以帮助您的吗？',
      expect.stringMatching(/^感谢您的咨询\uff0c本次服务已为您记录\uff08服务编号 T\d{6}-\w{10}\uff09/),
      expect.stringMatching(/^为了不断改进我们的服务/),
      '感谢您的评价（5 分），我们会继续努力的。祝您生活愉快！',
    ]);
    const [ticket] = await h.store.tickets.list();
    expect(ticket).toMatchObject({ status: 'answered', satisfaction: 5, need: '我的订单还没发货' });
  });

  it('gives a redelivered event exactly one effect', async () => {
    const h = setup();
    expect(await h.say('c1', '你好', 'tg-update-7')).toEqual({ status: 'accepted', conversationId: 'c1' });
    expect(await h.say('c1', '你好', 'tg-update-7')).toEqual({ status: 'duplicate' });
    expect(h.channel.texts()).toHaveLength(1);
    const transcript = await h.store.transcript('c1', 10);
    expect(transcript.filter((e) => e.from === 'customer')).toHaveLength(1);
  });

  it('serialises concurrent events of one conversation in arrival order', async () => {
    const h = setup();
    await h.say('c1', '你好');
    await Promise.all([h.say('c1', '我的订单还没发货'), h.say('c1', '是的'), h.say('c1', '没有了')]);
    expect(h.channel.texts('c1').slice(1, 3)).toEqual([
      '您的意思是想了解订单什么时候发货，对吗？',
      expect.stringMatching(/^一般情况下/),
    ]);
    const transcript = await h.store.transcript('c1', 50);
    expect(transcript.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual([
      '你好',
      '我的订单还没发货',
      '是的',
      '没有了',
    ]);
  });

  it('keeps conversations apart', async () => {
    const h = setup();
    await Promise.all([h.say('a', '你好'), h.say('b', 'hello')]);
    expect(h.channel.texts('a')).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
    expect(h.channel.texts('b')).toEqual(['Hello, welcome to Our Shop! How can I help you today?']);
  });

  it('keeps a pressed button on the transcript as the label the customer saw', async () => {
    const h = setup();
    await h.say('c1', '我的订单还没发货');
    await h.say('c1', { type: 'choice', choice: 'yes' });
    const transcript = await h.store.transcript('c1', 10);
    expect(transcript.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual(['我的订单还没发货', '是的']);
  });

  it('rejects a malformed event with a clear reason and stores nothing', async () => {
    const h = setup();
    const result = await h.engine.receive({
      id: '',
      conversationId: 'c1',
      channel: 'test',
      at: -1,
      payload: { type: 'text' },
    });
    expect(result.status).toBe('rejected');
    expect(result.status === 'rejected' && result.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^id: /),
        expect.stringMatching(/^at: /),
        expect.stringMatching(/^payload\.text: /),
      ]),
    );
    expect(await h.store.pending(10)).toEqual([]);
  });
  it('survives a flow that throws: the event leaves the inbox, the error is logged, the next message is answered', async () => {
    // A bug in a flow, on one message only: the engine's fallback must not wedge the conversation.
    const real = defaultFlow();
    const buggy: ConversationFlow = {
      bundle: real.bundle,
      machine: real.machine,
      step: (record, input) => {
        if (input.payload.type === 'text' && input.payload.text === '触发缺陷')
          throw new Error('flow bug for this message');
        return real.step(record, input);
      },
    };
    const clock = new TestClock();
    const h = harness(new MemoryStore(clock.now), { clock, flow: buggy });
    await h.say('c1', '你好');
    expect(await h.say('c1', '触发缺陷', 'ev-bug')).toEqual({ status: 'accepted', conversationId: 'c1' });
    expect(await h.store.peekInbox('c1')).toBeUndefined();
    expect(h.log.lines).toContainEqual({
      level: 'error',
      message: 'flow step failed',
      fields: expect.objectContaining({
        conversationId: 'c1',
        eventId: 'ev-bug',
        error: 'Error: flow bug for this message',
      }),
    });
    const before = h.channel.texts('c1').length;
    await h.say('c1', '我的订单还没发货');
    expect(h.channel.texts('c1').slice(before)).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
  });
  it('logs and counts a stored state it cannot restore, then serves the customer from the start', async () => {
    const h = setup();
    // A snapshot written by a machine that had a state this version no longer has.
    const begun = await h.store.begin('c1', 30_000);
    if (!begun) throw new Error('could not take the lock');
    const stale = {
      snapshot: { value: { service: 'retired-state' }, context: {}, status: 'active' },
      timers: {},
      turn: 3,
    };
    await h.store.commit(begun.lease, { eventId: 'none', record: stale, transcript: [], outbox: [] });
    await h.store.unlock(begun.lease);
    await h.say('c1', '你好');
    expect(h.channel.texts('c1')).toEqual([expect.stringMatching(/请问有什么可以帮您/)]);
    expect(h.engine.counters.snapshotResets).toBe(1);
    expect(h.log.lines).toContainEqual({
      level: 'error',
      message: 'stored conversation state could not be restored; the conversation starts over',
      fields: expect.objectContaining({ conversationId: 'c1', reason: expect.stringMatching(/does not fit/) }),
    });
  });
  it('counts the idle close from when it answers, not from the time a late update was sent', async () => {
    const h = setup();
    // The bot was down for an hour: Telegram delivers the customer's message now, dated then.
    await h.engine.receive({
      ...h.event('c1', { type: 'text', text: '我的订单还没发货' }),
      at: h.clock.now() - 3_600_000,
    });
    await h.poller.tick();
    expect(h.channel.texts('c1')).toEqual([expect.stringMatching(/^您好/), '您的意思是想了解订单什么时候发货，对吗？']);
    h.clock.advance(11 * 60_000);
    await h.poller.tick();
    expect(h.channel.texts('c1').at(-1)).toMatch(/较长时间没有回复/);
  });
});

describe('engine: text as it enters', () => {
  it('understands traditional characters as the simplified ones the definition is written in', async () => {
    const h = setup();
    await h.say('c1', '你好');
    await h.say('c1', '我的訂單還沒發貨');
    expect(h.channel.texts('c1').at(-1)).toBe('您的意思是想了解订单什么时候发货，对吗？');
  });

  it('takes out invisible characters: a hidden zero-width space does not hide a request for a person', async () => {
    const h = setup();
    await h.say('c1', '你好');
    await h.say('c1', '转\u200b人工');
    expect(h.channel.texts('c1')).toContainEqual(expect.stringMatching(/^非常抱歉，人工客服暂时无法接入/));
  });

  it('restates a need without the bidi controls around it, and asks when a message is nothing but invisible characters', async () => {
    const h = setup();
    await h.say('c1', '\u200b\u200b\u200b');
    expect(h.channel.texts('c1')).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
    await h.say('c1', '\u202e我买的东西颜色不对\u202c');
    expect(h.channel.texts('c1').at(-1)).toBe('您的意思是您买的东西颜色不对，对吗？');
    expect(h.channel.texts('c1').join('')).not.toMatch(/[\u200b\u202a-\u202e\u2066-\u2069]/);
  });
});

describe('engine: delivery', () => {
  it('retries a transient failure with backoff and sends once', async () => {
    const h = setup();
    h.channel.failures.push(transient(), transient());
    await h.say('c1', '你好');
    expect(h.channel.texts()).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
    expect(h.channel.attempts).toBe(3);
    expect(h.slept).toEqual([250, 500]);
  });

  it('waits as long as the platform says (retry_after)', async () => {
    const h = setup();
    h.channel.failures.push(transient('Too Many Requests', 7));
    await h.say('c1', '你好');
    expect(h.slept).toEqual([7_000]);
    expect(h.channel.texts()).toHaveLength(1);
  });

  it('keeps undelivered replies, in order, until a later sweep delivers them', async () => {
    const h = setup();
    h.channel.failures.push(transient(), transient(), transient());
    await h.say('c1', '你好');
    expect(h.channel.texts()).toEqual([]);
    // The customer writes again while the platform is still down (each run retries delivery before
    // and after its turn): the new reply queues behind the stuck one instead of overtaking it.
    h.channel.failures.push(...Array.from({ length: 6 }, () => transient()));
    await h.say('c1', '我的订单还没发货');
    expect(h.channel.texts()).toEqual([]);
    expect(await h.store.pending(10)).toEqual(['c1']);
    await h.engine.recover();
    expect(h.channel.texts()).toEqual([
      '您好，本店欢迎您的光临！请问有什么可以帮您？',
      '您的意思是想了解订单什么时候发货，对吗？',
    ]);
    expect(await h.store.pending(10)).toEqual([]);
  });

  it('holds the conversation through a long retry_after instead of letting another worker send twice', async () => {
    const h = setup();
    h.channel.failures.push(transient('Too Many Requests', 45));
    await h.say('c1', '你好');
    expect(h.slept).toEqual([45_000]);
    expect(h.channel.texts()).toHaveLength(1);
    expect(
      h.log.lines.filter((l) => l.level === 'warn' && String(l.fields?.error ?? '').includes('Lost the lock')),
    ).toEqual([]);
  });

  it('ends the conversation quietly when the customer blocked the bot: one attempt, no retry storm', async () => {
    const h = setup();
    await h.say('c1', '你好');
    h.channel.failures.push(blocked());
    const attempts = h.channel.attempts;
    await h.say('c1', '你们支持花呗分期吗');
    expect(h.channel.attempts - attempts).toBe(1);
    const transcript = await h.store.transcript('c1', 20);
    expect(transcript.at(-1)).toMatchObject({ from: 'system', text: 'the customer blocked the bot' });
    expect(await h.store.tickets.list({ conversationId: 'c1' })).toMatchObject([
      { status: 'unresolved', outcome: 'customer blocked the bot before an answer (need not yet confirmed)' },
    ]);
    h.clock.advance(60 * 60_000);
    expect(await h.poller.tick()).toBe(0);
  });

  it("tries none of the turn's other replies once the first is refused as unreachable (found by the fifteenth session's trial)", async () => {
    const h = setup();
    await h.say('c1', '你好');
    await h.say('c1', '我的订单还没发货');
    // 是的 gets the answer and "anything else?": the answer is refused (403), so the question is not tried.
    h.channel.failures.push(blocked());
    const attempts = h.channel.attempts;
    await h.say('c1', '是的');
    expect(h.channel.attempts - attempts).toBe(1);
    expect(h.log.lines.some((l) => l.message === 'not sent: the customer cannot be reached')).toBe(true);
  });

  it('drops a reply the platform refuses for good without stalling the conversation', async () => {
    const h = setup();
    h.channel.failures.push(permanent());
    await h.say('c1', '你好');
    await h.say('c1', '我的订单还没发货');
    expect(h.channel.texts()).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    expect(h.log.lines.some((l) => l.level === 'warn' && l.message.startsWith('delivery impossible'))).toBe(true);
  });
});

describe('engine: what customers do on real platforms', () => {
  it('keeps an edited message on the transcript without answering it', async () => {
    const h = setup();
    await h.say('c1', '你好');
    await h.say('c1', { type: 'edit', text: '你好呀' });
    expect(h.channel.texts()).toHaveLength(1);
    expect((await h.store.transcript('c1', 10)).map((e) => e.text)).toContain('[edited] 你好呀');
  });

  it('tells a group chat once that the bot serves private chats', async () => {
    const h = setup();
    await h.say('group:1', { type: 'command', command: 'group' }, 'group-notice:1');
    await h.say('group:1', { type: 'command', command: 'group' }, 'group-notice:1');
    expect(h.channel.texts('group:1')).toEqual([
      '您好\uff0c为了保护您的隐私\uff0c本店客服只在私聊中为您服务。请点击我的头像\uff0c给我发送私信咨询。',
    ]);
  });
});

describe('engine: complaints', () => {
  it('answers rapid complaint messages once, after the durable listen timer', async () => {
    const h = setup();
    await h.say('c1', '你们什么破公司\uff01我要投诉\uff01\uff01');
    h.clock.advance(2_000);
    await h.say('c1', '快递一直不到');
    h.clock.advance(2_000);
    await h.say('c1', '订单号 12345678');
    expect(h.channel.texts()).toEqual([]);
    h.clock.advance(3_000);
    expect(await h.poller.tick()).toBe(0);
    h.clock.advance(4_000);
    expect(await h.poller.tick()).toBe(1);
    expect(h.channel.texts()).toHaveLength(2);
    expect(h.channel.texts()[1]).toMatch(
      /^为了更快为您处理\uff0c我先和您确认一下\uff1a订单号\uff1a12345678\uff1b情况\uff1a快递一直不到/,
    );
  });

  it('keeps a promised reply time: the pending complaint is escalated and its customer told, the resolved one left alone', async () => {
    const h = setup();
    for (const conv of ['late', 'handled']) {
      await h.say(conv, '我要投诉');
      h.clock.advance(7_000);
      await h.poller.tick();
      await h.say(conv, '订单号 12345678\uff0c昨天\uff0c东西丢了');
      // 有无补充: nothing to add; then nothing else to ask.
      await h.say(conv, '没有了');
      await h.say(conv, '不是');
    }
    const [handled] = await h.store.tickets.list({ conversationId: 'handled' });
    await h.store.tickets.update(handled!.id, { status: 'resolved', outcome: 'refunded by an agent' }, h.clock.now());
    const before = { late: h.channel.texts('late').length, handled: h.channel.texts('handled').length };
    h.clock.advance(25 * 3_600_000);
    await h.poller.tick();
    const [late] = await h.store.tickets.list({ conversationId: 'late' });
    expect(late).toMatchObject({
      status: 'pending',
      priority: 'high',
      escalation: { reason: 'promise-overdue' },
      overdueAt: expect.any(Number),
    });
    expect(h.channel.texts('late').slice(before.late)).toEqual([
      `您好\uff0c关于您反映的问题\uff08编号 ${late!.id}\uff09\uff0c很抱歉到目前还没能给您处理结果。我们已将它升级加急处理\uff0c主管会尽快与您联系。给您添麻烦了\uff0c感谢您的耐心与谅解\uff01`,
    ]);
    expect(await h.store.tickets.get(handled!.id)).toMatchObject({ status: 'resolved', priority: 'normal' });
    expect(h.channel.texts('handled').slice(before.handled)).toEqual([]);
    expect(
      h.log.lines
        .filter((e) => e.message === 'escalation' && e.fields?.['reason'] === 'promise-overdue')
        .map((e) => e.fields?.['conversationId']),
    ).toEqual(['late']);
  });
});

describe('engine: timers', () => {
  it('closes an idle customer once, from a durable timer fired by the poller', async () => {
    const h = setup();
    await h.say('c1', '你好');
    h.clock.advance(9 * 60_000);
    expect(await h.poller.tick()).toBe(0);
    h.clock.advance(2 * 60_000);
    expect(await h.poller.tick()).toBe(1);
    expect(h.channel.texts().at(-1)).toBe(
      '由于您较长时间没有回复，本次会话先为您结束。如果您还有其他问题，欢迎随时联系我们，祝您生活愉快！',
    );
    h.clock.advance(60 * 60_000);
    expect(await h.poller.tick()).toBe(0);
    expect(h.channel.texts()).toHaveLength(2);
  });

  it('does not close a customer who wrote again before the deadline', async () => {
    const h = setup();
    await h.say('c1', '你好');
    h.clock.advance(8 * 60_000);
    await h.say('c1', '我的订单还没发货');
    h.clock.advance(8 * 60_000);
    await h.poller.tick();
    expect(h.channel.texts()).toHaveLength(2);
    h.clock.advance(3 * 60_000);
    await h.poller.tick();
    expect(h.channel.texts().at(-1)).toMatch(/^由于您较长时间没有回复/);
  });
});
