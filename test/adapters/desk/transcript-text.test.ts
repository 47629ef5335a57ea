import { describe, expect, it } from 'vitest';
import { deskText } from '../../../adapters/desk/text.js';
import { describeLine } from '../../../adapters/desk/transcript-text.js';
import { readSystemLine, systemLineText, type SystemLine } from '../../../flows/system-lines.js';
import { runPlayground } from '../../support/playground.js';

/**
 * The transcript lines nobody said, as the record keeps them (fixed English) and as a desk shows them
 * in its language (found by the sixteenth issue-17 session's trial: a Chinese desk's card read
 * 系统：agent 小王: handback).
 */
const zh = deskText('zh-CN', (id) => (id === 'delivery' ? '物流配送' : undefined));
const en = deskText('en');

const LINES: Array<[SystemLine, string, string]> = [
  [{ kind: 'agent', who: '小王', action: 'claim' }, '小王 已接入会话。', '小王 has the conversation.'],
  [
    { kind: 'agent', who: '小王', action: 'handback' },
    '小王 已将会话交还机器人。',
    '小王 handed the conversation back to the bot.',
  ],
  [{ kind: 'agent', who: 'Ann Lee', action: 'close' }, 'Ann Lee 已结束会话。', 'Ann Lee closed the conversation.'],
  [
    { kind: 'agent', who: '小王', action: 'release' },
    '小王 已放回会话，正在等待其他客服接入。',
    '小王 released the conversation: it is waiting for an agent again.',
  ],
  [{ kind: 'agent', who: '小王', action: 'resolve' }, '小王 已办结该事项。', '小王 resolved the matter.'],
  [
    { kind: 'agent', who: '小王', action: 'transfer', category: 'delivery' },
    '小王 已将会话转交给「物流配送」。',
    'Transferred to delivery by 小王.',
  ],
  [{ kind: 'blocked' }, '客户已屏蔽机器人。', 'The customer blocked the bot.'],
  [{ kind: 'desk-unavailable' }, '无法连接客服工作台。', 'The agent desk could not be reached.'],
  [
    { kind: 'nothing-to-chase', timer: 'promise', ticket: 'T261123-AAAAAAAAAA', status: 'resolved' },
    '工单 T261123-AAAAAAAAAA 的承诺答复时间已到：工单已办结，无需跟进。',
    'The promised reply time of T261123-AAAAAAAAAA came; it is resolved, nothing to do.',
  ],
  [
    { kind: 'nothing-to-chase', timer: 'remind', ticket: 'T261123-AAAAAAAAAA', status: 'gone' },
    '工单 T261123-AAAAAAAAAA 的到期前提醒时间已到：工单已不存在，无需跟进。',
    'The reminder of T261123-AAAAAAAAAA came; it is gone, nothing to do.',
  ],
  [
    { kind: 'replied-in-time', ticket: 'T261123-AAAAAAAAAA' },
    '工单 T261123-AAAAAAAAAA 的承诺答复时间已到：客服已按时回复，事项仍待办结。',
    'The promised reply time of T261123-AAAAAAAAAA came: a person replied in time; the matter is still open.',
  ],
];

describe('system lines in a transcript', () => {
  it('keeps each as its English sentence, reads it back, and says it in the desk language', () => {
    for (const [line, inChinese, inEnglish] of LINES) {
      const stored = systemLineText(line);
      expect(stored).toMatch(/^[\x20-\x7e\u4e00-\u9fff]+$/);
      expect(readSystemLine(stored)).toEqual(line.kind === 'agent' ? { category: undefined, ...line } : line);
      expect(describeLine(zh, stored)).toBe(inChinese);
      expect(describeLine(en, stored)).toBe(inEnglish);
    }
  });

  it('shows the stored sentences of earlier versions in the desk language, and any other text as written', () => {
    expect(describeLine(zh, 'agent 小李: claim')).toBe('小李 已接入会话。');
    expect(describeLine(zh, 'the customer blocked the bot')).toBe('客户已屏蔽机器人。');
    expect(describeLine(zh, '[internal] 小李: 客户上周也来过')).toBe('[内部备注] 小李: 客户上周也来过');
    expect(describeLine(zh, '[edited] “我要退货”')).toBe('[已编辑] “我要退货”');
    for (const text of ['agent 小李: dance', '我是 agent 小李: claim', '耳机坏了'])
      expect(describeLine(zh, text)).toBe(text);
  });

  it("shows a Chinese desk the agent's handback in Chinese on the next card", async () => {
    const { out } = await runPlayground(
      ['你好', '转人工', '/agent claim', '/agent reply 您好', '我的耳机坏了', '/agent handback', '转人工'].join('\n'),
    );
    const desk = out.filter((l) => l.startsWith('desk> '));
    expect(desk).toContain('desk>      系统：小王 已将会话交还机器人。');
    expect(desk.join('\n')).not.toMatch(/agent 小王|handback/);
  });
});
