import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import type { Ticket, TicketStatus } from '../../flows/ticket.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * Issue 13, in the conversation: every pending matter is a follow-up that people keep (003 需严格
 * 按照承诺时间回复客户; 001 五.(二) 3个工作日 escalation and the 24-hour 回访; 000 三.(一)4–5).
 */

const flow = defaultFlow(undefined, { desk: true });
const quick = { after: 2_000 };
const wang = { id: 'U-wang', name: '小王' };
const li = { id: 'U-li', name: '小李' };
const HOUR = 3_600_000;

/** A complaint registered with its promise: quality, 48 h (the category's promiseHours). */
function registered(at = shanghai('2026-11-30T15:00:00')): { d: Dialogue; id: string } {
  const d = new Dialogue(flow, at);
  d.say('我要投诉，买的耳机质量有问题', quick);
  d.fire('listen');
  d.say('订单号 20261120001，昨天收到的', quick);
  d.say('没有了', quick);
  d.say('不行', quick);
  const id = d.of('ticket.put')[0]!.ticket.id;
  return { d, id };
}

function stored(d: Dialogue, id: string, status: TicketStatus, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    type: 'complaint',
    status,
    conversationId: 'test:1',
    channel: 'test',
    customer: { id: 'c1' },
    locale: 'zh-CN',
    need: '',
    facts: [],
    outcome: '',
    createdAt: d.at,
    updatedAt: d.at,
    ...extra,
  };
}

/** Fires a timer of the conversation at its due time, with the ticket as the store has it then. */
function fire(d: Dialogue, name: string, ticket?: Ticket): string[] {
  return d.fire(name, ticket ? { ticket } : {});
}

function agent(
  action: string,
  ticketId: string | undefined,
  extra: Record<string, unknown> = {},
  who = wang,
): FlowPayload {
  return { type: 'agent', action, agent: who, ...(ticketId ? { ticketId } : {}), ...extra } as FlowPayload;
}

describe('a pending matter is on the desk', () => {
  it('a registered complaint posts a follow-up card with the promised time and runs its timers', () => {
    const { d: e, id: tid } = registered();
    expect(e.of('reply').map((r) => r.text)[0]).toMatch(
      /您的投诉已登记（编号 T\S+）。我们会尽快向相关部门反映，并在48小时内给您明确的答复（按工作日计，最迟 12月2日 15:\d\d）/,
    );
    const [open] = e.of('desk.open');
    expect(open?.card).toMatchObject({
      kind: 'follow-up',
      reason: 'complaint',
      category: 'quality',
      ticketId: tid,
      need: expect.stringContaining('耳机'),
    });
    const by = open!.card.promisedBy!;
    // 48 hours on working days: Monday 15:00 → Wednesday 15:00.
    expect(new Date(by).toISOString()).toMatch(/^2026-12-02T07:00/);
    expect(Object.keys(e.record!.timers)).toEqual(
      expect.arrayContaining([`remind:${tid}`, `promise:${tid}`, `escalate:${tid}`]),
    );
    expect(e.record!.timers[`remind:${tid}`]).toBe(by - HOUR);
    // The promise is on the ticket's lifecycle.
    const promised = e.of('ticket.update').find((u) => u.id === tid && u.changes.events?.[0]?.type === 'promised');
    expect(promised?.changes).toMatchObject({ promisedBy: by, events: [{ type: 'promised', promisedBy: by }] });
  });

  it('counts the promised hours on working days: a Friday-evening promise falls due after the weekend, one before 国庆 after it', () => {
    const friday = registered(shanghai('2026-11-27T18:00:00'));
    const fridayBy = friday.d.of('desk.open')[0]!.card.promisedBy!;
    // 6 h on Friday, none at the weekend, 24 h Monday, 18 h Tuesday.
    expect(fridayBy).toBe(shanghai('2026-12-01T18:00:00') + (fridayBy % 60_000));
    const national = registered(shanghai('2026-09-30T10:00:00'));
    const nationalBy = national.d.of('desk.open')[0]!.card.promisedBy!;
    expect(nationalBy).toBeGreaterThan(shanghai('2026-10-08T00:00:00'));
    // 3 working days for the escalation: 国庆 and its weekend do not count, the 调休 Saturday does.
    expect(national.d.record!.timers[`escalate:${national.id}`]).toBe(
      shanghai('2026-10-10T10:00:00') + (national.d.record!.timers[`escalate:${national.id}`]! % 60_000),
    );
  });
});

