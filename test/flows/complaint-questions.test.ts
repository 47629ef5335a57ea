import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import { compileMatcher } from '../../flows/match.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultDefinition, defaultFlow, shanghai } from '../support/flows.js';

/**
 * Questions asked while a complaint is told (found by the sixteenth issue-17 session's trials: 另外发票怎么开
 * inside a complaint was read back as 情况：…，另外发票怎么开 and never answered): a question the
 * knowledge base answers is no fact of what happened; it is answered once the complaint is settled,
 * a matter of its own on the record, unless the complaint's offered solution was that answer.
 */
const flow = defaultFlow();
const afternoon = shanghai('2026-11-23T15:00:00');
const zh = compileMatcher(defaultDefinition('zh-CN'));
const quickly = { after: 2_000 };

function pause(d: Dialogue): string[] {
  const dueAt = d.record?.timers.listen;
  if (dueAt === undefined) throw new Error('no listen timer pending');
  return d.say({ type: 'timer', name: 'listen', dueAt } satisfies FlowPayload, { after: dueAt - d.at });
}

describe('questions asked during a complaint', () => {
  it('keeps the question out of what happened and answers it after the promise, on a ticket of its own', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我要投诉，耳机用了两天就坏了。另外发票怎么开？', quickly);
    const [, clarify] = pause(d);
    expect(clarify).toMatch(/情况\uff1a耳机用了两天就坏了。麻烦您再告诉我/);
    expect(clarify).not.toMatch(/发票/);
    d.say('订单号 20261120001\uff0c昨天收到的', quickly);
    d.say('没有了', quickly);
    const [promise, invoice, anythingElse] = d.say('不行', quickly);
    expect(promise).toMatch(/^非常感谢您反映的意见\uff0c您的投诉已登记/);
    expect(invoice).toMatch(/^我们支持开具电子普通发票和增值税专用发票/);
    expect(anythingElse).toBe('请问还有其他可以帮助您的吗\uff1f');
    const puts = d.of('ticket.put').map((p) => p.ticket);
    expect(puts.map((t) => [t.type, t.status, t.need])).toEqual([
      ['complaint', 'pending', '耳机用了两天就坏了'],
      ['inquiry', 'answered', '发票怎么开'],
    ]);
    expect(puts[1]).toMatchObject({ faqId: 'invoices', facts: ['发票怎么开'] });
    // The customer's own words stay on the complaint's record as told, the question with them.
    expect(puts[0]!.facts[0]).toMatch(/另外发票怎么开/);
    // The survey rates the answered question; the complaint is rated once it is resolved, as without a question.
    d.say('没有了');
    d.say('4');
    expect(puts.map((t) => d.ticket(t.id)?.satisfaction)).toEqual([undefined, 4]);
  });

  it('answers a question asked instead of something to add, without saying it was added to the record', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我要投诉，订单20261120001的耳机昨天收到就是坏的', quickly);
    pause(d);
    expect(d.state).toBe('complaint.supplementing');
    // No solution in the knowledge base for this category: registered with its promise, then the question answered.
    const replies = d.say('能改收货地址吗？', quickly);
    expect(replies.join('\n')).not.toMatch(/您补充的情况我已经为您记录/);
    expect(replies[0]).toMatch(/^非常感谢您反映的意见\uff0c您的投诉已登记/);
    expect(replies[1]).toMatch(/^订单发货前\uff0c您可以在“我的订单”中直接修改收货地址/);
    expect(replies[2]).toBe('请问还有其他可以帮助您的吗\uff1f');
  });

  it('does not answer again what the offered solution answered (能换货吗 beside a broken item)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我要投诉，耳机用了两天就坏了，能换货吗？', quickly);
    pause(d);
    d.say('订单号 20261120001\uff0c昨天收到的', quickly);
    const [offer] = d.say('没有了', quickly);
    expect(offer).toMatch(/^针对您反映的情况\uff0c我们的处理方案是\uff1a签收后 7 天内/);
    const replies = d.say('好的', quickly);
    expect(replies.filter((r) => /签收后 7 天内/.test(r))).toEqual([]);
    expect(d.of('ticket.put').map((p) => p.ticket.type)).toEqual(['complaint']);
  });

  it('keeps a why-question, or one told of, as what happened (为什么还没发货; 我问他什么时候发货)', () => {
    expect(zh.understand('我要投诉，付款五天了，为什么还没发货？').questions).toBeUndefined();
    // A question the customer tells of having asked is what happened too (the agent-attitude complaint's story).
    expect(zh.understand('我问他什么时候发货，他说不知道，然后就不理我了').questions).toBeUndefined();
    expect(zh.understand('耳机坏了，发票怎么开？').questions).toEqual({
      asked: [{ text: '发票怎么开', faqId: 'invoices' }],
      rest: '耳机坏了',
    });
    // A question the knowledge base has no answer for stays with the complaint's words (a person answers it).
    expect(zh.understand('耳机坏了，运费谁出？').questions).toBeUndefined();
  });

  it('resumes the need it interrupted after answering, the need as it was', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('怎么开发票')[0]).toMatch(/^您的意思是/);
    d.say('太差劲了，我要投诉，耳机坏了，另外能改地址吗？', quickly);
    pause(d);
    d.say('订单号 20261120001\uff0c昨天', quickly);
    d.say('没有了', quickly);
    const replies = d.say('不行', quickly);
    const address = replies.findIndex((r) => /^订单发货前/.test(r));
    const resume = replies.indexOf('关于您之前咨询的问题\uff0c我们继续为您处理。');
    expect(address).toBeGreaterThan(0);
    expect(resume).toBeGreaterThan(address);
    expect(replies.at(-1)).toMatch(/发票/);
  });
});
