import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { PGlite, Results } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

/**
 * What starts a statement that runs as a named prepared statement (statement.ts puts it before
 * every turn's statement), on a server (preparingPool) and on PGlite (preparingPGlite). A turn's
 * statement is a few kilobytes of SQL in a handful of shapes: named, each connection sends and
 * parses a shape once, later turns send only the parameters, and the database may keep a generic
 * plan instead of planning it again every time.
 */
export const PREPARED_MARK = '/* prepared */ ';

/** Shapes named per process at most; a statement of any further shape runs unnamed, as others do. */
const MAX_NAMED = 200;

/**
 * The name a statement runs under: for one that starts with PREPARED_MARK, `s` and the SHA-1 of
 * its text (two texts never share a name); undefined for any other, and for new shapes once
 * MAX_NAMED are named.
 */
function statementNames(): (text: string) => string | undefined {
  const names = new Map<string, string>();
  return (text) => {
    if (!text.startsWith(PREPARED_MARK)) return undefined;
    let name = names.get(text);
    if (name === undefined && names.size < MAX_NAMED) {
      name = `s${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return name;
  };
}

/**
 * `pool` as Kysely's PostgresDialect takes it, with each statement that starts with
 * PREPARED_MARK sent as a named prepared statement: the name is the SHA-1 of its text, so two
 * texts never share a name and every connection prepares a shape the first time it runs it.
 * Other statements (and cursors) go through unchanged.
 */
export function preparingPool(pool: Pool): PostgresPool {
  const nameOf = statementNames();
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

/** The PGlite module's parts `preparingPGlite` uses (passed in: PGlite is loaded only when the record is on it). */
export interface PGliteModule {
  protocol: typeof import('@electric-sql/pglite').protocol;
  types: typeof import('@electric-sql/pglite').types;
}

type Message = { name: string };
type RowDescription = { name: 'rowDescription'; fields: Array<{ name: string; dataTypeID: number }> };
type DataRow = { name: 'dataRow'; fields: Array<string | null> };
type ParameterDescription = { name: 'parameterDescription'; dataTypeIDs: number[] };

/**
 * `pg` as kysely-pglite-dialect takes it, with each statement that starts with PREPARED_MARK run
 * as a named prepared statement (PGlite is one session: each shape is parsed once per open).
 * PGlite's own `query` parses, describes and plans the statement on every call, in six calls into
 * its WebAssembly; a prepared one is a single call of bind, execute and sync. Values are sent as
 * PGlite's `query` sends them (its serializers, by the parameter types the server described) and
 * rows read with its parsers. An error is PGlite's, with its SQLSTATE (`code`). Other statements
 * go to `query` unchanged.
 */
export function preparingPGlite(pg: PGlite, { protocol, types }: PGliteModule): PGlite {
  const nameOf = statementNames();
  const { serialize } = protocol;
  /** Each shape prepared on this PGlite: its parameters' type ids. */
  const prepared = new Map<string, number[]>();
  const exec = (...messages: Uint8Array[]) => pg.execProtocol(concat(messages));
  const prepare = async (name: string, text: string): Promise<number[]> => {
    let typeIds = prepared.get(name);
    if (typeIds === undefined) {
      const { messages } = await exec(
        serialize.parse({ name, text, types: [] }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      );
      typeIds =
        (messages as Message[]).find((m): m is ParameterDescription => m.name === 'parameterDescription')
          ?.dataTypeIDs ?? [];
      prepared.set(name, typeIds);
    }
    return typeIds;
  };
  const query = async (text: string, params: unknown[] = []): Promise<Results> => {
    const name = nameOf(text);
    if (name === undefined) return pg.query(text, params);
    const typeIds = await prepare(name, text);
    const serializers = params.map((_, i) => types.serializers[typeIds[i] ?? 0]);
    // A list or object for a type without a default serializer (an array type): as PGlite's query sends it.
    if (params.some((value, i) => typeof value === 'object' && value !== null && !serializers[i]))
      return pg.query(text, params);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = serializers[i];
      return serializer ? serializer(value) : String(value);
    });
    const { messages } = await exec(
      serialize.bind({ statement: name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
      serialize.sync(),
    );
    let fields: RowDescription['fields'] = [];
    const rows: Array<Record<string, unknown>> = [];
    for (const m of messages as Message[]) {
      if (m.name === 'rowDescription') fields = (m as RowDescription).fields;
      else if (m.name === 'dataRow') {
        const row: Record<string, unknown> = {};
        (m as DataRow).fields.forEach((value, i) => {
          const field = fields[i];
          if (field) row[field.name] = types.parseType(value, field.dataTypeID);
        });
        rows.push(row);
      }
    }
    return { rows, fields: fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })), affectedRows: 0 };
  };
  return { query, close: () => pg.close() } as unknown as PGlite;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
