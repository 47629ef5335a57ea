import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultDefinition, defaultFlow, shanghai } from '../support/flows.js';
import { classify, complaintKind, extractFacts } from '../../flows/facts.js';
import { compileMatcher } from '../../flows/match.js';

const flow = defaultFlow();
const start = shanghai('2026-11-23T15:00:00');

/** Lets the listen window close, as the durable timer does a few seconds after the last message. */
function pause(d: Dialogue): string[] {
  const dueAt = d.record?.timers.listen;
  if (dueAt === undefined) throw new Error('no listen timer pending');
  return d.say({ type: 'timer', name: 'listen', dueAt } satisfies FlowPayload, { after: dueAt - d.at });
}
const quickly = { after: 2_000 };

describe('complaint de-escalation (zh-CN)', () => {
  it('takes an angry customer through acknowledgement, clarification and a promise with the configured time', () => {
    const d = new Dialogue(flow, start);
    // 倾听: rapid messages are not answered one by one.
    expect(d.say('你们什么破公司！我要投诉！！', quickly)).toEqual([]);
    expect(d.say('买的耳机才用三天就坏了', quickly)).toEqual([]);
    expect(d.state).toBe('complaint.listening');

    // 道歉 + 澄清: one answer once they pause, restating what is known and asking for the rest.
    const [apology, clarify] = pause(d);
    expect(apology).toMatch(/抱歉/);
    expect(clarify).toBe(
      '为了更快为您处理\uff0c我先和您确认一下\uff1a情况\uff1a买的耳机才用三天就坏了。麻烦您再告诉我您的订单号、大概是什么时候发生的\uff0c好吗\uff1f',
    );

    // The facts arrive; the bot repeats them and asks whether there is anything to add (003 有无补充).
    expect(d.say('订单号 20261120001\uff0c昨天收到的', quickly)).toEqual([
      '我重复一下您反映的情况\uff1a订单号\uff1a20261120001\uff1b情况\uff1a买的耳机才用三天就坏了\uff1b时间\uff1a昨天。',
      '请问您还有其他要补充的吗\uff1f',
    ]);
    expect(d.state).toBe('complaint.supplementing');

    // Nothing to add: the category's solution is offered.
    const [offer] = d.say('没有了', quickly);
    expect(offer).toMatch(/^针对您反映的情况\uff0c我们的处理方案是\uff1a签收后 7 天内.*这样处理您看可以吗\uff1f$/);
    expect(d.choices()).toEqual(['是的', '不是']);

    // 反馈: not accepted, so the feedback path with the quality category's 48-hour promise.
    const [promise, anythingElse] = d.say('不行\uff0c我要退款', quickly);
    const [put] = d.of('ticket.put');
    expect(promise).toBe(
      `非常感谢您反映的意见\uff0c您的投诉已登记\uff08编号 ${put!.ticket.id}\uff09。我们会尽快向相关部门反映\uff0c并在48小时内给您明确的答复\uff08按工作日计\uff0c最迟 11月25日 15:00\uff09\uff0c请您留意。`,
    );
    expect(anythingElse).toBe('请问还有其他可以帮助您的吗\uff1f');
    expect(put!.ticket).toMatchObject({
      type: 'complaint',
      status: 'pending',
      category: 'quality',
      priority: 'normal',
      need: '买的耳机才用三天就坏了',
      promisedBy: d.at + 48 * 3_600_000,
      facts: [
        expect.stringContaining('你们什么破公司'),
        '订单号\uff1a20261120001\uff1b情况\uff1a买的耳机才用三天就坏了\uff1b时间\uff1a昨天',
      ],
    });
    // The deadline is a durable timer, named after the ticket.
    expect(d.record?.timers[`promise:${put!.ticket.id}`]).toBe(d.at + 48 * 3_600_000);
  });

  // Found by the issue-17 trial: 情况：你好，耳机用了两天就坏了.
  it('leaves a greeting that opens a complaint out of what happened', () => {
    for (const opening of ['你好，', '您好 ', '在吗？']) {
      const d = new Dialogue(flow, start);
      d.say(`${opening}耳机用了两天就坏了，太差了！`, quickly);
      expect(pause(d)[1], opening).toMatch(
        /^为了更快为您处理\uff0c我先和您确认一下\uff1a情况\uff1a耳机用了两天就坏了。/u,
      );
    }
    // Only a greeting standing on its own: not 你好 in 你好歹, nor Hi in Hi-Fi (found by the third trial).
    for (const [text, what] of [
      ['你好歹回复一下吧，耳机坏了，太差了！', '你好歹回复一下吧，耳机坏了'],
      ['Hi-Fi耳机坏了，太差了！', 'Hi-Fi耳机坏了'],
    ] as const) {
      const d = new Dialogue(flow, start);
      d.say(text, quickly);
      expect(pause(d)[1], text).toContain(`情况\uff1a${what}`);
    }
  });

  it('records the complaint as resolved when the offered solution is accepted', () => {
    const d = new Dialogue(flow, start);
    d.say('快递一直不到，太差了', quickly);
    pause(d);
    d.say('订单号 88886666，上周下的单', quickly);
    expect(d.state).toBe('complaint.supplementing');
    d.say('没有了', quickly);
    expect(d.state).toBe('complaint.checking');
    const replies = d.say('好的', quickly);
    expect(replies[0]).toMatch(/^好的\uff0c感谢您的理解和支持\uff01本次投诉已为您记录/);
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({
      type: 'complaint',
      status: 'resolved',
      category: 'delivery',
    });
  });

  it('takes 好的 to "anything to add?" as nothing to add (found by the fourth issue-17 trial)', () => {
    const d = new Dialogue(flow, start);
    d.say('快递一直不到，太差了', quickly);
    pause(d);
    d.say('订单号 88886666，上周下的单', quickly);
    expect(d.state).toBe('complaint.supplementing');
    d.say('好的', quickly);
    expect(d.state).toBe('complaint.checking');
  });

  it('escalates at once when the customer asks for a supervisor, and says when someone will call', () => {
    const d = new Dialogue(flow, start);
    d.say('太差了\uff01\uff01叫你们领导来', quickly);
    const replies = pause(d);
    const [put] = d.of('ticket.put');
    expect(replies[1]).toBe(
      `我非常理解您希望问题得到重视的心情。您反馈的情况我已经详细记录\uff08编号 ${put!.ticket.id}\uff09\uff0c并且会立即提交给我的上级同事处理\uff0c他们会在24小时内与您联系\uff08按工作日计\uff0c最迟 11月24日 15:00\uff09\uff0c请您保持联系方式畅通\uff0c好吗\uff1f`,
    );
    expect(put!.ticket).toMatchObject({
      type: 'complaint',
      status: 'pending',
      priority: 'high',
      escalation: { reason: 'supervisor' },
    });
    expect(d.escalations).toEqual([{ ticketId: put!.ticket.id, reason: 'supervisor', priority: 'high' }]);
  });

  it('escalates when the customer is still angry after the configured number of turns', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    pause(d);
    expect(d.say('你们这些骗子\uff01\uff01', quickly)).not.toEqual([]);
    expect(d.escalations).toEqual([]);
    d.say('还问什么问什么\uff01\uff01\uff01', quickly);
    expect(d.escalations).toMatchObject([{ reason: 'still-angry', priority: 'high' }]);
  });

  it('tells a still-angry customer handed to people that a supervisor has it and by when, before the queue line (found by the issue-17 trial)', () => {
    const d = new Dialogue(defaultFlow(undefined, { desk: true }), start);
    d.say('我要投诉', quickly);
    pause(d);
    d.say('你们这些骗子\uff01\uff01', quickly);
    const replies = d.say('还问什么问什么\uff01\uff01\uff01', quickly);
    const put = d.of('ticket.put')[0]!.ticket;
    expect(put).toMatchObject({ escalation: { reason: 'still-angry' }, promisedBy: shanghai('2026-11-24T15:00:12') });
    expect(replies).toEqual([
      `我非常理解您希望问题得到重视的心情。您的情况已经为您记录\uff08编号 ${put.id}\uff09\uff0c并已转交给上级同事处理\uff0c最迟 11月24日 15:00 前会与您联系。`,
      expect.stringMatching(/^正在为您转接人工客服/),
    ]);
    // After hours the after-hours line says by when: not the same time twice (found by the second trial).
    const night = new Dialogue(defaultFlow(undefined, { desk: true }), shanghai('2026-11-23T23:00:00'));
    night.say('我要投诉', quickly);
    pause(night);
    night.say('你们这些骗子\uff01\uff01', quickly);
    expect(night.say('还问什么问什么\uff01\uff01\uff01', quickly)).toEqual([
      expect.stringMatching(/^现在是人工客服的非工作时间.*最迟 \S+ \d\d:\d\d 前与您联系。$/),
      '请问还有其他可以帮助您的吗？',
    ]);
  });

  it('escalates a category configured as always handled by a person, once the complaint is on record', () => {
    const d = new Dialogue(flow, start);
    d.say('你们客服态度太差了', quickly);
    pause(d);
    // 003: the complaint is recorded and repeated back (有无补充) before it goes to a person.
    expect(d.escalations).toEqual([]);
    d.say('昨天问他发货的事\uff0c他直接不理我了', quickly);
    expect(d.state).toBe('complaint.supplementing');
    d.say('没有了', quickly);
    expect(d.escalations).toMatchObject([{ reason: 'always-human' }]);
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({ category: 'service-attitude', priority: 'high' });
  });

  it('varies the apology from one complaint to the next', () => {
    const d = new Dialogue(flow, start);
    const apologies = new Set<string>();
    for (let i = 0; i < 3; i++) {
      d.say('我要投诉\uff0c快递太慢了', quickly);
      apologies.add(pause(d)[0] ?? '');
      d.say('订单号 12345678\uff0c上周', quickly);
      d.say('没有了', quickly);
      d.say('好的', quickly);
    }
    expect(apologies.size).toBeGreaterThan(1);
  });

  it('suspends the standard conversation and brings the customer back where they were', () => {
    const d = new Dialogue(flow, start);
    d.say('你好');
    d.say('我的订单还没发货');
    expect(d.state).toBe('confirming');
    d.say('太差了\uff01\uff01叫你们领导来', quickly);
    const replies = pause(d);
    expect(replies.slice(-2)).toEqual([
      '关于您之前咨询的问题\uff0c我们继续为您处理。',
      '您的意思是想了解订单什么时候发货\uff0c对吗\uff1f',
    ]);
    expect(d.state).toBe('confirming');
    expect(d.say('是的')[0]).toMatch(/^一般情况下/);
  });

  it('asks what else it can do after a complaint that interrupted no question (found by the issue-17 trial)', () => {
    // Greeted, then straight to a complaint: there is no earlier question to come back to.
    const greeted = new Dialogue(flow, start);
    greeted.say('你好');
    greeted.say('太差了\uff01\uff01叫你们领导来', quickly);
    const afterGreeting = pause(greeted);
    expect(afterGreeting.at(-1)).toBe('请问还有其他可以帮助您的吗\uff1f');
    expect(afterGreeting.join('')).not.toMatch(/之前咨询的问题/);
    expect(greeted.state).toBe('askMore');

    // A question answered, then a complaint: that question is settled, not resumed.
    const answered = new Dialogue(flow, start);
    for (const text of ['你好', '我的订单还没发货', '是的']) answered.say(text);
    expect(answered.state).toBe('askMore');
    answered.say('太差了\uff01\uff01叫你们领导来', quickly);
    const afterAnswer = pause(answered);
    expect(afterAnswer.join('')).not.toMatch(/之前咨询的问题/);
    expect(afterAnswer.at(-1)).toBe('请问还有其他可以帮助您的吗\uff1f');

    // Asked for the survey, then a complaint: the complaint is the matter now, and the bot asks what else.
    const surveyed = new Dialogue(flow, start);
    for (const text of ['你好', '我的订单还没发货', '是的', '没有了']) surveyed.say(text);
    expect(surveyed.state).toBe('survey');
    surveyed.say('太差了\uff01\uff01叫你们领导来', quickly);
    const afterSurvey = pause(surveyed);
    expect(afterSurvey.join('')).not.toMatch(/之前咨询的问题/);
    expect(afterSurvey.at(-1)).toBe('请问还有其他可以帮助您的吗\uff1f');
    expect(surveyed.state).toBe('askMore');
  });

  it('does not ask for the facts again when the customer has nothing more to tell (found by the second issue-17 trial)', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    const [, ask] = pause(d);
    expect(ask).toMatch(/订单号/);
    const replies = d.say('没有了', quickly);
    expect(replies).not.toContain(ask);
    expect(replies[0]).toMatch(/^非常感谢您反映的意见\uff0c您的投诉已登记/);
    expect(d.of('ticket.put').at(-1)?.ticket).toMatchObject({ type: 'complaint', status: 'pending' });
  });

  it('still registers a complaint when the customer goes quiet in the middle of it', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    pause(d);
    const idle = d.record!.timers.idle!;
    const replies = d.say({ type: 'timer', name: 'idle', dueAt: idle }, { after: idle - d.at });
    expect(replies[0]).toMatch(/^非常感谢您反映的意见\uff0c您的投诉已登记/);
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({ type: 'complaint', status: 'pending' });
    expect(d.state).toBe('idle');
  });

  it('answers a request beyond policy with understanding, the reason and an alternative', () => {
    const d = new Dialogue(flow, start);
    d.say('你好');
    expect(d.say('耳机过了保修期坏了\uff0c能免费换新吗')).toEqual([
      '先生/女士\uff0c我理解您希望能圆满解决这个问题的心情。不过\uff0c根据我们的售后政策\uff0c产品的质保期为一年\uff0c您的产品目前已超出这个期限\uff0c所以无法为您提供免费退换服务。如果您需要维修\uff0c我们可以为您提供付费维修的报价\uff0c您是否需要了解一下\uff1f',
    ]);
    expect(d.state).toBe('awaitingNeed');
  });

  it('keeps the promised reply time: still pending when it passes, the ticket is escalated and the customer hears from us', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    pause(d);
    d.say('订单号 12345678\uff0c昨天\uff0c东西丢了', quickly);
    d.say('没有了', quickly);
    const ticket = d.of('ticket.put')[0]?.ticket;
    expect(ticket?.status).toBe('pending');
    const name = `promise:${ticket!.id}`;
    const dueAt = d.record!.timers[name]!;
    expect(d.say({ type: 'timer', name, dueAt }, { after: dueAt - d.at, ticket })).toEqual([
      `您好\uff0c关于您反映的问题\uff08编号 ${ticket!.id}\uff09\uff0c很抱歉到目前还没能给您处理结果。我们已将它升级加急处理\uff0c主管会尽快与您联系。给您添麻烦了\uff0c感谢您的耐心与谅解\uff01`,
    ]);
    expect(d.of('ticket.update')).toEqual([
      {
        type: 'ticket.update',
        id: ticket!.id,
        changes: {
          overdueAt: d.at,
          priority: 'high',
          escalation: { reason: 'promise-overdue', at: d.at },
          events: [
            { type: 'promise-broken', at: d.at },
            { type: 'escalated', at: d.at, detail: 'promise-overdue' },
          ],
        },
        at: d.at,
        ifStatus: 'pending',
      },
    ]);
    expect(d.escalations).toEqual([{ ticketId: ticket!.id, reason: 'promise-overdue', priority: 'high' }]);
    // The desk's supervisors are alerted on the matter's card.
    expect(d.of('desk.ping')).toEqual([{ type: 'desk.ping', level: 'overdue', ticketId: ticket!.id }]);
    // It fires once.
    expect(d.say({ type: 'timer', name, dueAt }, { after: 1_000, ticket })).toEqual([]);
  });

  it('says nothing when the promised time passes on a matter a person already resolved', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    pause(d);
    d.say('订单号 12345678\uff0c昨天\uff0c东西丢了', quickly);
    d.say('没有了', quickly);
    const ticket = d.of('ticket.put')[0]!.ticket;
    const name = `promise:${ticket.id}`;
    const dueAt = d.record!.timers[name]!;
    expect(
      d.say({ type: 'timer', name, dueAt }, { after: dueAt - d.at, ticket: { ...ticket, status: 'resolved' } }),
    ).toEqual([]);
    expect(d.of('ticket.update')).toEqual([]);
    expect(d.escalations).toEqual([]);
    expect(d.of('transcript')[0]?.text).toContain('resolved');
  });

  it('does not mistake happy exclamation marks for a complaint', () => {
    const d = new Dialogue(flow, start);
    d.say('你好');
    d.say('太好了\uff01\uff01');
    expect(d.state).not.toMatch(/^complaint/);
  });
});

