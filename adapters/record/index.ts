import { Kysely, Migrator, PostgresDialect, sql, type MigrationResult } from 'kysely';
import type { PGliteDialect } from 'kysely-pglite-dialect';
import type { AccountStore } from '../../bots/accounts-port.js';
import type { DraftStore } from '../../bots/console-flows/drafts.js';
import type { TranscriptEntry, UnansweredQuery, UnansweredQuestion } from '../../bots/ports.js';
import { makeFolder } from '../../bots/folders.js';
import type { Logger } from '../../bots/log.js';
import type { ConversationSummary, RecordStore, RecordWrite, UnansweredAsking } from '../../bots/record-port.js';
import type { Ticket } from '../../flows/ticket.js';
import type { ActiveFlowVersions } from '../../bots/flow-fleet-port.js';
import type { AuditLog } from '../../bots/flow-versions-port.js';
import { RecordAccounts } from './accounts.js';
import * as archive from './archive.js';
import { RecordAudit } from './audit.js';
import { RecordDrafts } from './drafts.js';
import { RecordFlowVersions } from './flow-versions.js';
import { forgetCustomer } from './forget.js';
import { migrationProvider } from './migrations/index.js';
import { preparingPGlite, preparingPool } from './prepared.js';
import type { Database } from './schema.js';
import { RecordTickets } from './tickets.js';
import { writeTurn } from './turn.js';

export type { Database } from './schema.js';

/** Where PGlite keeps the record when neither a URL nor a folder is given (relative to the working directory). */
export const DEFAULT_DATA_DIR = 'data/record';

export interface RecordOptions {
  /** `postgres://…` of a PostgreSQL server (DATABASE_URL): production. Without it, PGlite in `dataDir`. */
  url?: string | undefined;
  /** PGlite's folder (created when missing), or `memory://` (tests); DEFAULT_DATA_DIR unless given. */
  dataDir?: string | undefined;
  /** Connections of the pool on a server (10 unless given). */
  poolSize?: number | undefined;
  log: Logger;
}

/**
 * A RecordStore (bots/record-port.ts) and what the composition root needs besides: `ready()`
 * opens the database and applies the migrations (any method does it on first use; the app awaits
 * it at start-up so a bad URL or a failed migration stops it there), and what it is on.
 */
export interface OpenedRecordStore extends RecordStore {
  readonly kind: 'postgres' | 'pglite';
  /** The console's flow drafts (issue 15). */
  readonly drafts: DraftStore;
  /** Opens the database and applies pending migrations, once; rejects with why, and tries again on the next call. */
  ready(): Promise<void>;
  /** The typed database (opened as `ready()` opens it), for queries of its own: the report's aggregates, tests. */
  database(): Promise<Kysely<Database>>;
  /** Resolves when the database answers `select 1` (readiness; opens it first if it is not yet); rejects with why not. */
  ping(): Promise<void>;
  /** The console's accounts and sessions (issue 15). */
  readonly accounts: AccountStore;
  /** Published flow versions and the admin audit log (issue 15). */
  readonly flowVersions: ActiveFlowVersions;
  readonly audit: AuditLog;
  /**
   * When the record was last written (epoch ms): its newest archived line, ticket or flow
   * version; undefined when it holds none. Tells a Redis that came back empty from a new one.
   */
  latestWrite(): Promise<number | undefined>;
}

/**
 * The system of record, with the same SQL and migrations on a PostgreSQL server (`url`: Kysely's
 * PostgresDialect over a pg Pool) and on PGlite (PostgreSQL in WebAssembly, in process, data in
 * `dataDir`). Returns at once: nothing is opened until `ready()` or the first call. Opening PGlite
 * costs, measured on the 2-core CI machine: 2–3.5 s of CPU for a new database (`memory://` every
 * time: initdb in WebAssembly), 0.35–0.55 s to reopen a folder, and about 400 MB of resident memory
 * (950 MB while a new database is created); a server costs a connection and a migration check.
 *
 * PGlite is one connection in one process: two processes must not open the same folder.
 * Queries on it run one at a time (transactions included), which is what a single bot needs.
 */
export function openRecordStore(options: RecordOptions): OpenedRecordStore {
  return new Record(options);
}

class Record implements OpenedRecordStore {
  readonly kind: 'postgres' | 'pglite';
  readonly tickets: RecordTickets;
  readonly accounts: RecordAccounts;
  readonly drafts = new RecordDrafts(() => this.db());
  readonly flowVersions: RecordFlowVersions;
  readonly audit: RecordAudit;
  private opening: Promise<Kysely<Database>> | undefined;
  private closed = false;

  constructor(private readonly options: RecordOptions) {
    this.kind = options.url ? 'postgres' : 'pglite';
    this.tickets = new RecordTickets(() => this.db());
    this.accounts = new RecordAccounts(() => this.db());
    this.flowVersions = new RecordFlowVersions(() => this.db());
    this.audit = new RecordAudit(() => this.db());
  }

  async ready(): Promise<void> {
    await this.db();
  }

  database(): Promise<Kysely<Database>> {
    return this.db();
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(await this.db());
  }