describe('the deadline is kept', () => {
  it('reminds the channel before the promised time, then the agent who claimed it', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    expect(fire(d, `remind:${id}`, stored(d, id, 'pending'))).toEqual([]);
    expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'reminder', ticketId: id }]);
    expect(d.of('ticket.update')[0]?.changes.events).toEqual([{ type: 'reminded', at: d.at }]);

    const again = registered();
    again.d.say(agent('claim', again.id), { after: 1_000, ticket: stored(again.d, again.id, 'pending') });
    again.d.say('好的', quick);
    fire(again.d, `remind:${again.id}`, stored(again.d, again.id, 'pending'));
    expect(again.d.of('desk.ping')).toEqual([
      { type: 'desk.ping', level: 'reminder', ticketId: again.id, agent: wang },
    ]);
  });

  it('at the promised time, still pending: the customer is told honestly and supervisors are alerted', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    const said = fire(d, `promise:${id}`, stored(d, id, 'pending'));
    expect(said).toEqual([expect.stringMatching(/很抱歉到目前还没能给您处理结果/)]);
    expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'overdue', ticketId: id }]);
    const [flag] = d.of('ticket.update');
    expect(flag).toMatchObject({ id, ifStatus: 'pending', changes: { priority: 'high' } });
    expect(flag?.changes.events?.map((e) => e.type)).toEqual(['promise-broken', 'escalated']);
    expect(d.escalations).toEqual([{ ticketId: id, reason: 'promise-overdue', priority: 'high' }]);
    // Back later, the customer hears it is past its time and escalated.
    expect(d.say('你好', { after: HOUR })[0]).toMatch(/已超过承诺的答复时间/);
  });

  it('a deadline whose ticket cannot be read (the record is down) comes again a minute later and is judged then, as when due', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    const name = `promise:${id}`;
    const dueAt = d.record!.timers[name]!;
    expect(d.say({ type: 'timer', name, dueAt }, { after: dueAt - d.at, ticketUnread: true })).toEqual([]);
    expect(d.effects).toEqual([{ type: 'timer.set', name, dueAt: d.at + 60_000 }]);
    expect(d.record!.timers[name]).toBe(d.at + 60_000);
    // A minute later the ticket is read: the customer is told honestly, the promise broken when it was due.
    expect(fire(d, name, stored(d, id, 'pending'))).toEqual([expect.stringMatching(/很抱歉到目前还没能给您处理结果/)]);
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({ overdueAt: dueAt, priority: 'high' });
  });

  it("a person's reply by the promised time keeps the promise: at it, no apology and nothing flagged broken (found by the fifteenth session's trial)", () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') });
    d.say(agent('reply', id, { text: '您好，我们已联系仓库核实，明天给您结果' }), {
      after: 1_000,
      ticket: stored(d, id, 'pending'),
    });
    expect(
      d
        .of('ticket.update')
        .flatMap((u) => u.changes.events ?? [])
        .map((e) => e.type),
    ).toContain('promise-kept');
    expect(fire(d, `promise:${id}`, stored(d, id, 'pending'))).toEqual([]);
    expect(d.of('ticket.update')).toEqual([]);
    expect(d.of('desk.ping')).toEqual([]);
    expect(d.of('transcript')[0]?.text).toMatch(/a person replied in time, the matter is still pending/);
    // Still pending: its escalation after the working days allowed still runs.
    expect(Object.keys(d.record!.timers)).toContain(`escalate:${id}`);
  });

  it('escalates a matter still unresolved after 3 working days, at high priority', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    fire(d, `remind:${id}`, stored(d, id, 'pending'));
    fire(d, `promise:${id}`, stored(d, id, 'pending'));
    expect(fire(d, `escalate:${id}`, stored(d, id, 'pending'))).toEqual([]);
    expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'escalated', ticketId: id }]);
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({
      priority: 'high',
      escalation: { reason: 'working-days' },
      events: [{ type: 'escalated', detail: 'working-days' }],
    });
    // Still pending: the supervisors again the next working day, and every one after, until it is settled
    // (found by the fifteenth session's trial: one alert, then nothing for ever).
    const first = d.at;
    for (const day of [1, 2]) {
      expect(fire(d, `escalate:${id}`, stored(d, id, 'pending')), `day ${day}`).toEqual([]);
      expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'escalated', ticketId: id }]);
      expect(d.of('ticket.update')).toEqual([]);
    }
    expect(d.at - first).toBeGreaterThanOrEqual(2 * 86_400_000);
    fire(d, `escalate:${id}`, stored(d, id, 'resolved'));
    expect(d.record!.timers[`escalate:${id}`]).toBeUndefined();
  });

  it('a matter resolved elsewhere meanwhile is not chased, and its other timers stop', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    expect(fire(d, `remind:${id}`, stored(d, id, 'resolved'))).toEqual([]);
    expect(d.of('desk.ping')).toEqual([]);
    expect(d.of('timer.cancel').map((t) => t.name)).toEqual([`promise:${id}`, `escalate:${id}`]);
    expect(d.say('你好', { after: HOUR })).not.toContainEqual(expect.stringMatching(/正在处理中/));
  });
});

