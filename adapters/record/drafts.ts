import type { Kysely } from 'kysely';
import type { DraftStore, FlowDraft } from '../../bots/console-flows/drafts.js';
import type { Database } from './schema.js';

/** The console's flow drafts in the system of record (table flow_drafts), one row per account. */
export class RecordDrafts implements DraftStore {
  constructor(private readonly db: () => Promise<Kysely<Database>>) {}

  async get(account: string): Promise<FlowDraft | undefined> {
    const row = await (
      await this.db()
    )
      .selectFrom('flow_drafts')
      .selectAll()
      .where('account', '=', account)
      .executeTakeFirst();
    if (!row) return undefined;
    return { account: row.account, files: row.files, basedOn: row.based_on, updatedAt: row.updated_at.getTime() };
  }

  async save(draft: FlowDraft): Promise<void> {
    const values = {
      files: JSON.stringify(draft.files),
      based_on: draft.basedOn,
      updated_at: new Date(draft.updatedAt),
    };
    await (
      await this.db()
    )
      .insertInto('flow_drafts')
      .values({ account: draft.account, ...values })
      .onConflict((oc) => oc.column('account').doUpdateSet(values))
      .execute();
  }

  async discard(account: string): Promise<void> {
    await (await this.db()).deleteFrom('flow_drafts').where('account', '=', account).execute();
  }
}
