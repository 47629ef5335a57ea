import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { parseDefinition } from '../../flows/definition.js';
import { compileGuard } from '../../flows/guard.js';
import { defaultDefinition, defaultFlow } from '../support/flows.js';

const zh = compileGuard(defaultDefinition('zh-CN').forbidden);
const en = compileGuard(defaultDefinition('en').forbidden);

describe('service-phrase guard (服务忌语)', () => {
  it.each([
    '这是公司规定',
    '这是公司规定，我也没办法。',
    '这 是 公 司 规 定',
    '这是、公司。规定！',
    '这是公司\u200b规定',
    '這是公司規定',
    '你問我，我問誰？',
    '你问我，我问谁？',
    '有意见找领导去！',
  ])('blocks %j', (text) => {
    const verdict = zh.check(text);
    expect(verdict.allowed).toBe(false);
  });

  it.each([
    '这是我们公司的规定，我也没有什么办法',
    '你自己想办法',
    '你们自己想想办法吧',
    '你看看是不是你那面出了什么问题',
    '你們自己看著辦吧',
  ])('blocks the variant %j through the patterns of the list', (text) => {
    expect(zh.check(text).allowed).toBe(false);
  });

  it.each([
    '公司规定的退货期是7天，您的订单还在期限内。',
    '我们一起想办法解决',
    '您可以通过投诉渠道反馈，我们会认真处理',
  ])('lets %j through', (text) => {
    expect(zh.check(text)).toEqual({ allowed: true });
  });

  it('shows an agent the phrase a pattern stands for, not its syntax', () => {
    const verdict = zh.check('这是我们公司的规定');
    expect(verdict.allowed === false && verdict.matches.map((m) => m.phrase)).toEqual(['这是公司规定']);
  });

  it('rejects a pattern that does not close, naming where it is', () => {
    const raw = readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8').replace(
      '"这是[我们][的]公司[的]规定"',
      '"这是[我们公司规定"',
    );
    const result = parseDefinition(raw);
    expect(result.ok === false && result.problems).toContainEqual({
      path: 'forbidden[0].phrase',
      message: 'is not a valid pattern: check that every [ ] and ( ) is closed',
    });
  });

  it('says which phrase matched, why, and what to say instead', () => {
    expect(zh.check('抱歉，这是 公司规定。')).toEqual({
      allowed: false,
      matches: [
        {
          phrase: '这是公司规定',
          reason: '推诿客户\uff08\u201c这是公司规定\u201d\uff09',
          suggestion: expect.stringMatching(/^非常抱歉\uff0c请您谅解。/),
        },
      ],
    });
  });

  it.each([
    '公司规定的退货期是7天，您的订单还在退货期内。',
    '根据公司的售后政策，我们可以为您免费换货。',
    '我们一定想办法帮您解决。',
    '这不是您的错，是我们的疏忽。',
    '请问您还有其他问题吗？',
  ])('allows ordinary service text %j', (text) => {
    expect(zh.check(text)).toEqual({ allowed: true });
  });

  it('matches English regardless of case, spacing and punctuation, without flagging ordinary sentences', () => {
    expect(en.check("Sorry, THAT'S   company policy.").allowed).toBe(false);
    expect(en.check('Calm down!').allowed).toBe(false);
    expect(en.check('\uff23\uff41\uff4c\uff4d\u3000\uff24\uff4f\uff57\uff4e').allowed).toBe(false);
    expect(en.check('Our company policy allows returns within 7 days.').allowed).toBe(true);
    expect(en.check('We will ask the courier to redirect it.').allowed).toBe(true);
  });
});

describe('the guard for agents', () => {
  it('is compiled with each locale of the flow in force', () => {
    const zhGuard = defaultFlow().bundle.locales.get('zh-CN')?.guard;
    expect(zhGuard?.check('这是公司规定\uff0c没办法')).toMatchObject({
      allowed: false,
      matches: [{ phrase: '这是公司规定' }],
    });
    expect(zhGuard?.check('好的\uff0c我马上为您处理')).toEqual({ allowed: true });
  });
});

describe('bot texts that break the standards are rejected', () => {
  const zhSource = readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8');

  it('names the text, the phrase and the suggested wording', () => {
    const doc = parse(zhSource) as Record<string, any>;
    doc.texts.thanks = ['非常抱歉，这是公司规定，我也没办法回答。', doc.texts.thanks[1]];
    const r = parseDefinition(stringify(doc));
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual([
      expect.stringMatching(
        /^texts\.thanks\[0\]: contains the forbidden service phrase "这是公司规定" \(推诿客户.*\); say instead: 非常抱歉\uff0c请您谅解。/,
      ),
      expect.stringMatching(/^texts\.thanks\[0\]: contains the forbidden service phrase "我也没办法"/),
    ]);
  });

  it('checks FAQ answers and greetings too', () => {
    const doc = parse(zhSource) as Record<string, any>;
    doc.faq[3].answer = '快递的问题找快递去。';
    doc.greetings.holidays[0].text = '新年好！有意见找领导去。';
    const r = parseDefinition(stringify(doc));
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual(['greetings.holidays[0].text', 'faq[3].answer']);
  });
});
