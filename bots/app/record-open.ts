import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenedRecordStore } from '../../adapters/record/index.js';
import type { Config } from '../config.js';
import { SetupError } from '../errors.js';
import { makeFolder } from '../folders.js';
import type { Logger } from '../log.js';
import type { Store } from '../ports.js';
import type { RecordStore } from '../record-port.js';
import { RecordWriter } from '../record-writes.js';

/**
 * Opening the system of record for a process (issue 14): PGlite in a folder one process holds,
 * or a PostgreSQL server that may be down at start; and its upkeep (the deferred writes, retention).
 */

const HOUR_MS = 3_600_000;

/** Drains the deferred record writes; deletes archived transcripts past retention at most hourly (seed 000 五). */
export function recordUpkeep(config: Config, record: RecordStore, store: Store, log: Logger, clock: () => number) {
  const writer = new RecordWriter({ record, store, log });
  let retainedAt = -Infinity;
  const once = async () => {
    await writer.drain();
    const now = clock();
    if (now - retainedAt < HOUR_MS) return;
    retainedAt = now;
    const deleted = await record.deleteTranscriptsBefore(now - config.TRANSCRIPT_RETENTION_DAYS * 24 * HOUR_MS);
    if (deleted > 0)
      log.info('archived transcripts past retention deleted', { deleted, days: config.TRANSCRIPT_RETENTION_DAYS });
  };
  return async () => {
    try {
      await once();
    } catch (err) {
      // The database is down: the backlog and retention wait for the next round; nobody is held up.
      log.warn('record upkeep could not reach the system of record; it tries again shortly', { error: String(err) });
    }
  };
}

/**
 * The system of record (issue 14): DATABASE_URL's PostgreSQL server, else PGlite in DATA_DIR;
 * none with RECORD_STORE=off. Opened and migrated here, so a bad URL or a failed migration stops
 * the start with why. With `serveWhenDown` (the bot), a server that does not answer is logged and
 * the record returned unopened: it opens, and migrates, on its first use once the server is back.
 */
export async function openRecord(
  config: Config,
  log: Logger,
  options: { serveWhenDown?: boolean } = {},
): Promise<OpenedRecordStore | undefined> {
  const started = await startRecord(config, log, options);
  if (!started) return undefined;
  await started.opened;
  return started.record;
}

/**
 * openRecord without the wait: returns the record at once (its calls wait for the opening), and
 * `opened`, which resolves once it is open and migrated (with `serveWhenDown`, also when the
 * server does not answer: logged, the writes deferred) and rejects with a SetupError saying why
 * when it cannot be opened (a refused login, a failed migration, a broken PGlite folder), the
 * record then closed. A PGlite folder another process holds is refused at once (RecordInUseError).
 * The record's adapter (Kysely, the migrations) is loaded here: RECORD_STORE=off loads none of it.
 * With `pgliteGraceMs`, PGlite opens after that many ms or at its first use, whichever comes first
 * (a server opens at once: its opening is I/O, not this thread's CPU); closed before, it never opens.
 */
