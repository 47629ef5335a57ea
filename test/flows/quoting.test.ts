import { describe, expect, it } from 'vitest';
import { joinSpacedLetters, quoted } from '../../flows/text.js';

describe('quoting customer text', () => {
  it('takes bidi controls out, isolates right-to-left text, and leaves other text as it was', () => {
    expect(quoted('订单\u202e123')).toBe('订单123');
    expect(quoted('my order 123')).toBe('my order 123');
    expect(quoted('שלום 5')).toBe('\u2068שלום 5\u2069');
    expect(quoted('عربي')).toBe('\u2068عربي\u2069');
  });

  it('keeps the isolates of text it quoted before, paired, and drops one left open', () => {
    const inner = `情况：${quoted('שלום')}`;
    expect(quoted(inner)).toBe(`\u2068${inner}\u2069`);
    expect(quoted('\u2068שלום')).toBe('\u2068שלום\u2069');
    expect(quoted('a\u2069b')).toBe('ab');
  });
});

describe('letter-spaced Chinese', () => {
  it('joins runs of lone characters, and only those', () => {
    expect(joinSpacedLetters('转 人 工')).toBe('转人工');
    expect(joinSpacedLetters('我要 转 人 工 谢谢')).toBe('我要 转人工 谢谢');
    expect(joinSpacedLetters('谢谢 发票怎么开')).toBe('谢谢 发票怎么开');
    expect(joinSpacedLetters('转 人工')).toBe('转 人工');
    expect(joinSpacedLetters('order 1 2 3')).toBe('order 1 2 3');
  });
});
