import { describe, expect, it } from 'vitest';
import { restate } from '../../flows/service/restate.js';
import { defaultDefinition, defaultFlow, shanghai } from '../support/flows.js';
import { Dialogue } from '../support/dialogue.js';

const flow = defaultFlow();
const afternoon = shanghai('2026-11-23T15:00:00');

describe('greeting （开头语）', () => {
  it('says 早上好 before noon in Asia/Shanghai, then the standard opening', () => {
    const d = new Dialogue(flow, shanghai('2026-11-23T09:29:00'));
    expect(d.say('你好')).toEqual(['早上好！您好，本店欢迎您的光临！请问有什么可以帮您？']);
  });

  it('uses the normal opening in the afternoon', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('你好')).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
  });

  it('uses the morning greeting by Shanghai time even when it is still the previous day in UTC', () => {
    // 2026-11-22 23:30 UTC is 07:30 on the 23rd in Shanghai.
    const d = new Dialogue(flow, Date.parse('2026-11-22T23:29:00Z'));
    expect(d.say('你好')[0]).toMatch(/^早上好\uff01/);
  });

  it.each([
    ['2026-10-03T16:00:00', '国庆节快乐！请问有什么可以帮您？'],
    ['2026-09-25T10:00:00', '中秋节快乐！请问有什么可以帮您？'],
    ['2026-05-01T10:00:00', '劳动节快乐！请问有什么可以帮您？'],
    ['2027-01-01T10:00:00', '新年好！请问有什么可以帮您？'],
    ['2026-02-17T20:00:00', '新年好！请问有什么可以帮您？'],
  ])('on the configured holiday %s says "%s" instead', (when, greeting) => {
    const d = new Dialogue(flow, shanghai(when) - 60_000);
    expect(d.say('你好')).toEqual([greeting]);
  });

  it('greets in English for an English customer', () => {
    const d = new Dialogue(flow, shanghai('2026-11-23T08:59:00'));
    expect(d.say('hello')).toEqual(['Good morning, welcome to Our Shop! How can I help you today?']);
    expect(d.locale).toBe('en');
  });

  it('greets briefly and goes straight to confirming when the first message already states the need', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('我的订单还没发货')).toEqual(['您好，本店欢迎您的光临！', '您的意思是想了解订单什么时候发货，对吗？']);
  });
});

describe('needs confirmation （需求确认）', () => {
  it('restates the need and offers yes/no choices', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('我的订单还没发货')).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    expect(d.choices()).toEqual(['是的', '不是']);
    expect(d.state).toBe('confirming');
  });

  it('takes a bare "yes" to "what can I do for you?" as there being something, not as the need (found by the issue-17 trial)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('是的')).toEqual(['好的，请您说。']);
    expect(d.state).toBe('awaitingNeed');
    expect(d.say('我的订单还没发货')).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    for (const text of ['是的', '还有问题']) d.say(text);
    expect(d.say('是的')).toEqual(['好的，请您说。']);
    // Nor is "I have a question" said any other way (found by the second trial); a question with its subject is.
    for (const opener of ['有', '我有个问题', '想咨询一下', '是的我想问一下']) {
      const e = new Dialogue(flow, afternoon);
      e.say('你好');
      expect(e.say(opener)).toEqual(['好的，请您说。']);
    }
    const e = new Dialogue(flow, afternoon);
    e.say('你好');
    expect(e.say('我想问一下退款')).toEqual([expect.stringMatching(/^您的意思是.*退款.*对吗？$/)]);
  });

  it("restates an unrecognised need in the customer's words, pronouns turned round", () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('我的优惠券用不了')).toEqual(['您的意思是您的优惠券用不了，对吗？']);
    expect(restate(defaultDefinition('en'), 'I lost my receipt.')).toBe('you lost your receipt');
    expect(restate(defaultDefinition('en'), 'I want to pick it up myself')).toBe('you want to pick it up yourself');
    // Whole words only, also in a text that is not all ASCII (found by the third issue-17 trial: AyourPods).
    expect(restate(defaultDefinition('en'), 'my AirPods Pro – I think they broke')).toBe(
      'your AirPods Pro – you think they broke',
    );
    // Without the joining words it opens with, nor emoji at its end (found by the issue-17 trials).
    const zh = defaultDefinition('zh-CN');
    expect(restate(zh, '是这样的，我买的耳机坏了😭')).toBe('您买的耳机坏了');
    expect(restate(zh, '是这样哈，退款还没到账！！😡')).toBe('退款还没到账');
    expect(restate(zh, '是这样的')).toBe('是这样的');
    expect(restate(defaultDefinition('en'), 'also my parcel is late')).toBe('your parcel is late');
    expect(restate(defaultDefinition('en'), 'alsomy parcel')).toBe('alsomy parcel');
    // Only before a break: 另外一件 is "the other one", Also-ran a word (found by the fourth trial).
    expect(restate(zh, '另外一件衣服还没收到')).toBe('另外一件衣服还没收到');
    expect(restate(defaultDefinition('en'), 'Also-ran shoes broke')).toBe('Also-ran shoes broke');
    // "you was", the customer's "!!!" in the bot's mouth, and a short English need cut (found by the sixteenth
    // issue-17 session's trial: "you was charged twice for order 20261121009!!! you want your…").
    expect(restate(defaultDefinition('en'), 'i was charged twice for order 20261121009!!! i want my money back')).toBe(
      'you were charged twice for order 20261121009, you want your money back',
    );
    expect(restate(zh, '太过分了！！我要退款')).toBe('太过分了，您要退款');
    // Cut, it ends with one mark, not "…." (the verification trial).
    const long = new Dialogue(flow, afternoon);
    long.say('hello', { localeHint: 'en' });
    const [said] = long.say(
      'I wasnt home when the courier came and now the parcel went back to the warehouse and I need it before friday for my daughters birthday party',
    );
    expect(said).toMatch(/^If I understand you correctly: you werent home when the courier came.*… Is that right\?$/);
    // Joining words alone say there is something: asked for it, not restated.
    const asks = new Dialogue(flow, afternoon);
    asks.say('你好');
    expect(asks.say('我想问下')).toEqual(['好的，请您说。']);
  });

  // Found by the sixteenth issue-17 session's trial: 您的意思是想办理退货或换货，对吗？ twice.
  it('restates in the customer words a topic said another way instead of the same restatement again', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('我想退货')).toEqual(['您的意思是想办理退货或换货，对吗？']);
    expect(d.say('不对，我是说换货，尺码小了 换大一号')).toEqual(['您的意思是换货，尺码小了 换大一号，对吗？']);
    expect(d.say('是的')[0]).toMatch(/^签收后 7 天内/);
    // Another topic said instead is restated as a topic.
    const other = new Dialogue(flow, afternoon);
    other.say('你好');
    other.say('我想退货');
    expect(other.say('不对，我是问怎么付款')).toEqual(['您的意思是想了解可以使用的付款方式，对吗？']);
  });

  it('asks what the customer needs when a message says nothing (👍, ?) instead of restating it', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('👍')).toEqual(['您好\uff0c本店欢迎您的光临\uff01请问有什么可以帮您\uff1f']);
    expect(d.say('？')).toEqual(['请问有什么可以帮您\uff1f']);
    expect(d.state).toBe('awaitingNeed');
    expect(d.say('我要开发票')).toEqual(['您的意思是想开具发票\uff0c对吗\uff1f']);
    // While confirming, an empty message asks the same question again.
    expect(d.say('...')).toEqual(['您的意思是想开具发票\uff0c对吗\uff1f']);
  });

  it('asks the customer to describe it again on "no"', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    expect(d.say('不是')).toEqual([
      '不好意思，可能我理解得不够准确。为了更好地帮到您，您可以再具体描述一下您遇到的情况吗？',
    ]);
    expect(d.say('我想改一下收货地址')).toEqual(['您的意思是想修改收货地址，对吗？']);
  });

  it('understands a choice button the same as typed text', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('怎么开发票');
    expect(d.say({ type: 'choice', choice: 'yes' })[0]).toMatch(/^我们支持开具电子普通发票/);
  });

  it('makes nothing of button data the bot never put on a button (issue 16 trial: it became the need)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    for (const choice of ['__proto__', 'constructor', 'toString', 'no-such-button'])
      expect(d.say({ type: 'choice', choice })).toEqual([]);
    // The conversation is where it was: the real need is still the one being confirmed.
    expect(d.say({ type: 'choice', choice: 'yes' })[0]).toMatch(/发货/);
  });
});