export async function startRecord(
  config: Config,
  log: Logger,
  options: { serveWhenDown?: boolean; pgliteGraceMs?: number } = {},
): Promise<{ record: OpenedRecordStore; opened: Promise<void> } | undefined> {
  if (config.RECORD_STORE === 'off') return undefined;
  const { openRecordStore } = await import('../../adapters/record/index.js');
  const release =
    config.DATABASE_URL || config.DATA_DIR.startsWith('memory://') ? undefined : lockFolder(config.DATA_DIR);
  const store = openRecordStore({
    ...(config.DATABASE_URL ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR }),
    log,
  });
  // PGlite's start takes this thread's CPU (WebAssembly: half a second on a restart, seconds on a
  // first start): with `pgliteGraceMs` it waits that long, or for the record's first use, so a
  // message waiting at a restart is answered first. Closed meanwhile, it never opens.
  const grace = !config.DATABASE_URL && options.pgliteGraceMs ? options.pgliteGraceMs : 0;
  let endGrace: (open: boolean) => void = () => {};
  const start = new Promise<boolean>((resolve) => {
    if (grace <= 0) return resolve(true);
    const timer = setTimeout(() => resolve(true), grace);
    endGrace = (open) => {
      clearTimeout(timer);
      resolve(open);
    };
  });
  const close = store.close.bind(store);
  const record = Object.assign(store, {
    close: () => {
      endGrace(false);
      return release ? close().finally(release) : close();
    },
  });
  const opened = start
    .then((open) => (open ? record.ready() : undefined))
    .catch(async (err: unknown) => {
      // A server that does not answer is an outage, not a mistake: customers are answered all the
      // same, the record's writes wait (deferred) and the migrations run once it is back.
      if (options.serveWhenDown && config.DATABASE_URL && unreachable(err)) {
        log.error(
          'the system of record (DATABASE_URL) does not answer; serving anyway: its writes are deferred until it is back',
          { error: String(err) },
        );
        return;
      }
      await record.close().catch(() => {});
      const where = config.DATABASE_URL ? 'DATABASE_URL' : `PGlite in ${config.DATA_DIR} (DATA_DIR)`;
      // The reason as a sentence, without "Error:" or the migration step that met it (found by the issue-17 trial).
      const reason = (err instanceof Error ? err.message : String(err)).replace(
        /^record store migrations failed: /,
        '',
      );
      throw new SetupError(`The system of record (${where}) could not be opened: ${reason}`);
    });
  return { record, opened };
}

/** Network errors and timeouts (the server is down or out of reach), as opposed to a refusal (wrong password, no such database). */
function unreachable(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|57P03)$/.test(code))
      return true;
    if (/timeout exceeded when trying to connect|Connection terminated/i.test(e.message)) return true;
  }
  return false;
}

/** PGlite's folder is held by another process (a running bot): the tools say what to do instead. */
export class RecordInUseError extends SetupError {}

/**
 * PGlite serves one process per folder: two on one folder lose each other's writes without a
 * word. A lock file with the holder's pid and start time (`holds`) refuses the second (a holder
 * that is gone, or whose pid another process now has, leaves a lock that is taken over). Returns
 * the release.
 */
function lockFolder(dir: string): () => void {
  try {
    makeFolder(dir);
  } catch (err) {
    throw new SetupError(
      `DATA_DIR ${dir}: the folder cannot be made (${String(err)}); set DATA_DIR to a folder this process may write`,
    );
  }
  const lock = join(dir, 'bot.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, [process.pid, startedAt(process.pid)].filter(Boolean).join(' '), { flag: 'wx' });
      return () => rmSync(lock, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SetupError(`DATA_DIR ${dir}: ${String(err)}`);
      const [pid = '', started] = readFileSync(lock, 'utf8').trim().split(' ');
      const holder = Number(pid);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && holds(holder, started))
        throw new RecordInUseError(
          `Another process (pid ${holder}) is using the record in ${dir} (PGlite serves one process at a time): stop it first, or set DATABASE_URL to share a PostgreSQL server. (If no bot runs on this folder, its lock ${lock} is left from one that was killed: remove it.)`,
        );
      rmSync(lock, { force: true });
    }
  }
  throw new SetupError(`DATA_DIR ${dir}: could not take its lock`);
}

/**
 * Whether the process that wrote a lock still runs: its pid is alive and, where the system says
 * (Linux's /proc), it started when the lock says. A pid reused after a restart of the machine or
 * the container (the old holder killed, its lock left) is another process: the lock is taken over.
 */
function holds(pid: number, started: string | undefined): boolean {
  if (!alive(pid)) return false;
  const now = startedAt(pid);
  return started === undefined || now === undefined || now === started;
}

/** When a process started (clock ticks since boot, /proc/<pid>/stat field 22), or undefined where there is no /proc. */
function startedAt(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
