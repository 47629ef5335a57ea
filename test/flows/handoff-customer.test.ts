import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * One rule for everything the customer does while people have the conversation, queued or
 * claimed (README: Human handoff, "What the customer does during a handoff"). Each row of the
 * README's table is a row here.
 */
const withDesk = defaultFlow(undefined, { desk: true });
const monday = shanghai('2026-11-23T15:00:00');
const wang = { id: 'U-wang', name: '小王' };
const claim: FlowPayload = { type: 'agent', action: 'claim', agent: wang };
const quick = { after: 1_000 };

/** A conversation handed to people, and the ticket its card is about. */
function handoff(
  phase: 'queued' | 'claimed',
  request = '我的订单还没发货\uff0c转人工',
): Dialogue & { ticketId: string } {
  const d = new Dialogue(withDesk, monday);
  d.say(request);
  const ticketId = d.of('desk.open')[0]?.card.ticketId ?? '';
  if (phase === 'claimed') d.say(claim, quick);
  expect(d.state).toBe(`handoff.${phase}`);
  return Object.assign(d, { ticketId });
}

const REACHES_THE_AGENT: Array<[string, FlowPayload, string]> = [
  ['words', { type: 'text', text: '快递盒压坏了' }, '快递盒压坏了'],
  ['a button of an old message', { type: 'choice', choice: 'score5' }, '5 非常满意'],
  ['/help', { type: 'command', command: 'help' }, '/help'],
  ['any other command', { type: 'text', text: '/menu' }, '/menu'],
  ['an edit', { type: 'edit', text: '订单号是 20261120001' }, '[edited] 订单号是 20261120001'],
  ['a photo', { type: 'media', media: 'photo' }, '[photo]'],
];

describe.each(['queued', 'claimed'] as const)('during a %s handoff', (phase) => {
  it.each(REACHES_THE_AGENT)('%s reaches the agent, and the bot says nothing', (_, payload, posted) => {
    const d = handoff(phase);
    expect(d.say(payload, quick)).toEqual([]);
    expect(d.of('desk.post')).toEqual([{ type: 'desk.post', text: posted, from: 'customer', ticketId: d.ticketId }]);
    expect(d.state).toBe(`handoff.${phase}`);
  });

  const ENDS: Array<[string, FlowPayload, string, string]> = [
    ['/start', { type: 'command', command: 'start' }, 'customer-restarted', 'awaitingNeed'],
    // Before anyone joined nothing was served, so there is no survey (found by the issue-17 trial).
    // Claimed, the matter nobody settled waits for a person with a promised time (no survey yet): handoff.test.ts.
    ['the end word', { type: 'text', text: '结束' }, 'closed-by-customer', 'idle'],
    // Found by the issue-17 trial: the customer stayed queued and the supervisors were paged. Claimed, it
    // was left pending for ever with no promise (found by the fifteenth issue-17 session): withdrawn, unresolved.
    ['taking the request back', { type: 'text', text: '算了不用转人工了' }, 'closed-by-customer', 'idle'],
    ['blocking the bot or becoming unreachable', { type: 'command', command: 'blocked' }, 'customer-left', 'idle'],
  ];
  it.each(ENDS)('%s ends it for both sides: queue, desk, deadlines, ticket', (what, payload, status, state) => {
    const d = handoff(phase);
    d.say(payload, quick);
    expect(d.state).toBe(state);
    expect(d.of('desk.update')).toEqual([{ type: 'desk.update', status, ticketId: d.ticketId }]);
    // Only a waiting customer holds a place in the queue; a claim already took them out of it.
    expect(d.of('queue.leave')).toHaveLength(phase === 'queued' ? 1 : 0);
    expect(d.of('ticket.update')[0]).toMatchObject({ id: d.ticketId, changes: { outcome: expect.any(String) } });
    // Ended by the customer before anyone settled it: unresolved, not pending for ever, unless it waits for a person.
    const waits = phase === 'claimed' && what === 'the end word';
    expect(d.ticket(d.ticketId)?.status).toBe(waits ? 'pending' : 'unresolved');
    expect(Object.keys(d.record?.timers ?? {})).not.toContain('claimSla');
    // The card can no longer be claimed: the agent is told, the customer hears nothing (a matter left
    // waiting for a person has its follow-up card instead: handoff.test.ts).
    if (phase === 'claimed' && what === 'the end word') return;
    const replies = d.say(claim, quick);
    expect(replies).toEqual([]);
    expect(d.of('desk.notify')).toEqual([{ type: 'desk.notify', agentId: wang.id, notice: { kind: 'no-handoff' } }]);
  });
});