describe('answer, record and close', () => {
  it('answers from the knowledge base, records a ticket and closes with the survey', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    const answer = d.say('是的');
    expect(answer[0]).toMatch(/^一般情况下\uff0c付款成功后 48 小时内发货/);
    expect(answer[1]).toBe('请问还有其他可以帮助您的吗？');
    expect(d.choices()).toEqual(['还有问题', '没有了']);
    const [put] = d.of('ticket.put');
    expect(put?.ticket).toMatchObject({
      type: 'inquiry',
      status: 'answered',
      need: '我的订单还没发货',
      facts: ['我的订单还没发货'],
      faqId: 'shipping-time',
      conversationId: 'test:1',
      channel: 'test',
      customer: { id: 'c1', name: 'Li' },
      locale: 'zh-CN',
    });
    expect(d.of('unanswered.record')).toEqual([]);
    const id = put!.ticket.id;
    expect(id).toMatch(/^T261123-[0-9A-Z]{10}$/);

    expect(d.say('没有了，谢谢')).toEqual([
      `感谢您的咨询，本次服务已为您记录（服务编号 ${id}）。如果您后续还有其他疑问，欢迎随时联系我们！`,
      '为了不断改进我们的服务，麻烦您为本次服务打个分（1-5 分，5 分为非常满意）：',
    ]);
    expect(d.choices()).toEqual(['5 非常满意', '4 满意', '3 一般', '2 不满意', '1 非常不满意']);
    // The survey going out is on the record of the matter it rates.
    expect(d.of('ticket.update')).toEqual([
      { type: 'ticket.update', id, changes: { events: [{ type: 'survey-sent', at: d.at }] }, at: d.at },
    ]);
    expect(d.say('5')).toEqual(['感谢您的评价（5 分），我们会继续努力的。祝您生活愉快！']);
    expect(d.of('ticket.update')).toEqual([
      {
        type: 'ticket.update',
        id,
        changes: { satisfaction: 5, events: [{ type: 'survey-answered', at: d.at, score: 5 }] },
        at: d.at,
      },
    ]);
    expect(d.state).toBe('idle');
  });

  it('apologises for a low survey score instead of thanking for it, asks what went wrong and keeps the answer as the comment', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    d.say('是的');
    d.say('没有了');
    expect(d.say({ type: 'choice', choice: 'score1' })).toEqual([
      '非常抱歉这次服务没能让您满意\uff081 分\uff09。您的评价已经记录。能告诉我们哪里做得不够好吗\uff1f您的意见我们会认真改进。',
    ]);
    const id = d.of('ticket.update')[0]?.id;
    expect(d.of('ticket.update')[0]).toMatchObject({
      changes: { satisfaction: 1, events: [{ type: 'survey-answered', at: d.at, score: 1 }] },
    });
    expect(d.state).toBe('commenting');
    // The answer is the comment on the rated matter (seed 001 评分和评论), not a new need.
    expect(d.say('等了好久才回复\uff0c答案也不清楚')).toEqual([
      '谢谢您的宝贵意见\uff0c已经为您记录\uff0c我们会认真改进。祝您生活愉快\uff01',
    ]);
    expect(d.of('ticket.update')).toEqual([
      {
        type: 'ticket.update',
        id,
        changes: {
          comment: '等了好久才回复\uff0c答案也不清楚',
          events: [{ type: 'commented', at: d.at, detail: '等了好久才回复\uff0c答案也不清楚' }],
        },
        at: d.at,
      },
    ]);
    expect(d.state).toBe('idle');
  });

  // Found by the issue-17 trial: "1分，太慢了" was no score, and the survey asked again.
  describe('a score sent with what the customer thinks of it', () => {
    const surveyed = () => {
      const d = new Dialogue(flow, afternoon);
      ['你好', '我的订单还没发货', '是的', '没有了'].forEach((m) => d.say(m));
      expect(d.state).toBe('survey');
      return d;
    };

    it('keeps the comment with the score, and after a low one apologises without asking again', () => {
      const d = surveyed();
      const id = d.of('ticket.update')[0]?.id;
      expect(d.say('1分，太慢了')).toEqual([
        '非常抱歉这次服务没能让您满意\uff081 分\uff09。您的意见已经为您记录\uff0c我们会认真改进。祝您生活愉快\uff01',
      ]);
      expect(d.of('ticket.update')).toEqual([
        {
          type: 'ticket.update',
          id,
          changes: {
            satisfaction: 1,
            comment: '太慢了',
            events: [
              { type: 'survey-answered', at: d.at, score: 1 },
              { type: 'commented', at: d.at, detail: '太慢了' },
            ],
          },
          at: d.at,
        },
      ]);
      expect(d.state).toBe('idle');
    });

    it.each([
      ['5星，客服很专业', 5, '客服很专业', /^感谢您的评价（5 分）/],
      ['打2分：快递太慢', 2, '快递太慢', /^非常抱歉这次服务没能让您满意（2 分）。您的意见已经为您记录/],
      ['３分，一般般吧', 3, '一般般吧', /^感谢您的评价（3 分）/],
    ])('"%s" is score %i with the comment "%s"', (text, score, comment, reply) => {
      const d = surveyed();
      expect(d.say(text)).toEqual([expect.stringMatching(reply)]);
      expect(d.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: score, comment });
    });

    it('reads minutes and counts as no score: "1分钟都没人回" is a complaint about waiting, not a 1', () => {
      const d = surveyed();
      d.say('1分钟都没人回');
      expect(d.of('ticket.update').map((u) => u.changes.satisfaction)).toEqual([]);
    });

    it('rates and hands over when the same message asks for a person (here no desk: the matter is recorded for one)', () => {
      const d = surveyed();
      // The low score is apologised for first (found by the issue-17 trial: unacknowledged).
      const [sorry, recorded] = d.say('1分，转人工');
      expect(sorry).toBe('非常抱歉这次服务没能让您满意（1 分），您的评价已经记录。');
      expect(recorded).toMatch(/^非常抱歉，人工客服暂时无法接入。您的问题已为您记录/);
      expect(d.of('ticket.update')[0]?.changes).toEqual({
        satisfaction: 1,
        events: [{ type: 'survey-answered', at: d.at, score: 1 }],
      });
      expect(d.of('ticket.put').map((p) => p.ticket.outcome)).toEqual([expect.stringMatching(/person/)]);
    });

    // Found by the second issue-17 trial of the day: what followed the score was kept as its comment.
    it('rates, then takes up what follows the score when it asks for something: a supervisor, another question', () => {
      const boss = surveyed();
      const said = boss.say('1分，我要找你们领导', { after: 1_000 });
      expect(boss.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 1 });
      expect(boss.of('ticket.update')[0]?.changes.comment).toBeUndefined();
      expect(said.join('')).not.toMatch(/您的意见已经为您记录/);
      expect(boss.state).toMatch(/^complaint/);
      const more = surveyed();
      expect(more.say('5分，另外怎么开发票')).toEqual(['您的意思是想开具发票，对吗？']);
      expect(more.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 5 });
      expect(more.state).toBe('confirming');
    });

    // Found by the second trial of the day: a question the knowledge base cannot answer, or a
    // complaint, after a score was kept as its comment and never answered.
    it('takes up any question, and a complaint, after the score as a message of its own', () => {
      const question = surveyed();
      expect(question.say('5分，请问你们有实体店吗？')).toEqual(['您的意思是“请问你们有实体店吗”，对吗？']);
      expect(question.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 5 });
      const complaint = surveyed();
      complaint.say('1分，我要投诉');
      expect(complaint.state).toMatch(/^complaint/);
      expect(complaint.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 1 });
      // 差评 is a complaint word and a score's words: a comment.
      const review = surveyed();
      review.say('1星，差评');
      expect(review.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 1, comment: '差评' });
    });

    it('reads a numbered list as no score, and a Chinese numeral with its unit as one', () => {
      const list = surveyed();
      expect(list.say('1. 怎么退货')).toEqual(['您的意思是想办理退货或换货，对吗？']);
      expect(list.of('ticket.update')).toEqual([]);
      const numeral = surveyed();
      numeral.say('一分，太慢了');
      expect(numeral.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 1, comment: '太慢了' });
    });

    it('rates a matter once: a second survey in the same session neither names nor rates it again', () => {
      const d = new Dialogue(defaultFlow(undefined, { desk: true }), afternoon);
      ['你好', '我的订单还没发货', '是的', '没有了'].forEach((m) => d.say(m));
      const rated = d.of('ticket.update')[0]?.id;
      d.say('1分，转人工');
      const wang = { id: 'U-wang', name: '小王' };
      d.say({ type: 'agent', action: 'claim', agent: wang });
      const closing = d.say({ type: 'agent', action: 'close', agent: wang })[0];
      expect(closing).not.toContain(rated);
      d.say('5');
      expect(d.of('ticket.update').map((u) => u.id)).not.toContain(rated);
    });

    it('in English too, and for the survey left unanswered at the close', () => {
      const en = new Dialogue(flow, afternoon);
      ['hi', 'my order has not shipped yet', 'yes', 'no thanks'].forEach((m) => en.say(m));
      expect(en.say('2 stars: the courier was late')).toEqual([
        'I am very sorry we did not serve you well this time (2). Your comment is recorded and we will work on it. Have a nice day!',
      ]);
      expect(en.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 2, comment: 'the courier was late' });
      const late = surveyed();
      late.say({ type: 'timer', name: 'idle', dueAt: late.record!.timers.idle! }, { after: 10 * 60_000 });
      expect(late.say('1分，太慢了', { after: 3_600_000 })[0]).toMatch(/您的意见已经为您记录/);
      expect(late.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 1, comment: '太慢了' });
      expect(late.opened).toBe(false);
    });
  });

  // Found by the issue-13 trial: 不满意 at the survey was taken as a new complaint and the score lost.
  it('takes a survey answer in words as its score: the words of a button, or a plain rating word', () => {
    const surveyed = (locale: 'zh-CN' | 'en') => {
      const d = new Dialogue(flow, afternoon);
      if (locale === 'zh-CN') ['你好', '我的订单还没发货', '是的', '没有了'].forEach((m) => d.say(m));
      else ['hi', 'my order has not shipped yet', 'yes', 'no thanks'].forEach((m) => d.say(m));
      expect(d.state).toBe('survey');
      return d;
    };
    const scored = (d: Dialogue) => d.of('ticket.update').map((u) => u.changes.satisfaction);
    let d = surveyed('zh-CN');
    expect(d.say('不满意')).toEqual([
      '非常抱歉这次服务没能让您满意\uff082 分\uff09。您的评价已经记录。能告诉我们哪里做得不够好吗\uff1f您的意见我们会认真改进。',
    ]);
    expect(scored(d)).toEqual([2]);
    expect(d.state).toBe('commenting');
    d = surveyed('zh-CN');
    d.say('差评！');
    expect(scored(d)).toEqual([1]);
    d = surveyed('zh-CN');
    expect(d.say('非常满意')).toEqual(['感谢您的评价（5 分），我们会继续努力的。祝您生活愉快！']);
    d = surveyed('zh-CN');
    expect(d.say('一般')).toEqual(['感谢您的评价（3 分），我们会继续努力的。祝您生活愉快！']);
    d = surveyed('en');
    expect(d.say('Very satisfied')).toEqual([
      'Thank you for your rating (5). We will keep working to serve you better. Have a nice day!',
    ]);
    d = surveyed('en');
    d.say('dissatisfied');
    expect(scored(d)).toEqual([2]);
    expect(d.state).toBe('commenting');
  });

  it('still takes a complaint at the survey as a complaint, when the words only mention a score', () => {
    const d = new Dialogue(flow, afternoon);
    ['你好', '我的订单还没发货', '是的', '没有了'].forEach((m) => d.say(m));
    d.say('我对你们的服务不满意，我要投诉');
    expect(d.of('ticket.update').map((u) => u.changes.satisfaction)).toEqual([]);
    expect(d.state).toMatch(/^complaint/);
  });

  it('takes 好的 / 行 / OK to "anything else?" as done, and still as yes to a restated need (found by the issue-17 trials)', () => {
    for (const text of ['好的', '行', 'OK', '好的好的', '没问题']) {
      const d = new Dialogue(flow, afternoon);
      d.say('怎么开发票');
      d.say(text);
      expect(d.state, text).toBe('askMore');
      const replies = d.say(text);
      expect(replies[0], text).toMatch(/^感谢您的咨询，本次服务已为您记录/u);
      expect(d.state, text).toBe('survey');
    }
    // Yes, or more words, to "anything else?" still ask for the question.
    for (const text of ['是的', '有', '好的，我还有个问题']) {
      const d = new Dialogue(flow, afternoon);
      d.say('怎么开发票');
      d.say('是的');
      expect(d.say(text), text).toEqual(['好的，请您说。']);
    }
    const en = new Dialogue(flow, afternoon);
    en.say('how do I get an invoice');
    en.say('ok');
    expect(en.say('okay')[0]).toMatch(/^Thank you/u);
  });

  it('handles another question in the same conversation and rates every matter of it', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('怎么开发票');
    d.say('是的');
    expect(d.say('还有问题')).toEqual(['好的，请您说。']);
    d.say('能货到付款吗');
    d.say('对');
    const ids: string[] = [];
    // The close names both matters (found by the issue-17 trial: only the last was named).
    const closing = d.say('没有了')[0];
    for (const u of d.of('ticket.update')) ids.push(u.id);
    expect(closing).toBe(
      `感谢您的咨询，本次服务已为您记录（服务编号 ${ids[0]}和${ids[1]}）。如果您后续还有其他疑问，欢迎随时联系我们！`,
    );
    d.say({ type: 'choice', choice: 'score4' });
    const rated = d.of('ticket.update').map((u) => u.changes.satisfaction);
    expect(rated).toEqual([4, 4]);
  });

  it('closes a session that recorded a complaint with thanks for the feedback, not for the inquiry (003)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我要投诉，耳机用了三天就坏了', { after: 1_000 });
    const dueAt = d.record!.timers.listen!;
    d.say({ type: 'timer', name: 'listen', dueAt }, { after: dueAt - d.at });
    for (const text of ['订单号 20261120001', '没有了', '没有了']) d.say(text, { after: 1_000 });
    d.say('可以', { after: 1_000 });
    const id = d.of('ticket.put')[0]?.ticket.id;
    expect(d.of('ticket.put')[0]?.ticket.type).toBe('complaint');
    expect(d.say('没有了')[0]).toBe(
      `再次感谢您反映的意见，本次服务已为您记录（服务编号 ${id}）。如果您后续还有其他问题，欢迎随时联系我们！`,
    );
  });

  it('records a confirmed need the knowledge base cannot answer, with the promised reply time (无法当场答复), and asks what else', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('你们的会员积分怎么用')).toEqual(['您的意思是“你们的会员积分怎么用”，对吗？']);
    const replies = d.say('是的');
    const [put] = d.of('ticket.put');
    expect(put?.ticket).toMatchObject({
      type: 'inquiry',
      status: 'pending',
      need: '你们的会员积分怎么用',
      facts: ['你们的会员积分怎么用'],
      promisedBy: d.at + 24 * 3_600_000,
      outcome: 'no knowledge-base answer for the confirmed need; follow-up promised within 24 h',
    });
    // Not sent back to be rephrased: 003's answer with the ticket number and the time, then what else.
    expect(replies).toEqual([
      `您的这个问题我需要进一步核实后才能回复您，已为您记录（服务编号 ${put!.ticket.id}），我们会在24小时内有专人与您联系（按工作日计，最迟 11月24日 15:03），请您留意。`,
      '请问还有其他可以帮助您的吗？',
    ]);
    expect(d.choices()).toEqual(['还有问题', '没有了']);
    // The promise is watched: when it passes with the matter still pending, the customer hears from us.
    expect(d.of('timer.set')).toContainEqual({
      type: 'timer.set',
      name: `promise:${put!.ticket.id}`,
      dueAt: d.at + 24 * 3_600_000,
    });
    // Counted among the questions the knowledge base could not answer, for admins, without the
    // words it opens with (你们的), so 我想问下你们的会员积分怎么用 counts as the same question.
    expect(d.of('unanswered.record')).toEqual([
      { type: 'unanswered.record', text: '会员积分怎么用', locale: 'zh-CN', at: d.at },
    ]);
    const other = new Dialogue(flow, afternoon);
    other.say('你好');
    other.say('我想问下你们的会员积分怎么用');
    other.say('是的');
    expect(other.of('unanswered.record').map((e) => e.text)).toEqual(['会员积分怎么用']);
    // The closing survey rates it like any other matter of the session.
    expect(d.say('没有了')[0]).toContain(put!.ticket.id);
  });

  it('does the same in English', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('hi');
    expect(d.say('do you have a loyalty program?')).toEqual([
      'If I understand you correctly: "do you have a loyalty program". Is that right?',
    ]);
    const replies = d.say('yes');
    const [put] = d.of('ticket.put');
    expect(put?.ticket).toMatchObject({ status: 'pending', locale: 'en' });
    expect(replies).toEqual([
      `I need to look into this further before I can answer. I have recorded it (reference ${put!.ticket.id}) and a member of our team will contact you within 24 hours (counted on working days), by Nov 24, 15:03 at the latest.`,
      'Is there anything else I can help you with?',
    ]);
  });

  it('reads typographic apostrophes as plain ones, in what it understands and what it restates (found by the issue-17 trial)', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('I’m missing a part of my order, I’ve checked twice').at(-1)).toBe(
      "If I understand you correctly: you're missing a part of your order, you've checked twice. Is that right?",
    );
    // And more ways to say there is nothing else, or that a restatement is wrong (found by the second trial).
    for (const words of ['that’s all', "that's it", 'nope, that’s it', 'I’m all set']) {
      const done = new Dialogue(flow, afternoon);
      done.say('how do I get an invoice');
      done.say('yes');
      expect(done.say(words)[0], words).toMatch(/^Thank you for contacting us/);
    }
    const wrong = new Dialogue(flow, afternoon);
    wrong.say('my parcel box was crushed');
    expect(wrong.say('that’s not right')[0]).toMatch(/^Sorry, I may not have understood you correctly/);
  });

  it('asks again when the restatement is wrong, and after failuresBeforeHandoff wrong ones records the matter instead of guessing again', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我想问一下订单的积分');
    expect(d.say('不是')).toEqual([
      '不好意思，可能我理解得不够准确。为了更好地帮到您，您可以再具体描述一下您遇到的情况吗？',
    ]);
    expect(d.of('ticket.put')).toEqual([]);
    d.say('下单送的积分什么时候到账');
    // The second "no" in a row (failuresBeforeHandoff: 2): without an agent desk, 无法当场答复.
    const replies = d.say('不是');
    const [put] = d.of('ticket.put');
    expect(put?.ticket).toMatchObject({
      status: 'pending',
      need: '下单送的积分什么时候到账',
      outcome: 'need not understood after 2 restatements; follow-up promised within 24 h',
    });
    expect(replies[0]).toBe(
      `您的这个问题我需要进一步核实后才能回复您，已为您记录（服务编号 ${put!.ticket.id}），我们会在24小时内有专人与您联系（按工作日计，最迟 11月24日 15:05），请您留意。`,
    );
    expect(d.state).toBe('askMore');
    expect(d.of('unanswered.record')).toMatchObject([{ text: '下单送的积分什么时候到账' }]);
  });

  it('starts counting wrong restatements afresh once a need is confirmed', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我想问一下订单的积分');
    d.say('不是');
    d.say('我的订单还没发货');
    d.say('是的');
    d.say('还有问题');
    d.say('我想问一下订单的积分');
    // One "no" since the last confirmation: asked to describe it again, not recorded.
    expect(d.say('不是')[0]).toMatch(/^不好意思，可能我理解得不够准确/);
    expect(d.state).toBe('awaitingNeed');
  });

  it('runs the same conversation in English', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('hi')).toEqual(['Hello, welcome to Our Shop! How can I help you today?']);
    expect(d.say('my order has not shipped yet')).toEqual([
      'If I understand you correctly, you would like to know when your order will ship. Is that right?',
    ]);
    expect(d.choices()).toEqual(['Yes', 'No']);
    expect(d.say('yes')[0]).toMatch(/^Orders normally ship within 48 hours/);
    const closing = d.say('no thanks');
    expect(closing[0]).toMatch(/^Thank you for contacting us\. I have recorded this conversation \(reference T\d{6}-/);
    expect(d.say('5 stars')).toEqual([
      'Thank you for your rating (5). We will keep working to serve you better. Have a nice day!',
    ]);
  });
});

