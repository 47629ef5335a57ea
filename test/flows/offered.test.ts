import { describe, expect, it } from 'vitest';
import type { FlowPayload } from '../../flows/contracts.js';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * Only a button the conversation offers now is answered (flows/offered.ts). Found by the
 * fifteenth issue-17 session's trial, on Telegram: a double tap on 是的 answered the next
 * question too (好的，请您说。), a double tap on a score apologised twice, and 是的 pressed on a
 * message the bot never sent confirmed a need and filed a ticket.
 */
const flow = defaultFlow();
const monday = shanghai('2026-11-23T15:00:00');
const press = (choice: string): FlowPayload => ({ type: 'choice', choice });

function confirming(): Dialogue {
  const d = new Dialogue(flow, monday);
  d.say('你好');
  expect(d.say('我的订单还没发货')[0]).toMatch(/对吗/);
  return d;
}

describe('a button pressed that is not offered now', () => {
  it('a double tap on 是的 is answered once', () => {
    const d = confirming();
    expect(d.say(press('yes'), { after: 300 }).at(-1)).toBe('请问还有其他可以帮助您的吗？');
    expect(d.say(press('yes'), { after: 300 })).toEqual([]);
    expect(d.state).toBe('askMore');
    // The buttons offered now still work.
    expect(d.say(press('done')).at(-1)).toMatch(/打个分/);
  });

  it('a double tap on a score rates once', () => {
    const d = confirming();
    d.say(press('yes'));
    d.say(press('done'));
    expect(d.say(press('score1'), { after: 300 })[0]).toMatch(/^非常抱歉这次服务没能让您满意/);
    expect(d.say(press('score1'), { after: 300 })).toEqual([]);
    expect(d.of('ticket.update')).toEqual([]);
  });

  it('a button of an older message is not taken as the answer to a newer question', () => {
    const d = confirming();
    // The customer typed instead of pressing: the restatement's buttons are gone with the answer.
    d.say('是的');
    expect(d.say(press('no'))).toEqual([]);
    expect(d.state).toBe('askMore');
  });

  it('a button on a new conversation files nothing', () => {
    const d = new Dialogue(flow, monday);
    for (const choice of ['yes', 'done', 'score1']) expect(d.say(press(choice)), choice).toEqual([]);
    expect(d.of('ticket.put')).toEqual([]);
    expect(d.say('你好')[0]).toMatch(/^您好/);
  });

  it("the survey's scores still rate after the idle close, and typed words are read as ever", () => {
    const d = confirming();
    d.say(press('yes'));
    d.say(press('done'));
    d.say({ type: 'timer', name: 'idle', dueAt: d.record!.timers.idle! }, { after: 10 * 60_000 });
    expect(d.say(press('score4'), { after: 3_600_000 })[0]).toMatch(/4 分/);
    expect(d.of('ticket.update')[0]?.changes).toMatchObject({ satisfaction: 4 });
    const typed = confirming();
    typed.say('是的');
    expect(typed.say('是的').at(-1)).toBe('好的，请您说。');
  });

  it('a record from before buttons were kept takes any of the definition’s buttons', () => {
    const d = confirming();
    delete d.record!.offered;
    expect(d.say(press('yes')).at(-1)).toBe('请问还有其他可以帮助您的吗？');
  });
});