describe('cards outside a handoff', () => {
  it('an after-hours card stays claimable next morning, after /start too, and after the customer blocked the bot the matter stays pending on the desk', () => {
    const evening = shanghai('2026-11-22T21:30:00');
    const claimable = new Dialogue(withDesk, evening);
    claimable.say('转人工');
    const id = claimable.of('ticket.put')[0]!.ticket.id;
    claimable.say({ type: 'command', command: 'start' }, quick);
    claimable.say(claim, { after: 12 * 3_600_000 });
    expect(claimable.state).toBe('handoff.claimed');
    expect(claimable.of('desk.update')).toEqual([
      { type: 'desk.update', status: 'claimed', agent: wang, ticketId: id },
    ]);

    // Blocking the bot does not abandon the matter: the promise to the customer is still kept.
    const blocked = new Dialogue(withDesk, evening);
    blocked.say('转人工');
    const ticket = blocked.of('ticket.put')[0]!.ticket;
    blocked.say({ type: 'command', command: 'blocked' }, quick);
    expect(blocked.state).toBe('idle');
    expect(blocked.of('desk.update')).toEqual([]);
    expect(blocked.of('ticket.update')).toEqual([]);
    expect(blocked.of('timer.cancel')).toEqual([{ type: 'timer.cancel', name: 'idle' }]);
    expect(Object.keys(blocked.record!.timers)).toEqual(
      expect.arrayContaining([`remind:${ticket.id}`, `promise:${ticket.id}`, `escalate:${ticket.id}`]),
    );
    blocked.say(claim, { after: 12 * 3_600_000 });
    expect(blocked.state).toBe('handoff.claimed');
    expect(blocked.of('desk.update')).toEqual([
      { type: 'desk.update', status: 'claimed', agent: wang, ticketId: ticket.id },
    ]);
  });

  it('a card whose handoff an agent closed or handed back cannot be claimed again', () => {
    for (const action of ['close', 'handback'] as const) {
      const d = handoff('claimed');
      d.say({ type: 'agent', action, agent: wang }, quick);
      d.say({ type: 'text', text: '5' }, quick);
      expect(d.say(claim, quick)).toEqual([]);
      expect(d.of('desk.notify')).toMatchObject([{ notice: { kind: 'no-handoff' } }]);
    }
  });

  it('an edit outside a handoff is kept, not answered', () => {
    const d = new Dialogue(withDesk, monday);
    d.say('你好');
    expect(d.say({ type: 'edit', text: '你好呀' }, quick)).toEqual([]);
    expect(d.of('desk.post')).toEqual([]);
  });
});

describe('an escalated complaint the customer leaves before anyone joined (found by the issue-17 trial)', () => {
  it('tells where it stands and by when before the close: the desk keeps the promise on its card', () => {
    const d = new Dialogue(withDesk, monday);
    d.say('上一个客服跟我说可以货到付款，结果根本不行，乱说一通', quick);
    d.fire('listen');
    d.say('昨天下午', quick);
    d.say('没有了', quick);
    expect(d.state).toBe('handoff.queued');
    const replies = d.say('算了，不用了', quick);
    expect(replies[0]).toMatch(
      /^您的问题“上一个客服跟我说可以货到付款，结果根本不行…”（编号 T\S+）正在处理中，我们会在 11月24日 15:00 前给您答复/,
    );
    expect(replies[1]).toMatch(/^再次感谢您反映的意见/);
    const id = d.of('desk.open').at(-1)?.card.ticketId ?? '';
    expect(d.ticket(id)?.status).toBe('pending');
  });
});

