import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../bots/app/main.js';
import { parseConfig } from '../../bots/config.js';
import { openRecord, recordUpkeep, startRecord } from '../../bots/app/record-open.js';
import { openStore } from '../../bots/app/runtime.js';
import { freshDatabase, requirePostgres, serverUrl } from './record/support.js';
import { redisUrl, requireRedis, testPrefix } from '../support/redis.js';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { OutboxItem, Store } from '../../bots/ports.js';
import { ticket } from './store/contract.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import { RecordGate, RecordWriter } from '../../bots/record-writes.js';
import { TimerPoller } from '../../bots/timers.js';
import { defaultFlow } from '../support/flows.js';
import { RecordingChannel, RecordingDesk, TestClock } from '../support/harness.js';
import { runPlayground } from '../support/playground.js';
import { pgliteFolder } from '../support/pglite-folder.js';

/**
 * Issue 14, the record wired into the engine: every turn is archived and every ticket written to
 * the system of record after the replies; while the database is down customers are answered all
 * the same and the writes wait, in order, until the writer applies them; and a new user's path,
 * playground conversations then `npm run report`, on PGlite.
 */

let record: OpenedRecordStore;
/** Every message's platform id, unique in the file (a restarted engine must not see its first messages as duplicates). */
let sent = 0;

let recordDir = '';

beforeAll(async () => {
  // A copy of a folder the record made once (pglite-folder.ts): no initdb (seconds of CPU) here.
  recordDir = await pgliteFolder('record-wiring-');
  record = openRecordStore({ dataDir: recordDir, log: memoryLogger() });
  await record.ready();
}, 60_000);
afterAll(async () => {
  await record.close();
  rmSync(recordDir, { recursive: true, force: true });
});

/** A record on a server that does not answer: every call fails as a database that is down does. */
const downRecord = () => openRecordStore({ url: 'postgres://postgres@127.0.0.1:1/nowhere', log: memoryLogger() });

function engineWith(store: Store, clock: TestClock, records: OpenedRecordStore, desk?: RecordingDesk) {
  const channel = new RecordingChannel();
  const log = memoryLogger();
  const flow = defaultFlow(undefined, { desk: desk !== undefined });
  const engine = new Engine({
    store,
    record: records,
    flow: () => flow,
    channels: new Map([['test', channel]]),
    desk,
    clock: clock.now,
    log,
    sleep: async () => {},
  });
  const say = (conversationId: string, text: string) =>
    engine.receive({
      id: `${conversationId}:${++sent}`,
      conversationId,
      channel: 'test',
      customer: { id: conversationId.split(':')[1] ?? 'c', name: 'Li' },
      at: clock.now(),
      payload: { type: 'text', text },
    });
  return { engine, channel, log, say };
}

describe('the system of record, wired into the engine (PGlite)', () => {
  it('archives every turn and writes the ticket with its lifecycle there, after the replies', async () => {
    const clock = new TestClock();
    const store = new MemoryStore(clock.now, {}, record.tickets);
    const { say, channel } = engineWith(store, clock, record);
    for (const text of ['你好', '可以开发票吗', '是的']) await say('test:a1', text);
    expect(channel.texts().at(-2)).toMatch(/发票/);
    const [ticket] = await record.tickets.list({ conversationId: 'test:a1' });
    expect(ticket).toMatchObject({ status: 'answered', customer: { id: 'a1' } });
    expect(ticket?.events?.[0]?.type).toBe('created');
    const archived = await record.transcript('test:a1');
    expect(archived.map((e) => `${e.from}: ${e.text}`)).toEqual(
      (await store.transcript('test:a1', 100)).map((e) => `${e.from}: ${e.text}`),
    );
    expect(archived.filter((e) => e.from === 'customer').map((e) => e.text)).toEqual(['你好', '可以开发票吗', '是的']);
    const [conversation] = (await record.conversationsStarted(0, clock.now() + 1)).filter(
      (c) => c.conversationId === 'test:a1',
    );
    expect(conversation).toMatchObject({ channel: 'test', customerId: 'a1' });
  });

  it('while the database is down customers are answered, and the writes wait in order until it is back', async () => {
    const clock = new TestClock();
    const down = downRecord();
    const store = new MemoryStore(clock.now, {}, record.tickets);
    const { say, channel, log } = engineWith(store, clock, down);
    for (const text of ['你好', '可以开发票吗', '是的', '没有了']) await say('test:b2', text);
    // Answered all the same, to the survey.
    expect(channel.texts().at(-1)).toMatch(/打个分/);
    expect(log.lines.some((l) => l.message.includes('deferred'))).toBe(true);
    const waiting = await store.deferred.size();
    expect(waiting).toBeGreaterThan(4);
    expect(await record.tickets.list({ conversationId: 'test:b2' })).toEqual([]);
    await down.close();

    // The database is back: one writer applies the backlog, oldest first, and a second drain finds nothing.
    const writer = new RecordWriter({ record, store, log });
    expect(await writer.drain()).toBe(waiting);
    expect(await store.deferred.size()).toBe(0);
    const [ticket] = await record.tickets.list({ conversationId: 'test:b2' });
    expect(ticket?.status).toBe('answered');
    expect(ticket?.events?.map((e) => e.type)).toEqual(['created', 'survey-sent']);
    const lines = (await record.transcript('test:b2')).length;
    expect(lines).toBeGreaterThanOrEqual(8);
    expect(await writer.drain()).toBe(0);
    expect((await record.transcript('test:b2')).length).toBe(lines);
  });
});

