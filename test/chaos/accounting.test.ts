import { describe, expect, it } from 'vitest';
import { account, accountDesk, CUSTOMER_MARK, type Fault, type Line, type RunRecord } from './accounting.js';
import type { SentMessage } from './bot-api.js';
import type { SlackPost } from './slack-api.js';
import type { Delivery } from './webhook.js';

/**
 * `npm run chaos`'s verdict, on runs written out by hand: what a customer would count on their
 * screen against what the bot's record says it told them (the run itself is `npm run chaos`).
 */
const CHAT = 7;
const PHASES = [
  { name: 'kills', from: 0, to: 100 },
  { name: 'redis', from: 100, to: 200 },
];
const line = (text: string, at: number, eventId = `tg:${at}`): Line => ({ chatId: CHAT, eventId, text, at });
const sent = (text: string, at: number, chatId = CHAT): SentMessage => ({ chatId, text, at });
const kill = (at: number): Fault => ({ at, what: 'kill -9 replica a', phase: at < 100 ? 'kills' : 'redis' });

function run(lines: Line[], messages: SentMessage[], extra: Partial<RunRecord> = {}): RunRecord {
  return {
    lines,
    sent: messages,
    deliveries: [],
    turns: new Map(),
    faults: [],
    phases: PHASES,
    phaseOfEvent: new Map(),
    ...extra,
  };
}

describe('the chaos run counts what customers saw against the transcript', () => {
  it('finds nothing wrong when every line arrived once, in order', () => {
    const result = account(run([line('A', 1), line('B', 2), line('C', 3)], [sent('A', 5), sent('B', 6), sent('C', 7)]));
    expect(result.total).toMatchObject({ lines: 3, sent: 3, lostLines: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('counts a line sent again after a kill as one duplicate of that kill, in the phase of its turn', () => {
    const faults = [kill(3), kill(50)];
    const result = account(
      run([line('A', 1), line('B', 2), line('C', 60)], [sent('A', 2), sent('B', 2), sent('B', 40), sent('C', 61)], {
        faults,
      }),
    );
    expect(result.total).toMatchObject({ sent: 4, duplicated: 1, lostLines: 0, outOfOrder: 0 });
    expect(result.faults.map((f) => [f.at, f.duplicates, f.maxPerConversation])).toEqual([
      [3, 1, 1],
      [50, 0, 0],
    ]);
    expect(result.phases[0]).toMatchObject({ name: 'kills', duplicated: 1 });
    expect(result.findings).toEqual([
      { kind: 'duplicated', chatId: CHAT, phase: 'kills', text: 'B', at: 40, fault: 'kill -9 replica a' },
    ]);
  });

  it('puts a repeat of words said twice down to the kill after their first copy', () => {
    // The first line is sent, the replica killed before acknowledging it; the new holder sends it
    // again, then the second line with the same words: the copies cannot tell which was repeated.
    const same = '您的意思是5，对吗？';
    const result = account(
      run([line(same, 1), line(same, 10)], [sent(same, 5), sent(same, 60), sent(same, 70)], { faults: [kill(50)] }),
    );
    expect(result.total).toMatchObject({ duplicated: 1, lostLines: 0 });
    expect(result.unattributedDuplicates).toBe(0);
    expect(result.faults[0]).toMatchObject({ duplicates: 1, maxPerConversation: 1 });
  });

  it('tells a lost line from one that came out of order', () => {
    expect(account(run([line('A', 1), line('B', 2), line('C', 3)], [sent('A', 5), sent('C', 6)])).total).toMatchObject({
      lostLines: 1,
      outOfOrder: 0,
    });
    expect(
      account(run([line('A', 1), line('B', 2), line('C', 3)], [sent('A', 5), sent('C', 6), sent('B', 7)])).total,
    ).toMatchObject({ lostLines: 0, outOfOrder: 1, duplicated: 0 });
  });

  it('lets the same words be said twice when the transcript says them twice, and not thrice', () => {
    const twice = [line('请问还有其他可以帮助您的吗？', 1), line('请问还有其他可以帮助您的吗？', 2)];
    const same = sent('请问还有其他可以帮助您的吗？', 3);
    expect(account(run(twice, [same, same])).total.duplicated).toBe(0);
    expect(account(run(twice, [same, same, same])).total.duplicated).toBe(1);
  });

  it('matches a queue message filled at delivery against its transcript line with gaps', () => {
    const queued = line('您目前排在第 … 位，预计等待约 … 分钟。', 1);
    const result = account(run([queued], [sent('您目前排在第 3 位，预计等待约 6 分钟。', 2)]));
    expect(result.total).toMatchObject({ lostLines: 0, duplicated: 0 });
  });

  it('counts a message no transcript has, sent after Redis came back, as a duplicate of that restart', () => {
    const restart = { at: 120, what: 'kill -9 redis', phase: 'redis' };
    const result = account(run([line('A', 110)], [sent('A', 111), sent('早上好！', 125)], { faults: [restart] }));
    expect(result.phases[1]).toMatchObject({ name: 'redis', sent: 2, duplicated: 1 });
    expect(result.faults[0]).toMatchObject({ duplicates: 1, conversations: 1 });
  });

  it('counts updates answered 2xx without a turn as lost, twice-run ones as duplicate turns, unanswered apart', () => {
    const delivery = (updateId: number, answered: boolean): Delivery => ({
      updateId,
      chatId: CHAT,
      text: '你好',
      phase: 'kills',
      at: 1,
      posts: 1,
      answers: answered ? ['accepted'] : [],
      ...(answered ? { answeredAt: 2 } : {}),
    });
    const result = account(
      run([], [], {
        deliveries: [delivery(1, true), delivery(2, true), delivery(3, true), delivery(4, false)],
        turns: new Map([
          ['tg:1', 1],
          ['tg:3', 2],
        ]),
      }),
    );
    expect(result.phases[0]).toMatchObject({ updates: 3, lostUpdates: 1, duplicateTurns: 1, unanswered: 1 });
  });
});

describe('the chaos run counts what agents saw of customers in the thread', () => {
  it('finds a customer message missing and one posted twice', () => {
    const post = (text: string): SlackPost => ({ channel: 'CAGENTS', ts: '1', threadTs: '0', text, at: 0 });
    const thread = [
      post('客服 小王 已接入'),
      post(`${CUSTOMER_MARK}第1句`),
      post(`${CUSTOMER_MARK}第3句`),
      post(`${CUSTOMER_MARK}第3句`),
    ];
    const messages = ['第1句', '第2句', '第3句'].map((text) => ({ chatId: CHAT, text }));
    expect(accountDesk(messages, new Map([[CHAT, thread]]))).toEqual({
      messages: 3,
      posted: 2,
      lost: 1,
      duplicated: 1,
      outOfOrder: 0,
    });
  });
});
