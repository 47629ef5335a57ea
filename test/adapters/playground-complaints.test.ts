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
const ANYTHING_TO_ADD = '请问您还有其他要补充的吗？';

describe('a complaint about another agent (003: 投诉其他客户服务员态度不好 / 工作出差错)', () => {
  it("answers a complaint about an agent's attitude with 003's words, records it, and hands it to a person at high priority", async () => {
    const out = await play([
      '刚才那个客服态度太差了',
      '/wait 10s',
      '我问他什么时候发货，他说不知道，然后就不理我了',
      '没有了',
      '/tickets',
    ]);
    expect(said(out).slice(0, 6)).toEqual([
      ATTITUDE,
      '为了更快为您处理，我先和您确认一下：时间：刚才。麻烦您再告诉我具体遇到了什么问题，好吗？',
      '我重复一下您反映的情况：情况：我问他什么时候发货，他说不知道，然后就不理我了；时间：刚才。',
      ANYTHING_TO_ADD,
      // The supervisor's time on its ticket is told (002 三.3), then the queue.
      expect.stringMatching(
        /^我非常理解您希望问题得到重视的心情。您的情况已经为您记录（编号 T\d{6}-\w{10}），并已转交给上级同事处理，最迟 \S+ \d\d:\d\d 前会与您联系。$/,
      ),
      '正在为您转接人工客服，您目前排在第 1 位，预计等待约 1 分钟。您可以继续描述您的问题，客服接入后都能看到，不需要您再重复。',
    ]);
    // The agents' card: a complaint, urgent, in the service-attitude category, with what the customer said.
    expect(out).toContain(
      `desk> ── 转人工：投诉 · 优先级：紧急 · 类别：服务态度 · 工单 ${/工单 (T\d{6}-\w{10})/.exec(out.join('\n'))?.[1]}`,
    );
    // Its need is the complaint's, as on its ticket; everything the customer said is among the facts.
    expect(out).toContain('desk>    客户诉求：我问他什么时候发货，他说不知道，然后就不理我了');
    expect(out).toContain('desk>    • 刚才那个客服态度太差了 我问他什么时候发货，他说不知道，然后就不理我了');
    expect(out.find((l) => l.startsWith('playground> T'))).toMatch(
      /^playground> T\d{6}-\w{10} complaint pending need="我问他什么时候发货，他说不知道，然后就不理我了" category=service-attitude priority=high .*escalated=always-human/,
    );
  });

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

  it('records a mistake complaint, repeats it, and passes it to a person', async () => {
    const out = await play([
      '上一个客服跟我说可以货到付款，结果根本不行，乱说一通',
      '/wait 10s',
      '昨天下午',
      '没有了',
      '/tickets',
    ]);
    expect(said(out).slice(0, 6)).toEqual([
      MISTAKE,
      '为了更快为您处理，我先和您确认一下：情况：上一个客服跟我说可以货到付款，结果根本不行，乱说一通。麻烦您再告诉我大概是什么时候发生的，好吗？',
      '我重复一下您反映的情况：情况：上一个客服跟我说可以货到付款，结果根本不行，乱说一通；时间：昨天下午。',
      ANYTHING_TO_ADD,
      expect.stringMatching(/^我非常理解您希望问题得到重视的心情。.*并已转交给上级同事处理/),
      expect.stringMatching(/^正在为您转接人工客服/),
    ]);
    expect(out.find((l) => l.startsWith('playground> T'))).toMatch(
      /complaint pending need="上一个客服跟我说可以货到付款，结果根本不行，乱说一通" category=service-attitude priority=high /,
    );
  });

  it('does the same in English', async () => {
    const rude = said(await play(['The agent I spoke to yesterday was really rude', '/wait 10s'], 'en'));
    expect(rude).toEqual([
      "I'm very sorry our service let you down and caused you trouble. Please accept our apologies, and would you tell me in detail what happened, so that we can look into it and improve?",
      // An agent complaint needs what happened and when, not an order number: both are here, so it is repeated.
      'Let me repeat what you told me: what happened: The agent I spoke to was rude; when: yesterday.',
      'Is there anything else you would like to add?',
    ]);
    const wrong = said(await play(['The previous agent gave me wrong info about my refund', '/wait 10s'], 'en'));
    expect(wrong[0]).toBe(
      "I'm very sorry for the trouble this has caused you. I will record the problem you have raised and have it checked and dealt with as soon as possible; please accept our apologies for any inconvenience. Thank you again for your concern and support for our work!",
    );
    expect(wrong[1]).toBe(
      'To handle this quickly, let me confirm what I have: what happened: The previous agent gave me wrong info about my refund. Could you also tell me when it happened?',
    );
  });
});