describe('the queue line on the archive (found by the fifteenth issue-17 session)', () => {
  // The customer saw their place; the archive (the ticket page, `tickets show`) said 第 … 位.
  const queued = (line: string | undefined) => line?.match(/第 (\S+) 位，预计等待约 (\S+) 分钟/)?.slice(1);

  it('archives the place and wait the customer was sent; the cards keep the placeholders', async () => {
    const clock = new TestClock();
    const store = new MemoryStore(clock.now, {}, record.tickets);
    const { say, channel } = engineWith(store, clock, record, new RecordingDesk());
    await say('test:q1', '转人工');
    await say('test:q2', '人工客服');
    expect(queued(channel.texts('test:q2').at(-1))).toEqual(['2', '2']);
    const archived = (await record.transcript('test:q2')).map((e) => e.text);
    expect(archived.map(queued).filter(Boolean)).toEqual([['2', '2']]);
    expect((await store.transcript('test:q2', 10)).map((e) => queued(e.text)).filter(Boolean)).toEqual([['…', '…']]);
  });

  it('defers the filled line too while the database is down', async () => {
    const clock = new TestClock();
    const down = downRecord();
    const store = new MemoryStore(clock.now, {}, record.tickets);
    const { say, channel } = engineWith(store, clock, down, new RecordingDesk());
    try {
      await say('test:q3', '转人工');
      expect(queued(channel.texts('test:q3').at(-1))).toEqual(['1', '1']);
    } finally {
      await down.close();
    }
    await new RecordWriter({ record, store, log: memoryLogger() }).drain();
    expect((await record.transcript('test:q3')).map((e) => queued(e.text)).filter(Boolean)).toEqual([['1', '1']]);
  });
});

describe("an agent's action while the database is down (found by the issue-17 trial)", () => {
  it("claims, replies and relays the customer as ever: a card's ticket that cannot be read holds nothing up", async () => {
    const clock = new TestClock();
    const down = downRecord();
    const store = new MemoryStore(clock.now, {}, down.tickets);
    const desk = new RecordingDesk();
    const { engine, channel, log } = engineWith(store, clock, down, desk);
    const conversationId = 'test:h1';
    const customer = { id: 'h1', name: 'Li' };
    const say = (text: string) =>
      engine.receive({
        id: `h1:${++sent}`,
        conversationId,
        channel: 'test',
        customer,
        at: clock.now(),
        payload: { type: 'text', text },
      });
    let ticketId = '';
    const agent = (action: 'claim' | 'reply', extra: { text?: string } = {}) =>
      engine.receive({
        id: `desk:${++sent}`,
        conversationId,
        channel: 'desk',
        at: clock.now(),
        payload: { type: 'agent', action, agent: { id: 'U-wang', name: '小王' }, ticketId, ...extra },
      });
    try {
      await say('我要转人工');
      ticketId = desk.cards[0]?.card.ticketId ?? '';
      expect(ticketId).not.toBe('');
      const before = channel.texts().length;
      await agent('claim');
      await agent('reply', { text: '您好，我来帮您查' });
      expect(channel.texts().slice(before).at(-1)).toBe('您好，我来帮您查');
      expect(desk.updates.map((u) => u.status)).toContain('claimed');
      await say('我的快递丢了');
      expect(desk.posts.at(-1)).toEqual({ conversationId, text: '我的快递丢了', from: 'customer' });
      expect(log.lines.filter((l) => l.message === 'turn failed; its event stays queued')).toEqual([]);
      expect(
        log.lines.some((l) => l.message === "the ticket could not be read; the agent's action goes on without it"),
      ).toBe(true);
      // The writes wait for the database, as every record write does.
      expect(await store.deferred.size()).toBeGreaterThan(0);
    } finally {
      await down.close();
    }
  });
});