describe('asking again for what a complaint is missing (found by the issue-17 trial)', () => {
  it('keeps a second time the customer gives, and restates only what is new: never the same line twice', () => {
    const d = new Dialogue(flow, start);
    d.say('刚才那个客服态度太差了', quickly);
    const [, first] = pause(d);
    expect(first).toBe('为了更快为您处理，我先和您确认一下：时间：刚才。麻烦您再告诉我具体遇到了什么问题，好吗？');
    // A time, not what happened: kept with the first, read back, and what happened asked for again.
    expect(d.say('昨天下午', quickly)).toEqual([
      '为了更快为您处理，我先和您确认一下：时间：刚才，昨天下午。麻烦您再告诉我具体遇到了什么问题，好吗？',
    ]);
  });

  it('does not ask the same again when nothing is known and nothing was added: the complaint is registered (found by the trial)', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    const [, asked] = pause(d);
    expect(asked).toBe('为了更快为您处理，麻烦您告诉我您的订单号、具体遇到了什么问题、大概是什么时候发生的，好吗？');
    const [registered] = d.say('嗯', quickly);
    expect(registered).toMatch(/^非常感谢您反映的意见，您的投诉已登记/);
  });

  it('apologises again, in other words, when the customer only vents: not the same request twice (found by the third trial)', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉', quickly);
    const [, asked] = pause(d);
    const again = d.say('你们太过分了', quickly);
    expect(again).toHaveLength(1);
    expect(again[0]).toMatch(/抱歉/);
    expect(again[0]).not.toBe(asked);
    expect(d.state).toBe('complaint.clarifying');
  });

  it('asks only for what is missing when the answer added nothing to read back', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉，买的耳机才用三天就坏了', quickly);
    const [, first] = pause(d);
    expect(first).toMatch(/^为了更快为您处理，我先和您确认一下：情况：买的耳机才用三天就坏了。/);
    expect(d.say('好吧', quickly)).toEqual(['为了更快为您处理，麻烦您告诉我您的订单号、大概是什么时候发生的，好吗？']);
  });
});

