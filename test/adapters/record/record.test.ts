import { sql, type Kysely } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import type { OpenedRecordStore } from '../../../adapters/record/index.js';
import type { Database } from '../../../adapters/record/schema.js';
import type { TranscriptEntry } from '../../../bots/ports.js';
import { RecordRefused } from '../../../bots/record-port.js';
import { mergeTicket } from '../../../adapters/store/shared.js';
import type { Ticket, TicketChanges, TicketEvent } from '../../../flows/ticket.js';
import { ticket } from '../store/contract.js';
import { emptyRecord, onBothDatabases } from './support.js';

/** 2026-11-01T00:00Z, and minutes after it. */
const T0 = Date.UTC(2026, 10, 1);
const min = (n: number) => T0 + n * 60_000;
const conv = { conversationId: 'tg:42', channel: 'telegram', customerId: '42' };

function line(at: number, from: TranscriptEntry['from'], text: string, eventId: string): TranscriptEntry {
  return { at, from, text, eventId };
}

/** A turn: the customer's line and the bot's reply, as a commit writes them (the event's time on both). */
function turn(at: number, eventId: string, said: string, replied: string): TranscriptEntry[] {
  return [line(at, 'customer', said, eventId), line(at, 'bot', replied, eventId)];
}

/** Every row of every table the record writes, as JSON, in a stable order: "nothing changed" is equality. */
async function snapshot(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const table of [
    'tickets',
    'ticket_events',
    'transcript_entries',
    'conversations',
    'conversation_sessions',
    'unanswered_askings',
  ]) {
    const { rows } = await sql<{
      row: string;
    }>`select to_jsonb(t)::text as row from ${sql.table(table)} t order by 1`.execute(db);
    out[table] = rows.map((r) => r.row);
  }
  return out;
}

