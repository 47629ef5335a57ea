import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * A claimed conversation's reply SLA (handoff.replySlaSeconds 180, replySupervisorSeconds 600).
 * Found by the fifteenth issue-17 session's trial: an agent who claimed and said nothing left the
 * customer 19 hours without a word; no reminder, no supervisor, nothing at the desk's closing.
 */
const flow = defaultFlow(undefined, { desk: true });
const wang = { id: 'U-wang', name: '小王' };
const agent = (action: string, extra: Record<string, unknown> = {}): FlowPayload =>
  ({ type: 'agent', action, agent: wang, ...extra }) as FlowPayload;
const quick = { after: 1_000 };
const LATE = '非常抱歉让您久等了，我已请主管跟进，会尽快给您回复，您说的内容客服都能看到。';

function claimed(at = '2026-11-23T15:00:00'): Dialogue & { ticketId: string } {
  const d = new Dialogue(flow, shanghai(at));
  d.say('我的订单还没发货，转人工');
  const ticketId = d.of('desk.open')[0]?.card.ticketId ?? '';
  d.say(agent('claim'), quick);
  expect(d.state).toBe('handoff.claimed');
  return Object.assign(d, { ticketId });
}
function timer(d: Dialogue, name: string): string[] {
  const dueAt = d.record!.timers[name];
  if (dueAt === undefined) throw new Error(`no ${name} timer`);
  return d.say({ type: 'timer', name, dueAt }, { after: dueAt - d.at });
}

describe('a claimed customer the agent does not answer', () => {
  it('reminds the agent after 3 minutes, then alerts the supervisors and tells the customer', () => {
    const d = claimed();
    expect(timer(d, 'replySla')).toEqual([]);
    expect(d.of('desk.ping')).toMatchObject([{ level: 'reply-late', agent: wang }]);
    expect(timer(d, 'replySupervisorSla')).toEqual([LATE]);
    expect(d.of('desk.ping')).toMatchObject([{ level: 'reply-supervisor' }]);
    expect(d.state).toBe('handoff.claimed');
  });

  it("counts from the customer's oldest unanswered message, and stops once the agent replies", () => {
    const d = claimed();
    d.say(agent('reply', { text: '您好，我来帮您查一下' }), { after: 60_000 });
    expect(Object.keys(d.record!.timers)).not.toContain('replySla');
    const asked = d.say('好的，订单号20261120001', { after: 60_000 }) && d.at;
    d.say('麻烦快一点', { after: 60_000 });
    expect(d.record!.timers.replySla).toBe(asked + 180_000);
    timer(d, 'replySla');
    expect(d.of('desk.ping')).toMatchObject([{ level: 'reply-late', agent: wang }]);
    d.say(agent('reply', { text: '已经帮您催促仓库了' }), { after: 60_000 });
    // (replySla came already: only the supervisors' deadline is left to stop.)
    expect(d.of('timer.cancel').map((t) => t.name)).toEqual(['replySupervisorSla']);
    expect(Object.keys(d.record!.timers).filter((n) => n.startsWith('reply'))).toEqual([]);
  });

  it('thanks or an acknowledgement after the answer owes the agent nothing (found by the verification trial)', () => {
    const d = claimed();
    d.say(agent('reply', { text: '查到了，退款明天到账' }), { after: 60_000 });
    for (const words of ['好的，谢谢', '嗯嗯', 'ok thanks', '没有了']) {
      d.say(words, { after: 60_000 });
      expect(Object.keys(d.record!.timers), words).not.toContain('replySla');
    }
    d.say('那运费呢？', { after: 60_000 });
    expect(d.record!.timers.replySla).toBe(d.at + 180_000);
  });

  it('at the desk\u2019s closing, still unanswered, the customer gets a promised time and the matter a follow-up card', () => {
    const d = claimed('2026-11-23T20:50:00');
    d.say('还在吗', { after: 5 * 60_000 });
    expect(timer(d, 'deskClosed')[0]).toMatch(/^现在是人工客服的非工作时间.*最迟/);
    expect(d.of('desk.update')).toMatchObject([{ status: 'desk-closed' }]);
    expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'follow-up', afterHours: true, returned: true });
    // 还在吗 asks whether anyone is there: no fact of the matter (found by the verification trial).
    expect(d.of('desk.open')[0]?.card.facts).not.toContain('还在吗');
    expect(d.state).toBe('askMore');
    expect(d.ticket(d.ticketId)).toMatchObject({ status: 'pending', promisedBy: expect.any(Number) });
    expect(Object.keys(d.record!.timers).filter((n) => n.startsWith('reply') || n === 'deskClosed')).toEqual([]);
  });

  it('an agent still talking at the closing keeps the customer; unanswered after hours, the same close', () => {
    const d = claimed('2026-11-23T20:50:00');
    d.say(agent('reply', { text: '您好，我来帮您查一下' }), { after: 60_000 });
    d.say('大概什么时候能到？', { after: 8 * 60_000 });
    // 20:59:01: owed for under 3 minutes at 21:00, so nothing changes (the next closing is waited for).
    expect(timer(d, 'deskClosed')).toEqual([]);
    expect(d.state).toBe('handoff.claimed');
    expect(d.record!.timers.deskClosed).toBeGreaterThan(d.at);
    expect(timer(d, 'replySla')[0]).toMatch(/^现在是人工客服的非工作时间/);
    expect(d.state).toBe('askMore');
  });
});

