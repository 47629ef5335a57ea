import { sql, type Kysely, type Selectable } from 'kysely';
import type { ActiveFlowPointer, ActiveFlowVersions } from '../../bots/flow-fleet-port.js';
import type {
  FlowFiles,
  FlowTestFigures,
  FlowVersionSummary,
  PublishedFlowVersion,
} from '../../bots/flow-versions-port.js';
import { flowFilesHash } from '../../bots/flow-files.js';
import { instant, json, millis, storable, type Db } from './rows.js';
import type { Database, FlowVersionsTable } from './schema.js';

/**
 * Published flow versions in the record (bots/flow-versions-port.ts FlowVersionStore), on
 * PostgreSQL and PGlite alike. Publishing and activating take an exclusive lock on
 * `flow_versions` (plain reads go on), so ids are 1, 2, 3… without gaps and one version is active
 * whatever replicas or consoles publish at once. Publishing the files the active version already
 * has stores nothing and returns the active version.
 */
export class RecordFlowVersions implements ActiveFlowVersions {
  constructor(
    private readonly db: () => Promise<Kysely<Database>>,
    private readonly clock: () => number = Date.now,
  ) {}

  async active(): Promise<PublishedFlowVersion | undefined> {
    return activeVersion(await this.db());
  }

  async pointer(): Promise<ActiveFlowPointer | undefined> {
    const db = await this.db();
    const row = await db
      .selectFrom('flow_active')
      .innerJoin('flow_versions', 'flow_versions.id', 'flow_active.version_id')
      .select(['flow_versions.id', 'flow_versions.hash'])
      .executeTakeFirst();
    return row ? { id: row.id, hash: row.hash } : undefined;
  }

  async get(id: number): Promise<PublishedFlowVersion | undefined> {
    if (!Number.isSafeInteger(id)) return undefined;
    const db = await this.db();
    const row = await db.selectFrom('flow_versions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? version(row) : undefined;
  }

  /** Newest first, at most `limit` (50 unless given). */
  async list(limit = 50): Promise<FlowVersionSummary[]> {
    if (limit <= 0) return [];
    const db = await this.db();
    const rows = await db
      .selectFrom('flow_versions')
      .leftJoin('flow_active', 'flow_active.version_id', 'flow_versions.id')
      .select(['id', 'hash', 'author', 'message', 'created_at', 'figures', 'flow_active.version_id as active_id'])
      .orderBy('id', 'desc')
      .limit(Math.floor(limit))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      hash: r.hash,
      author: r.author,
      message: r.message,
      createdAt: millis(r.created_at),
      figures: r.figures,
      active: r.active_id !== null,
    }));
  }

  async publish(v: {
    files: FlowFiles;
    author: string;
    message: string;
    figures: FlowTestFigures | null;
  }): Promise<PublishedFlowVersion> {
    const files = storable({ ...v.files });
    const hash = flowFilesHash(files);
    const db = await this.db();
    return db.transaction().execute(async (tx) => {
      await lockVersions(tx);
      const active = await activeVersion(tx);
      if (active?.hash === hash) return active;
      const { next } = await tx
        .selectFrom('flow_versions')
        .select(sql<number>`coalesce(max(id), 0) + 1`.as('next'))
        .executeTakeFirstOrThrow();
      const row = await tx
        .insertInto('flow_versions')
        .values({
          id: Number(next),
          hash,
          files: json(files),
          author: storable(v.author),
          message: storable(v.message),
          created_at: instant(this.clock()),
          figures: v.figures === null ? null : json(v.figures),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await setActive(tx, row.id, storable(v.author), this.clock());
      return version(row);
    });
  }

  /** Throws when there is no version `id` (the active one stays). */
  async activate(id: number, by: string): Promise<void> {
    const db = await this.db();
    await db.transaction().execute(async (tx) => {
      await lockVersions(tx);
      const found = Number.isSafeInteger(id)
        ? await tx.selectFrom('flow_versions').select('id').where('id', '=', id).executeTakeFirst()
        : undefined;
      if (!found) throw new Error(`There is no flow version ${id}`);
      await setActive(tx, id, storable(by), this.clock());
    });
  }
}

/** Serialises publishing and activating (EXCLUSIVE lets plain reads through). */
async function lockVersions(tx: Db): Promise<void> {
  await sql`lock table flow_versions in exclusive mode`.execute(tx);
}

async function activeVersion(db: Db): Promise<PublishedFlowVersion | undefined> {
  const row = await db
    .selectFrom('flow_active')
    .innerJoin('flow_versions', 'flow_versions.id', 'flow_active.version_id')
    .selectAll('flow_versions')
    .executeTakeFirst();
  return row ? version(row) : undefined;
}

async function setActive(tx: Db, id: number, by: string, at: number): Promise<void> {
  const row = { version_id: id, activated_at: instant(at), activated_by: by };
  await tx
    .insertInto('flow_active')
    .values(row)
    .onConflict((oc) => oc.column('singleton').doUpdateSet(row))
    .execute();
}

function version(row: Selectable<FlowVersionsTable>): PublishedFlowVersion {
  return {
    id: row.id,
    hash: row.hash,
    files: row.files,
    author: row.author,
    message: row.message,
    createdAt: millis(row.created_at),
    figures: row.figures,
  };
}