describe('complaint de-escalation (en)', () => {
  it('runs the same steps in English', () => {
    const d = new Dialogue(flow, start);
    d.say('This is a scam!! I want to complain', quickly);
    d.say('my headphones broke', quickly);
    const [apology, clarify] = pause(d);
    expect(apology).toMatch(/sorry/i);
    expect(clarify).toBe(
      'To handle this quickly, let me confirm what I have: what happened: my headphones broke. Could you also tell me your order number and when it happened?',
    );
    expect(d.say('order 1234567, last week', quickly)).toEqual([
      'Let me repeat what you told me: order: 1234567; what happened: my headphones broke; when: last week.',
      'Is there anything else you would like to add?',
    ]);
    expect(d.say('no', quickly)[0]).toMatch(/^Here is how we can resolve this: /);
    const [promise] = d.say('no', quickly);
    const [put] = d.of('ticket.put');
    expect(promise).toBe(
      `Thank you for telling us. Your complaint is registered (reference ${put!.ticket.id}); we will pass it on to the team responsible and give you a clear answer within 48 hours (counted on working days), by Nov 25, 15:00 at the latest.`,
    );
    expect(put!.ticket).toMatchObject({ type: 'complaint', category: 'quality', locale: 'en' });
  });

  // Found by the issue-13 trial: filed as Delivery (courier) in a tie with `broke`; damage is product quality, as in zh-CN (弄坏).
  it('files goods the courier broke as a quality complaint, with its 48 hours', () => {
    const d = new Dialogue(flow, start);
    d.say('I want to complain, the courier broke my item', quickly);
    pause(d);
    d.say('order 1234567, yesterday', quickly);
    expect(d.say('no', quickly)[0]).toMatch(/^Here is how we can resolve this: /);
    const [promise] = d.say('no', quickly);
    const [put] = d.of('ticket.put');
    expect(promise).toMatch(/give you a clear answer within 48 hours \(counted on working days\)/);
    expect(put!.ticket).toMatchObject({ type: 'complaint', category: 'quality', locale: 'en' });
  });

  it('escalates on a request for a manager', () => {
    const d = new Dialogue(flow, start);
    d.say('This is unacceptable, I want to speak to your manager', quickly);
    pause(d);
    expect(d.escalations).toMatchObject([{ reason: 'supervisor', priority: 'high' }]);
  });
});

