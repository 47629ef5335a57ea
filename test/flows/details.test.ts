import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import type { FileRef } from '../../flows/files.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * What the customer adds to a matter already recorded (details.ts; 000 三.(一)3–4, 003: never make
 * the customer repeat themselves). Found by the issue-17 trials: an order number sent after
 * 请把订单号告诉我们, or details sent after the desk closed, became a second ticket with a second
 * promise while the matter they belonged to lacked them.
 */

const flow = defaultFlow(undefined, { desk: true });
const quick = { after: 2_000 };
const monday = shanghai('2026-11-23T15:00:00');
const box: FileRef = { source: 'telegram', id: 'AgACbox', kind: 'photo' };

/** A question the knowledge base has no answer for, confirmed: a pending matter with a promise. */
function pending(at = monday): Dialogue & { ticketId: string } {
  const d = new Dialogue(flow, at);
  d.say('你们的产品能不能走企业采购流程');
  d.say('是的', quick);
  const ticketId = d.of('ticket.put')[0]?.ticket.id ?? '';
  expect(d.ticket(ticketId)?.status).toBe('pending');
  return Object.assign(d, { ticketId });
}

/** An answer that asks for the order number, then the customer went quiet and the bot closed the chat. */
function quietAfterAnswer(): { d: Dialogue; id: string } {
  const d = new Dialogue(flow, monday);
  d.say('付款后多久发货');
  d.say('是的', quick);
  const id = d.of('ticket.put')[0]?.ticket.id ?? '';
  const idle = d.record!.timers.idle!;
  d.say({ type: 'timer', name: 'idle', dueAt: idle }, { after: idle - d.at });
  return { d, id };
}

