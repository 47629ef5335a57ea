/**
 * The system of record in the benchmark (issue 14: "measure what it adds per message"): a fresh
 * PostgreSQL database on a server for the run, the server's CPU read from /proc, a RecordStore
 * that times its writes, and what the record holds after a run.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { OpenedRecordStore } from '../../adapters/record/index.js';
import type { TicketQuery, TicketStore, TranscriptEntry, UnansweredQuery } from '../../bots/ports.js';
import type { ConversationSummary, RecordStore, RecordWrite, UnansweredAsking } from '../../bots/record-port.js';
import type { Ticket, TicketChanges, TicketStatus } from '../../flows/ticket.js';
import { createDatabase, probePostgres, serverUrl } from '../support/postgres.js';

/** The server the `ours+pg` variant uses (DATABASE_TEST_URL, as the record suites, else the local one). */
export { probePostgres, serverUrl };

/** A database of the run's own on the server (`bench_<12 hex>`): its URL and name, and how to drop it. */
export function freshDatabase(admin = serverUrl) {
  return createDatabase('bench', admin);
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux builds this runs on). */
const USER_HZ = 100;

/** user + system CPU of a process in µs, from /proc/<pid>/stat; undefined when it is not readable (gone, or not on this machine). */
function processCpuUs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / USER_HZ;
  } catch {
    return undefined;
  }
}

/**
 * The CPU the PostgreSQL server spends on one database: the backends serving it (listed in
 * pg_stat_activity through an admin connection, every `everyMs`), each read from /proc. A backend
 * found after `start` counts from zero (a fresh fork); one that ends between samples loses at
 * most `everyMs` of its CPU. The server's shared processes (WAL writer, checkpointer, background
 * writer) serve every database on it and are not counted. Only possible when the server runs on
 * this machine: `stop` resolves undefined otherwise.
 */
export class ServerCpu {
  private readonly client: pg.Client;
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();
  private readable = true;

  private constructor(
    admin: string,
    private readonly database: string,
  ) {
    this.client = new pg.Client({ connectionString: admin });
  }

  /** Connects and takes the first sample (the backends already open count from here). */
  static async begin(admin: string, database: string, everyMs = 250): Promise<ServerCpu> {
    const cpu = new ServerCpu(admin, database);
    await cpu.client.connect();
    for (const [pid, us] of await cpu.read()) cpu.start.set(pid, us);
    cpu.timer = setInterval(() => {
      cpu.sampling = cpu.sampling.then(() => cpu.sample()).catch(() => undefined);
    }, everyMs);
    return cpu;
  }

  private async read(): Promise<Map<number, number>> {
    const { rows } = await this.client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [this.database],
    );
    const out = new Map<number, number>();
    for (const { pid } of rows) {
      const us = processCpuUs(pid);
      if (us === undefined) this.readable = false;
      else out.set(pid, us);
    }
    return out;
  }

  private async sample(): Promise<void> {
    for (const [pid, us] of await this.read()) this.last.set(pid, us);
  }

  /** The CPU (µs) the database's backends spent since `begin`, and how many there were; undefined when /proc could not tell. */
  async stop(): Promise<{ us: number; backends: number } | undefined> {
    clearInterval(this.timer);
    await this.sampling;
    await this.sample().catch(() => undefined);
    await this.client.end().catch(() => undefined);
    if (!this.readable || this.last.size === 0) return undefined;
    let us = 0;
    for (const [pid, now] of this.last) us += now - (this.start.get(pid) ?? 0);
    return { us, backends: this.last.size };
  }
}

/** The record's writes as timed by TimedRecord: how many, and their wall time (ms, queueing for a connection included). */
export interface WriteTimes {
  count: number;
  meanMs: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * A RecordStore that times each write it passes on (tickets put and update, archive, unanswered
 * askings): the benchmark's view of "what a record write takes" inside the turn. Reads pass
 * through untimed.
 */
export class TimedRecord implements RecordStore {
  readonly tickets: TicketStore;
  private readonly ms: number[] = [];

  constructor(private readonly inner: OpenedRecordStore) {
    const tickets = inner.tickets;
    const timed = <T>(work: () => Promise<T>) => this.timed(work);
    this.tickets = {
      put: (ticket: Ticket) => timed(() => tickets.put(ticket)),
      update: (id: string, changes: TicketChanges, at: number, ifStatus?: TicketStatus) =>
        timed(() => tickets.update(id, changes, at, ifStatus)),
      get: (id: string) => tickets.get(id),
      list: (query?: TicketQuery) => tickets.list(query),
    };
  }

  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.ms.push(performance.now() - started);
    }
  }

  writes(): WriteTimes {
    const sorted = [...this.ms].sort((a, b) => a - b);
    return {
      count: sorted.length,
      meanMs: sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length),
      p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0,
      maxMs: sorted.at(-1) ?? 0,
    };
  }

  /** Several writes in one go (a turn's): one write here, as it is one round of the database. */
  write(writes: readonly RecordWrite[]): Promise<void> {
    return this.timed(() => this.inner.write(writes));
  }

  archive(
    conversation: { conversationId: string; channel: string; customerId: string },
    entries: readonly TranscriptEntry[],
    turn?: { opensSession?: boolean },
  ): Promise<void> {
    return this.timed(() => this.inner.archive(conversation, entries, turn));
  }

  unansweredQuestions(query?: UnansweredQuery) {
    return this.inner.unansweredQuestions(query);
  }

  recordUnanswered(asking: UnansweredAsking, ref: string): Promise<void> {
    return this.timed(() => this.inner.recordUnanswered(asking, ref));
  }

  transcript(conversationId: string, limit?: number): Promise<TranscriptEntry[]> {
    return this.inner.transcript(conversationId, limit);
  }

  deleteTranscriptsBefore(before: number): Promise<number> {
    return this.inner.deleteTranscriptsBefore(before);
  }

  forgetCustomer(customerId: string) {
    return this.inner.forgetCustomer(customerId);
  }

  ticketsCreated(from: number, to: number): Promise<Ticket[]> {
    return this.inner.ticketsCreated(from, to);
  }

  conversationsStarted(from: number, to: number): Promise<ConversationSummary[]> {
    return this.inner.conversationsStarted(from, to);
  }

  unansweredAsked(from: number, to: number): Promise<UnansweredAsking[]> {
    return this.inner.unansweredAsked(from, to);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** What the record holds after a run (row counts). */
export interface RecordRows {
  tickets: number;
  ticketEvents: number;
  transcriptLines: number;
  conversations: number;
  unanswered: number;
}

export async function recordRows(record: OpenedRecordStore): Promise<RecordRows> {
  const db = await record.database();
  const count = async (
    table: 'tickets' | 'ticket_events' | 'transcript_entries' | 'conversations' | 'unanswered_askings',
  ) => Number((await db.selectFrom(table).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return {
    tickets: await count('tickets'),
    ticketEvents: await count('ticket_events'),
    transcriptLines: await count('transcript_entries'),
    conversations: await count('conversations'),
    unanswered: await count('unanswered_askings'),
  };
}

/**
 * The tickets a run produced, as counts of what is comparable between stores (ids and times are
 * not): type, status, need, satisfaction and the lifecycle's event types. Two variants that walked
 * the same conversations have the same digest.
 */
export function ticketDigest(tickets: readonly Ticket[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of tickets) {
    const key = [
      t.type,
      t.status,
      t.need,
      `satisfaction=${t.satisfaction ?? '-'}`,
      (t.events ?? []).map((e) => e.type).join(','),
    ].join(' | ');
    out[key] = (out[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