describe("a pending matter's timer while the database is down (found by the issue-17 trial)", () => {
  it("is tried again a minute later instead of failing its turn, and the customer's next message is answered meanwhile", async () => {
    const clock = new TestClock();
    const down = downRecord();
    const store = new MemoryStore(clock.now, {}, down.tickets);
    const { engine, channel, log, say } = engineWith(store, clock, down);
    const poller = new TimerPoller({ timers: store.timers, engine, clock: clock.now, log });
    const retried = () =>
      log.lines.filter((l) => l.message === 'the ticket could not be read; its timer is tried again later');
    try {
      // No desk: the matter is recorded with a promised reply time, and its timers set.
      await say('test:p1', '我要转人工');
      await say('test:p1', '我的快递三天没更新了');
      expect(channel.texts().join('\n')).toMatch(/小时内|工作日|回复/);
      // Past every deadline of the matter: each of its timers comes due while the record is down.
      clock.advance(4 * 24 * 3_600_000);
      await poller.tick();
      const first = retried().length;
      expect(first).toBeGreaterThan(0);
      expect(log.lines.filter((l) => l.message === 'turn failed; its event stays queued')).toEqual([]);
      const before = channel.texts().length;
      await say('test:p1', '你好');
      expect(channel.texts().length).toBeGreaterThan(before);
      // A minute later each is due again, and tried again.
      clock.advance(61_000);
      await poller.tick();
      expect(retried().length).toBeGreaterThan(first);
    } finally {
      await down.close();
    }
  });
});

describe('a long database outage (issue 16)', () => {
  it('keeps every deferred write and says so loudly in the log as the backlog grows past 1,000', async () => {
    const clock = new TestClock();
    const down = downRecord();
    const store = new MemoryStore(clock.now);
    const log = memoryLogger();
    const gate = new RecordGate({ record: down, store, log, clock: clock.now });
    const archive = (n: number): OutboxItem => ({
      id: `e${n}#archive`,
      conversationId: 'test:long',
      channel: 'test',
      customerId: 'long',
      effect: { type: 'record.archive', entries: [{ at: n, from: 'customer', text: `第${n}句`, eventId: `e${n}` }] },
    });
    for (let n = 1; n <= 1_200; n++) await gate.write(archive(n));
    // The writer tries every few seconds through the outage: it warns once, not at every try.
    const writer = new RecordWriter({ record: down, store, log });
    for (let tries = 0; tries < 3; tries++) expect(await writer.drain()).toBe(0);
    expect(
      log.lines.filter((l) => l.message.includes('not taking writes')).map((l) => `${l.level}: ${l.message}`),
    ).toEqual([
      'warn: the system of record is not taking writes; the backlog waits',
      'debug: the system of record is still not taking writes; the backlog waits',
      'debug: the system of record is still not taking writes; the backlog waits',
    ]);
    await down.close();
    expect(await store.deferred.size()).toBe(1_200);
    const loud = log.lines.filter(
      (l) => l.message === 'the record backlog keeps growing in Redis while the database is down',
    );
    expect(loud).toEqual([
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ waiting: 1_000 }) }),
    ]);
  });
});

