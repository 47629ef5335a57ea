import { describe, expect, it } from 'vitest';
import { runPlayground } from '../support/playground.js';

/**
 * 003 客户抱怨与投诉的应答规范, situation by situation, as a customer sees it in the playground
 * (the same wiring as `npm start`, in-process; agents are at the playground desk, a Monday
 * afternoon). Lines piped in arrive back to back; `/wait 10s` is the customer pausing, which
 * closes the complaint's listen window.
 */

async function play(script: string[], lang?: 'zh-CN' | 'en'): Promise<string[]> {
  return (await runPlayground(script.join('\n'), lang ? { lang } : {})).out;
}

/** The bot's lines, without the "bot> " prompt. */
function said(out: string[]): string[] {
  return out.filter((l) => l.startsWith('bot> ')).map((l) => l.slice(5));
}

describe('English complaint facts', () => {
  it('reads the order number, when and what happened, whatever the order of the words', async () => {
    const cases: Array<[string, string]> = [
      [
        'I want to complain. order 20261120001, it arrived yesterday and the screen is cracked',
        'order: 20261120001; what happened: the screen is cracked; when: yesterday',
      ],
      [
        'I want to complain, my order arrived last week but it was broken, order no. 20261120001',
        'order: 20261120001; what happened: it was broken; when: last week',
      ],
      [
        'complaint: the blender I bought 3 days ago stopped working, order #A2026112',
        'order: A2026112; what happened: the blender I bought stopped working; when: 3 days ago',
      ],
      [
        'I want to file a complaint, I ordered it on Nov 20 and it never came. Order number 20261120001',
        'order: 20261120001; what happened: it never came; when: Nov 20',
      ],
    ];
    for (const [line, facts] of cases) {
      const replies = said(await play([line, '/wait 10s'], 'en'));
      expect(replies[1], line).toBe(`Let me repeat what you told me: ${facts}.`);
    }
  });
});
