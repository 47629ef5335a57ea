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

const ATTITUDE = '很抱歉，我们服务不周给您添麻烦了，请您谅解并将详细情况告诉我，以便我们改进及处理，好吗？';
const MISTAKE =
  '很抱歉给您添麻烦了，您反映的问题我会记录下来并尽快核实处理，如有给您带来不便，请您谅解！再次感谢您对我们工作的关心与支持！';

describe('a complaint about another agent (003: 投诉其他客户服务员态度不好 / 工作出差错)', () => {
  it("answers every complaint about another agent's mistake with 003's words, never as the question it mentions", async () => {
    for (const line of [
      '客服给的信息是错的，害我白跑一趟',
      '你们客服一问三不知，业务一点都不熟',
      '之前的客服说两天发货，现在一周了，纯属忽悠',
      '上一个客服跟我说可以货到付款，结果根本不行，乱说一通',
    ]) {
      const replies = said(await play([line, '/wait 10s']));
      expect(replies[0], line).toBe(MISTAKE);
      // Not answered as a knowledge-base question (货到付款, 发货), not restated as a need.
      expect(replies.join('\n'), line).not.toMatch(/货到付款业务|付款成功后 48 小时内发货|您的意思是/);
    }
  });
});

describe('a customer cursing (破口大骂) and a rude question (粗暴问题)', () => {
  it("answers a rude question about the company with 003's words, in the company's name", async () => {
    const replies = said(await play(['什么破公司，有存在的必要吗？', '/wait 10s']));
    expect(replies[0]).toBe(
      '先生/女士，非常感谢您一直支持本店，我们的成长需要大家的鼓励与指导，我们在很多地方做得不完善、做得不好，给您带来不便表示真诚的道歉。在本店全体同事的努力下，我们会做得更好，请您相信我们。您的问题我现在就为您记录下来，会在第一时间反映给相关负责人，给您一个满意的答复。',
    );
    // The rude words are not taken for what happened: the bot asks.
    expect(replies[1]).toBe(
      '为了更快为您处理，麻烦您告诉我您的订单号、具体遇到了什么问题、大概是什么时候发生的，好吗？',
    );
  });

  it('does both in English', async () => {
    const cursing = said(await play(['wtf, you charged me twice', '/wait 10s'], 'en'));
    expect(cursing[0]).toBe(
      'Sir/Madam, I really want to solve this for you. Would you tell me what happened, so that I can help you put it right?',
    );
    expect(cursing[1]).toMatch(/what happened: you charged me twice/);
    const rude = said(await play(['How are you still in business with service like this??', '/wait 10s'], 'en'));
    expect(rude[0]).toBe(
      "Sir/Madam, thank you for your continued support of Our Shop. We grow with our customers' encouragement and guidance; there are many things we do not yet do well, and we sincerely apologise for the inconvenience. Everyone at Our Shop is working to do better, so please trust us. I am recording your problem now and will pass it on to the person responsible straight away, so that you get a satisfactory answer.",
    );
  });

  it('keeps the rotating general apology for a complaint of no particular kind', async () => {
    const replies = said(await play(['我要投诉，快递太慢了', '/wait 10s']));
    expect(replies[0]).toMatch(/抱歉/);
    expect(replies[0]).not.toBe(ATTITUDE);
    expect(replies[0]).not.toBe(MISTAKE);
  });
});

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
