import { describe, expect, it } from 'vitest';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * The question just answered, asked again at "anything else?" (found by the sixteenth issue-17
 * session's Chinese trial: 发票怎么开 twice got the same answer twice): the answer did not help, so a
 * person takes the matter with an apology, as 没用 does; a different question is answered as usual.
 */
const flow = defaultFlow(undefined, { desk: true });
const afternoon = shanghai('2026-11-23T15:00:00');

describe('the same question again right after its answer', () => {
  it('hands the answered matter to a person with an apology instead of the same answer', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('发票怎么开');
    expect(d.say('是的')[0]).toMatch(/^我们支持开具电子普通发票/);
    const replies = d.say('发票到底怎么开？');
    expect(replies.join('\n')).not.toMatch(/我们支持开具电子普通发票/);
    expect(replies[0]).toMatch(/^非常抱歉刚才的答复没能帮到您。正在为您转接人工客服/);
    expect(d.state).toMatch(/^handingOff|handoff/);
    const [card] = d.of('desk.open').map((o) => o.card);
    expect(card).toMatchObject({ reason: 'not-helped', need: '发票怎么开' });
  });

  it('answers another question as usual', () => {
    const d = new Dialogue(flow, afternoon);
    d.say('你好');
    d.say('发票怎么开');
    d.say('是的');
    expect(d.say('怎么付款')).toEqual(['您的意思是想了解可以使用的付款方式，对吗？']);
  });
});