describe('a customer queued for long (found by the same trial: told "about 1 minute", then hours of silence)', () => {
  function queued(at = '2026-11-23T15:00:00'): Dialogue & { ticketId: string } {
    const d = new Dialogue(flow, shanghai(at));
    d.say('我的订单还没发货，转人工');
    return Object.assign(d, { ticketId: d.of('desk.open')[0]?.card.ticketId ?? '' });
  }

  it('after 10 minutes, registers the matter with a promised reply time the customer may wait for or leave', () => {
    const d = queued();
    const [told] = timer(d, 'queuePromise');
    expect(told).toMatch(/^非常抱歉让您久等了.*您可以继续等待.*24小时内给您答复（按工作日计，最迟 11月24日 15:11）/);
    expect(d.state).toBe('handoff.queued');
    const promisedBy = d.at + 86_400_000;
    expect(d.ticket(d.ticketId)).toMatchObject({ status: 'pending', promisedBy });
    expect(Object.keys(d.record!.timers)).toEqual(expect.arrayContaining([`promise:${d.ticketId}`, 'claimSla']));
    // Leaving the queue now, the matter waits on a follow-up card with that promise, not unresolved.
    d.say('结束', quick);
    expect(d.ticket(d.ticketId)?.status).toBe('pending');
    expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'follow-up', promisedBy });
  });

  it('a claim first stops it; at the closing, the promise already told is the one kept', () => {
    const d = queued();
    d.say(agent('claim'), quick);
    expect(Object.keys(d.record!.timers)).not.toContain('queuePromise');
    const late = queued('2026-11-23T20:45:00');
    timer(late, 'queuePromise');
    const { promisedBy } = late.ticket(late.ticketId)!;
    expect(timer(late, 'deskClosed')[0]).toMatch(/^现在是人工客服的非工作时间.*最迟 11月24日 20:56 前与您联系/);
    expect(late.ticket(late.ticketId)?.promisedBy).toBe(promisedBy);
  });
});

describe("a pending matter's reminder", () => {
  it('comes while agents are at work: before the last closing ahead of a deadline at the opening (found by the same trial)', () => {
    const d = new Dialogue(flow, shanghai('2026-11-23T22:00:00'));
    expect(d.say('我的订单还没发货，转人工')[0]).toMatch(/最迟 11月25日 09:00/);
    const ticketId = d.of('desk.open')[0]?.card.ticketId ?? '';
    // 24 working hours from Tuesday 09:00 end at Wednesday's opening: reminded Tuesday 20:00, not Wednesday 08:00.
    expect(d.record!.timers[`remind:${ticketId}`]).toBe(shanghai('2026-11-24T20:00:00'));
    expect(d.record!.timers[`promise:${ticketId}`]).toBe(shanghai('2026-11-25T09:00:00'));
    // Its escalation after 3 working days comes at the opening, not at 22:01 with nobody there (the verification trial).
    expect(d.record!.timers[`escalate:${ticketId}`]).toBe(shanghai('2026-11-27T09:00:00'));
  });
});