describe('the facts a complaint is restated with', () => {
  const zh = defaultDefinition('zh-CN').complaints;
  const en = defaultDefinition('en').complaints;

  it('keeps what happened and leaves out the clauses that only vent', () => {
    expect(
      extractFacts(
        zh,
        '我上周在你们店里买了一台咖啡机\uff0c用了三天就开始漏水\uff0c我联系了好几次都没有人理我\uff0c现在我想知道到底能不能给我换一台新的或者退款\uff0c我已经很有耐心了',
      ),
    ).toEqual({
      when: '上周',
      what: '我在店里买了一台咖啡机\uff0c用了三天就开始漏水\uff0c现在我想知道到底能不能给我换一台新的或者退款',
    });
    expect(
      extractFacts(en, 'This is unacceptable, my headphones broke after two days and nobody answered my emails'),
    ).toEqual({
      what: 'my headphones broke after two days',
    });
  });

  it('reads complaint words closing a clause as a break, and a request for a person as no fact (found by the issue-17 trial)', () => {
    expect(extractFacts(zh, '耳机坏了我要投诉')).toEqual({ what: '耳机坏了' });
    expect(extractFacts(zh, '耳机坏了我要投诉，给我转人工')).toEqual({ what: '耳机坏了' });
    expect(extractFacts(en, 'I want to file a complaint, it never came').what).toBe('it never came');
  });

  // Found by the sixteenth issue-17 session's Chinese trial: 还在吗 was recorded as 您补充的情况.
  it('asks again, adding nothing, when the customer only checks the bot is there (还在吗)', () => {
    const d = new Dialogue(flow, start);
    d.say('我要投诉，快递把东西弄坏了', quickly);
    const dueAt = d.record!.timers.listen!;
    d.say({ type: 'timer', name: 'listen', dueAt }, { after: dueAt - d.at });
    d.say('订单号 20261120001，昨天收到的', quickly);
    const replies = d.say('还在吗', quickly);
    expect(replies.at(-1)).toBe('请问您还有其他要补充的吗？');
    expect(replies.join('')).not.toMatch(/补充的情况我已经为您记录/);
    expect(d.state).toMatch(/supplementing/);
  });

  // Found by the sixteenth issue-17 session's Chinese trial: the customer heard 情况：客服都是死人吗 (the one fact,
  // 问了三遍没人理, lost), and 情况：这什么垃圾店，耳机收到就是坏的，还要.
  it('never reads an insult back, keeps "nobody answered" when it is all that happened, and leaves no fragment of venting', () => {
    expect(extractFacts(zh, '你们客服都是死人吗 问了三遍没人理 气死我了').what).toBe('问了三遍没人理');
    // Beside other facts, "nobody answered" is venting as before.
    expect(extractFacts(zh, '等了半天没人理，耳机坏了').what).toBe('耳机坏了');
    expect(extractFacts(zh, '你们这什么垃圾店！！耳机收到就是坏的，我要去12315投诉你们，还要给差评').what).toBe(
      '耳机收到就是坏的',
    );
    expect(extractFacts(zh, '我要投诉耳机坏了').what).toBe('耳机坏了');
    // Insults found by the verification trial, read back or taken for a question about the address.
    const m = compileMatcher(defaultDefinition('zh-CN'));
    for (const text of ['你们是猪吗，退款一个星期了还没到', '客服都死哪去了？退款还没到账', '脑子有病吧，地址都能写错'])
      expect(m.understand(text).complaint.kind, text).toBe('cursing');
    expect(extractFacts(zh, '你们是猪吗，退款一个星期了还没到').what).toBe('退款一个星期了还没到');
    // A threat to go to the regulator is escalated to a supervisor.
    expect(
      compileMatcher(defaultDefinition('zh-CN')).understand('等着吧，我要去12315投诉你们').complaint.supervisor,
    ).toBe(true);
  });

  // Found by the sixteenth issue-17 session's trial: the customer heard "what happened: is wrong with, shop ever. …".
  it('leaves out a rude question and a sentence of venting, a full stop ending a clause', () => {
    const said = 'wtf is wrong with you people, worst shop ever. your customer service girl was rude to me';
    expect(extractFacts(en, said).what).toBe('your customer service girl was rude to me');
    expect(extractFacts(en, "what's wrong with your staff. i paid 3.5 dollars for shipping").what).toBe(
      'i paid 3.5 dollars for shipping',
    );
  });

  it('leaves out a clause that only says no more (a customer typing on while heard out; found by the issue-17 trial)', () => {
    expect(extractFacts(en, 'the headphones I got are broken, no thanks').what).toBe('the headphones I got are broken');
    expect(extractFacts(zh, '耳机坏了，没有了').what).toBe('耳机坏了');
    expect(extractFacts(en, 'no sound from the left side').what).toBe('no sound from the left side');
  });

  it('reads a time of day with the day, and a time alone (found by the third trial: 下午 was lost, 下午三点 was the matter)', () => {
    expect(extractFacts(zh, '昨天下午三点')).toEqual({ when: '昨天下午三点' });
    expect(extractFacts(zh, '下午三点')).toEqual({ when: '下午三点' });
    expect(extractFacts(zh, '11月20号下午三点左右')).toEqual({ when: '11月20号下午三点左右' });
    expect(extractFacts(zh, '2026-11-20 15:00')).toEqual({ when: '2026-11-20 15:00' });
    expect(extractFacts(zh, '昨天收到的耳机坏了')).toEqual({ when: '昨天', what: '收到的耳机坏了' });
  });

  it('leaves out a clause that only greets or asks whether it is a bot (found by the issue-17 trial)', () => {
    expect(extractFacts(zh, '亲，我的耳机坏了')).toEqual({ what: '我的耳机坏了' });
    expect(extractFacts(zh, '在吗？耳机坏了')).toEqual({ what: '耳机坏了' });
    expect(extractFacts(zh, '你是真人吗？我要投诉')).toEqual({});
    // Inside a word it stays: 亲人 is no greeting.
    expect(extractFacts(zh, '亲人的耳机坏了')).toEqual({ what: '亲人的耳机坏了' });
    expect(extractFacts(en, 'are you a bot? I want to complain, my parcel is broken')).toEqual({
      what: 'my parcel is broken',
    });
    expect(extractFacts(en, 'hello? anyone there? the box was crushed')).toEqual({ what: 'the box was crushed' });
    expect(extractFacts(zh, '尊敬的客服，我要投诉，你们发错货了')).toEqual({ what: '发错货了' });
    expect(extractFacts(en, 'Dear Sir or Madam, the box was crushed')).toEqual({ what: 'the box was crushed' });
  });

  it('asks what happened rather than restating a venting clause, even one that names what it is about', () => {
    // 003 asks for the details (请您将详细情况告诉我): 那个客服态度太差了 is the complaint's kind, not its facts.
    expect(extractFacts(zh, '刚才那个客服态度太差了')).toEqual({ when: '刚才' });
    expect(extractFacts(zh, '你们他妈的到底什么时候发货').what).toBeUndefined();
  });

  it('reads traditional characters as the understanding does: the labels, the complaint and anger words come out (found by the issue-17 trial)', () => {
    expect(extractFacts(zh, '訂單20261120001的耳機壞了，我要投訴', 'zh-CN')).toEqual({
      order: '20261120001',
      what: '耳机坏了',
    });
    expect(extractFacts(zh, '服務太差了，我要投訴，耳機用了兩天就壞了', 'zh-CN')).toEqual({
      what: '耳机用了两天就坏了',
    });
    // The category too (found by the second trial of the day: 耳機壞了 was filed under other).
    expect(classify(zh, '訂單20261120001的耳機壞了，我要投訴').category).toBe('quality');
    // Only for Chinese: other locales read the text as written.
    expect(extractFacts(en, 'my 訂單 broke', 'en').what).toBe('my 訂單 broke');
  });

  it('never takes a phone number for the order number, and leaves it out of what happened (found by the third issue-17 trial)', () => {
    expect(extractFacts(zh, '我要投诉，快递一直没送到，我电话13812345678')).toEqual({ what: '快递一直没送到' });
    expect(extractFacts(zh, '快递一直没送到 13812345678，订单20261120001')).toEqual({
      order: '20261120001',
      what: '快递一直没送到',
    });
    expect(extractFacts(zh, '手机号：+86 138 1234 5678，耳机坏了').order).toBeUndefined();
    expect(extractFacts(zh, '我要投诉 138 1234 5678 耳机坏了').order).toBeUndefined();
    // A number the customer calls the order number is one, whatever it looks like.
    expect(extractFacts(zh, '我要投诉，订单号13812345678的耳机坏了')).toEqual({
      order: '13812345678',
      what: '耳机坏了',
    });
    // 手机 alone is the goods, not a phone number's label.
    expect(extractFacts(zh, '我要投诉，手机 20261120001 屏幕坏了').order).toBe('20261120001');
    expect(extractFacts(en, 'my parcel is lost, call me on +44 7700 900123').order).toBeUndefined();
    expect(extractFacts(en, 'I want to complain, 13812345678, the headphones stopped working').order).toBeUndefined();
    expect(extractFacts(en, 'my parcel never came, my phone number is +1 (415) 555-0134').order).toBeUndefined();
    // An order number of eleven digits that is not a mobile number is still one.
    expect(extractFacts(zh, '20261120001 还没发货').order).toBe('20261120001');
  });

  it('keeps a clause with anger in the middle whole, reads a space between Chinese words as a break, and drops the 的 an order number leaves (found by the third issue-17 trial)', () => {
    // Anger in the pattern syntax starts a complaint but stays in what happened: taking it out of
    // the middle of a clause would drop the clause and its facts with it.
    expect(extractFacts(zh, '我要投诉，这个垃圾店铺卖的耳机用两天就坏了').what).toBe(
      '这个垃圾店铺卖的耳机用两天就坏了',
    );
    expect(extractFacts(zh, '那个客服态度很差，直接挂我电话').what).toBe('那个客服态度很差，直接挂我电话');
    expect(extractFacts(zh, '我要投诉 东西坏了')).toEqual({ what: '东西坏了' });
    // Complaint words opening a clause read as a break: what follows is what the complaint is about.
    expect(extractFacts(zh, '我要投诉耳机坏了')).toEqual({ what: '耳机坏了' });
    expect(extractFacts(zh, '投诉：订单20261120001的耳机坏了')).toEqual({ order: '20261120001', what: '耳机坏了' });
    expect(extractFacts(zh, '订单20261120001的确没有发货').what).toBe('的确没有发货');
    // The space rule reads only the customer's spaces, not the gap a labelled order number leaves.
    expect(extractFacts(zh, '我要投诉，订单号 是 JD20261120001 耳机坏了')).toEqual({
      order: 'JD20261120001',
      what: '耳机坏了',
    });
    expect(extractFacts(zh, '我上周在你们店里买了一台咖啡机').what).toBe('我在店里买了一台咖啡机');
    for (const text of ['服务太差', '态度太差', '你们服务太差了'])
      expect(compileMatcher(defaultDefinition('zh-CN')).understand(text).complaint.triggered, text).toBe(true);
  });

  it('hears anger said as people say it (气人, 火大, 坑爹), not a calm 我不生气 (found by the sixteenth issue-17 session)', () => {
    const m = compileMatcher(defaultDefinition('zh-CN'));
    // It was restated in quotes as a question and promised a reply in 24 hours, with no apology.
    for (const text of ['你们的耳机用了两天就坏了，太气人了', '我真的很生气', '坑爹啊，发货这么慢', '看到这个就火大'])
      expect(m.understand(text).complaint.triggered, text).toBe(true);
    for (const text of ['我不生气，就是问问怎么退货', '生气也没用，怎么退货'])
      expect(m.understand(text).complaint.triggered, text).toBe(false);
    const en = compileMatcher(defaultDefinition('en'));
    for (const text of ['my headphones broke after two days, so annoying', 'I am furious', 'this is pathetic'])
      expect(en.understand(text).complaint.triggered, text).toBe(true);
  });

  it('leaves 你们的 out of what happened whole, not as a dangling 的 (found by the issue-11 trial)', () => {
    expect(extractFacts(zh, '我要投诉，你们的耳机质量太差，用了三天就坏了').what).toBe('耳机质量太差，用了三天就坏了');
  });

  it('leaves no 的事 behind where the time was taken out (found by the second issue-17 trial)', () => {
    expect(extractFacts(zh, '订单号 20261120001\uff0c昨天的事\uff0c客服一直不回')).toEqual({
      order: '20261120001',
      when: '昨天',
      what: '客服一直不回',
    });
  });

  it('takes anger off the start or end of a clause without punctuation', () => {
    expect(extractFacts(zh, '太差了买的耳机才用三天就坏了')).toEqual({ what: '买的耳机才用三天就坏了' });
    expect(extractFacts(zh, '订单 20261120001 买的耳机才用三天就坏了太过分')).toEqual({
      order: '20261120001',
      what: '买的耳机才用三天就坏了',
    });
  });

  it('starts the complaint flow for a customer who says nobody answered them, or that they are not satisfied', () => {
    for (const line of ['我联系了好几次都没有人理我', '不满意']) {
      const d = new Dialogue(flow, start);
      d.say('你好');
      d.say(line, quickly);
      expect(d.state).toMatch(/^complaint/);
    }
  });

  it('reads English facts: the order number, when (yesterday, last week, 3 days ago, on Nov 20) and what happened', () => {
    expect(extractFacts(en, 'order 20261120001, it arrived yesterday')).toEqual({
      order: '20261120001',
      when: 'yesterday',
    });
    expect(extractFacts(en, 'my order number is 20261120001 and the box was crushed last week')).toEqual({
      order: '20261120001',
      when: 'last week',
      what: 'the box was crushed',
    });
    expect(extractFacts(en, 'bought it 3 days ago and it stopped working')).toEqual({
      when: '3 days ago',
      what: 'it stopped working',
    });
    expect(extractFacts(en, 'I ordered it on Nov 20 and it never came')).toEqual({
      when: 'Nov 20',
      what: 'it never came',
    });
    expect(extractFacts(en, 'Order no. 12345678 - delivered on 20 November, screen cracked')).toEqual({
      order: '12345678',
      when: '20 November',
      what: 'screen cracked',
    });
  });

  it('takes only a number with a digit in it for an order number ("my order arrived" has none)', () => {
    expect(extractFacts(en, 'my order arrived yesterday but it was broken')).toEqual({
      when: 'yesterday',
      what: 'it was broken',
    });
    expect(extractFacts(zh, '3天前收到的货，屏幕是裂的')).toEqual({ when: '3天前', what: '屏幕是裂的' });
  });
});