describe('restating what the knowledge base does not cover (issue 11)', () => {
  it('restates a need that only shares a word with an entry in the customer’s own words, never as that entry', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('我想查询一下退款进度')).toEqual(['您的意思是您想查询一下退款进度，对吗？']);
    expect(d.say('我下单的时候优惠券没有减钱')).toEqual(['您的意思是您下单的时候优惠券没有减钱，对吗？']);
    const en = new Dialogue(flow, afternoon);
    en.say('hi');
    expect(en.say('I want to check the status of my refund')[0]).toMatch(/check the status of your refund/);
    expect(en.say('I want to check the status of my refund')[0]).not.toMatch(/return or exchange/);
  });

  it('understands traditional characters, typos and a social phrase with extra words', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('我的訂單還沒發貨')).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    expect(d.say('谢谢拉')[0]).toMatch(/^(不用客气\uff0c这是我们应该做的。|不客气\uff0c很高兴能为您服务。)$/);
    expect(d.say('不好意思，刚才打错字了')).toEqual(['没关系，请您不必介意，如有疑问，欢迎您随时再来咨询。']);
    expect(d.state).toBe('confirming');
  });
});

describe('at any point （关于特殊沟通内容的应答规范）', () => {
  it('answers thanks with 不用客气 and an apology with 没关系， without losing its place', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    expect(d.say('谢谢')[0]).toMatch(/^(不用客气\uff0c这是我们应该做的。|不客气\uff0c很高兴能为您服务。)$/);
    expect(d.state).toBe('confirming');
    expect(d.say('不好意思')).toEqual(['没关系，请您不必介意，如有疑问，欢迎您随时再来咨询。']);
    expect(d.say('是的')[0]).toMatch(/^一般情况下/);
  });

  // Found by the issue-17 trial: 不好意思，是的 got only 没关系…, the yes lost and the customer left waiting.
  it('takes a yes said with an apology or thanks at a restatement: the courtesy answered, then the answer', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('怎么付款');
    const replies = d.say('不好意思，是的');
    expect(replies[0]).toBe('没关系，请您不必介意，如有疑问，欢迎您随时再来咨询。');
    expect(replies[1]).toMatch(/^您好，本店为每一位顾客提供/u);
    expect(d.state).toBe('askMore');
    // With words of their own besides, it is not only a yes: restated.
    const e = new Dialogue(flow, afternoon);
    e.say('怎么付款');
    e.say('不好意思，是的，另外我想改地址');
    expect(e.state).toBe('confirming');
  });

  it('thanks a customer for praise modestly (客户提出表扬时), before a conversation and during one', () => {
    const praise =
      /^(很高兴听到您的认可，我们会继续努力的，谢谢您！|请不必客气，这是我们应该做的，感谢您对我们工作的支持！)$/;
    const d = new Dialogue(flow, afternoon);
    expect(d.say('你们服务真好，给你们点赞')).toEqual([expect.stringMatching(praise)]);
    expect(d.state).toBe('idle');
    d.say('你好');
    d.say('我的订单还没发货');
    expect(d.say('上次那个客服特别耐心，表扬一下')).toEqual([expect.stringMatching(praise)]);
    expect(d.state).toBe('confirming');
  });

  it("answers a customer kept waiting with 003's apology and asks the need, without a greeting first", () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('你们回复太慢了')).toEqual([
      '非常抱歉，今天咨询的客户比较多，非常感谢您的耐心等候，请问有什么可以帮到您？',
    ]);
    expect(d.state).toBe('awaitingNeed');
    expect(d.say('我的订单还没发货')).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    const en = new Dialogue(flow, afternoon);
    expect(en.say('your replies are so slow')).toEqual([
      "We're very sorry for the wait: many customers are contacting us today. Thank you for your patience. How can I help you?",
    ]);
  });

  // Found by the issue-17 trial: the apology asked the need again, and the returns need was never taken up.
  it('a customer kept waiting at a restatement hears the apology, then the restatement again', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我想退货');
    expect(d.say('回复太慢了')).toEqual([
      '非常抱歉，今天咨询的客户比较多，非常感谢您的耐心等候。',
      '您的意思是想办理退货或换货，对吗？',
    ]);
    expect(d.say('是的')[0]).toMatch(/^签收后 7 天内/u);
  });

  // Found by the issue-17 trial: the apology alone (the need lost), or the need alone (the apology lost).
  it('kept waiting, then a need in the same message: the apology without its question, then the need', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('你们回复太慢了，我的订单还没发货')).toEqual([
      '您好，本店欢迎您的光临！',
      '非常抱歉，今天咨询的客户比较多，非常感谢您的耐心等候。',
      '您的意思是想了解订单什么时候发货，对吗？',
    ]);
    expect(d.say('回复太慢了，另外发票怎么开')).toEqual([
      '非常抱歉，今天咨询的客户比较多，非常感谢您的耐心等候。',
      '您的意思是想开具发票，对吗？',
    ]);
  });

  // Found by the issue-17 trial: 快递怎么这么慢 got "today many customers are asking", about the replies.
  it('takes slow goods, not slow replies, as the matter: restated or answered, never the apology for slow replies', () => {
    const zh = new Dialogue(flow, afternoon);
    expect(zh.say('快递怎么这么慢')).toEqual(['您好，本店欢迎您的光临！', '您的意思是快递怎么这么慢，对吗？']);
    // 还要等多久 may be about a delivery: restated, unless the customer is queued for a person.
    for (const words of ['包裹怎么这么慢', '衣服怎么这么慢还没到', '还要等多久', '客服呢？回复太慢了']) {
      const d = new Dialogue(flow, afternoon);
      const slowReplies = d.say(words).some((r) => r.startsWith('非常抱歉，今天咨询的客户比较多'));
      expect(slowReplies, words).toBe(words === '客服呢？回复太慢了');
    }
    const en = new Dialogue(flow, afternoon);
    expect(en.say('my parcel is taking so long to arrive')).toEqual([
      'Hello, welcome to Our Shop!',
      'If I understand you correctly, you would like to track your parcel. Is that right?',
    ]);
  });

  it('answers a thanks that ends the matter before closing, instead of closing without a word (003)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('我的订单还没发货');
    d.say('是的');
    expect(d.state).toBe('askMore');
    const replies = d.say('谢谢');
    expect(replies[0]).toMatch(/^(不用客气\uff0c这是我们应该做的。|不客气\uff0c很高兴能为您服务。)$/);
    expect(replies[1]).toMatch(/^感谢您的咨询/);
    expect(d.state).toBe('survey');
  });

  it('varies the wording of a text with several phrasings', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    const replies = new Set([d.say('谢谢')[0], d.say('谢谢')[0]]);
    expect(replies.size).toBe(2);
  });

  it('thanks for a suggestion and records it as a suggestion ticket', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    const reply = d.say('我建议你们增加夜间客服');
    const [put] = d.of('ticket.put');
    expect(put?.ticket).toMatchObject({ type: 'suggestion', status: 'recorded', need: '我建议你们增加夜间客服' });
    expect(reply).toEqual([
      `非常感谢您提出的宝贵建议，我已记录下来（编号 ${put!.ticket.id}）并会反馈给有关负责人，再次感谢您对我们工作的关心和支持。`,
    ]);
    expect(d.state).toBe('awaitingNeed');
  });

  it('answers in English too', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('hello');
    expect(d.say('sorry')).toEqual([
      "No problem at all, please don't worry. If you have any questions, you are welcome to ask at any time.",
    ]);
    expect(d.say('I suggest you add live chat at night')[0]).toMatch(
      /^Thank you very much for your valuable suggestion\. I have recorded it \(reference T/,
    );
  });

  it('replies politely to a photo and keeps the conversation going', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say({ type: 'media', media: 'photo' })).toEqual([
      '您好，本店欢迎您的光临！',
      '非常抱歉，我暂时只能处理文字消息，麻烦您用文字描述一下您的问题，好吗？',
    ]);
    expect(d.state).toBe('awaitingNeed');
  });

  it('/start greets afresh and /help explains what the bot does', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我的订单还没发货');
    expect(d.say({ type: 'command', command: 'start' })).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
    expect(d.say({ type: 'command', command: 'help' })[0]).toMatch(/^您好\uff0c我是本店的智能客服/);
    // A command the bot has no menu for is answered as /help, not restated (found by the fifteenth session's trial).
    for (const typed of ['/menu', '/order@shop_bot'])
      expect(d.say({ type: 'text', text: typed })[0], typed).toMatch(/^您好\uff0c我是本店的智能客服/);
    expect(d.say({ type: 'text', text: '/ 退货' })[0]).not.toMatch(/^您好\uff0c我是本店的智能客服/);
  });
});