describe('conversations as the report counts them (found by the issue-14 trial)', () => {
  it('counts a customer who comes back on the same chat after the bot closed the last session as a new conversation', async () => {
    const clock = new TestClock();
    const { say } = engineWith(new MemoryStore(clock.now, {}, record.tickets), clock, record);
    const from = clock.now();
    for (const text of ['你好', '可以开发票吗', '是的', '没有了', '5']) await say('test:s1', text);
    clock.advance(3 * 3_600_000);
    const back = clock.now();
    for (const text of ['你好', '我的订单还没发货']) await say('test:s1', text);
    const sessions = (await record.conversationsStarted(from, back + 60_000)).filter(
      (c) => c.conversationId === 'test:s1',
    );
    expect(sessions.map((c) => [c.startedAt, c.firstCustomerAt, c.firstBotReplyAt])).toEqual([
      [from, from, from],
      [back, back, back],
    ]);
  });
});

describe('ticket numbers', () => {
  it('numbers the matters of a conversation that starts over the same day (its state lost) apart from the earlier ones', async () => {
    const clock = new TestClock();
    const first = engineWith(new MemoryStore(clock.now, {}, record.tickets), clock, record);
    for (const text of ['你好', '可以开发票吗', '是的']) await first.say('test:n1', text);
    clock.advance(60_000);
    // Redis lost the conversation's state (or the customer was forgotten): the next matter is its "first" again.
    const again = engineWith(new MemoryStore(clock.now, {}, record.tickets), clock, record);
    for (const text of ['你好', '可以开发票吗', '是的']) await again.say('test:n1', text);
    const tickets = await record.tickets.list({ conversationId: 'test:n1' });
    expect(tickets).toHaveLength(2);
    expect(new Set(tickets.map((t) => t.id)).size).toBe(2);
  });

  it('never writes a ticket over another matter that drew the same number, and says so in the log', async () => {
    const clock = new TestClock();
    const log = memoryLogger();
    const mine = { ...ticket('T261130-SAMENUMBER', clock.now()), conversationId: 'test:mine', need: '我的事' };
    await record.tickets.put(mine);
    const other = { ...mine, conversationId: 'test:other', need: '别人的事', createdAt: clock.now() + 1 };
    await expect(record.tickets.put(other)).rejects.toThrow(/already on record for another matter/);
    expect((await record.tickets.get(mine.id))?.need).toBe('我的事');
    // Through the outbox's gate: logged with the whole item, not deferred (it would hold every later write).
    const store = new MemoryStore(clock.now, {}, record.tickets);
    await new RecordGate({ record, store, log, clock: clock.now }).write({
      id: 'o1',
      conversationId: 'test:other',
      channel: 'test',
      customerId: 'other',
      effect: { type: 'ticket.put', ticket: other },
    } satisfies OutboxItem);
    expect(await store.deferred.size()).toBe(0);
    expect(log.lines.some((e) => e.level === 'error' && /refused a write/.test(e.message))).toBe(true);

    // Written together with its turn's archive (one statement, refused as a whole): the archive
    // still lands, on its own, and only the ticket is left out.
    const line = { at: clock.now(), from: 'customer' as const, text: '别人的事', eventId: 'e-together' };
    await new RecordGate({ record, store, log, clock: clock.now }).write([
      {
        id: 'o2',
        conversationId: 'test:other',
        channel: 'test',
        customerId: 'other',
        effect: { type: 'ticket.put', ticket: other },
      },
      {
        id: 'o3',
        conversationId: 'test:other',
        channel: 'test',
        customerId: 'other',
        effect: { type: 'record.archive', entries: [line] },
      },
    ] satisfies OutboxItem[]);
    expect(await store.deferred.size()).toBe(0);
    expect((await record.transcript('test:other')).map((e) => e.text)).toEqual(['别人的事']);
    expect((await record.tickets.get(mine.id))?.need).toBe('我的事');
    expect(log.lines.filter((e) => e.level === 'error' && /refused a write/.test(e.message))).toHaveLength(2);
  });
});

/** Runs one of the tools (`npm run report`, `tickets`, …) in process, as `npm run` does: exit code and stdout. */
async function tool(env: Record<string, string>, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((out += String(chunk)), true));
  const code = await main(argv, env).finally(() => vi.restoreAllMocks());
  return { code, out };
}

/** Two conversations an hour apart, in one playground run: an order not shipped (rated 5), then a question the knowledge base cannot answer. */
const TWO_VISITS = '你好\n我的订单还没发货\n是的\n没有了\n5\n/wait 60\n你们的会员积分怎么兑换成现金\n是的\n没有了';

