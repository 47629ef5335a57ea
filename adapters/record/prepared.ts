import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Pool, PoolClient } from 'pg';

/**
 * What starts a statement that runs as a named prepared statement on a server (statement.ts puts
 * it before every turn's statement). A turn's statement is a few kilobytes of SQL in a handful of
 * shapes: named, each connection sends and parses a shape once and later turns send only the
 * parameters, and the server may keep a generic plan instead of planning it again every time.
 */
export const PREPARED_MARK = '/* prepared */ ';

/** Shapes named per process at most; a statement of any further shape runs unnamed, as others do. */
const MAX_NAMED = 200;

/**
 * `pool` as Kysely's PostgresDialect takes it, with each statement that starts with
 * PREPARED_MARK sent as a named prepared statement: the name is the SHA-1 of its text, so two
 * texts never share a name and every connection prepares a shape the first time it runs it.
 * Other statements (and cursors) go through unchanged.
 */
export function preparingPool(pool: Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    if (!text.startsWith(PREPARED_MARK)) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `s${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
  const wrap = (client: PoolClient): PostgresPoolClient => ({
    query: ((textOrCursor: unknown, parameters?: ReadonlyArray<unknown>) => {
      if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
      const name = nameOf(textOrCursor);
      const values = parameters ? [...parameters] : [];
      return name === undefined
        ? client.query(textOrCursor, values)
        : client.query({ name, text: textOrCursor, values });
    }) as unknown as PostgresPoolClient['query'],
    release: (destroy?: boolean) => client.release(destroy),
  });
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
