import { describe, expect, it } from 'vitest';
import { QUESTION_MAX, questionKey, trimSentence } from '../../flows/text.js';

describe('questionKey (how the unanswered list groups questions)', () => {
  it('groups the same question however it is punctuated, spaced or written', () => {
    const forms = [
      '你们的会员积分怎么用',
      '你们的会员积分怎么用？',
      '你們的會員積分 怎麼用',
      '你们的会员积分怎么用😅',
      '你们\u200b的会员积分怎么用!!',
    ];
    expect(new Set(forms.map((f) => questionKey(f, 'zh-CN')))).toEqual(new Set(['你们的会员积分怎么用']));
  });

  it('keeps the words of other scripts apart, in lower case, and apostrophes inside words', () => {
    expect(questionKey('  Do you have a LOYALTY program?? ', 'en')).toBe('do you have a loyalty program');
    expect(questionKey('I don’t see my points, why?', 'en')).toBe("i don't see my points why");
    expect(questionKey('积分 can be used for 运费 吗', 'zh-CN')).toBe('积分 can be used for 运费吗');
  });

  it('is bounded, and empty when nothing is left', () => {
    expect([...questionKey('问'.repeat(500), 'zh-CN')]).toHaveLength(QUESTION_MAX);
    expect(questionKey('？！…', 'zh-CN')).toBe('');
  });
});

describe("trimSentence (a need inside the bot's sentence)", () => {
  it('drops the end punctuation and emoji at either end, not emoji or words inside (found by the issue-17 trial)', () => {
    expect(trimSentence('我的耳机坏了😭😭')).toBe('我的耳机坏了');
    expect(trimSentence('🙏 我的耳机坏了！！👍🏻')).toBe('我的耳机坏了');
    expect(trimSentence('my ❤️ headphones broke 👨‍👩‍👧')).toBe('my ❤️ headphones broke');
    expect(trimSentence('订单号123？')).toBe('订单号123');
  });
});