describe("a new user's path: playground conversations, then the report (PGlite in a folder)", () => {
  it('reports the month of what was said in the playground', async () => {
    // The playground and the report as `npm start` and `npm run report` run them (in process: each opens PGlite's folder, about a second).
    const env = { DATA_DIR: await pgliteFolder('record-path-'), RECORD_STORE: 'auto' };
    await runPlayground(TWO_VISITS, { env, at: '2026-11-30T15:00:00+08:00' });
    const report = JSON.parse((await tool(env, 'report', '--month', '2026-11', '--json')).out) as {
      volume: { conversations: number; matters: number };
      satisfaction: { csat: { numerator: number; denominator: number } };
    };
    // Two conversations, a matter each, one of them rated 5.
    expect(report.volume).toMatchObject({ conversations: 2, matters: 2 });
    expect(report.satisfaction.csat).toMatchObject({ numerator: 1, denominator: 1 });
  }, 120_000);
});

describe("the tools on the record a playground wrote (PostgreSQL: the same tools' code as on PGlite, without a PGlite start each)", () => {
  if (!requirePostgres()) return;
  it('lists the unanswered question, and forgets a customer: their words gone from the tickets', async () => {
    const database = await freshDatabase();
    const env = { DATABASE_URL: database.url, RECORD_STORE: 'auto' };
    try {
      await runPlayground(TWO_VISITS, { env, at: '2026-11-30T15:00:00+08:00' });
      // The question the knowledge base could not answer, from the record (no Redis needed).
      expect((await tool(env, 'unanswered')).out).toMatch(/^\s+1\s.*\szh-CN\s+会员积分怎么兑换成现金$/m);
      // The customer asks to be forgotten: their words go (that the figures stay is record.test.ts's, on every store).
      const forgot = await tool(env, 'customer', 'forget', 'local');
      expect(forgot.code).toBe(0);
      expect(forgot.out).toMatch(/customer local forgotten: 2 ticket\(s\) anonymised, \d+ archived line\(s\) deleted/);
      const tickets = (await tool(env, 'tickets', 'search', '--format', 'json')).out;
      expect(tickets).not.toMatch(/订单还没发货|会员积分|"local"|Playground customer/);
      expect(tickets).toMatch(/forgotten-/);
    } finally {
      await database.drop();
    }
  }, 60_000);
});

describe('retention (seed 000 五)', () => {
  it('deletes archived transcripts older than TRANSCRIPT_RETENTION_DAYS, and keeps the tickets', async () => {
    const clock = new TestClock();
    const store = new MemoryStore(clock.now, {}, record.tickets);
    const { say } = engineWith(store, clock, record);
    for (const text of ['你好', '可以开发票吗', '是的']) await say('test:r3', text);
    expect((await record.transcript('test:r3')).length).toBeGreaterThan(0);
    const config = parseConfig({ TRANSCRIPT_RETENTION_DAYS: '30' });
    const upkeep = recordUpkeep(config, record, store, memoryLogger(), () => clock.now() + 31 * 86_400_000);
    await upkeep();
    expect(await record.transcript('test:r3')).toEqual([]);
    expect(await record.tickets.list({ conversationId: 'test:r3' })).toHaveLength(1);
  });
});

describe('a database server that is down at start-up (found by the issue-14 trial)', () => {
  it('the bot starts and answers, its record writes wait; the tools say the record cannot be opened', async () => {
    // Nothing listens on port 1: the connection is refused, as when the server is down.
    const config = parseConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/service' });
    const log = memoryLogger();
    const down = await openRecord(config, log, { serveWhenDown: true });
    expect(down).toBeDefined();
    expect(log.lines.some((l) => l.level === 'error' && /does not answer; serving anyway/.test(l.message))).toBe(true);
    const clock = new TestClock();
    const store = new MemoryStore(clock.now, {}, down!.tickets);
    const { channel, say } = engineWith(store, clock, down!);
    for (const text of ['你好', '可以开发票吗', '是的']) await say('test:down', text);
    expect(channel.texts('test:down').join('\n')).toMatch(/发票/);
    expect(await store.deferred.size()).toBeGreaterThan(0);
    await down!.close();
    await expect(openRecord(config, memoryLogger())).rejects.toThrow(/could not be opened/);
  });

  it('a playground with its store in memory says, when it ends, how many record writes are lost with it', async () => {
    const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/service', RECORD_STORE: 'auto' };
    const run = await runPlayground('你好\n怎么退货\n是的\n没有了', { env });
    expect(run.out.join('\n')).toMatch(/退货/);
    const lost = run.log.map((l) => JSON.parse(l) as { level: string; msg: string; waiting?: number });
    expect(lost.filter((l) => /lost with this run/.test(l.msg))).toEqual([
      expect.objectContaining({ level: 'error', waiting: expect.any(Number) }),
    ]);
  }, 60_000);
});

