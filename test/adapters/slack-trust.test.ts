import { Redis } from 'ioredis';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MEMBERS_FRESH_MS } from '../../adapters/slack/access.js';
import { deskText } from '../../adapters/desk/text.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../support/redis.js';
import { closeDesk, CONVERSATION, deskUnderTest, nextTs, type Desk } from '../support/slack-desk.js';

/**
 * Issue 16, fault 5: the desk's trust boundary. A request Slack signed proves only that it came
 * from the workspace. Through the signed Slack endpoint, against a real Redis: a button press,
 * thread reply or `/tickets` from a channel that is not the desk's, or from someone outside the
 * agents' user group, naming a card the desk never posted, or a button (action id) the desk does
 * not have, is refused with a word to that person only, and writes nothing at all (every key
 * under the store's prefix is compared, value and all, before and after).
 */

const OTHER = 'COTHER1234';
const AGENT_GROUP = 'SAGENTS01';
const SUPERVISORS = 'SSUPERV01';
const refused = deskText('zh-CN').refused;

beforeAll(() => {
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(() => nock.enableNetConnect());

describe.runIf(requireRedis())('who may act on the desk (signed Slack requests, real Redis)', () => {
  let raw: Redis;
  let prefix = '';
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(() => {
    raw = new Redis(redisUrl);
  });
  afterAll(async () => {
    await raw.quit();
  });
  afterEach(async () => {
    await closeDesk();
    for (const close of closers.splice(0)) await close();
  });

  /** Every key under the store's prefix with its serialised value: any write shows as a difference. */
  async function snapshot(): Promise<Record<string, string>> {
    const keys = (await raw.keys(`${prefix}*`)).sort();
    const out: Record<string, string> = {};
    for (const key of keys) out[key] = (await raw.dumpBuffer(key))?.toString('base64') ?? '';
    return out;
  }

  /** The desk on a Redis store of its own, with a handoff's card posted in the agents' channel. */
  async function deskWithCard(options: { agentGroup?: string; supervisorGroup?: string } = {}): Promise<Desk> {
    prefix = testPrefix('trust');
    const store = await freshRedisStore({}, prefix);
    closers.push(async () => {
      await store.close();
      const keys = await raw.keys(`${prefix}*`);
      if (keys.length) await raw.del(...keys);
    });
    const d = await deskUnderTest({ store, ...options });
    d.slack.groups.set(AGENT_GROUP, ['UWANG']);
    d.slack.groups.set(SUPERVISORS, ['UBOSS']);
    await d.says('我的订单还没发货，转人工');
    await d.settled();
    expect(d.slack.card()).not.toBe('');
    return d;
  }

  /** What an agent action did: the events the receiver handed the engine, and what the customer got. */
  const effects = (d: Desk) => ({ received: d.received.length, sent: d.telegram.sent().length });

  it('refuses a press and a reply from a channel that is not the desk, telling the person, writing nothing', async () => {
    const d = await deskWithCard();
    const before = await snapshot();
    const done = effects(d);
    // The card's own buttons, pressed from another channel (a forwarded message, another app's copy).
    expect(await d.press('desk_claim', 'UWANG', CONVERSATION, d.slack.card(), OTHER)).toBe(200);
    // A reply in a thread of the same ts in another channel: no card there.
    expect(await d.event(d.reply('UWANG', '您好，我来处理', { channel: OTHER }))).toBe(200);
    await d.settled();
    expect(d.slack.responses).toEqual([{ response_type: 'ephemeral', replace_original: false, text: refused.channel }]);
    expect(effects(d)).toEqual(done);
    expect(await snapshot()).toEqual(before);
  });

  it('with an agents group, refuses anyone outside it (press, reply, /tickets) and takes its members and the supervisors', async () => {
    const d = await deskWithCard({ agentGroup: AGENT_GROUP, supervisorGroup: SUPERVISORS });
    const before = await snapshot();
    const done = effects(d);
    expect(await d.press('desk_claim', 'ULI')).toBe(200);
    expect(await d.event(d.reply('ULI', '您好，我是客服'))).toBe(200);
    const search = await d.command('/tickets', 'status:pending', 'ULI');
    await d.settled();
    expect(d.slack.responses.map((r) => r.text)).toEqual([refused.member]);
    // The reply's author is told in the thread, privately; the customer gets nothing.
    expect(d.slack.of('chat.postEphemeral').map((c) => [c.body.user, c.body.thread_ts, c.body.text])).toEqual([
      ['ULI', d.slack.card(), refused.member],
    ]);
    expect(search).toEqual({ status: 200, body: { response_type: 'ephemeral', text: refused.member } });
    expect(effects(d)).toEqual(done);
    expect(await snapshot()).toEqual(before);

    // A member claims; a supervisor may act too.
    expect(await d.press('desk_claim', 'UWANG')).toBe(200);
    await d.settled();
    expect(await d.event(d.reply('UBOSS', '//主管：优先处理'))).toBe(200);
    await d.settled();
    expect(d.received.map((e) => [e.payload.action, e.payload.agent.id])).toEqual([
      ['claim', 'UWANG'],
      ['note', 'UBOSS'],
    ]);
    expect(d.telegram.sent().some((t) => t.includes('小王'))).toBe(true);
  });

  it('reads the group once per minute: a member removed is refused once the list is read again', async () => {
    const d = await deskWithCard({ agentGroup: AGENT_GROUP });
    expect(await d.event(d.reply('UWANG', '//看一下订单'))).toBe(200);
    expect(await d.event(d.reply('UWANG', '//已查到'))).toBe(200);
    await d.settled();
    expect(d.slack.of('usergroups.users.list')).toHaveLength(1);
    d.slack.groups.set(AGENT_GROUP, ['ULI']);
    d.clock.advance(MEMBERS_FRESH_MS);
    expect(await d.event(d.reply('UWANG', '//还在吗'))).toBe(200);
    await d.settled();
    expect(d.slack.of('usergroups.users.list')).toHaveLength(2);
    expect(d.received.map((e) => e.payload.text)).toEqual(['看一下订单', '已查到']);
    expect(d.slack.of('chat.postEphemeral').map((c) => c.body.text)).toEqual([refused.member]);
  });

  it('when the group cannot be read: a press is refused with "try again", a reply is left for Slack to send again', async () => {
    const d = await deskWithCard({ agentGroup: AGENT_GROUP });
    const before = await snapshot();
    d.slack.refuse('usergroups.users.list', 'internal_error', 'internal_error');
    expect(await d.press('desk_claim', 'UWANG')).toBe(200);
    const reply = d.reply('UWANG', '您好');
    expect(await d.event(reply, { eventId: 'EvRetry' })).toBe(500);
    await d.settled();
    expect(d.slack.responses.map((r) => r.text)).toEqual([refused.unchecked]);
    expect(await snapshot()).toEqual(before);
    // Slack's retry, once the group answers again, is taken.
    expect(await d.event(reply, { eventId: 'EvRetry', retry: 1 })).toBe(200);
    await d.settled();
    expect(d.received.map((e) => e.payload.text)).toEqual(['您好']);
  });

  it('writes nothing for presses naming conversations or tickets the desk never posted a card for', async () => {
    const d = await deskWithCard();
    const before = await snapshot();
    const done = effects(d);
    const card = d.slack.card();
    const forged: Array<[string, string]> = [];
    for (const action of ['desk_claim', 'desk_close', 'desk_handback', 'desk_release']) {
      // A conversation with no card at all, on the real card's message and on a message that is no card's.
      forged.push(
        [action, 'telegram:999999'],
        [action, JSON.stringify({ c: 'telegram:31337', t: 'T261123-FORGED0001' })],
      );
      // The real conversation under a ticket that card is not, and the real value on a message that is no card.
      forged.push([action, JSON.stringify({ c: CONVERSATION, t: 'T261123-FORGED0002' })]);
    }
    for (const [action, value] of forged) expect(await d.press(action, 'UWANG', value, card)).toBe(200);
    for (const action of ['desk_claim', 'desk_close'])
      expect(await d.press(action, 'UWANG', CONVERSATION, nextTs())).toBe(200);
    await d.settled();
    expect(d.slack.responses).toHaveLength(forged.length + 2);
    expect(new Set(d.slack.responses.map((r) => r.text))).toEqual(new Set([refused.card]));
    expect(effects(d)).toEqual(done);
    expect(await snapshot()).toEqual(before);
    // The real card still works.
    expect(await d.press('desk_claim', 'UWANG')).toBe(200);
    await d.settled();
    expect(d.received.map((e) => e.payload.action)).toEqual(['claim']);
  });

  it('answers a button the desk does not know at once, telling the person, writing nothing', async () => {
    const d = await deskWithCard({ agentGroup: AGENT_GROUP });
    const before = await snapshot();
    const done = effects(d);
    // Another action id on the real card's message, from a member and from someone outside the group.
    expect(await d.press('desk_reopen', 'UWANG')).toBe(200);
    expect(await d.press('x'.repeat(255), 'UOUTSIDER')).toBe(200);
    await d.settled();
    expect(d.slack.responses.map((r) => r.text)).toEqual([refused.action, refused.action]);
    expect(effects(d)).toEqual(done);
    expect(await snapshot()).toEqual(before);
  });

  it('lets the agents channel work as before when no group is configured', async () => {
    const d = await deskWithCard();
    expect(await d.press('desk_claim', 'ULI')).toBe(200);
    await d.settled();
    expect(await d.event(d.reply('ULI', '您好，我是小李'))).toBe(200);
    await d.settled();
    expect(d.received.map((e) => [e.payload.action, e.payload.agent.id])).toEqual([
      ['claim', 'ULI'],
      ['reply', 'ULI'],
    ]);
    expect(d.slack.of('usergroups.users.list')).toEqual([]);
    expect(d.telegram.sent()).toContain('您好，我是小李');
  });
});
