import { describe, expect, it } from 'vitest';
import { compileMatcher } from '../../flows/match.js';
import { defaultDefinition } from '../support/flows.js';

const zh = compileMatcher(defaultDefinition('zh-CN'));
const en = compileMatcher(defaultDefinition('en'));

describe('understanding short replies', () => {
  it.each([
    ['是的', 'yes'],
    ['对', 'yes'],
    ['嗯嗯', 'yes'],
    ['好的呀', 'yes'],
    ['不是', 'no'],
    ['不对', 'no'],
    ['没有了', 'done'],
    ['没有了，谢谢', 'done'],
    ['谢谢！', 'thanks'],
    ['对不起', 'apology'],
    ['还有一个问题', 'more'],
    ['你好', 'greeting'],
  ])('zh-CN %s → %s', (text, intent) => {
    expect(zh.understand(text).whole).toBe(intent);
  });

  it.each([
    ['Yes', 'yes'],
    ['yep', 'yes'],
    ['No', 'no'],
    ['nope', 'no'],
    ['no thanks', 'done'],
    ['Thank you!', 'thanks'],
    ['sorry', 'apology'],
  ])('en %s → %s', (text, intent) => {
    expect(en.understand(text).whole).toBe(intent);
  });

  it('does not read "no" inside other words, nor "是" inside "不是"', () => {
    expect(en.understand('I know').whole).toBeUndefined();
    expect(zh.understand('不是').intents.yes).toBeUndefined();
  });

  it('folds full-width characters and case', () => {
    expect(en.understand('ＹＥＳ').whole).toBe('yes');
    expect(zh.understand('５').rating).toBe(5);
  });

  it('treats a sentence that merely contains an intent word as content, not as the intent', () => {
    const u = zh.understand('你好，我的订单还没发货');
    expect(u.whole).toBeUndefined();
    expect(u.faq?.id).toBe('shipping-time');
  });

  it('reads ratings in digits and Chinese numerals, and nothing else', () => {
    expect(zh.understand('5').rating).toBe(5);
    expect(zh.understand('4分').rating).toBe(4);
    expect(zh.understand('五星').rating).toBe(5);
    expect(en.understand('3 stars').rating).toBe(3);
    expect(zh.understand('订单号 123456 还没发货').rating).toBeUndefined();
    expect(zh.understand('7').rating).toBeUndefined();
  });
});

describe('answering from the knowledge base', () => {
  it.each([
    ['我的订单还没发货', 'shipping-time'],
    ['能货到付款吗', 'cash-on-delivery'],
    ['怎么开发票', 'invoices'],
    ['我想换个地址', 'change-address'],
    ['快递三天没动了', 'tracking'],
    ['衣服尺码小了想换大一号', 'returns-exchanges'],
    ['可以用微信付款吗', 'payment-methods'],
  ])('segments Chinese and ranks "%s" → %s', (text, id) => {
    const u = zh.understand(text);
    expect(u.faq).toMatchObject({ id, confident: true });
  });

  it.each([
    ['my order has not shipped yet', 'shipping-time'],
    ['where is my parcel', 'tracking'],
    ['how can I pay?', 'payment-methods'],
    ['I want to return these shoes', 'returns-exchanges'],
  ])('ranks "%s" → %s in English', (text, id) => {
    expect(en.understand(text).faq).toMatchObject({ id, confident: true });
  });

  it('is honest about questions it has no entry for', () => {
    expect(zh.understand('今天天气怎么样').faq?.confident ?? false).toBe(false);
    expect(en.understand('what is the weather like').faq?.confident ?? false).toBe(false);
  });

  it('ranks the best entry first', () => {
    const ranked = zh.rankFaq('快递单号在哪里查物流');
    expect(ranked[0]?.id).toBe('tracking');
    expect(ranked[0]!.score).toBeGreaterThan(ranked[1]!.score);
  });
});