describe('production: Redis and a PostgreSQL server', () => {
  if (!requirePostgres() || !requireRedis()) return;
  it('keeps everything across a restart of the bot', async () => {
    const database = await freshDatabase();
    const prefix = testPrefix('restart');
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: database.url };
    try {
      const clock = new TestClock();
      const boot = async () => {
        const config = parseConfig(env);
        const recordStore = await openRecord(config, memoryLogger());
        const { store } = await openStore(config, clock.now, recordStore);
        return { record: recordStore!, store };
      };
      const first = await boot();
      const { say } = engineWith(first.store, clock, first.record);
      for (const text of ['你好', '可以开发票吗', '是的']) await say('test:p4', text);
      await first.store.close();
      await first.record.close();

      // Restarted: the conversation goes on where it was, and the record has it all.
      const second = await boot();
      const again = engineWith(second.store, clock, second.record);
      await again.say('test:p4', '没有了');
      expect(again.channel.texts().at(-1)).toMatch(/打个分/);
      const [ticket] = await second.record.tickets.list({ conversationId: 'test:p4' });
      expect(ticket?.events?.map((e) => e.type)).toEqual(['created', 'survey-sent']);
      const lines = await second.record.transcript('test:p4');
      expect(lines.filter((l) => l.from === 'customer').map((l) => l.text)).toEqual([
        '你好',
        '可以开发票吗',
        '是的',
        '没有了',
      ]);
      await second.store.close();
      await second.record.close();
    } finally {
      await database.drop();
    }
  });
});

describe('forgetting a customer whose words wait in the backlog (found by the issue-17 trial)', () => {
  if (!requirePostgres() || !requireRedis()) return;
  it('applies the writes deferred while the database was down first, so nothing of theirs comes back after', async () => {
    const database = await freshDatabase();
    const prefix = testPrefix('forget');
    const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, DATABASE_URL: database.url };
    const config = parseConfig(env);
    const record = await openRecord(config, memoryLogger());
    const { store } = await openStore(config, new TestClock().now, record);
    const down = downRecord();
    try {
      const clock = new TestClock();
      // The database answers for the first message, then is down for the next two: they wait in Redis.
      await engineWith(store, clock, record!).say('test:f5', '你好，我叫张三，电话13812345678');
      const { say } = engineWith(store, clock, down);
      for (const text of ['我的订单还没发货', '地址是幸福路 8 号']) await say('test:f5', text);
      expect(await store.deferred.size()).toBeGreaterThan(0);
      const forgot = await tool(env, 'customer', 'forget', 'f5');
      expect(forgot.code).toBe(0);
      expect(forgot.out).toMatch(/customer f5 forgotten/);
      // Forgetting them again, or an id nobody has: nothing on record, said, exit 1.
      let err = '';
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((err += String(chunk)), true));
      expect(await main(['customer', 'forget', 'f5'], env).finally(() => vi.restoreAllMocks())).toBe(1);
      expect(err).toMatch(/^Nothing on record for customer f5/);
      expect(await store.deferred.size()).toBe(0);
      // The bot's writer finds nothing left to bring back.
      expect(await new RecordWriter({ record: record!, store, log: memoryLogger() }).drain()).toBe(0);
      expect(await record!.transcript('test:f5')).toEqual([]);
      const tickets = await record!.tickets.list({ conversationId: 'test:f5' });
      expect(JSON.stringify(tickets)).not.toMatch(/张三|幸福路|"f5"/);
    } finally {
      await down.close();
      await store.close();
      await record?.close();
      await database.drop();
    }
  }, 60_000);
});