describe('idle customers and timers', () => {
  it('keeps an idle deadline as data, moving it on every turn', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.of('timer.set')).toEqual([{ type: 'timer.set', name: 'idle', dueAt: d.at + 10 * 60_000 }]);
    d.say('我的订单还没发货');
    expect(d.record?.timers.idle).toBe(d.at + 10 * 60_000);
  });

  it('closes an idle conversation politely when its timer fires, recording the matter left unconfirmed', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('你们支持花呗分期吗');
    const dueAt = d.record!.timers.idle!;
    const reply = d.say({ type: 'timer', name: 'idle', dueAt }, { after: 10 * 60_000 });
    expect(reply).toEqual([
      '由于您较长时间没有回复，本次会话先为您结束。如果您还有其他问题，欢迎随时联系我们，祝您生活愉快！',
    ]);
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({
      status: 'unresolved',
      need: '你们支持花呗分期吗',
      outcome: 'customer stopped replying before an answer (need not yet confirmed)',
    });
    expect(d.state).toBe('idle');
    expect(d.record?.timers.idle).toBeUndefined();
  });

  it('ignores a timer that was moved after it fired (a stale deadline)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    const old = d.record!.timers.idle!;
    d.say('我的订单还没发货');
    expect(d.say({ type: 'timer', name: 'idle', dueAt: old })).toEqual([]);
    expect(d.state).toBe('confirming');
  });

  it('lets a customer who does not answer the survey go without another message', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('怎么开发票');
    d.say('是的');
    d.say('没有了');
    expect(d.state).toBe('survey');
    expect(d.say({ type: 'timer', name: 'idle', dueAt: d.record!.timers.idle! }, { after: 10 * 60_000 })).toEqual([]);
    expect(d.state).toBe('idle');
    expect(d.of('ticket.put')).toEqual([]);
  });

  describe('a score sent after the survey closed (found by the issue-17 trial: it was restated as a need)', () => {
    const closedSurvey = () => {
      const d = new Dialogue(flow, afternoon);
      d.say('怎么开发票');
      d.say('是的');
      d.say('没有了');
      const id = d.of('ticket.update')[0]?.id;
      d.say({ type: 'timer', name: 'idle', dueAt: d.record!.timers.idle! }, { after: 10 * 60_000 });
      expect(d.state).toBe('idle');
      return { d, id };
    };

    it('rates the matters of that survey within a day, and opens no conversation', () => {
      const { d, id } = closedSurvey();
      expect(d.say('4', { after: 8 * 3_600_000 })).toEqual([expect.stringMatching(/^感谢您的评价（4 分）/)]);
      expect(d.of('ticket.update')).toEqual([
        expect.objectContaining({ id, changes: { satisfaction: 4, events: [expect.objectContaining({ score: 4 })] } }),
      ]);
      expect(d.opened).toBe(false);
      // Sent again, changed: the latest score counts (a correction), not a new visit.
      expect(d.say('5')).toEqual([expect.stringMatching(/^感谢您的评价（5 分）/)]);
      expect(d.ticket(id ?? '')?.satisfaction).toBe(5);
      expect(d.opened).toBe(false);
    });

    it('asks what went wrong after a low late score, and keeps the answer as the comment', () => {
      const { d, id } = closedSurvey();
      expect(d.say('2')[0]).toMatch(/能告诉我们哪里做得不够好吗/);
      expect(d.say('回复太慢了')).toEqual([expect.stringMatching(/^谢谢您的宝贵意见/)]);
      expect(d.of('ticket.update')).toEqual([
        expect.objectContaining({ id, changes: expect.objectContaining({ comment: '回复太慢了' }) }),
      ]);
    });

    it('after a day, a score with words restates the words alone (found by the issue-17 trial: 您的意思是1分，发错货了，对吗？)', () => {
      const late = closedSurvey().d;
      expect(late.say('1分，发错货了', { after: 25 * 3_600_000 })).toEqual([
        expect.stringMatching(/^您好/),
        '您的意思是发错货了，对吗？',
      ]);
      expect(late.of('ticket.update')).toEqual([]);
    });

    it('after a day, or once another matter was recorded, a bare number is nothing to go on: the greeting asks', () => {
      const late = closedSurvey().d;
      expect(late.say('4', { after: 25 * 3_600_000 })).toEqual([expect.stringMatching(/请问有什么可以帮您？$/)]);
      expect(late.of('ticket.update')).toEqual([]);
      expect(late.opened).toBe(true);
      const since = closedSurvey().d;
      since.say('怎么开发票');
      since.say('是的');
      expect(since.say('5', { after: 30 * 60_000 })).toEqual([expect.stringMatching(/请问有什么可以帮您？$/)]);
    });

    it('never restates a bare number as a need', () => {
      const d = new Dialogue(flow, afternoon);
      d.say('你好');
      expect(d.say('5')).toEqual(['请问有什么可以帮您？']);
      expect(d.state).not.toBe('confirming');
      // Nor a score with no survey to rate (found by the issue-17 trial: 您的意思是5分，对吗？).
      expect(d.say('5分')).toEqual(['请问有什么可以帮您？']);
      expect(d.state).not.toBe('confirming');
    });
  });

  it('cancels the idle timer when the conversation closes', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('没有了');
    expect(d.of('timer.cancel')).toEqual([{ type: 'timer.cancel', name: 'idle' }]);
  });
});