onBothDatabases('record', (backend) => {
  let store: OpenedRecordStore;
  beforeEach(async () => {
    store = backend.store();
    await emptyRecord(store);
  });

  it('archives every entry, oldest first, and archiving the same turn again adds nothing', async () => {
    await store.archive(conv, turn(min(1), 'u1', '你好', '您好，请问有什么可以帮您？'));
    await store.archive(conv, [
      ...turn(min(2), 'u2', '发票开错了', '请问订单号是多少？'),
      line(min(2), 'system', '已转人工', 'u2'),
    ]);
    const before = await snapshot(await store.database());
    await store.archive(conv, turn(min(1), 'u1', '你好', '您好，请问有什么可以帮您？'));
    expect(await snapshot(await store.database())).toEqual(before);
    const all = await store.transcript('tg:42');
    expect(all.map((e) => e.text)).toEqual([
      '你好',
      '您好，请问有什么可以帮您？',
      '发票开错了',
      '请问订单号是多少？',
      '已转人工',
    ]);
    expect(all[4]).toEqual(line(min(2), 'system', '已转人工', 'u2'));
    // The last `limit`, oldest first (as the hot transcript reads its last lines).
    expect((await store.transcript('tg:42', 2)).map((e) => e.text)).toEqual(['请问订单号是多少？', '已转人工']);
    expect(await store.transcript('nobody')).toEqual([]);
  });

  it('keeps a file reference with its line, and stores what PostgreSQL cannot (NUL, lone surrogates) as U+FFFD', async () => {
    const file = { source: 'telegram', id: 'AgAD', kind: 'photo' as const, name: 'waybill.png' };
    await store.archive(conv, [{ ...line(min(1), 'customer', 'a\u0000b\uD800c', 'u1'), file }]);
    expect(await store.transcript('tg:42')).toEqual([{ ...line(min(1), 'customer', 'a\uFFFDb\uFFFDc', 'u1'), file }]);
    await store.tickets.put({ ...ticket('T1', min(1)), need: 'x\u0000y' });
    expect((await store.tickets.get('T1'))?.need).toBe('x\uFFFDy');
  });

  it("keeps each conversation's summary: start, customer, first customer message and the bot's first reply after it", async () => {
    // A greeting before the customer says anything, then turns that arrive out of order (a retry).
    await store.archive({ ...conv, customerId: '' }, [line(min(0), 'bot', '欢迎', 'start')]);
    await store.archive(conv, turn(min(5), 'u2', '还在吗', '在的'));
    await store.archive(conv, [line(min(3), 'customer', '你好', 'u1'), line(min(4), 'agent', '我是小王', 'a1')]);
    await store.archive(
      { conversationId: 'tg:7', channel: 'telegram', customerId: '7' },
      turn(min(90), 'v1', 'hi', 'hello'),
    );
    expect(await store.conversationsStarted(T0, min(60))).toEqual([
      {
        conversationId: 'tg:42',
        channel: 'telegram',
        customerId: '42',
        startedAt: min(0),
        firstCustomerAt: min(3),
        firstBotReplyAt: min(5),
      },
    ]);
    // The locale is the conversation's first ticket's.
    await store.tickets.put({ ...ticket('T7', min(91), 'answered', 'tg:7'), locale: 'en' });
    expect(await store.conversationsStarted(min(60), min(120))).toMatchObject([
      { conversationId: 'tg:7', locale: 'en', startedAt: min(90), firstCustomerAt: min(90), firstBotReplyAt: min(90) },
    ]);
    expect(await store.conversationsStarted(min(120), min(180))).toEqual([]);
  });

  it('counts an unanswered asking once per ref, and lists those asked in a range, oldest first', async () => {
    await store.recordUnanswered({ text: '会员积分怎么用', locale: 'zh-CN', at: min(2) }, 'tg:42\u0000u1#2');
    await store.recordUnanswered({ text: '会员积分怎么用', locale: 'zh-CN', at: min(2) }, 'tg:42\u0000u1#2');
    await store.recordUnanswered({ text: '会员积分怎么用', locale: 'zh-CN', at: min(9) }, 'tg:43\u0000u5#1');
    await store.recordUnanswered({ text: 'loyalty program', locale: 'en', at: min(1) }, 'no-conversation');
    expect(await store.unansweredAsked(T0, min(9))).toEqual([
      { text: 'loyalty program', locale: 'en', at: min(1) },
      { text: '会员积分怎么用', locale: 'zh-CN', at: min(2) },
    ]);
    expect(await store.unansweredAsked(T0, min(10))).toHaveLength(3);
    // Grouped as `npm run unanswered` lists them: most asked first, or most recent first.
    expect(await store.unansweredQuestions()).toEqual([
      { text: '会员积分怎么用', locale: 'zh-CN', count: 2, firstSeen: min(2), lastSeen: min(9) },
      { text: 'loyalty program', locale: 'en', count: 1, firstSeen: min(1), lastSeen: min(1) },
    ]);
    expect((await store.unansweredQuestions({ sort: 'recent', locale: 'en' })).map((q) => q.text)).toEqual([
      'loyalty program',
    ]);
  });

  it('deletes archived entries older than the retention, keeping the summaries the figures read', async () => {
    await store.archive(conv, turn(min(1), 'u1', 'a', 'b'));
    await store.archive(conv, turn(min(10), 'u2', 'c', 'd'));
    const summary = await store.conversationsStarted(T0, min(60));
    expect(await store.deleteTranscriptsBefore(min(10))).toBe(2);
    expect(await store.deleteTranscriptsBefore(min(10))).toBe(0);
    expect((await store.transcript('tg:42')).map((e) => e.text)).toEqual(['c', 'd']);
    expect(await store.conversationsStarted(T0, min(60))).toEqual(summary);
  });

  it('lists the tickets created in a range, oldest first, with their events; a put or update repeated changes nothing', async () => {
    const created: TicketEvent = { type: 'created', at: min(1) };
    await store.tickets.put({ ...ticket('T1', min(1), 'pending'), events: [created] });
    await store.tickets.put(ticket('T0', min(1)));
    await store.tickets.put(ticket('T2', min(61)));
    const change = {
      status: 'resolved' as const,
      events: [{ type: 'resolved' as const, at: min(5), by: { id: 'U1' } }],
    };
    await store.tickets.update('T1', change, min(5));
    const before = await snapshot(await store.database());
    await store.tickets.put({ ...ticket('T1', min(1), 'pending'), events: [created] });
    await store.tickets.update('T1', change, min(5));
    const after = await snapshot(await store.database());
    // The repeated put wrote its own fields again (status pending), and the update put them back: same rows.
    expect(after).toEqual(before);
    const month = await store.ticketsCreated(T0, min(60));
    expect(month.map((t) => t.id)).toEqual(['T0', 'T1']);
    expect(month[1]).toMatchObject({ status: 'resolved', events: [created, change.events[0]] });
    expect(month[0]?.events).toBeUndefined();
  });

  it('merges an update as the other stores do: words follow a new outcome or comment, a field given as undefined goes', async () => {
    const put: Ticket = {
      ...ticket('T1', min(1), 'pending'),
      need: 'Need',
      facts: ['Fact One'],
      comment: 'Old Remark',
    };
    await store.tickets.put(put);
    const ids = async (text: string) => (await store.tickets.list({ text })).map((t) => t.id);
    const changes: TicketChanges[] = [
      { outcome: 'Refund SENT', claimedBy: { id: 'U1' }, promisedBy: min(30), events: [] },
      { comment: undefined, priority: 'high', satisfaction: 4, overdueAt: min(40) },
      { comment: 'New Remark', claimedBy: undefined, status: 'resolved' as const },
    ];
    let expected: Ticket | undefined = put;
    for (const [i, change] of changes.entries()) {
      expected = expected && mergeTicket(expected, change, min(10 + i), 'pending');
      expect(await store.tickets.update('T1', change, min(10 + i), 'pending')).toEqual(expected);
      expect(await store.tickets.get('T1')).toEqual(expected);
    }
    expect(await ids('refund sent')).toEqual(['T1']);
    expect(await ids('new remark')).toEqual(['T1']);
    expect(await ids('fact one')).toEqual(['T1']);
    expect(await ids('old remark')).toEqual([]);
    // Resolved now: a change that expects it pending changes nothing, and the ticket comes back as it is.
    expect(await store.tickets.update('T1', { outcome: 'Reopened' }, min(20), 'pending')).toEqual(expected);
    expect(await ids('reopened')).toEqual([]);
  });

  it("writes a turn's tickets, lifecycle and archive all or none, whatever their order", async () => {
    const created: TicketEvent = { type: 'created', at: min(1) };
    const mine = { ...ticket('T1', min(1), 'pending'), events: [created] };
    await store.write([{ type: 'ticket.put', ticket: mine }]);
    const before = await snapshot(await store.database());
    // The same number drawn by another matter: the whole turn is refused, nothing of it written.
    const other = { ...mine, conversationId: 'tg:other', createdAt: min(2) };
    const resolved: TicketEvent = { type: 'resolved', at: min(3) };
    const archived = { type: 'archive' as const, conversation: conv, entries: turn(min(3), 'e1', '好', '好的') };
    const refused = store.write([
      { type: 'ticket.update', id: 'T1', changes: { status: 'resolved', events: [resolved] }, at: min(3) },
      archived,
      { type: 'ticket.put', ticket: other },
    ]);
    await expect(refused).rejects.toThrow(/T1 is already on record for another matter/);
    await expect(refused).rejects.toBeInstanceOf(RecordRefused);
    expect(await snapshot(await store.database())).toEqual(before);
    // A ticket put and changed in the same turn: both, in order.
    await store.write([
      { type: 'ticket.put', ticket: { ...ticket('T2', min(4), 'pending'), events: [] } },
      { type: 'ticket.update', id: 'T2', changes: { events: [resolved], status: 'resolved' }, at: min(5) },
      { type: 'ticket.update', id: 'T1', changes: { status: 'resolved', events: [resolved] }, at: min(3) },
      archived,
    ]);
    expect(await store.tickets.get('T2')).toMatchObject({ status: 'resolved', updatedAt: min(5), events: [resolved] });
    expect(await store.tickets.get('T1')).toMatchObject({ status: 'resolved', events: [created, resolved] });
    expect(await store.transcript('tg:42')).toHaveLength(2);
  });

  it("finds words whatever their case and script, whatever the server's locale, and takes % and _ literally", async () => {
    await store.tickets.put({ ...ticket('T1', min(1)), need: 'Réclamation ÉTÉ', facts: ['ΣΟΦΊΑ'] });
    await store.tickets.put({ ...ticket('T2', min(2)), need: '100% refund_now' });
    const ids = async (text: string) => (await store.tickets.list({ text })).map((t) => t.id);
    expect(await ids('été')).toEqual(['T1']);
    expect(await ids('σοφία')).toEqual(['T1']);
    expect(await ids('0% r')).toEqual(['T2']);
    expect(await ids('%')).toEqual(['T2']);
    expect(await ids('d_n')).toEqual(['T2']);
    expect(await ids('_')).toEqual(['T2']);
  });

  it('forgets a customer: transcripts and words gone, tickets anonymised under one pseudonym, every figure unchanged', async () => {
    const words = ['我的手机号13912345678绑定错了', '订单 88231 林', '已为您改绑手机', '谢谢林姐', '会员积分林小姐问'];
    const secrets = [
      'cust-forget-7731',
      '林小姐',
      'AgAD-lin',
      'tg:cust-forget-7731',
      'tg:cust-forget-second',
      ...words,
    ];
    await seedForgettable(store, words);
    const figuresBefore = await figures(store);
    const result = await store.forgetCustomer('cust-forget-7731');
    expect(result).toEqual({
      tickets: 2,
      transcriptEntries: 4,
      conversations: ['tg:cust-forget-7731', 'tg:cust-forget-second'],
    });
    expect(await figures(store)).toEqual(figuresBefore);
    expect(await traces(await store.database(), secrets)).toEqual([]);

    const forgotten = (await store.ticketsCreated(T0, min(600))).filter((t) => t.customer.id.startsWith('forgotten-'));
    expect(forgotten).toHaveLength(2);
    expect(forgotten[0]?.customer.id).toMatch(/^forgotten-[0-9a-f]{12}$/);
    expect(forgotten[1]?.customer.id).toBe(forgotten[0]?.customer.id);
    expect(forgotten[0]).toMatchObject({ need: '', facts: [], outcome: '', satisfaction: 2, category: 'billing' });
    expect(forgotten[0]?.comment).toBeUndefined();
    expect(forgotten[0]?.files).toBeUndefined();
    // Staff and codes stay on the events; the customer's words in them go.
    expect(forgotten[0]?.events).toEqual([
      { type: 'created', at: min(1) },
      { type: 'escalated', at: min(2), detail: 'working-days' },
      { type: 'resolved', at: min(3), by: { id: 'U1', name: '小王' } },
      { type: 'commented', at: min(4) },
    ]);
    // The other customer is untouched.
    expect(await store.transcript('tg:other')).toHaveLength(2);
    expect((await store.tickets.list({ customerId: 'other' }))[0]?.need).toBe('退款');
    // Forgetting again finds nothing, and the same customer coming back is forgotten under the same pseudonym.
    expect(await store.forgetCustomer('cust-forget-7731')).toEqual({
      tickets: 0,
      transcriptEntries: 0,
      conversations: [],
    });
    await store.archive(
      { ...conv, conversationId: 'tg:cust-forget-7731', customerId: 'cust-forget-7731' },
      turn(min(300), 'w1', '又来了', '您好'),
    );
    await store.tickets.put({
      ...ticket('T9', min(300), 'answered', 'tg:cust-forget-7731'),
      customer: { id: 'cust-forget-7731' },
    });
    await store.forgetCustomer('cust-forget-7731');
    expect((await store.tickets.get('T9'))?.customer.id).toBe(forgotten[0]?.customer.id);
    expect(await traces(await store.database(), secrets)).toEqual([]);
    // Their two conversations, and the return five hours later as a conversation of its own: all still counted.
    expect(
      (await store.conversationsStarted(T0, min(600))).filter((c) => c.customerId.startsWith('forgotten-')),
    ).toHaveLength(3);
  });
});

