import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flowsTest } from '../../bots/app/flows-test.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { Corpus, evaluate, labelOf } from '../../flows/evaluate.js';
import { compileMatcher } from '../../flows/match.js';
import { defaultDefinition } from '../support/flows.js';

describe('understanding, scored on a corpus', () => {
  const zh = defaultDefinition('zh-CN');
  const matcher = compileMatcher(zh);

  it('counts what was understood, and a sentence matched to an entry it is not about as a wrong topic', () => {
    const corpus = Corpus.parse({
      locale: 'zh-CN',
      expect: {
        'faq:shipping-time': ['我的订单还没发货'],
        // Mislabelled on purpose: the matcher finds shipping, which is another entry than the label.
        'faq:invoices': ['什么时候发货'],
        'intent:thanks': ['谢谢'],
        'intent:human': ['转人工'],
      },
    });
    const report = evaluate(zh, matcher, corpus);
    expect(report).toMatchObject({
      locale: 'zh-CN',
      total: 4,
      correct: 3,
      accuracy: 0.75,
      wrongTopicCount: 1,
      wrongTopic: 0.25,
      problems: [],
    });
    expect(report.confusions).toEqual([
      { expected: 'faq:invoices', got: 'faq:shipping-time', count: 1, examples: ['什么时候发货'] },
    ]);
    expect(report.byLabel[0]).toEqual({ label: 'faq:invoices', total: 1, correct: 0 });
  });

  it("labels 003's complaint situations by kind, before a knowledge-base entry they mention", () => {
    const label = (m: ReturnType<typeof compileMatcher>, text: string) => labelOf(m.understand(text));
    const en = compileMatcher(defaultDefinition('en'));
    for (const text of [
      '刚才那个客服态度太差了',
      '客服给的信息是错的，害我白跑一趟',
      '你们客服一问三不知，业务一点都不熟',
      '之前的客服说两天发货，现在一周了，纯属忽悠',
      '上一个客服跟我说可以货到付款，结果根本不行，乱说一通',
    ])
      expect(label(matcher, text), text).toBe('complaint:agent');
    for (const text of [
      'The agent I spoke to yesterday was really rude',
      'The previous agent gave me wrong info about my refund',
    ])
      expect(label(en, text), text).toBe('complaint:agent');
    expect(label(matcher, '你们他妈的到底什么时候发货')).toBe('complaint:cursing');
    expect(label(matcher, '什么破公司，有存在的必要吗？')).toBe('complaint:rude');
    expect(label(en, 'wtf, you charged me twice')).toBe('complaint:cursing');
    expect(label(en, 'How are you still in business?')).toBe('complaint:rude');
    // Not every angry message is one of them.
    expect(label(matcher, '什么破公司，骗子！！')).toBe('complaint');
  });

  it('reads text as it enters: invisible characters out', () => {
    const corpus = Corpus.parse({ locale: 'zh-CN', expect: { 'intent:human': ['转\u200b人工'] } });
    expect(evaluate(zh, matcher, corpus).correct).toBe(1);
  });

  it('names a label the definition does not have, and refuses one that is not a label', () => {
    const corpus = Corpus.parse({ locale: 'zh-CN', expect: { 'faq:gift-cards': ['礼品卡怎么用'] } });
    expect(evaluate(zh, matcher, corpus).problems).toEqual([
      'faq:gift-cards: the zh-CN definition has no such entry, policy or intent',
    ]);
    expect(Corpus.safeParse({ locale: 'zh-CN', expect: { shipping: ['x'] } }).success).toBe(false);
  });
});

describe('npm run flows:test', () => {
  const run = async (
    files: Record<string, string>,
    thresholds = { minAccuracy: 0.95, maxWrongTopic: 0, minCaught: 0.95, maxFalseAlarms: 0.02 },
  ) => {
    const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    let out = '';
    const code = await flowsTest(DEFAULT_FLOWS_DIR, dir, 'zh-CN', thresholds, (t) => void (out += t));
    return { code, out };
  };

  it('prints the figures against the thresholds, the confusions with examples, and fails when one is missed', async () => {
    const corpus = [
      'locale: zh-CN',
      'expect:',
      '  faq:shipping-time: [我的订单还没发货]',
      '  faq:invoices: [什么时候发货]',
      '',
    ].join('\n');
    const strict = await run({ 'zh-CN.yaml': corpus });
    expect(strict.code).toBe(1);
    expect(strict.out).toContain(
      'zh-CN: 1/2 understood (50.0 %, needs ≥ 95.0 %); wrong topic 1 (50.0 %, needs ≤ 0.0 %) — NOT MET',
    );
    expect(strict.out).toContain('faq:invoices → faq:shipping-time: 1  e.g. "什么时候发货"');
    const lenient = await run(
      { 'zh-CN.yaml': corpus },
      { minAccuracy: 0.5, maxWrongTopic: 0.5, minCaught: 0.95, maxFalseAlarms: 0.02 },
    );
    expect(lenient.code).toBe(0);
    expect(lenient.out).toContain('— met');
  });

  it('says what is wrong with a corpus file instead of scoring it', async () => {
    const { code, out } = await run({ 'zh-CN.yaml': 'locale: zh-CN\nexpect:\n  shipping: [发货]\n' });
    expect(code).toBe(1);
    expect(out).toMatch(/^zh-CN\.yaml: expect\.shipping: must be none, supervisor/);
  });
});
