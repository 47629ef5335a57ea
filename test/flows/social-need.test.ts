import { describe, expect, it } from 'vitest';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * A social message with a need in it (issue 11 item 4; 003 客户道谢/致歉/表扬时必须响应): the social
 * answer, then the need restated and confirmed as usual, without the opening in the restatement.
 */

const flow = defaultFlow();
const afternoon = shanghai('2026-11-23T15:00:00');
const THANKS = /^(不用客气，这是我们应该做的。|不客气，很高兴能为您服务。)$/;
const APOLOGY = '没关系，请您不必介意，如有疑问，欢迎您随时再来咨询。';

/** A conversation that has just answered one need and asks 请问还有其他可以帮助您的吗？ */
function afterAnAnswer(): Dialogue {
  const d = new Dialogue(flow, afternoon);
  d.say('你好');
  d.say('我的订单还没发货');
  d.say('是的');
  expect(d.state).toBe('askMore');
  return d;
}

describe('a social message with a need in it', () => {
  it('谢谢，另外发票怎么开: thanks, then the invoice need confirmed, after an answer', () => {
    const d = afterAnAnswer();
    expect(d.say('谢谢，另外发票怎么开')).toEqual([expect.stringMatching(THANKS), '您的意思是想开具发票，对吗？']);
    expect(d.choices()).toEqual(['是的', '不是']);
    expect(d.say('是的')[0]).toMatch(/^我们支持开具电子普通发票/);
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({ status: 'answered', need: '发票怎么开', faqId: 'invoices' });
  });

  it('restates an unknown need without the opening, in the customer’s words', () => {
    const d = afterAnAnswer();
    expect(d.say('谢谢，另外我想知道这款有没有38码')).toEqual([
      expect.stringMatching(THANKS),
      '您的意思是您想知道这款有没有38码，对吗？',
    ]);
  });

  it('不好意思，我想问下怎么退货 as the first message: greeting, 没关系, then the returns need', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('不好意思，我想问下怎么退货')).toEqual([
      '您好，本店欢迎您的光临！',
      APOLOGY,
      '您的意思是想办理退货或换货，对吗？',
    ]);
    expect(d.state).toBe('confirming');
  });

  it('a greeting before the need: greeted once, and the greeting left out of the restatement', () => {
    const d = new Dialogue(flow, afternoon);
    expect(d.say('你好，你们的会员积分怎么用')).toEqual([
      '您好，本店欢迎您的光临！',
      '您的意思是“你们的会员积分怎么用”，对吗？',
    ]);
    // Confirmed without a knowledge-base answer, it is recorded as the customer put it.
    d.say('是的');
    expect(d.of('ticket.put')[0]?.ticket).toMatchObject({ status: 'pending', need: '你们的会员积分怎么用' });
  });

  it('praise before a need, and traditional characters, wherever the need is taken', () => {
    const praise =
      /^(很高兴听到您的认可，我们会继续努力的，谢谢您！|请不必客气，这是我们应该做的，感谢您对我们工作的支持！)$/;
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    expect(d.say('你们服务真好！顺便问下发票怎么开')).toEqual([
      expect.stringMatching(praise),
      '您的意思是想开具发票，对吗？',
    ]);
    // While confirming: the need said another way, after thanks.
    expect(d.say('謝謝，另外我的訂單還沒發貨')).toEqual([
      expect.stringMatching(THANKS),
      '您的意思是想了解订单什么时候发货，对吗？',
    ]);
  });

  it('in the survey, a thanks with a new need: thanked, and the need confirmed', () => {
    const d = afterAnAnswer();
    d.say('没有了');
    expect(d.state).toBe('survey');
    expect(d.say('谢谢，另外发票怎么开')).toEqual([expect.stringMatching(THANKS), '您的意思是想开具发票，对吗？']);
  });

  it('in English: thanks, and how do I get an invoice?', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('hi');
    d.say('my order has not shipped yet');
    d.say('yes');
    expect(d.say('thanks, and how do I get an invoice?')).toEqual([
      expect.stringMatching(/^You're welcome/),
      'If I understand you correctly, you would like to get an invoice. Is that right?',
    ]);
    expect(d.say('sorry, but do you have a loyalty program?')).toEqual([
      "No problem at all, please don't worry. If you have any questions, you are welcome to ask at any time.",
      'If I understand you correctly: "do you have a loyalty program". Is that right?',
    ]);
  });

  it('leaves alone what is social as a whole, or a phrase that is part of the need', () => {
    const d = afterAnAnswer();
    // Thanks and done: the conversation closes, nothing is restated as a need.
    expect(d.say('谢谢，没有了')[0]).toMatch(/^感谢您的咨询，本次服务已为您记录/);
    expect(d.state).toBe('survey');
  });
});

describe('what the matcher takes for a social opening (Understanding.lead)', () => {
  const zh = flow.bundle.locales.get('zh-CN')!.matcher;
  const en = flow.bundle.locales.get('en')!.matcher;
  const lead = (m: typeof zh, text: string) => {
    const l = m.understand(text).lead;
    return (
      l && { intent: l.intent, rest: l.rest, faq: l.understanding.faq?.confident ? l.understanding.faq.id : undefined }
    );
  };

  it('cuts the opening and the joining words, keeping the rest as written', () => {
    expect(lead(zh, '谢谢，另外发票怎么开')).toEqual({ intent: 'thanks', rest: '发票怎么开', faq: 'invoices' });
    expect(lead(zh, '谢谢另外发票怎么开')).toMatchObject({ rest: '发票怎么开' });
    expect(lead(zh, '不好意思哈，我想问下怎么退货')).toEqual({
      intent: 'apology',
      rest: '怎么退货',
      faq: 'returns-exchanges',
    });
    expect(lead(zh, '不好意思，我想问一下你们有实体店吗')).toEqual({
      intent: 'apology',
      rest: '你们有实体店吗',
      faq: undefined,
    });
    expect(lead(zh, '你好客服，请问发票怎么开')).toMatchObject({ intent: 'greeting', rest: '发票怎么开' });
    // Thanks, apology or praise is what is answered when a greeting comes with it.
    expect(lead(zh, '你好，谢谢，另外发票怎么开')).toMatchObject({ intent: 'thanks', rest: '发票怎么开' });
    expect(lead(en, 'Thank you!  How do I get an invoice?')).toEqual({
      intent: 'thanks',
      rest: 'How do I get an invoice?',
      faq: 'invoices',
    });
    expect(lead(en, 'thanks and also how do I get an invoice?')).toMatchObject({ rest: 'how do I get an invoice?' });
  });

  it('finds none when the message is social as a whole, nothing follows, or the phrase is part of the need', () => {
    for (const text of [
      '谢谢',
      '谢谢，没有了',
      '你好，在吗',
      '谢谢，辛苦了',
      '你好我的订单还没发货',
      '好评返现怎么操作',
    ])
      expect(lead(zh, text), text).toBeUndefined();
    // After thanks, an apology or praise, more words are not yet a need: they must join on (另外),
    // ask (?) or name a knowledge-base topic.
    expect(lead(zh, '抱歉，还有货吗')).toBeUndefined();
    expect(lead(zh, '抱歉，还有货吗？')).toMatchObject({ rest: '还有货吗？' });
    for (const text of [
      'thanks!',
      'hi how do i pay',
      'hello??',
      'thank you so much',
      'thanks a lot, that really helped!',
      'You guys are great, really fast service!',
    ])
      expect(lead(en, text), text).toBeUndefined();
  });
});