describe('a customer cursing (破口大骂) and a rude question (粗暴问题)', () => {
  it("answers cursing with 003's words and goes on to the facts", async () => {
    const out = await play([
      '你们他妈的到底什么时候发货',
      '/wait 10s',
      '订单号 20261120001，上周下的单，到现在都没发货',
    ]);
    expect(said(out)).toEqual([
      '先生/女士，我非常希望能为您解决问题，请您将情况告诉我，让我帮您解决，好吗？',
      // The curse is not taken for what happened.
      '为了更快为您处理，麻烦您告诉我您的订单号、具体遇到了什么问题、大概是什么时候发生的，好吗？',
      '我重复一下您反映的情况：订单号：20261120001；情况：到现在都没发货；时间：上周。',
      ANYTHING_TO_ADD,
    ]);
  });

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

describe('有无补充 after the complaint record (003: 问题记录完毕询问顾客有无补充)', () => {
  const facts = ['我要投诉', '/wait 10s', '订单号 20261120001，昨天收到的，耳机坏了'];

  it('asks once, and on "no" goes on to the solution', async () => {
    const replies = said(await play([...facts, '没有要补充的了']));
    expect(replies.slice(-3)).toEqual([
      '我重复一下您反映的情况：订单号：20261120001；情况：耳机坏了；时间：昨天。',
      ANYTHING_TO_ADD,
      expect.stringMatching(/^针对您反映的情况，我们的处理方案是：签收后 7 天内/),
    ]);
    expect(replies).not.toContain('还有问题吗？');
  });

  it('adds what the customer adds to the record, and goes on without asking again', async () => {
    const out = await play([...facts, '对了，耳机盒子也是破的，少了一个耳塞', '不行', '/tickets']);
    const replies = said(out);
    const asked = replies.indexOf(ANYTHING_TO_ADD);
    expect(replies.slice(asked + 1, asked + 3)).toEqual([
      '好的，您补充的情况我已经为您记录下来了。',
      expect.stringMatching(/^针对您反映的情况，我们的处理方案是：/),
    ]);
    expect(replies.filter((r) => r === ANYTHING_TO_ADD)).toHaveLength(1);
    expect(out.at(-1)).toMatch(
      /^playground> T\d{6}-\w{10} complaint pending need="耳机坏了，耳机盒子也是破的，少了一个耳塞" category=quality /,
    );
  });

  it('lets the customer say there is more, then takes it', async () => {
    const replies = said(await play([...facts, '有', '耳机盒子也是破的', '不行']));
    const asked = replies.indexOf(ANYTHING_TO_ADD);
    expect(replies.slice(asked + 1, asked + 3)).toEqual(['好的，请您说。', '好的，您补充的情况我已经为您记录下来了。']);
  });

  it('takes 不行 as nothing to add, not as an addition to the record', async () => {
    const replies = said(await play([...facts, '不行']));
    expect(replies.slice(-2)).toEqual([
      ANYTHING_TO_ADD,
      expect.stringMatching(/^针对您反映的情况，我们的处理方案是：/),
    ]);
    expect(replies).not.toContain('好的，您补充的情况我已经为您记录下来了。');
  });

  it('asks it in English too', async () => {
    const replies = said(
      await play(
        [
          'This is a scam!! I want to complain',
          'my headphones broke',
          '/wait 10s',
          'order 20261120001, it arrived yesterday',
          'nothing to add',
        ],
        'en',
      ),
    );
    expect(replies.slice(2, 5)).toEqual([
      'Let me repeat what you told me: order: 20261120001; what happened: my headphones broke; when: yesterday.',
      'Is there anything else you would like to add?',
      expect.stringMatching(/^Here is how we can resolve this: /),
    ]);
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

  it('asks what happened when the words only say how the customer complains (found by a trial: "what happened: I want to make a.")', async () => {
    for (const line of [
      'I want to make a complaint',
      'I need to lodge a formal complaint',
      "I'd like to raise a complaint",
    ]) {
      const replies = said(await play([line, '/wait 10s'], 'en'));
      expect(replies[1], line).toBe(
        'To handle this quickly, could you tell me your order number and what exactly went wrong and when it happened?',
      );
    }
  });
});