describe('agents answer pending matters through the bot', () => {
  it('a customer back while the matter is pending hears where it stands before anything else', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    const [status, greeting] = d.say('你好', { after: HOUR });
    expect(status).toBe(
      `您的问题“买的耳机质量有问题”（编号 ${id}）正在处理中，我们会在 12月2日 15:00 前给您答复，请您留意。`,
    );
    expect(greeting).toMatch(/请问有什么可以帮您/);
    // Once per session.
    expect(d.say('发票怎么开', quick)).not.toContainEqual(expect.stringMatching(/正在处理中/));
  });

  it('a customer back minutes after the visit that told them is neither greeted nor told again (found by the issue-17 trial)', () => {
    const { d } = registered();
    // The visit closes (no survey for a pending matter): 结束语 with the matter's number.
    expect(d.say('没有了', quick)[0]).toMatch(/^再次感谢您反映的意见，本次服务已为您记录/);
    expect(d.state).toBe('idle');
    expect(d.say('发票怎么开', { after: 60_000 })).toEqual(['您的意思是想开具发票，对吗？']);
    // Half an hour on, it is a new visit: where the matter stands, then the greeting.
    const later = registered().d;
    later.say('没有了', quick);
    const [status, greeting] = later.say('发票怎么开', { after: 31 * 60_000 });
    expect(status).toMatch(/^您的问题“买的耳机质量有问题”（编号 T\S+）正在处理中/);
    expect(greeting).toMatch(/^您好/);
    // Counted from the closing line the customer saw, not from the survey's silent lapse after it
    // (found by the second verification trial: 40 minutes without a greeting).
    const surveyed = new Dialogue(flow, shanghai('2026-11-30T15:00:00'));
    surveyed.say('我的快递到哪了');
    surveyed.say('是的');
    surveyed.say('没有了');
    expect(surveyed.state).toBe('survey');
    surveyed.fire('idle');
    expect(surveyed.say('发票怎么开', { after: 25 * 60_000 })[0]).toMatch(/^您好/);
  });

  it('claiming a quiet conversation makes it the agent’s: the customer is told, and what they write reaches the card', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    expect(d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') })).toEqual([
      `您好，我是客服 小王，您的问题（编号 ${id}）现在由我为您跟进。`,
    ]);
    expect(d.state).toBe('handoff.claimed');
    expect(d.of('desk.update')).toEqual([{ type: 'desk.update', status: 'claimed', agent: wang, ticketId: id }]);
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({
      claimedBy: wang,
      events: [{ type: 'claimed', by: wang }],
    });
    expect(d.say('好的，麻烦尽快', quick)).toEqual([]);
    expect(d.of('desk.post')).toEqual([{ type: 'desk.post', text: '好的，麻烦尽快', from: 'customer', ticketId: id }]);
    // Another agent cannot take it.
    d.say(agent('claim', id, {}, li), { after: 1_000, ticket: stored(d, id, 'pending') });
    expect(d.of('desk.notify')).toEqual([
      { type: 'desk.notify', agentId: li.id, notice: { kind: 'not-yours', by: wang }, ticketId: id },
    ]);
  });

  it('resolving with an outcome: the customer gets the outcome, then the survey; the promise was kept', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') });
    d.say(agent('reply', id, { text: '您好，我们正在核实您的订单' }), {
      after: 1_000,
      ticket: stored(d, id, 'pending'),
    });
    // The first reply on record, and the promise (a reply by its time, 003) kept by it.
    expect(d.of('ticket.update').map((u) => u.changes.events)).toEqual([
      [{ type: 'agent-replied', at: d.at, by: wang }],
      [{ type: 'promise-kept', at: d.at }],
    ]);
    const said = d.say(agent('resolve', id, { text: '已为您办理退款，3个工作日内到账', note: '电话联系过客户' }), {
      after: 1_000,
      ticket: stored(d, id, 'pending'),
    });
    expect(said[0]).toBe('已为您办理退款，3个工作日内到账');
    // The internal note beside it is kept, as a note is (found by the issue-17 trial: lost).
    expect(d.of('transcript')).toContainEqual(expect.objectContaining({ text: '[internal] 小王: 电话联系过客户' }));
    expect(said.join('')).not.toContain('电话联系过客户');
    // Also resolved from its card without taking it up (npm run tickets -- resolve ID NOTE --outcome …).
    const card = registered();
    fire(card.d, 'idle');
    const resolve = agent('resolve', card.id, { text: '已为您办理退款', note: '电话联系过客户' });
    card.d.say(resolve, { after: HOUR, ticket: stored(card.d, card.id, 'pending') });
    expect(card.d.of('transcript')).toContainEqual(
      expect.objectContaining({ text: '[internal] 小王: 电话联系过客户' }),
    );
    expect(said.at(-1)).toMatch(/打个分/);
    expect(d.state).toBe('survey');
    expect(d.of('desk.update')).toEqual([{ type: 'desk.update', status: 'resolved', agent: wang, ticketId: id }]);
    const resolved = d.of('ticket.update').find((u) => u.changes.status === 'resolved');
    expect(resolved?.changes).toMatchObject({
      resolvedBy: wang,
      outcome: 'resolved by 小王: 已为您办理退款，3个工作日内到账',
    });
    // Kept once: by the reply before.
    expect(resolved?.changes.events?.map((e) => e.type)).toEqual(['resolved']);
    expect(d.of('timer.cancel').map((t) => t.name)).toEqual(expect.arrayContaining([`promise:${id}`, `remind:${id}`]));
    // The score rates this matter; a low one asks what went wrong and keeps the answer as the comment.
    d.say({ type: 'choice', choice: 'score2' }, quick);
    expect(d.state).toBe('commenting');
    expect(d.of('ticket.update')).toEqual([
      expect.objectContaining({
        id,
        changes: { satisfaction: 2, events: [{ type: 'survey-answered', at: d.at, score: 2 }] },
      }),
    ]);
    expect(d.say('退款太慢了', quick)).toEqual([expect.stringMatching(/谢谢您的宝贵意见/)]);
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({ comment: '退款太慢了' });
    expect(d.state).toBe('idle');
  });

  it('an outcome in forbidden words is held back, and nothing is settled', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('resolve', id, { text: '这不归我们管' }), { after: HOUR, ticket: stored(d, id, 'pending') });
    expect(d.of('reply')).toEqual([]);
    expect(d.of('desk.notify')[0]?.notice.kind).toBe('guard-blocked');
    expect(d.of('ticket.update')).toEqual([]);
  });

  it('while the customer is busy with the bot, a claim only claims; the agent’s words still reach them', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say('发票怎么开', { after: HOUR });
    expect(d.state).toBe('confirming');
    d.say(agent('claim', id), { after: 1_000, ticket: stored(d, id, 'pending') });
    expect(d.state).toBe('confirming');
    expect(d.of('reply')).toEqual([]);
    // Framed with its matter, so it does not read as an answer to what the bot was asking.
    expect(d.say(agent('reply', id, { text: '我们已联系仓库' }), quick)).toEqual([
      `关于您的问题（编号 ${id}）：我们已联系仓库`,
    ]);
    expect(d.of('reply')[0]?.from).toBe('agent');
    expect(d.say('是的', quick)[0]).toMatch(/发票/);
  });

  it('settled outside the chat (no outcome): the 回访 goes within 24 hours, never at night, and only if not rated', () => {
    const { d, id } = registered(shanghai('2026-11-30T20:30:00'));
    fire(d, 'idle');
    d.say(agent('resolve', id, { note: '电话已解决' }, { id: 'staff:ops', name: 'ops' }), {
      after: 10 * 60_000,
      ticket: stored(d, id, 'pending'),
    });
    expect(d.of('reply')).toEqual([]);
    // Resolved at 21:4x: an hour later is night, so it goes at 09:00 next morning.
    expect(d.record!.timers[`survey:${id}`]).toBe(shanghai('2026-12-01T09:00:00'));
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({
      status: 'resolved',
      outcome: 'resolved by ops: 电话已解决',
    });
    const said = fire(d, `survey:${id}`, stored(d, id, 'resolved'));
    expect(said).toEqual([
      `您好，您反映的问题（编号 ${id}）已处理完毕。为了不断改进我们的服务，麻烦您为这次处理打个分（1-5 分，5 分为非常满意）：`,
    ]);
    expect(d.of('ticket.update')[0]?.changes.events).toEqual([{ type: 'survey-sent', at: d.at }]);

    const rated = registered(shanghai('2026-11-30T10:00:00'));
    fire(rated.d, 'idle');
    rated.d.say(agent('resolve', rated.id), { after: HOUR, ticket: stored(rated.d, rated.id, 'pending') });
    expect(fire(rated.d, `survey:${rated.id}`, stored(rated.d, rated.id, 'resolved', { satisfaction: 5 }))).toEqual([]);
  });

  it('refuses an action on a ticket that is not pending here (resolved, or another conversation’s)', () => {
    const { d, id } = registered();
    d.say(agent('claim', 'T261130-FORGED0000'), { after: 1_000 });
    expect(d.of('desk.notify')).toEqual([
      { type: 'desk.notify', agentId: wang.id, notice: { kind: 'no-handoff' }, ticketId: 'T261130-FORGED0000' },
    ]);
    expect(d.state).not.toBe('handoff.claimed');
    d.say(agent('claim', id), { after: 1_000, ticket: stored(d, id, 'resolved') });
    expect(d.of('desk.notify')[0]?.notice).toEqual({ kind: 'not-pending', ticketId: id });
  });
});