/** Two conversations and two tickets of the customer to forget, and one of another customer. */
async function seedForgettable(store: OpenedRecordStore, words: string[]): Promise<void> {
  const [need = '', fact = '', outcome = '', comment = '', asked = ''] = words;
  const customer = { id: 'cust-forget-7731', name: '林小姐', languageCode: 'zh' };
  const first = { conversationId: 'tg:cust-forget-7731', channel: 'telegram', customerId: customer.id };
  await store.archive(first, [...turn(min(1), 'e1', need, '好的'), line(min(3), 'agent', outcome, 'e2')]);
  await store.archive({ ...first, conversationId: 'tg:cust-forget-second' }, [line(min(30), 'customer', fact, 'e9')]);
  await store.archive(
    { conversationId: 'tg:other', channel: 'telegram', customerId: 'other' },
    turn(min(2), 'o1', '退款', '好的'),
  );
  await store.recordUnanswered({ text: asked, locale: 'zh-CN', at: min(1) }, 'tg:cust-forget-7731\u0000e1#1');
  await store.recordUnanswered({ text: '积分', locale: 'zh-CN', at: min(2) }, 'tg:other\u0000o1#1');
  const mine: Ticket = {
    ...ticket('TF1', min(1), 'resolved', 'tg:cust-forget-7731'),
    type: 'complaint',
    customer,
    need,
    facts: [fact],
    outcome,
    comment,
    category: 'billing',
    priority: 'high',
    satisfaction: 2,
    files: [{ source: 'telegram', id: 'AgAD-lin', kind: 'photo', name: '林-身份证.jpg' }],
    resolvedBy: { id: 'U1', name: '小王' },
    events: [
      { type: 'created', at: min(1) },
      { type: 'escalated', at: min(2), detail: 'working-days' },
      { type: 'resolved', at: min(3), by: { id: 'U1', name: '小王' }, detail: outcome },
      { type: 'commented', at: min(4), detail: comment },
    ],
  };
  await store.tickets.put(mine);
  await store.tickets.put({
    ...mine,
    id: 'TF2',
    conversationId: 'tg:cust-forget-second',
    status: 'pending',
    satisfaction: 5,
    createdAt: min(30),
    updatedAt: min(30),
    events: [],
  });
  await store.tickets.put({
    ...ticket('TO1', min(2), 'answered', 'tg:other'),
    customer: { id: 'other' },
    need: '退款',
    satisfaction: 4,
  });
}

