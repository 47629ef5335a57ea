import { runMain } from '../../support/cli.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RedisStore } from '../../../adapters/store/redis.js';
import type { Ticket } from '../../../flows/ticket.js';
import { freshRedisStore, redisUrl, requireRedis, testPrefix } from '../../support/redis.js';

/**
 * `npm run tickets -- search` and `resolve` (issue 13) as staff run them, in-process through the
 * tools' `main`, against real Redis on a prefix of their own. What they print is what is checked.
 */

/** Runs the tools' `main`; what it printed and its exit code. */
const run = runMain;

/** Shanghai time (the default definition's zone) as epoch ms. */
const sh = (local: string) => Date.parse(`${local}+08:00`);

function ticket(id: string, createdAt: number, extra: Partial<Ticket> = {}): Ticket {
  return {
    id,
    type: 'inquiry',
    status: 'answered',
    conversationId: 'telegram:42',
    channel: 'telegram',
    customer: { id: '42', name: 'Li Lei' },
    locale: 'zh-CN',
    need: '发票开错了',
    facts: [],
    outcome: 'answered from the knowledge base',
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

const COMPLAINT = ticket('T261130-AAAAAAAAAA', sh('2026-11-30T23:59:00'), {
  type: 'complaint',
  status: 'pending',
  category: 'quality',
  need: '耳机用了三天就坏了，左耳没有声音，我要退款，请尽快处理，谢谢，这段文字很长',
  facts: ['订单号 20261120001, "昨天"收到'],
  outcome: '=HYPERLINK("x")',
  promisedBy: sh('2026-12-02T23:59:00'),
});
const INVOICE = ticket('T261101-BBBBBBBBBB', sh('2026-11-01T00:10:00'), { satisfaction: 4 });
const OTHER = ticket('T261115-CCCCCCCCCC', sh('2026-11-15T12:00:00'), {
  conversationId: 'telegram:7',
  customer: { id: '7' },
  need: 'Where is my parcel?',
});

describe.runIf(requireRedis())('npm run tickets on Redis (issue 13)', () => {
  const prefix = testPrefix('tickets-cli');
  // Tickets in Redis (no system of record): the record's own CLI tests are in record-wiring.test.ts.
  const env = { REDIS_URL: redisUrl, REDIS_PREFIX: prefix, RECORD_STORE: 'off' };
  let store: RedisStore;

  beforeAll(async () => {
    store = await freshRedisStore({}, prefix);
    for (const t of [COMPLAINT, INVOICE, OTHER]) await store.tickets.put(t);
  });
  afterAll(async () => {
    await store.close();
    const raw = new Redis(redisUrl);
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  describe('search', () => {
    it('prints an aligned table, newest first, dates in Shanghai time, the need clipped', async () => {
      const { code, stdout, stderr } = await run(env, 'tickets', 'search');
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.split('\n')).toEqual([
        'id                  created           type       category  status    customer     score  need',
        'T261130-AAAAAAAAAA  2026-11-30 23:59  complaint  商品质量  pending   42 (Li Lei)         耳机用了三天就坏了，左耳没有声音，我要…',
        'T261115-CCCCCCCCCC  2026-11-15 12:00  inquiry              answered  7                   Where is my parcel?',
        'T261101-BBBBBBBBBB  2026-11-01 00:10  inquiry              answered  42 (Li Lei)  4/5    发票开错了',
        '',
      ]);
    });

    it("finds a customer's tickets in a date range: local dates, --to including its day", async () => {
      const ids = async (...args: string[]) =>
        (await run(env, 'tickets', 'search', ...args)).stdout
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((l) => l.slice(0, 18));
      expect(await ids('--customer', '42')).toEqual([COMPLAINT.id, INVOICE.id]);
      // 23:59 on the 30th is still the 30th in Shanghai (15:59 UTC), and 00:10 on the 1st is the 1st.
      expect(await ids('--customer', '42', '--to', '2026-11-30')).toEqual([COMPLAINT.id, INVOICE.id]);
      expect(await ids('--from', '2026-11-02', '--to', '2026-11-29')).toEqual([OTHER.id]);
      expect(await ids('--to', '2026-10-31')).toEqual([]);
      expect(await ids('--from', '2026-11-30T23:59:00+08:00')).toEqual([COMPLAINT.id]);
      expect(await ids('--id', 't261101-bbbbbbbbbb')).toEqual([INVOICE.id]);
      expect(await ids('--text', 'PARCEL')).toEqual([OTHER.id]);
      expect(await ids('--text', '20261120001', '--status', 'pending')).toEqual([COMPLAINT.id]);
      expect(await ids('--limit', '1')).toEqual([COMPLAINT.id]);
      expect((await run(env, 'tickets', 'search', '--customer', 'nobody')).stdout).toBe('no tickets\n');
    });

    it('prints the tickets as stored in JSON', async () => {
      const { code, stdout } = await run(env, 'tickets', 'search', '--customer', '42', '--format', 'json');
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual([COMPLAINT, INVOICE]);
    });

    it('prints RFC 4180 CSV: quoted where needed, CRLF, a formula a customer wrote made inert', async () => {
      const { code, stdout } = await run(env, 'tickets', 'search', '--id', COMPLAINT.id, '--format', 'csv');
      expect(code).toBe(0);
      const [header, row, end] = stdout.split('\r\n');
      expect(header).toBe(
        'id,created_utc,created_local,type,category,status,channel,customer_id,customer_name,score,promised_by_utc,claimed_by,resolved_by,need,facts,outcome,comment',
      );
      expect(row).toBe(
        'T261130-AAAAAAAAAA,2026-11-30T15:59:00.000Z,2026-11-30 23:59,complaint,quality,pending,telegram,42,Li Lei,,2026-12-02T15:59:00.000Z,,,' +
          '耳机用了三天就坏了，左耳没有声音，我要退款，请尽快处理，谢谢，这段文字很长,"订单号 20261120001, ""昨天""收到","\'=HYPERLINK(""x"")",',
      );
      expect(end).toBe('');
    });

    it('refuses a bad date, status, format, limit or range in one line (exit 2)', async () => {
      const refused = async (args: string[], problem: string) => {
        const { code, stdout, stderr } = await run(env, 'tickets', 'search', ...args);
        expect({ code, stdout, first: stderr.split('\n')[0] }).toEqual({ code: 2, stdout: '', first: problem });
      };
      await refused(
        ['--from', '2026-02-30'],
        '--from must be a date (YYYY-MM-DD, Asia/Shanghai time) or a time with its offset, e.g. 2026-11-30T09:00:00+08:00 (got "2026-02-30")',
      );
      await refused(
        ['--to', '2026-11-30T09:00'],
        '--to must be a date (YYYY-MM-DD, Asia/Shanghai time) or a time with its offset, e.g. 2026-11-30T09:00:00+08:00 (got "2026-11-30T09:00")',
      );
      await refused(
        ['--from', '2026-11-30', '--to', '2026-11-01'],
        '--from must be before --to (got 2026-11-30 and 2026-11-01)',
      );
      await refused(
        ['--status', 'lost'],
        '--status must be one of answered, pending, unresolved, recorded, resolved (got "lost")',
      );
      await refused(['--format', 'xml'], '--format must be one of table, json, csv (got "xml")');
      await refused(['--limit', '0'], '--limit must be a whole number from 1 to 10000 (got "0")');
      await refused(['--customer', ' '], '--customer needs a value');
      await refused(
        ['--note', 'x'],
        "Unknown option '--note' for npm run tickets -- search (it takes --customer, --id, --text, --status, --from, --to, --limit, --format)",
      );
    });
  });

  describe('resolve', () => {
    const CONVERSATION = 'telegram:42';

    it("queues the resolution in the ticket's conversation, for the running bot to carry out", async () => {
      const before = await store.peekInbox(CONVERSATION);
      expect(before).toBeUndefined();
      const { code, stdout, stderr } = await run(
        env,
        'tickets',
        'resolve',
        COMPLAINT.id,
        '电话确认已退款',
        '--outcome',
        '已为您办理退款，3个工作日内到账',
        '--by',
        '小王',
      );
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toBe(
        `${COMPLAINT.id} queued for resolution; the running bot tells the customer the outcome, then sends the satisfaction survey\n`,
      );
      const queued = await store.peekInbox(CONVERSATION);
      expect(queued).toEqual({
        id: expect.stringMatching(new RegExp(`^staff-resolve:${COMPLAINT.id}:\\d+$`)),
        conversationId: CONVERSATION,
        channel: 'telegram',
        customer: { id: '42', name: 'Li Lei' },
        at: expect.any(Number),
        payload: {
          type: 'agent',
          action: 'resolve',
          agent: { id: 'staff:小王', name: '小王' },
          ticketId: COMPLAINT.id,
          text: '已为您办理退款，3个工作日内到账',
          note: '电话确认已退款',
        },
      });
      // Marked pending: a replica's recovery sweep (every few seconds) runs the conversation.
      expect(await store.pending(100)).toContain(CONVERSATION);
      // The ticket itself is the bot's to change, through the conversation.
      expect((await store.tickets.get(COMPLAINT.id))?.status).toBe('pending');
    });

    it('queues a resolution without an outcome (only the survey follows), the note given with --note', async () => {
      // Only a pending matter is resolved: this one waits for a person.
      await store.tickets.put({ ...OTHER, status: 'pending' });
      const { code, stdout } = await run(env, 'tickets', 'resolve', OTHER.id, '--note', 'settled by phone');
      expect(code).toBe(0);
      expect(stdout).toBe(
        `${OTHER.id} queued for resolution; the running bot sends the customer the follow-up survey within 24 h\n`,
      );
      const queued = await store.peekInbox('telegram:7');
      expect(queued && 'payload' in queued ? queued.payload : undefined).toMatchObject({
        action: 'resolve',
        ticketId: OTHER.id,
        note: 'settled by phone',
        agent: { id: expect.stringMatching(/^staff:./) },
      });
      expect(queued && 'payload' in queued && 'text' in queued.payload).toBe(false);
    });

    it('refuses an outcome with a forbidden service phrase, saying what to write instead, and queues nothing', async () => {
      const conversation = 'telegram:99';
      await store.tickets.put(
        ticket('T261130-DDDDDDDDDD', sh('2026-11-30T10:00:00'), { status: 'pending', conversationId: conversation }),
      );
      const { code, stdout, stderr } = await run(
        env,
        'tickets',
        'resolve',
        'T261130-DDDDDDDDDD',
        '--outcome',
        '这是公司规定，没办法退',
      );
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^Not queued: the outcome contains "这是公司规定" \(推诿客户.*\); say instead: .+\n$/);
      expect(await store.peekInbox(conversation)).toBeUndefined();
    });

    it('says so for a ticket that is already resolved (exit 0) or does not exist (exit 1)', async () => {
      await store.tickets.put(ticket('T261130-EEEEEEEEEE', sh('2026-11-30T10:00:00'), { status: 'resolved' }));
      expect(await run(env, 'tickets', 'resolve', 'T261130-EEEEEEEEEE')).toEqual({
        code: 0,
        stdout: 'T261130-EEEEEEEEEE was already resolved\n',
        stderr: '',
      });
      expect(await run(env, 'tickets', 'resolve', 'T000000-NOSUCHTKTX')).toEqual({
        code: 1,
        stdout: '',
        stderr: 'No ticket T000000-NOSUCHTKTX.\n',
      });
    });

    it('refuses a matter that is not pending, and an empty outcome; reads an id with an invisible character (found by the issue-17 trial)', async () => {
      // The knowledge base answered it: the bot would drop a resolution, so none is queued.
      expect(await run(env, 'tickets', 'resolve', INVOICE.id, '--outcome', '已处理')).toEqual({
        code: 1,
        stdout: '',
        stderr: `${INVOICE.id} is answered, not pending: only a pending matter can be resolved.\n`,
      });
      const empty = await run(env, 'tickets', 'resolve', COMPLAINT.id, '--outcome', ' ');
      expect([empty.code, empty.stderr]).toEqual([
        1,
        '--outcome needs the words the customer is told (leave it out to resolve without a message).\n',
      ]);
      const pasted = await run(env, 'tickets', 'search', '--id', `${COMPLAINT.id}\u200b`, '--format', 'json');
      expect(pasted.stdout).toContain(COMPLAINT.id);
    });

    it('refuses the note given twice', async () => {
      const { code, stderr } = await run(env, 'tickets', 'resolve', INVOICE.id, 'a', '--note', 'b');
      expect(code).toBe(2);
      expect(stderr.split('\n')[0]).toBe('Give the note once: as NOTE after the ticket id, or as --note');
    });
  });
});