// 002 三.5: nobody is with a queued customer yet, so the bot answers what would otherwise go
// unheard (避免用户长时间等待或产生被忽视的感觉); once an agent has the conversation, the agent does.
describe('a customer who complains while queued (found by the issue-17 trial: only relayed, priority unchanged)', () => {
  // No estimate of the wait: it comes from recent claims, and after 15 minutes "about 1 minute" is not believed.
  const place = '非常抱歉让您久等了，您目前排在第 {position} 位，客服接入后会第一时间回复您，您说的内容客服都能看到。';

  it('is told their place in the queue when they only complain of the wait or ask whether anyone is there; nothing is escalated', () => {
    for (const words of ['人呢？怎么还没人回', '有人吗', '还要等多久', '在吗？？', '？？？', '客服呢', '还要多久啊']) {
      const d = handoff('queued');
      expect(d.say(words, quick), words).toEqual([place]);
      expect(d.of('reply')[0]).toMatchObject({ fill: 'queue' });
      expect(d.of('desk.post')).toMatchObject([{ text: words, from: 'customer' }]);
      expect(d.of('desk.ping')).toEqual([]);
      expect(d.escalations).toEqual([]);
    }
  });

  it('gives up when the wait complaint comes with a take-back: the handoff ends (found by the issue-17 trial: told to keep waiting)', () => {
    for (const words of ['怎么还没人回，算了，不用了', '人呢？算了不用转人工了', '等了这么久没人理，算了不等了']) {
      const d = handoff('queued');
      d.say(words, quick);
      expect(d.state, words).toBe('idle');
      expect(d.of('desk.update')).toEqual([
        { type: 'desk.update', status: 'closed-by-customer', ticketId: d.ticketId },
      ]);
      // The thread sees why (found by the second trial: only 客户已结束会话).
      expect(d.of('desk.post')).toMatchObject([{ text: words, from: 'customer' }]);
    }
    // With a need besides, it reaches the agent and the customer stays queued.
    const d = handoff('queued');
    d.say('不用了，我要退款', quick);
    expect(d.state).toBe('handoff.queued');
  });

  it('a complaint is apologised for, raised to high priority on record and alerted to the supervisors, once', () => {
    const d = handoff('queued');
    const replies = d.say('等了这么久还没人理，我要投诉！', quick);
    // Not "sorry to keep you waiting": the complaint may be about the goods (耳机坏了, found by the trial).
    expect(replies).toEqual([expect.stringMatching(/^非常抱歉给您带来了不好的体验.*标记为紧急并通知了主管/u)]);
    expect(d.of('desk.post')).toMatchObject([{ text: '等了这么久还没人理，我要投诉！', from: 'customer' }]);
    expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'upset-waiting', ticketId: d.ticketId }]);
    expect(d.ticket(d.ticketId)).toMatchObject({
      priority: 'high',
      escalation: { reason: 'upset-waiting' },
      events: expect.arrayContaining([expect.objectContaining({ type: 'escalated', detail: 'upset-waiting' })]),
    });
    expect(d.escalations).toMatchObject([{ reason: 'upset-waiting', priority: 'high' }]);
    expect(d.state).toBe('handoff.queued');
    // Said again: relayed and answered with their place, not alerted a second time (found by the trial: silence).
    expect(d.say('我要投诉你们', quick)).toEqual([place]);
    expect(d.of('desk.ping')).toEqual([]);
    expect(d.of('desk.post')).toHaveLength(1);
  });

  it('gives up after a complaint the supervisors were told of: it waits for them, with a promised time (found by the trial)', () => {
    for (const first of ['耳机坏了太差了', '叫你们主管来']) {
      const d = handoff('queued');
      d.say(first, quick);
      const replies = d.say('算了不用了', quick);
      // Told when without the 我非常理解… they heard already (再次感谢您反映的意见 would thank them again for nothing).
      expect(replies, first).toEqual([
        expect.stringMatching(
          new RegExp(
            `^好的。您的情况我已经详细记录（编号 ${d.ticketId}），主管会在24小时内与您联系（按工作日计，最迟 11月24日 15:0\\d），请您保持联系方式畅通。$`,
            'u',
          ),
        ),
        expect.stringMatching(/^感谢您的咨询/u),
      ]);
      expect(d.ticket(d.ticketId)).toMatchObject({
        status: 'pending',
        priority: 'high',
        outcome: 'customer left the queue; waiting for a supervisor',
      });
      expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'follow-up', ticketId: d.ticketId });
    }
    // Without either, giving up leaves it unresolved, as before.
    const d = handoff('queued');
    d.say('算了不用了', quick);
    expect(d.ticket(d.ticketId)).toMatchObject({ status: 'unresolved' });
  });

  it('a request for a supervisor is acknowledged while queued, and left to the agent once claimed', () => {
    const queued = handoff('queued');
    expect(queued.say('叫你们主管来', quick)).toEqual([
      expect.stringMatching(/^我非常理解您希望问题得到重视的心情。我已通知主管/u),
    ]);
    expect(queued.of('desk.ping')).toMatchObject([{ level: 'asked-supervisor' }]);
    // Already escalated: a complaint or the request again is relayed, answered with their place, not alerted again.
    expect(queued.say('我要投诉', quick)).toEqual([place]);
    // Their place once a minute, not to every message (found by the trial: four alike in a row).
    expect(queued.say('叫你们主管来', quick)).toEqual([]);
    expect(queued.of('desk.post')).toHaveLength(1);
    expect(queued.say('叫你们主管来', { after: 60_000 })).toEqual([place]);
    expect(queued.of('desk.ping')).toEqual([]);

    const claimed = handoff('claimed');
    expect(claimed.say('叫你们主管来', quick)).toEqual([]);
    expect(claimed.of('desk.ping')).toMatchObject([{ level: 'asked-supervisor' }]);
    for (const words of ['等了这么久，我要投诉！', '人呢？怎么还没人回']) {
      expect(claimed.say(words, quick)).toEqual([]);
      expect(claimed.of('desk.post')).toMatchObject([{ text: words }]);
      expect(claimed.of('desk.ping')).toEqual([]);
    }
  });

  it('a complaint while an agent has the conversation reaches the supervisors, and a handback leaves it for them (found by the second trial)', () => {
    const d = handoff('claimed');
    expect(d.say('你这个客服什么态度！太差了', quick)).toEqual([
      '非常抱歉给您带来不好的体验。您的意见我已转达给主管，并将您的情况标记为紧急，主管会关注并跟进处理。',
    ]);
    expect(d.of('desk.ping')).toMatchObject([{ level: 'complained-live', ticketId: d.ticketId }]);
    expect(d.ticket(d.ticketId)).toMatchObject({ priority: 'high', escalation: { reason: 'complained-live' } });
    // Once: said again it is only relayed to the agent.
    expect(d.say('我要投诉你', quick)).toEqual([]);
    // Said to the agent in other words too (found by the third trial: only relayed).
    for (const words of ['你是不是在敷衍我', '你会不会说话']) {
      const other = handoff('claimed');
      other.say(words, quick);
      expect(other.of('desk.ping'), words).toMatchObject([{ level: 'complained-live' }]);
    }
    expect(d.of('desk.ping')).toEqual([]);
    // The agent complained of hands back: it waits for a supervisor, with a time, not resolved by them.
    d.say({ type: 'agent', action: 'handback', agent: { id: 'U-wang', name: '小王' } }, quick);
    expect(d.ticket(d.ticketId)).toMatchObject({
      status: 'pending',
      outcome: 'handed back to the bot; waiting for a supervisor',
    });
    expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'follow-up', ticketId: d.ticketId });
    // Nor by closing or resolving it (found by the third trial); nor after a supervisor asked for.
    const settled = 'closed by the agent after a complaint or a supervisor request; waiting for a supervisor';
    for (const [words, action] of [
      ['你会不会说话', 'close'],
      ['你这个客服什么态度', 'resolve'],
      ['叫你们主管来', 'close'],
    ] as const) {
      const e = handoff('claimed');
      e.say(words, quick);
      e.say({ type: 'agent', action, agent: { id: 'U-wang', name: '小王' }, text: '已为您处理' }, quick);
      expect(e.ticket(e.ticketId), words).toMatchObject({ status: 'pending', outcome: settled });
      // The live card says the talk ended, not that the matter is settled.
      expect(e.of('desk.update'), words).toMatchObject([{ status: 'closed' }]);
    }
    // A complaint of the goods, or a supervisor declined, is the agent's to settle (found by the fourth trial).
    for (const words of ['耳机质量太差了，我要投诉', '不用叫主管了，谢谢']) {
      const e = handoff('claimed');
      e.say(words, quick);
      e.say({ type: 'agent', action: 'resolve', agent: { id: 'U-wang', name: '小王' }, text: '已为您处理' }, quick);
      expect(e.ticket(e.ticketId)?.status, words).toBe('resolved');
    }
  });

  it('the follow-up card says it waits for a supervisor, and the agent complained of can neither claim nor settle it there (found by the trial)', () => {
    const d = handoff('claimed');
    d.say('你这个客服什么态度', quick);
    d.say({ type: 'agent', action: 'close', agent: wang }, quick);
    expect(d.of('desk.open')[0]?.card).toMatchObject({ kind: 'follow-up', supervisor: 'complained', returned: true });
    const refused = [
      { type: 'desk.notify', agentId: wang.id, notice: { kind: 'complained-of', ticketId: d.ticketId } },
    ];
    const onCard = { ticketId: d.ticketId } as const;
    const ticket = () => d.ticket(d.ticketId);
    expect(
      d.say({ type: 'agent', action: 'claim', agent: wang, ...onCard }, { after: 60_000, ticket: ticket() }),
    ).toEqual([]);
    expect(d.of('desk.notify')).toMatchObject(refused);
    const resolve = { type: 'agent', action: 'resolve', agent: wang, text: '已为您处理', ...onCard } as const;
    expect(d.say(resolve, { ...quick, ticket: ticket() })).toEqual([]);
    expect(d.of('desk.notify')).toMatchObject(refused);
    expect(ticket()?.status).toBe('pending');
    // Another agent takes it up.
    const li = { id: 'U-li', name: '小李' };
    expect(d.say({ type: 'agent', action: 'claim', agent: li, ...onCard }, { ...quick, ticket: ticket() })[0]).toMatch(
      /^您好，我是客服 小李/,
    );
    // Other words of a complaint of the agent, said to them, with a supervisor asked for too, or in
    // English (found by the second trial: a general complaint, which the agent could settle).
    for (const [words, request] of [
      ['我要投诉你', undefined],
      ['你这什么服务态度啊😡', undefined],
      ['你态度能不能好点？', undefined],
      ['叫你们主管来！你这个客服什么态度', undefined],
      ['I want to complain about you', "my order hasn't shipped, agent please"],
      ['your attitude is terrible', "my order hasn't shipped, agent please"],
      ['can you not be so rude?', "my order hasn't shipped, agent please"],
      ['I’m reporting you', "my order hasn't shipped, agent please"],
    ] as const) {
      const other = handoff('claimed', request);
      other.say(words, quick);
      other.say({ type: 'agent', action: 'resolve', agent: wang, text: '已为您处理' }, quick);
      expect(other.ticket(other.ticketId)?.status, words).toBe('pending');
      expect(other.of('desk.open')[0]?.card, words).toMatchObject({ supervisor: 'complained' });
    }
    // A supervisor asked for with it is the complaint too: the customer told, the supervisors alerted of a
    // complaint (found by the final trial: silence, and "asked for a supervisor" only).
    const both = handoff('claimed');
    expect(both.say('叫你们主管来！你这个客服什么态度', quick)).toEqual([
      '非常抱歉给您带来不好的体验。您的意见我已转达给主管，并将您的情况标记为紧急，主管会关注并跟进处理。',
    ]);
    expect(both.of('desk.ping')).toMatchObject([{ level: 'complained-live' }]);
    // Of the shop, not the agent: the agent settles it.
    const shop = handoff('claimed');
    shop.say('我要投诉你们', quick);
    shop.say({ type: 'agent', action: 'resolve', agent: wang, text: '已为您处理' }, quick);
    expect(shop.ticket(shop.ticketId)?.status).toBe('resolved');
    // A supervisor asked for says so on its card.
    const e = handoff('claimed');
    e.say('叫你们主管来', quick);
    e.say({ type: 'agent', action: 'handback', agent: wang }, quick);
    expect(e.of('desk.open')[0]?.card).toMatchObject({ supervisor: 'asked' });
    // Nor may the agent the customer asked to get past take that card up (found by the fifteenth session's trial).
    const onIt = { ticketId: e.ticketId } as const;
    const claim = (agent: typeof wang) => ({ type: 'agent', action: 'claim', agent, ...onIt }) as const;
    expect(e.say(claim(wang), { after: 60_000, ticket: e.ticket(e.ticketId) })).toEqual([]);
    expect(e.of('desk.notify')).toMatchObject([
      { agentId: wang.id, notice: { kind: 'complained-of', ticketId: e.ticketId, asked: true } },
    ]);
    expect(e.say(claim({ id: 'U-li', name: '小李' }), { ...quick, ticket: e.ticket(e.ticketId) })[0]).toMatch(
      /^您好，我是客服 小李/,
    );
  });

  it('an escalated complaint handed to the queue is not alerted or apologised for again when the customer is still upset (found by the second trial)', () => {
    const d = new Dialogue(defaultFlow(undefined, { desk: true }), monday);
    d.say('我要投诉，耳机坏了，订单号20261120001，昨天收到的', quick);
    const dueAt = d.record!.timers.listen!;
    d.say({ type: 'timer', name: 'listen', dueAt }, { after: dueAt - d.at });
    d.say('叫你们主管来', quick);
    expect(d.state).toBe('handoff.queued');
    expect(d.say('垃圾店！', quick)).toEqual([place]);
    expect(d.of('desk.ping')).toEqual([]);
  });

  it('a definition without the new texts says its waiting line instead', () => {
    const old = defaultFlow(
      (def) => {
        delete def.texts.handoffWaitUpdate;
        delete def.texts.handoffUpsetNoted;
        delete def.texts.handoffSupervisorNoted;
      },
      { desk: true },
    );
    const still = '非常抱歉让您久等了，今天咨询的客户比较多，客服正在尽快为您接入，感谢您的耐心等候。';
    for (const words of ['人呢？', '等了这么久还没人理，我要投诉！']) {
      const d = new Dialogue(old, monday);
      d.say('转人工');
      expect(d.say(words, quick)).toEqual([still]);
    }
  });
});

// Found by the issue-17 trial: released by the agent, the customer was told nothing, then "客服正在尽快为您接入".
it('a customer whose agent puts the conversation back in the queue hears it, with their place', () => {
  const d = handoff('claimed');
  const replies = d.say({ type: 'agent', action: 'release', agent: wang }, quick);
  expect(replies).toEqual([
    '刚才的客服暂时无法继续为您服务，已为您重新排队，您目前排在第 {position} 位。之前的对话下一位客服都能看到，不需要您再重复。',
  ]);
  expect(d.of('reply')[0]).toMatchObject({ fill: 'queue' });
  expect(d.state).toBe('handoff.queued');
});
