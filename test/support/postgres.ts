import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server the record's suites and the benchmark use: DATABASE_TEST_URL, else
 * postgres://postgres@127.0.0.1:5432/postgres (as .ci/run starts it). No test framework here, so
 * the benchmark (run by tsx) and the suites (vitest) share it.
 */
export const serverUrl = process.env.DATABASE_TEST_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const redact = (url: string) => url.replace(/\/\/[^@]*@/, '//…@');

/** Why no server answers at `url`, or '' when one does (3 s to connect). */
export async function probePostgres(url = serverUrl): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return '';
  } catch (err) {
    return `nothing answers at ${redact(url)} (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A database of its own on the server (`<prefix>_<12 hex>`): its URL and name, and how to drop it. */
export async function createDatabase(
  prefix: string,
  admin = serverUrl,
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => run(`drop database if exists ${name} with (force)`) };
}