describe('不是 again when asked to describe the need again (found by the issue-17 trial: the chat closed, then greeted and closed again)', () => {
  it('a no that goes on to say what was meant restates that (found by the verification trial: 您的意思是不是，您是想退货)', () => {
    // 不是不是: a no said twice is said once (found by the issue-17 trial: 您的意思是不是不是，您想退货).
    for (const text of ['不是，我是想退货', '不行，我是想退货', '不是不是，我是想退货', '不是 不是，我是想退货']) {
      const d = new Dialogue(flow, afternoon);
      d.say('我的快递到哪了');
      expect(d.say(text), text).toEqual(['您的意思是想办理退货或换货，对吗？']);
    }
    const en = new Dialogue(flow, afternoon);
    en.say('where is my parcel');
    expect(en.say('no, I want to return it')).toEqual([
      'If I understand you correctly, you would like to return or exchange an item. Is that right?',
    ]);
    en.say('no');
    expect(en.say('no no, where is my parcel')).toEqual([
      'If I understand you correctly, you would like to track your parcel. Is that right?',
    ]);
  });

  it('is another wrong restatement: at the limit a person takes it; 没有了 there still closes', () => {
    const d = new Dialogue(defaultFlow(undefined, { desk: true }), afternoon);
    d.say('我的快递到哪了');
    expect(d.say('不是')).toEqual([expect.stringMatching(/^不好意思，可能我理解得不够准确/)]);
    expect(d.say('不对')[0]).toMatch(/^正在为您转接人工客服/);
    expect(d.of('desk.open')[0]?.card).toMatchObject({ reason: 'failures', need: '我的快递到哪了' });
    const done = new Dialogue(flow, afternoon);
    done.say('我的快递到哪了');
    done.say('不是');
    expect(done.say('没有了')[0]).toMatch(/^感谢您的咨询/);
  });
});