/** What the report counts: tickets by status, category, satisfaction and event type, and conversations. */
async function figures(store: OpenedRecordStore): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const add = (key: string) => void (out[key] = (out[key] ?? 0) + 1);
  for (const t of await store.ticketsCreated(T0, min(600))) {
    add(`status:${t.status}`);
    add(`category:${t.category ?? '-'}`);
    add(`satisfaction:${t.satisfaction ?? '-'}`);
    add(`type:${t.type}`);
    for (const e of t.events ?? []) add(`event:${e.type}:${e.by?.id ?? '-'}:${e.at}`);
  }
  for (const c of await store.conversationsStarted(T0, min(600)))
    add(`conversation:${c.channel}:${c.startedAt}:${c.firstCustomerAt}:${c.firstBotReplyAt}`);
  return out;
}

/** Every text and jsonb column of every table where any of `secrets` occurs: `table.column: secret`. */
async function traces(db: Kysely<Database>, secrets: string[]): Promise<string[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name from information_schema.columns
    where table_schema = current_schema() and data_type in ('text', 'jsonb', 'character varying')`.execute(db);
  expect(columns.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const { table_name, column_name } of columns)
    for (const secret of secrets) {
      const { rows } = await sql<{ n: string | number }>`select count(*) as n from ${sql.table(table_name)}
        where strpos(${sql.ref(column_name)}::text, ${secret}) > 0`.execute(db);
      if (Number(rows[0]?.n) > 0) found.push(`${table_name}.${column_name}: ${secret}`);
    }
  return found;
}
