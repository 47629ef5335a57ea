import { sql, type Kysely } from 'kysely';

/**
 * Published flow versions and the admin audit log (issue 15). 0001 made placeholders for both
 * that nothing wrote: `flow_versions` is made again in its final shape (ids 1, 2, 3… as admins
 * name them, the content hash tickets record, the files by name, the flows:test figures) with the
 * active version as one row of `flow_active`, so switching is one update under one row lock;
 * `audit_log` gains the target of an action and the indexes its filters use.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('flow_versions').execute();
  await db.schema
    .createTable('flow_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('files', 'jsonb', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('figures', 'jsonb')
    .execute();

  // One row at most (the check on a boolean key): which version serves, since when, set by whom.
  await db.schema
    .createTable('flow_active')
    .addColumn('singleton', 'boolean', (c) =>
      c
        .primaryKey()
        .defaultTo(true)
        .check(sql`singleton`),
    )
    .addColumn('version_id', 'integer', (c) => c.notNull().references('flow_versions.id'))
    .addColumn('activated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('activated_by', 'text', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('audit_log').addColumn('target', 'text').execute();
  await db.schema.createIndex('audit_log_by_actor').on('audit_log').columns(['actor', 'at']).execute();
  await db.schema.createIndex('audit_log_by_action').on('audit_log').columns(['action', 'at']).execute();
}

/** Back to 0001's shape, but for its empty `flow_versions` placeholder, which is not made again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_log_by_action').execute();
  await db.schema.dropIndex('audit_log_by_actor').execute();
  await db.schema.alterTable('audit_log').dropColumn('target').execute();
  await db.schema.dropTable('flow_active').execute();
  await db.schema.dropTable('flow_versions').execute();
}
