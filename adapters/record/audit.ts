import type { Kysely } from 'kysely';
import type { AuditEntry, AuditLog } from '../../bots/flow-versions-port.js';
import { instant, json, millis, storable } from './rows.js';
import type { Database } from './schema.js';

/** How many entries a list returns unless asked for fewer, and at most. */
export const AUDIT_PAGE = 100;
export const AUDIT_MAX = 1_000;

/**
 * The admin audit log in the record (bots/flow-versions-port.ts AuditLog): append-only rows of
 * `audit_log`, listed newest first (ties in the order appended). `before` pages back: entries
 * strictly earlier than it (epoch ms).
 */
export class RecordAudit implements AuditLog {
  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  async append(entry: AuditEntry): Promise<void> {
    const e = storable(entry);
    const db = await this.db();
    await db
      .insertInto('audit_log')
      .values({
        at: instant(e.at),
        actor: e.actor,
        action: e.action,
        target: e.target ?? null,
        detail: e.detail === undefined ? null : json(e.detail),
      })
      .execute();
  }

  /** Newest first; `limit` is AUDIT_PAGE unless given, at most AUDIT_MAX. */
  async list(query: { limit?: number; before?: number; actor?: string; action?: string } = {}): Promise<AuditEntry[]> {
    const limit = Math.min(Math.floor(query.limit ?? AUDIT_PAGE), AUDIT_MAX);
    if (!(limit > 0)) return [];
    const db = await this.db();
    const rows = await db
      .selectFrom('audit_log')
      .select(['at', 'actor', 'action', 'target', 'detail'])
      .$if(query.before !== undefined, (q) => q.where('at', '<', instant(query.before!)))
      .$if(query.actor !== undefined, (q) => q.where('actor', '=', query.actor!))
      .$if(query.action !== undefined, (q) => q.where('action', '=', query.action!))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      at: millis(r.at),
      actor: r.actor,
      action: r.action,
      ...(r.target === null ? {} : { target: r.target }),
      ...(r.detail === null ? {} : { detail: r.detail }),
    }));
  }
}
