import type { Kysely, Selectable } from 'kysely';
import type { Account, AccountStore, Session, SessionStore, StoredAccount } from '../../bots/accounts-port.js';
import type { AccountsTable, Database, SessionsTable } from './schema.js';

/**
 * The console's accounts and sessions in the system of record (bots/accounts-port.ts;
 * migrations/0003_console.ts). Creating an account whose name is taken changes nothing (two
 * replicas making the first `admin` at once make one).
 */
export class RecordAccounts implements AccountStore {
  readonly sessions: SessionStore;

  constructor(private readonly db: () => Promise<Kysely<Database>>) {
    this.sessions = new RecordSessions(db);
  }

  async create(account: Omit<StoredAccount, 'disabled'>): Promise<boolean> {
    const db = await this.db();
    const inserted = await db
      .insertInto('accounts')
      .values({
        name: account.name,
        role: account.role,
        password_hash: account.passwordHash,
        must_change: account.mustChange,
        created_at: new Date(account.createdAt),
      })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async get(name: string): Promise<StoredAccount | undefined> {
    const db = await this.db();
    const row = await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { ...accountOf(row), passwordHash: row.password_hash };
  }

  async list(): Promise<Account[]> {
    const db = await this.db();
    return (await db.selectFrom('accounts').selectAll().orderBy('name').execute()).map(accountOf);
  }

  async count(): Promise<number> {
    const db = await this.db();
    const row = await db
      .selectFrom('accounts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async setPassword(name: string, passwordHash: string, mustChange: boolean): Promise<boolean> {
    const db = await this.db();
    const result = await db
      .updateTable('accounts')
      .set({ password_hash: passwordHash, must_change: mustChange })
      .where('name', '=', name)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async remove(name: string): Promise<boolean> {
    const db = await this.db();
    const result = await db.deleteFrom('accounts').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}

function accountOf(row: Selectable<AccountsTable>): Account {
  return {
    name: row.name,
    role: row.role,
    mustChange: row.must_change,
    disabled: row.disabled,
    createdAt: row.created_at.getTime(),
  };
}

/** How often reading a session also deletes the expired ones. */
const SWEEP_EVERY_MS = 60_000;

class RecordSessions implements SessionStore {
  private sweptAt = -Infinity;

  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  async create(s: Session): Promise<void> {
    const db = await this.db();
    await db
      .insertInto('sessions')
      .values({
        token_hash: s.tokenHash,
        account: s.account,
        csrf: s.csrf,
        created_at: new Date(s.createdAt),
        last_seen: new Date(s.lastSeen),
        expires_at: new Date(s.expiresAt),
      })
      .execute();
  }

  /** Reading one also deletes the sessions expired by `now`, at most once a minute (an indexed delete). */
  async get(tokenHash: string, now: number): Promise<Session | undefined> {
    const db = await this.db();
    if (Math.abs(now - this.sweptAt) >= SWEEP_EVERY_MS) {
      this.sweptAt = now;
      await db.deleteFrom('sessions').where('expires_at', '<=', new Date(now)).execute();
    }
    const row = await db
      .selectFrom('sessions')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('expires_at', '>', new Date(now))
      .executeTakeFirst();
    return row && sessionOf(row);
  }

  async touch(tokenHash: string, lastSeen: number, expiresAt: number): Promise<void> {
    const db = await this.db();
    await db
      .updateTable('sessions')
      .set({ last_seen: new Date(lastSeen), expires_at: new Date(expiresAt) })
      .where('token_hash', '=', tokenHash)
      .execute();
  }

  async delete(tokenHash: string): Promise<void> {
    const db = await this.db();
    await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async deleteFor(account: string, except?: string): Promise<number> {
    const db = await this.db();
    let query = db.deleteFrom('sessions').where('account', '=', account);
    if (except !== undefined) query = query.where('token_hash', '<>', except);
    return Number((await query.executeTakeFirst()).numDeletedRows);
  }
}

function sessionOf(row: Selectable<SessionsTable>): Session {
  return {
    tokenHash: row.token_hash,
    account: row.account,
    csrf: row.csrf,
    createdAt: row.created_at.getTime(),
    lastSeen: row.last_seen.getTime(),
    expiresAt: row.expires_at.getTime(),
  };
}