describe('details a customer adds to a matter', () => {
  it('an order number for a pending matter goes on its ticket and its card, not on a second ticket', () => {
    const d = pending();
    const replies = d.say('订单号 20261120001', quick);
    expect(replies).toEqual([
      `好的，已将您补充的信息记录到您的问题（编号 ${d.ticketId}）中，处理时会一并查看，您不需要再重复。`,
      '请问还有其他可以帮助您的吗？',
    ]);
    expect(d.of('ticket.put')).toEqual([]);
    expect(d.ticket(d.ticketId)?.facts).toEqual(['你们的产品能不能走企业采购流程', '订单号 20261120001']);
    expect(d.of('desk.post')).toEqual([
      { type: 'desk.post', text: '订单号 20261120001', from: 'customer', ticketId: d.ticketId },
    ]);
    // Sent again (a retried delivery, or the customer repeating it): on the ticket once.
    d.say('订单号 20261120001', quick);
    expect(d.ticket(d.ticketId)?.facts).toHaveLength(2);
  });

  it('an order number after the answer that asked for it makes that matter a follow-up with the number', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    const answered = d.of('ticket.put')[0]?.ticket;
    expect(answered).toMatchObject({ status: 'answered', faqId: 'shipping-time' });
    const id = answered?.id ?? '';
    const replies = d.say('订单号 20261120001', quick);
    expect(replies[1]).toBe('请问还有其他可以帮助您的吗？');
    expect(replies[0]).toBe(
      `好的，已收到您的订单号 20261120001。已为您记录（服务编号 ${id}），我们会在24小时内有专人为您处理并与您联系（按工作日计，最迟 11月24日 15:01），请您留意。`,
    );
    // One matter, one ticket: the answered one now waits for a person, with the number.
    expect(d.of('ticket.put')).toEqual([]);
    expect(d.ticket(id)).toMatchObject({ status: 'pending', facts: ['付款后多久发货', '订单号 20261120001'] });
    expect(d.of('desk.open')[0]?.card).toMatchObject({ reason: 'details', kind: 'follow-up', ticketId: id });
    // A second number goes to the same matter; the close names it once and rates nothing still pending.
    d.say('订单号 20261120002', quick);
    expect(d.ticket(id)?.facts).toContain('订单号 20261120002');
    expect(d.say('没有了', quick)).toEqual([
      `感谢您的咨询，本次服务已为您记录（服务编号 ${id}）。如果您后续还有其他疑问，欢迎随时联系我们！`,
    ]);
  });

  it('the order number sent instead of a survey score still makes the matter a follow-up', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    d.say('没有了', quick);
    expect(d.state).toBe('survey');
    expect(d.say('订单号 20261120001', quick)[0]).toMatch(/^好的，已收到您的订单号 20261120001。/u);
    expect(d.ticket(id)?.status).toBe('pending');
  });

  it('an order number after an answer that asked for none, a date or a courier number is no such detail', () => {
    for (const [question, later] of [
      ['怎么付款', '20261120001'],
      ['付款后多久发货', '我是20261120下的单'],
      ['付款后多久发货', 'SF1234567890123'],
    ]) {
      const d = new Dialogue(flow, monday);
      d.say(question ?? '');
      d.say('是的', quick);
      const replies = d.say(later ?? '', quick);
      expect(replies.join('')).not.toContain('已收到您的订单号');
      expect(d.of('desk.open')).toEqual([]);
    }
  });

  it('a new problem with an order number is a new need even while a matter is pending', () => {
    const d = pending();
    d.say('没有了', quick);
    d.say('订单20261120002少发了一个配件', { after: 20 * 3_600_000 });
    expect(d.state).toContain('confirming');
    expect(d.ticket(d.ticketId)?.facts).toEqual(['你们的产品能不能走企业采购流程']);
  });

  it('the order number the answer asked for, with the other detail it asked for, makes one follow-up', () => {
    const d = new Dialogue(flow, monday);
    d.say('发票抬头写错了');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    // With more words than the number, the bot asks whether they are about that matter first.
    expect(d.say('订单号20261120001，抬头改成上海某某科技有限公司', quick)).toEqual([
      `您是想为您的问题（编号 ${id}）补充：“订单号20261120001，抬头改成上海某某科技有限公司”，对吗？`,
    ]);
    expect(d.say('是的', quick)[0]).toMatch(/^好的，已收到您的订单号 20261120001。/u);
    expect(d.ticket(id)).toMatchObject({ status: 'pending' });
    expect(d.ticket(id)?.facts).toContain('订单号20261120001，抬头改成上海某某科技有限公司');
    expect(d.of('ticket.put')).toEqual([]);
  });

  it('the order number given with the need, or while it is confirmed, is taken with the answer', () => {
    for (const lines of [
      ['我的订单还没发货，订单号20261120001', '是的'],
      ['付款后多久发货', '订单号20261120001'],
    ]) {
      const d = new Dialogue(flow, monday);
      d.say(lines[0] ?? '');
      const replies = d.say(lines[1] ?? '', quick);
      expect(replies[0], lines.join(' / ')).toMatch(/^一般情况下，付款成功后 48 小时内发货/u);
      expect(replies[1], lines.join(' / ')).toMatch(/^好的，已收到您的订单号 20261120001。/u);
      const ticket = d.of('ticket.put')[0]?.ticket;
      expect(d.ticket(ticket?.id ?? '')).toMatchObject({ status: 'pending', faqId: 'shipping-time' });
      expect(d.of('desk.open')[0]?.card.reason).toBe('details');
    }
  });

  it('a photo captioned with the order number goes on the follow-up and into its thread', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    d.say({ type: 'media', media: 'photo', file: box, caption: '订单号20261120001' }, quick);
    const id = d.of('desk.open')[0]?.card.ticketId ?? '';
    expect(d.ticket(id)?.files).toEqual([{ ...box, caption: '订单号20261120001' }]);
    expect(d.of('desk.file')).toEqual([{ type: 'desk.file', file: box, ticketId: id, caption: '订单号20261120001' }]);
  });

  it('more words while the bot asks are asked about together; a new problem with an order number is a new need', () => {
    const d = pending();
    d.say('是寄到日本东京', quick);
    expect(d.say('大概两公斤重', quick)).toEqual([
      `您是想为您的问题（编号 ${d.ticketId}）补充：“是寄到日本东京，大概两公斤重”，对吗？`,
    ]);
    d.say('是的', quick);
    expect(d.ticket(d.ticketId)?.facts).toContain('是寄到日本东京，大概两公斤重');
    expect(d.of('ticket.put')).toEqual([]);
    // A new problem naming an order is asked about too, and 不是 makes it a new need.
    expect(d.say('订单20261120002少发了一个配件', quick)[0]).toMatch(/^您是想为您的问题/u);
    expect(d.say('不是', quick)).toEqual(['您的意思是订单20261120002少发了一个配件，对吗？']);
  });

  it('found by the third trial: the number with the same topic, the number while an unanswered need is restated, words never lost', () => {
    const d = new Dialogue(flow, monday);
    d.say('快递查询');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    expect(d.say('订单号20261120001，物流三天没更新了', quick)[0]).toMatch(/^您是想为您的问题/u);
    d.say('是的', quick);
    expect(d.ticket(id)).toMatchObject({ status: 'pending', faqId: 'tracking' });

    // The number instead of 是的 to an unanswerable need: the need stays, the number is a fact.
    const e = new Dialogue(flow, monday);
    e.say('耳机左边没声音');
    e.say('订单号20261120001', quick);
    const ticket = e.of('ticket.put')[0]?.ticket;
    expect(ticket).toMatchObject({ status: 'pending', need: '耳机左边没声音' });
    expect(ticket?.facts).toEqual(['耳机左边没声音', '订单号20261120001']);

    // Words held for the question, then another question: they still go on the pending matter.
    const f = pending();
    f.say('耳机左边没声音', quick);
    f.say('怎么开发票', quick);
    expect(f.state).toBe('confirming');
    expect(f.ticket(f.ticketId)?.facts).toContain('耳机左边没声音');
    expect(f.of('desk.post')).toEqual([
      { type: 'desk.post', text: '耳机左边没声音', from: 'customer', ticketId: f.ticketId },
    ]);
  });

  it('a new question with an order number in it is a new need, not a detail', () => {
    const d = pending();
    d.say('订单20261120001怎么开发票', quick);
    expect(d.state).toContain('confirming');
    expect(d.ticket(d.ticketId)?.facts).toEqual(['你们的产品能不能走企业采购流程']);
  });

  it('other words right after the desk closed on a waiting customer are asked about: 是的 adds them to the matter', () => {
    const d = new Dialogue(flow, shanghai('2026-11-23T20:50:00'));
    d.say('我的耳机坏了，转人工');
    const ticketId = d.of('desk.open')[0]?.card.ticketId ?? '';
    const closed = d.record!.timers.deskClosed!;
    d.say({ type: 'timer', name: 'deskClosed', dueAt: closed }, { after: closed - d.at });
    expect(d.effects.some((e) => e.type === 'reply' && e.text.includes('非工作时间'))).toBe(true);
    expect(d.say('左边耳机没声音，充电也充不进去', quick)).toEqual([
      `您是想为您的问题（编号 ${ticketId}）补充：“左边耳机没声音，充电也充不进去”，对吗？`,
    ]);
    expect(d.choices()).toEqual(['是的', '不是']);
    d.say('是的', quick);
    expect(d.ticket(ticketId)?.facts).toContain('左边耳机没声音，充电也充不进去');
    expect(d.of('desk.post')).toEqual([
      { type: 'desk.post', text: '左边耳机没声音，充电也充不进去', from: 'customer', ticketId },
    ]);
    expect(d.of('ticket.put')).toEqual([]);
    // A photo now goes with that matter too.
    d.say({ type: 'media', media: 'photo', file: box }, quick);
    expect(d.ticket(ticketId)?.files).toEqual([box]);
    expect(d.of('desk.file')).toEqual([{ type: 'desk.file', file: box, ticketId }]);
  });

  it('a photo with a caption right after a promise goes with its words; an order number while asked adds both', () => {
    const d = pending();
    expect(d.say({ type: 'media', media: 'photo', file: box, caption: '这是我拍的' }, quick)[0]).toMatch(
      /^好的，已将您补充的信息记录到您的问题/u,
    );
    d.say('订单号 20261120001', quick);
    expect(d.ticket(d.ticketId)).toMatchObject({
      facts: ['你们的产品能不能走企业采购流程', '这是我拍的', '订单号 20261120001'],
      files: [{ ...box, caption: '这是我拍的' }],
    });
    expect(d.of('ticket.put')).toEqual([]);
  });

  it('the question quotes what was said after a thanks, shortened; a bare number asks again; 不用了 ends', () => {
    const d = pending();
    const replies = d.say(`谢谢，另外${'我家门口没有快递柜'.repeat(20)}`, quick);
    expect(replies[0]).toBe('不用客气，这是我们应该做的。');
    expect(replies[1]).toMatch(/^您是想为您的问题（编号 T\S+）补充：“我家门口没有快递柜.{30,60}…”，对吗？$/u);
    expect(d.say('5', quick)[0]).toMatch(/^您是想为您的问题/u);
    d.say('不用了', quick);
    expect(d.state).toBe('idle');
    expect(d.ticket(d.ticketId)?.facts).toEqual(['你们的产品能不能走企业采购流程']);
  });

  it('拜拜, 那我等你们消息 and 多久能回复我 after a promise close or tell the status, not offered as details', () => {
    expect(pending().say('拜拜', quick).join('')).toContain('感谢您的咨询');
    expect(pending().say('那我等你们消息', quick).join('')).toContain('感谢您的咨询');
    expect(pending().say('多久能回复我', quick).join('')).toContain('正在处理中');
  });

  it('不是: the words are a new need after all, restated as any other', () => {
    const d = pending();
    d.say('你们招不招代理商', quick);
    expect(d.state).toContain('confirmingDetail');
    expect(d.say('不是', quick)).toEqual(['您的意思是“你们招不招代理商”，对吗？']);
    d.say('是的', quick);
    const second = d.of('ticket.put')[0]?.ticket;
    expect(second).toMatchObject({ need: '你们招不招代理商', status: 'pending' });
    expect(d.ticket(d.ticketId)?.facts).toEqual(['你们的产品能不能走企业采购流程']);
  });

  it('a question the knowledge base knows, or a request for a person, is taken up as before', () => {
    const d = pending();
    d.say('怎么开发票', quick);
    expect(d.state).toContain('confirming');
    expect(d.state).not.toContain('confirmingDetail');
    const e = pending();
    e.say('转人工', quick);
    expect(e.state).toBe('handoff.queued');
  });

  it('works in English too', () => {
    const d = new Dialogue(flow, monday);
    d.say('Can I buy in bulk for my company with a purchase order?');
    d.say('yes', quick);
    const ticketId = d.of('ticket.put')[0]?.ticket.id ?? '';
    expect(d.ticket(ticketId)?.status).toBe('pending');
    expect(d.say('order number 20261120001', quick)[0]).toBe(
      `Thank you, I have added that to your request (reference ${ticketId}); whoever handles it will see it, so you won't need to repeat it.`,
    );
    expect(d.ticket(ticketId)?.facts).toContain('order number 20261120001');
  });

  it('acknowledgements, goodbyes and questions right after a promise are no details (found by the final trial)', () => {
    for (const text of ['行', '好的，麻烦了', '好的，那我等着', '那我等着', '结束', '明天几点上班']) {
      const d = pending();
      const replies = d.say(text, quick);
      expect(replies.join(''), text).not.toContain('补充');
      expect(d.ticket(d.ticketId)?.facts, text).toEqual(['你们的产品能不能走企业采购流程']);
    }
    // A photo whose caption asks is a new question; one that tells goes with the matter.
    const d = pending();
    d.say({ type: 'media', media: 'photo', file: box, caption: '怎么退货' }, quick);
    expect(d.state).toBe('confirming');
    const e = pending();
    e.say({ type: 'media', media: 'photo', file: box, caption: '物流截图' }, quick);
    expect(e.ticket(e.ticketId)?.files).toEqual([{ ...box, caption: '物流截图' }]);
  });

  it('the number sent after the customer went quiet still reaches the answered matter that asked for it, within a day', () => {
    const quiet = (after: number) => {
      const { d, id } = quietAfterAnswer();
      const replies = d.say('订单号20261120001', { after });
      return { d, id, replies };
    };
    const soon = quiet(20 * 60_000);
    expect(soon.replies[1]).toMatch(/^好的，已收到您的订单号 20261120001。/u);
    expect(soon.d.ticket(soon.id)?.status).toBe('pending');
    const late = quiet(25 * 3_600_000);
    expect(late.replies.join('')).not.toContain('已收到您的订单号');
    expect(late.d.ticket(late.id)?.status).toBe('answered');
  });

  it('thanks and goodbyes after a promise close politely; a number with words after the idle close is asked about (verification trial)', () => {
    for (const text of ['好的，麻烦了', '好的 谢谢 再见', '收到', 'ok I will wait']) {
      const d = pending();
      const replies = d.say(text, quick);
      expect(replies.at(-1), text).toMatch(/^感谢您的咨询/u);
      expect(d.of('ticket.put'), text).toEqual([]);
    }
    const { d, id } = quietAfterAnswer();
    expect(d.say('订单号20261120001，还没发货', { after: 20 * 60_000 }).at(-1)).toBe(
      `您是想为您的问题（编号 ${id}）补充：“订单号20261120001，还没发货”，对吗？`,
    );
    d.say('是的', quick);
    expect(d.ticket(id)?.status).toBe('pending');
  });

  it('转人工 right after the number takes that matter to the queue: one ticket, its number on the card, its promise kept', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    d.say('订单号 20261120001', quick);
    expect(d.say('转人工', quick)[0]).toMatch(/^正在为您转接人工客服/u);
    expect(d.of('ticket.put')).toEqual([]);
    expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'handoff', reason: 'asked', ticketId: id });
    expect(d.of('desk.open')[0]?.card.facts).toContain('订单号 20261120001');
    expect(d.ticket(id)?.outcome).toBe('handed to a person (asked)');
    const wang = { id: 'U-wang', name: '小王' };
    const agent = (action: string, extra = {}) => ({ type: 'agent', action, agent: wang, ...extra }) as FlowPayload;
    d.say(agent('claim'), quick);
    d.say(agent('resolve', { text: '已为您加急，今天发出' }), quick);
    expect(d.ticket(id)).toMatchObject({ status: 'resolved', outcome: 'resolved by 小王: 已为您加急，今天发出' });
    expect((d.ticket(id)?.events ?? []).map((e) => e.type)).toContain('promise-kept');
    // With a matter of its own (人工，发票抬头写错了), a ticket of its own; with only an order number, the same
    // matter (the verification trial found other matters closed with the pending one's outcome).
    const e = new Dialogue(flow, monday);
    e.say('付款后多久发货');
    e.say('是的', quick);
    e.say('订单号 20261120001', quick);
    e.say('人工，发票抬头写错了', quick);
    expect(e.of('ticket.put')).toHaveLength(1);
    const f = new Dialogue(flow, monday);
    f.say('付款后多久发货');
    f.say('是的', quick);
    const first = f.of('ticket.put')[0]?.ticket.id ?? '';
    f.say('订单号 20261120001', quick);
    f.say('转人工，订单号 20261120001', quick);
    expect(f.of('ticket.put')).toEqual([]);
    expect(f.of('desk.open')[0]?.card.ticketId).toBe(first);
  });

  it('the number and the words the answer asks for, sent instead of 是的, confirm the need and make the follow-up', () => {
    const d = new Dialogue(flow, monday);
    d.say('发票抬头写错了');
    expect(d.state).toBe('confirming');
    const replies = d.say('订单号 20261120001，正确抬头是上海某某科技有限公司', quick);
    expect(replies[0]).toMatch(/^我们支持开具电子普通发票/u);
    expect(replies[1]).toMatch(/^好的，已收到您的订单号 20261120001。/u);
    const ticket = d.of('ticket.put')[0]?.ticket;
    expect(d.ticket(ticket?.id ?? '')).toMatchObject({
      status: 'pending',
      facts: expect.arrayContaining(['订单号 20261120001，正确抬头是上海某某科技有限公司']),
    });
    // Words about something else with the number are a need of their own, restated.
    const e = new Dialogue(flow, monday);
    e.say('发票抬头写错了');
    expect(e.say('20261120001 东西坏了', quick)).toEqual(['您的意思是20261120001 东西坏了，对吗？']);
  });

  it('the number sent after the customer restarted the chat (/start) still reaches the answered matter', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    d.say({ type: 'command', command: 'start' }, quick);
    expect(d.say('订单号 20261120001', quick)[0]).toMatch(/^好的，已收到您的订单号 20261120001。/u);
    expect(d.ticket(id)).toMatchObject({ status: 'pending', facts: ['付款后多久发货', '订单号 20261120001'] });
    expect(d.of('ticket.put')).toEqual([]);
  });

  it('the number sent after the survey was answered still reaches the answered matter (fourth trial)', () => {
    const d = new Dialogue(flow, monday);
    d.say('我的订单还没发货');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    d.say('没有了', quick);
    d.say('5', quick);
    expect(d.say('123456789012', quick)).toContain(
      `好的，已收到您的订单号 123456789012。已为您记录（服务编号 ${id}），我们会在24小时内有专人为您处理并与您联系（按工作日计，最迟 11月24日 15:01），请您留意。`,
    );
    expect(d.ticket(id)).toMatchObject({ status: 'pending', satisfaction: 5 });
  });

  it('the number with a question about another topic: the number for the answered matter, then the question (fourth trial)', () => {
    const d = new Dialogue(flow, monday);
    d.say('物流一直没更新');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    const replies = d.say('123456789012，另外我想问下怎么退货', quick);
    expect(replies[0]).toMatch(/^好的，已收到您的订单号 123456789012。/u);
    expect(replies[1]).toMatch(/^您的意思是想办理退货或换货，对吗？/u);
    expect(d.ticket(id)?.status).toBe('pending');
    expect(d.state).toBe('confirming');
  });

  it('the number asked about, when the customer moves on to another question, still makes the follow-up (fourth trial)', () => {
    const d = new Dialogue(flow, monday);
    d.say('我的订单还没发货');
    d.say('是的', quick);
    const id = d.of('ticket.put')[0]?.ticket.id ?? '';
    expect(d.say('123456789012 麻烦快点', quick)[0]).toMatch(/^您是想为您的问题/u);
    const replies = d.say('怎么退货', quick);
    expect(replies[0]).toMatch(/^好的，已收到您的订单号 123456789012。/u);
    expect(replies[1]).toMatch(/^您的意思是想办理退货或换货/u);
    expect(d.ticket(id)).toMatchObject({ status: 'pending', facts: expect.arrayContaining(['123456789012 麻烦快点']) });
  });
});

describe('words of agreement inside a statement at "anything else?" (found by the issue-17 trial)', () => {
  it('takes 收到就是坏的 as what it says, not as thanks and goodbye', () => {
    const d = new Dialogue(flow, monday);
    d.say('付款后多久发货');
    d.say('是的', quick);
    expect(d.state).toBe('askMore');
    const [reply] = d.say('收到就是坏的', quick);
    expect(reply).not.toMatch(/^感谢您的咨询/);
    expect(d.state).not.toBe('idle');
    // 好的，麻烦了 still closes.
    const e = new Dialogue(flow, monday);
    e.say('付款后多久发货');
    e.say('是的', quick);
    e.say('好的，麻烦了', quick);
    expect(e.state).toBe('survey');
  });
});