describe("PGlite's start after a restart (issue 17: a waiting message is answered first)", () => {
  it('opens after the grace or at its first use, whichever comes first, and never once closed', async () => {
    const opens = (log: ReturnType<typeof memoryLogger>) => log.lines.filter((l) => l.message === 'record store open');
    // First use before the grace: it opens then, and the grace's end changes nothing.
    const dir = await pgliteFolder('record-grace-');
    const log = memoryLogger();
    const first = await startRecord(parseConfig({ DATA_DIR: dir }), log, { pgliteGraceMs: 60_000 });
    expect(opens(log)).toEqual([]);
    expect(await first!.record.tickets.get('T-none')).toBeUndefined();
    expect(opens(log)).toHaveLength(1);
    await first!.record.close();
    await first!.opened;
    // Nothing uses it: it opens once the grace is over.
    const quiet = memoryLogger();
    const second = await startRecord(parseConfig({ DATA_DIR: dir }), quiet, { pgliteGraceMs: 50 });
    await second!.opened;
    expect(opens(quiet)).toHaveLength(1);
    await second!.record.close();
    // Closed within the grace (a stop right after the start): it never opens, and says nothing.
    const stopped = memoryLogger();
    const third = await startRecord(parseConfig({ DATA_DIR: dir }), stopped, { pgliteGraceMs: 50 });
    await third!.record.close();
    await third!.opened;
    expect(stopped.lines.filter((l) => l.level === 'error' || l.message === 'record store open')).toEqual([]);
    expect(existsSync(join(dir, 'bot.lock'))).toBe(false);
  }, 60_000);
});

describe('one process per PGlite folder (found by the issue-14 trial)', () => {
  it('refuses a second process on the folder, says which, and takes over a lock its holder left (gone, or its pid reused)', async () => {
    const dir = await pgliteFolder('record-lock-');
    writeFileSync(join(dir, 'bot.lock'), '1'); // pid 1 is always running
    const config = parseConfig({ DATA_DIR: dir });
    await expect(openRecord(config, memoryLogger())).rejects.toThrow(
      /Another process \(pid 1\) is using the record in/,
    );
    // A lock names its holder's pid and when it started: pid 1 started at another time is not its holder
    // (the pid was reused after the machine restarted with the lock left behind).
    if (existsSync('/proc/1/stat')) {
      const stat = readFileSync('/proc/1/stat', 'utf8');
      const started = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
      writeFileSync(join(dir, 'bot.lock'), `1 ${started}`);
      await expect(openRecord(config, memoryLogger())).rejects.toThrow(/pid 1\).*remove it/);
      writeFileSync(join(dir, 'bot.lock'), `1 ${Number(started) + 1}`);
      const reused = await openRecord(config, memoryLogger());
      await reused?.close();
    }
    writeFileSync(join(dir, 'bot.lock'), '999999999'); // gone
    const opened = await openRecord(config, memoryLogger());
    expect(readFileSync(join(dir, 'bot.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid}( \\d+)?$`));
    await opened?.close();
    expect(existsSync(join(dir, 'bot.lock'))).toBe(false);
  }, 60_000);

  it('says which DATA_DIR cannot be made and what to do, at once (a path under /proc spun at 100 % CPU)', async () => {
    // Before, this never settled (the suite's timeout failed it).
    await expect(openRecord(parseConfig({ DATA_DIR: '/proc/nope/record' }), memoryLogger())).rejects.toThrow(
      /DATA_DIR \/proc\/nope\/record: the folder cannot be made \(.+\); set DATA_DIR to a folder this process may write/,
    );
  });
});

describe('a database that is not there', () => {
  if (!requirePostgres()) return;
  it('is named in one sentence (found by the issue-17 trial: "Error: record store migrations failed: …")', async () => {
    const url = new URL(serverUrl);
    url.pathname = '/no_such_database_here';
    const config = parseConfig({ DATABASE_URL: url.toString() });
    await expect(openRecord(config, memoryLogger())).rejects.toThrow(
      /^The system of record \(DATABASE_URL\) could not be opened: database "no_such_database_here" does not exist$/,
    );
  });
});