describe('found by the issue-13 trial', () => {
  it('releasing a matter taken up from its card gives the conversation back to the bot, with no queue', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') });
    d.say(agent('release', id), { after: 1_000, ticket: stored(d, id, 'pending') });
    expect(d.state).toBe('idle');
    expect(d.of('reply')).toEqual([]);
    expect(d.of('desk.update')).toEqual([{ type: 'desk.update', status: 'released', agent: wang, ticketId: id }]);
    expect(d.of('queue.join')).toEqual([]);
    expect(Object.keys(d.record!.timers)).not.toContain('claimSla');
    // The ticket no longer names the agent who let it go (found by the issue-17 trial).
    expect(d.ticket(id)).toMatchObject({ status: 'pending', outcome: 'released by 小王; waiting for an agent' });
    expect(d.ticket(id)?.claimedBy).toBeUndefined();
    // The customer's next words are the bot's again, after where the matter stands.
    const [status] = d.say('你好', quick);
    expect(status).toMatch(/正在处理中/);
    // Anyone may claim it again.
    d.say(agent('claim', id, {}, li), { after: 1_000, ticket: stored(d, id, 'pending') });
    expect(d.state).toBe('handoff.claimed');
  });

  it('the customer ending a talk about a pending matter leaves it with its agent on its card: no second card', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') });
    d.say('结束', quick);
    expect(d.of('desk.open')).toEqual([]);
    expect(d.of('ticket.update').filter((u) => u.changes.outcome)).toEqual([]);
    // The agent can still write to them and settle it from the card.
    d.say(agent('resolve', id, { text: '已为您办理退款' }), { after: HOUR, ticket: stored(d, id, 'pending') });
    expect(d.of('ticket.update').find((u) => u.changes.status === 'resolved')).toBeDefined();
  });

  it('anyone at the desk may settle a matter another agent has taken up', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say(agent('claim', id), { after: HOUR, ticket: stored(d, id, 'pending') });
    const said = d.say(agent('resolve', id, { text: '已为您办理退款' }, li), {
      after: 1_000,
      ticket: stored(d, id, 'pending'),
    });
    expect(said[0]).toBe('已为您办理退款');
    expect(d.of('ticket.update').find((u) => u.changes.status === 'resolved')?.changes.resolvedBy).toEqual(li);
  });

  it('a supervisor request after hours: the customer back later hears the matter by its words, not "…"', () => {
    const d = new Dialogue(flow, shanghai('2026-11-30T22:00:00'));
    d.say('我要找你们领导', quick);
    const listen = d.record!.timers.listen!;
    d.say({ type: 'timer', name: 'listen', dueAt: listen }, { after: listen - d.at });
    d.say('没有了', quick);
    const [status] = d.say('你好', { after: 31 * 60_000 });
    expect(status).toMatch(/^您的问题“我要找你们领导”（编号 T\S+）正在处理中/);
  });

  it('a supervisor request after hours is promised once', () => {
    const d = new Dialogue(flow, shanghai('2026-11-30T22:00:00'));
    d.say('我要找你们领导！', quick);
    const listen = d.record!.timers.listen!;
    const said = d.say({ type: 'timer', name: 'listen', dueAt: listen }, { after: listen - d.at });
    // One promise, the same time in both lines: no second wait counted after the first.
    const times = said.flatMap((t) => [...t.matchAll(/最迟 (\d+月\d+日 \d\d:\d\d)/g)].map((m) => m[1]));
    expect(new Set(times).size).toBe(1);
    expect(said.filter((t) => /小时内/.test(t))).toHaveLength(0);
    expect(said).toContainEqual(
      expect.stringMatching(/客服会在 12月1日 09:00 上班后第一时间处理您的问题（编号 T\S+），最迟 .+ 前与您联系/),
    );
    expect(
      d
        .of('ticket.update')
        .flatMap((u) => u.changes.events ?? [])
        .filter((e) => e.type === 'promised'),
    ).toHaveLength(1);
  });

  it('a deadline that falls when the desk is closed moves past its opening by the time it ran at night', () => {
    const { d } = registered(shanghai('2026-12-01T02:00:00'));
    // 48 working hours from Tuesday 02:00 is Thursday 02:00, 5 hours after the desk closed on
    // Wednesday 21:00: due Thursday 14:00, so people have those hours (found by the issue-17 trial:
    // a deadline at the opening was broken the moment the desk opened).
    const within = (at: number | undefined, iso: string) => {
      const late = (at ?? 0) - shanghai(iso);
      expect(late >= 0 && late < 60_000, `${new Date(at ?? 0).toISOString()} is within the minute of ${iso}`).toBe(
        true,
      );
    };
    within(d.of('desk.open')[0]?.card.promisedBy, '2026-12-03T14:00:00');
    // Made at 20:30 for 12 hours (a complaint about an agent): due 20:30 the next day, not at 09:00.
    const evening = new Dialogue(flow, shanghai('2026-11-23T20:30:00'));
    evening.say('刚才那个客服态度太差了，他一直不理我', quick);
    const listen = evening.record!.timers.listen!;
    evening.say({ type: 'timer', name: 'listen', dueAt: listen }, { after: listen - evening.at });
    evening.say('没有了', quick);
    within(evening.of('ticket.put')[0]?.ticket.promisedBy, '2026-11-24T20:30:00');
  });

  it('timers that fire late (the bot was down): no reminder after the deadline, never a date already gone, broken when due', () => {
    const { d, id } = registered();
    const by = d.of('desk.open')[0]!.card.promisedBy!;
    fire(d, 'idle');
    const remindAt = d.record!.timers[`remind:${id}`]!;
    // Back after the deadline, before its timer fired: told once that it is past its time.
    const [status] = d.say('你好', { after: by + 30 * 60_000 - d.at });
    expect(status).toMatch(/已超过承诺的答复时间/);
    // The reminder is noticed only after the promised time.
    d.say(
      { type: 'timer', name: `remind:${id}`, dueAt: remindAt },
      { after: by + HOUR - d.at, ticket: stored(d, id, 'pending') },
    );
    expect(d.of('desk.ping')).toEqual([]);
    const promiseAt = d.record!.timers[`promise:${id}`]!;
    d.say(
      { type: 'timer', name: `promise:${id}`, dueAt: promiseAt },
      { after: 1_000, ticket: stored(d, id, 'pending') },
    );
    expect(d.of('ticket.update')[0]?.changes.events?.[0]).toEqual({ type: 'promise-broken', at: by });
    expect(d.of('reply')).toEqual([]);
  });

  it('a customer asking how their complaint is going hears where it stands, not a second complaint', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say('你好', { after: HOUR });
    const said = d.say('我的投诉处理得怎么样了', quick);
    expect(said[0]).toMatch(new RegExp(`（编号 ${id}）正在处理中`));
    expect(d.of('ticket.put')).toEqual([]);
    expect(d.state).toBe('askMore');
  });

  it('a question about the wait with more words: the status, then the words taken as said (found by the issue-17 trial: lost)', () => {
    const { d, id } = registered();
    fire(d, 'idle');
    d.say('你好', { after: HOUR });
    const said = d.say('还要等多久？耳机也坏了', quick);
    expect(said[0]).toMatch(new RegExp(`（编号 ${id}）正在处理中`));
    expect(said.slice(1)).toEqual(['您的意思是耳机也坏了，对吗？']);
    // The next day, back with it: greeted, told, and the words restated as a need at once.
    const next = registered();
    fire(next.d, 'idle');
    const back = next.d.say('还要等多久？充电器也坏了', { after: 20 * HOUR });
    expect(back.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`（编号 ${next.id}）正在处理中`)),
      '您的意思是充电器也坏了，对吗？',
    ]);
    // Asked in other words, the status question anywhere in the message (found by the second trial: lost).
    for (const [words, need] of [
      ['有进展了吗？充电器也坏了', '充电器也坏了'],
      ['到底什么时候处理啊！！！充电器也坏了', '充电器也坏了'],
      ['你好，我的问题处理了吗？充电器也坏了', '充电器也坏了'],
      ['充电器也坏了，进度怎么样了', '充电器也坏了'],
      ['怎么还没人处理，我的充电器也坏了', '您的充电器也坏了'],
      ['有进展了吗？另外充电器也坏了', '充电器也坏了'],
      ['还没好吗？充电器也坏了', '充电器也坏了'],
      ['现在什么情况了？？充电器也坏了', '充电器也坏了'],
      // Without 了 (found by the final trial: offered as a detail).
      ['有进展吗？另外充电器也坏了', '充电器也坏了'],
    ] as const) {
      const other = registered();
      fire(other.d, 'idle');
      const said = other.d.say(words, { after: 20 * HOUR });
      expect(said, words).toContainEqual(expect.stringMatching(new RegExp(`（编号 ${other.id}）正在处理中`)));
      expect(said.at(-1), words).toBe(`您的意思是${need}，对吗？`);
    }
    // In English, after a question how long (found by the second trial: told only the status, or only the rest).
    for (const words of [
      'when will someone reply? also how do I get an invoice',
      'how much longer? how do I get an invoice',
      'when’s someone going to reply? also I’d like an invoice',
    ]) {
      const en = new Dialogue(flow, shanghai('2026-11-30T23:00:00'));
      en.say("my order hasn't shipped, agent please");
      const said = en.say(words, { after: 10 * HOUR });
      expect(said, words).toContainEqual(expect.stringMatching(/is being handled; we will reply by/));
      expect(said.at(-1), words).toBe(
        'If I understand you correctly, you would like to get an invoice. Is that right?',
      );
    }
    // Only the status asked again: told once.
    const again = registered();
    fire(again.d, 'idle');
    const told = again.d.say('还要等多久？进度怎么样了', { after: 20 * HOUR });
    expect(told.filter((line) => line.includes('正在处理中'))).toHaveLength(1);
  });

  it('an outcome sent at night gets its survey in the morning', () => {
    const { d, id } = registered(shanghai('2026-11-30T20:00:00'));
    fire(d, 'idle');
    const said = d.say(agent('resolve', id, { text: '已为您办理退款' }), {
      after: 3 * HOUR,
      ticket: stored(d, id, 'pending'),
    });
    expect(said).toEqual([`关于您的问题（编号 ${id}）：已为您办理退款`]);
    expect(d.record!.timers[`survey:${id}`]).toBe(shanghai('2026-12-01T09:00:00'));
  });
});

describe('the status line of a long English matter (found by the verification trials: cut mid-word, then too short)', () => {
  it('keeps up to 46 characters of Latin text, cut at a word, not inside one', () => {
    for (const [need, shown] of [
      ['do you have a physical store in tokyo', '"do you have a physical store in tokyo"'],
      [
        'do you have a physical store in tokyo or anywhere else in japan',
        '"do you have a physical store in tokyo or…"',
      ],
    ] as const) {
      const d = new Dialogue(defaultFlow(), shanghai('2026-11-23T15:00:00'));
      for (const text of ['hi', need, 'yes']) d.say(text);
      expect(d.say({ type: 'command', command: 'start' }).join('\n')).toContain(shown);
    }
  });
});