describe('the kind of complaint', () => {
  const zh = defaultDefinition('zh-CN').complaints;
  const en = defaultDefinition('en').complaints;

  it("tells an agent's attitude or mistake, cursing and a rude question from a general complaint", () => {
    const kinds = (c: typeof zh, lines: string[]) => lines.map((l) => complaintKind(c, l)?.id);
    expect(
      kinds(zh, [
        '刚才那个客服态度太差了',
        '客服给的信息是错的，害我白跑一趟',
        '你们他妈的到底什么时候发货',
        '什么破公司，有存在的必要吗？',
        '我要投诉，快递太慢了',
      ]),
    ).toEqual(['agent-attitude', 'agent-mistake', 'cursing', 'rude-question', undefined]);
    expect(
      kinds(en, [
        'The agent I spoke to yesterday was really rude',
        'The previous agent gave me wrong info about my refund',
        'wtf, you charged me twice',
        'Why does your company even exist?',
        'This is a scam, I want my money back!!',
      ]),
    ).toEqual(['agent-attitude', 'agent-mistake', 'cursing', 'rude-question', undefined]);
  });

  it('does not take praise of an agent, a question to one, or 操作 and 我妈的 for a complaint', () => {
    for (const line of ['你们客服态度很好，给你们点赞', '客服你好，地址填错了', '怎么操作退款', '我妈的生日礼物还没到'])
      expect(complaintKind(zh, line), line).toBeUndefined();
    for (const line of ['can I talk to an agent please', 'your staff were so friendly', 'Holy crap that was fast'])
      expect(complaintKind(en, line), line).toBeUndefined();
  });

  it('files damage in transit under product quality, in both locales, and a lost parcel under delivery', () => {
    for (const line of [
      'I want to complain, the courier broke my item',
      'the parcel arrived broken',
      'my package arrived damaged',
      'the delivery guy crushed the box and the screen is cracked',
    ])
      expect(classify(en, line).category, line).toBe('quality');
    expect(classify(zh, '我要投诉，快递把东西弄坏了').category).toBe('quality');
    expect(classify(en, 'the courier lost my parcel').category).toBe('delivery');
    expect(classify(en, 'my package never arrived').category).toBe('delivery');
  });

  it('files an agent complaint in the service-attitude category whatever else it mentions', () => {
    expect(classify(zh, '之前的客服说两天发货，现在一周了，纯属忽悠').category).toBe('service-attitude');
    expect(classify(zh, '之前说两天发货，现在一周了').category).toBe('delivery');
  });
});

describe('a request for a person with words of its own during a complaint (found by the issue-17 trial)', () => {
  it('hands the complaint over with those words on the card and the ticket, not only in the transcript', () => {
    const d = new Dialogue(defaultFlow(undefined, { desk: true }), start);
    d.say('你们发货太慢了，我要投诉', quickly);
    d.say('订单号20261120001，买了一周还没发货', quickly);
    pause(d);
    d.say('发票抬头开错了，转人工', quickly);
    const card = d.of('desk.open')[0]?.card;
    expect(card?.facts.some((f) => f.includes('发票抬头开错了'))).toBe(true);
    expect(card?.facts.some((f) => f.includes('转人工'))).toBe(false);
    expect(d.ticket(card?.ticketId ?? '')?.facts?.some((f) => f.includes('发票抬头开错了'))).toBe(true);
  });
});