describe('locale', () => {
  it("takes words that clearly show a language over the channel's hint, and the hint over one English word", () => {
    // Telegram's language_code is the app's language: English for many Chinese customers.
    const regional = new Dialogue(flow, afternoon);
    expect(regional.say('你好', { localeHint: 'en-GB' })[0]).toMatch(/^您好/);
    expect(regional.locale).toBe('zh-CN');
    const english = new Dialogue(flow, afternoon);
    english.say('where is my parcel', { localeHint: 'zh-hans' });
    expect(english.locale).toBe('en');
    const hinted = new Dialogue(flow, afternoon);
    hinted.say('hello', { localeHint: 'zh-CN' });
    expect(hinted.locale).toBe('zh-CN');
    const byText = new Dialogue(flow, afternoon);
    byText.say('hello');
    expect(byText.locale).toBe('en');
    const hintOnly = new Dialogue(flow, afternoon);
    hintOnly.say('😀', { localeHint: 'en-GB' });
    expect(hintOnly.locale).toBe('en');
  });

  it('takes the next question in another language at "anything else?" (found by the issue-17 trial: 您的意思是how do I…，对吗？)', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('我的快递到哪了');
    d.say('是的');
    expect(d.state).toBe('askMore');
    expect(d.say('how do I get an invoice')).toEqual([
      'If I understand you correctly, you would like to get an invoice. Is that right?',
    ]);
    expect(d.locale).toBe('en');
    // One word says nothing of the language: Chinese stays.
    const ok = new Dialogue(flow, afternoon);
    ok.say('我的快递到哪了');
    ok.say('是的');
    expect(ok.say('ok')[0]).toMatch(/^感谢您的咨询/);
    expect(ok.locale).toBe('zh-CN');
    // Nor do the short English words Chinese customers type (found by the verification trial: 您的意思是nope，对吗？).
    for (const word of ['nope', 'bye', 'cool', '木有了']) {
      const d2 = new Dialogue(flow, afternoon);
      d2.say('我的快递到哪了');
      d2.say('是的');
      expect(d2.say(word)[0], word).toMatch(/^感谢您的咨询/);
    }
  });

  it('keeps Chinese for "ok", "thanks", a product name or a courier number after Chinese words (found by the issue-17 trial)', () => {
    for (const [word, reply] of [
      ['ok', /^好的，请您说/],
      ['thanks', /^(不用客气|不客气)/],
      ['iPhone', /^您的意思是/],
      ['SF1234567890123', /^您的意思是/],
    ] as const) {
      const d = new Dialogue(flow, afternoon);
      d.say('你好');
      expect(d.say(word)[0], word).toMatch(reply);
      expect(d.locale).toBe('zh-CN');
    }
    // A courier number as the very first message says nothing of the language: the default.
    const first = new Dialogue(flow, afternoon);
    expect(first.say('SF1234567890123')[0]).toMatch(/^您好/);
    // Nor does an English app, once the customer has written Chinese (found by the third issue-17 trial).
    const hinted = new Dialogue(flow, afternoon);
    hinted.say('你好', { localeHint: 'en' });
    expect(hinted.say('ok', { localeHint: 'en' })).toEqual(['好的，请您说。']);
    // A new session after a Chinese one, opened with one English word, stays Chinese.
    const back = new Dialogue(flow, afternoon);
    back.say('怎么开发票');
    back.say('是的');
    back.say('没有了');
    back.say('5');
    expect(back.say('thanks')[0]).toMatch(/^(不用客气|不客气)/);
    // Chinese words with a product's Latin name are Chinese.
    const product = new Dialogue(flow, afternoon);
    expect(product.say('AirPods Pro 坏了')[0]).toMatch(/^您好/);
    expect(product.locale).toBe('zh-CN');
  });

  it('falls back to the default locale for a language it has no definition for', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('😀', { localeHint: 'fr' });
    expect(d.locale).toBe('zh-CN');
  });
});

describe('state size', () => {
  it('stays small and does not grow with the length of the conversation', () => {
    const d = new Dialogue(flow, afternoon);
    const sizes: number[] = [];
    for (let round = 0; round < 40; round++) {
      d.say('我的订单还没发货');
      d.say('是的');
      d.say('还有问题');
      sizes.push(JSON.stringify(d.record).length);
    }
    expect(Math.max(...sizes)).toBeLessThan(2048);
    // Bounded structures fill up within the first ten matters; after that the record is flat.
    expect(sizes.at(-1)! - sizes[12]!).toBeLessThan(16);
  });
});

describe('long messages', () => {
  it('restates a long need shortened at a clause break instead of echoing it whole', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    const long = `我上周在直播间抽中的奖品一直没有收到通知，${'而且主播说三天内会联系'.repeat(500)}`;
    const [reply] = d.say(long);
    expect(reply).toBe('您的意思是您上周在直播间抽中的奖品一直没有收到通知…，对吗？');
    expect(d.state).toBe('confirming');
  });
});