  private db(): Promise<Kysely<Database>> {
    if (this.closed) return Promise.reject(new Error('The record store is closed'));
    this.opening ??= open(this.options).catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  async archive(
    conversation: { conversationId: string; channel: string; customerId: string },
    entries: readonly TranscriptEntry[],
    turn: { opensSession?: boolean } = {},
  ): Promise<void> {
    if (entries.length === 0) return;
    await writeTurn(await this.db(), [
      { type: 'archive', conversation, entries, opensSession: turn.opensSession === true },
    ]);
  }

  async write(writes: readonly RecordWrite[]): Promise<void> {
    if (writes.length === 0) return;
    await writeTurn(await this.db(), writes);
  }

  async transcript(conversationId: string, limit?: number): Promise<TranscriptEntry[]> {
    return archive.transcript(await this.db(), conversationId, limit);
  }

  async latestWrite(): Promise<number | undefined> {
    return archive.latestWrite(await this.db());
  }

  async flowVersionNumbers(): Promise<Array<{ id: number; hash: string }>> {
    return (await this.flowVersions.list(100_000)).map((v) => ({ id: v.id, hash: v.hash }));
  }

  async unansweredQuestions(query?: UnansweredQuery): Promise<UnansweredQuestion[]> {
    return archive.unansweredQuestions(await this.db(), query);
  }

  async recordUnanswered(asking: UnansweredAsking, ref: string): Promise<void> {
    await archive.recordUnanswered(await this.db(), asking, ref);
  }

  async deleteTranscriptsBefore(before: number): Promise<number> {
    return archive.deleteTranscriptsBefore(await this.db(), before);
  }

  async forgetCustomer(
    customerId: string,
  ): Promise<{ tickets: number; transcriptEntries: number; conversations: string[] }> {
    const db = await this.db();
    return db.transaction().execute((tx) => forgetCustomer(tx, customerId));
  }

  async ticketsCreated(from: number, to: number): Promise<Ticket[]> {
    return archive.ticketsCreated(await this.db(), from, to);
  }

  async conversationsStarted(from: number, to: number): Promise<ConversationSummary[]> {
    return archive.conversationsStarted(await this.db(), from, to);
  }

  async unansweredAsked(from: number, to: number): Promise<UnansweredAsking[]> {
    return archive.unansweredAsked(await this.db(), from, to);
  }

  /** Closes the pool or PGlite (after an opening under way finishes); calls afterwards reject. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opening = this.opening;
    this.opening = undefined;
    const db = await opening?.catch(() => undefined);
    await db?.destroy();
  }
}

/** Connects (or starts PGlite) and applies the migrations; on failure nothing is left open. */
async function open(options: RecordOptions): Promise<Kysely<Database>> {
  const started = performance.now();
  const dialect = options.url ? await serverDialect(options) : await pgliteDialect(options);
  const db = new Kysely<Database>({ dialect });
  try {
    const applied = await migrate(db);
    options.log.info('record store open', {
      kind: options.url ? 'postgres' : 'pglite',
      ...(options.url ? {} : { dataDir: options.dataDir ?? DEFAULT_DATA_DIR }),
      migrationsApplied: applied,
      ms: Math.round(performance.now() - started),
    });
    return db;
  } catch (err) {
    await db.destroy().catch(() => undefined);
    throw err;
  }
}

/** A pool on the server; pg is loaded here, so a process on PGlite never loads it (and the reverse). */
async function serverDialect(options: RecordOptions): Promise<PostgresDialect> {
  const { default: pg } = await import('pg');
  // A server out of reach fails a query after 5 s instead of the system's TCP timeout (minutes).
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
  });
  // A connection the server drops while idle is replaced on the next query; without a listener it would crash the process.
  pool.on('error', (err) => options.log.warn('record store connection lost', { error: err.message }));
  return new PostgresDialect({ pool: preparingPool(pool) });
}

async function pgliteDialect(options: RecordOptions): Promise<PGliteDialect> {
  const dir = options.dataDir ?? DEFAULT_DATA_DIR;
  // A folder (not `memory://` or another scheme) is made with its parents: PGlite makes only the last one.
  if (!/^[a-z]+:\/\//.test(dir)) makeFolder(dir);
  const [pglite, { PGliteDialect }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
  ]);
  const { PGlite } = pglite;
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`];
  return new PGliteDialect(preparingPGlite(await PGlite.create(dir, { startParams }), pglite));
}

/**
 * PGlite's buffer pool. PostgreSQL's default (128MB, a server's) costs the bot's process 120 MB
 * more resident memory and each PGlite start about 0.5 s more CPU (measured 2026-12-01: 266 MB
 * against 149 MB added to the process, 0.55–1.1 s against 0.26–0.35 s of CPU to open); one bot's
 * record reads what it has just written, and the operating system caches the folder's files besides.
 * A company whose record outgrows it runs PostgreSQL (DATABASE_URL).
 */
export const PGLITE_SHARED_BUFFERS = '32MB';

/**
 * Applies the migrations not applied yet (Kysely's Migrator, with its lock: replicas starting at
 * once apply each once). Returns their names; throws the first failure.
 */
export async function migrate(db: Kysely<Database>): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error')?.migrationName;
    throw new Error(
      `record store migration${failed ? ` ${failed}` : 's'} failed: ${(error as Error).message ?? error}`,
      {
        cause: error,
      },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
