import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openRecordStore } from '../../adapters/record/index.js';
import { memoryLogger } from '../../bots/log.js';

/**
 * A PGlite folder for a test, as a record opened once before leaves it: PGlite's cluster made and
 * every migration applied. Making a cluster (initdb in WebAssembly) costs a process 3–9 s of CPU, and
 * the suites that run the product on a folder of its own (the playground's report path, `npm start`
 * end to end) would each pay it; they get a copy of one folder made by the record's own code instead.
 * `{ migrated: false }` gives the cluster as PGlite's initdb leaves it, before any migration: what
 * the record does to a folder the first time (record/open.test.ts). A first start on a truly empty
 * folder, initdb included, is run end to end by `npm run bench:test` (the cold start, in CI).
 *
 * The folder is kept in the user's cache (`$XDG_CACHE_HOME` or ~/.cache, `service-desk-tests/`;
 * `SERVICE_DESK_TEST_CACHE` to put it elsewhere), named by PGlite's version and the migrations'
 * text, so a change to either makes a new one and every clone of the same code shares it (a fresh
 * clone, as CI makes, need not pay for initdb again); the first worker to miss it makes it and the
 * others wait for it. Folders of other versions not used for a week are removed when a new one is
 * made. Returns the new folder's path (a temporary directory of its own).
 */
export async function pgliteFolder(prefix = 'record-', { migrated = true } = {}): Promise<string> {
  const template = await templateFolder();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(template, migrated ? 'migrated' : 'bare'), dir, { recursive: true });
  return dir;
}

const root = join(import.meta.dirname, '..', '..');

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update('bare,migrated'); // the layout: two clusters
  hash.update(readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  const migrations = join(root, 'adapters', 'record', 'migrations');
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(join(migrations, name)));
  return hash.digest('hex').slice(0, 16);
}

let made: Promise<string> | undefined;

function templateFolder(): Promise<string> {
  made ??= (async () => {
    const cache = cacheDir();
    const folder = join(cache, `pglite-${templateKey()}`);
    const done = join(folder, 'migrated', 'PG_VERSION');
    if (existsSync(done)) return folder;
    // One process makes it; another that misses it meanwhile waits for it rather than making its own.
    if (!(await claim(`${folder}.lock`))) {
      for (let waited = 0; waited < 120_000 && !existsSync(done); waited += 200) await sleep(200);
      if (existsSync(done)) return folder;
    }
    try {
      // One initdb: the cluster as it leaves it is kept as `bare`, then the record migrates it: `migrated`.
      const building = mkdtempSync(join(tmpdir(), 'pglite-template-'));
      const cluster = await PGlite.create(building);
      await cluster.close();
      cpSync(building, join(`${folder}.${process.pid}`, 'bare'), { recursive: true });
      const record = openRecordStore({ dataDir: building, log: memoryLogger() });
      await record.ready();
      await record.close();
      cpSync(building, join(`${folder}.${process.pid}`, 'migrated'), { recursive: true });
      rmSync(building, { recursive: true, force: true });
      renameSync(`${folder}.${process.pid}`, folder);
      removeUnused(cache, folder);
    } catch (err) {
      rmSync(`${folder}.${process.pid}`, { recursive: true, force: true });
      // Another process made it meanwhile (its lock had been taken over as stale): theirs is the same.
      if (!existsSync(done)) throw err;
    } finally {
      rmSync(`${folder}.lock`, { recursive: true, force: true });
    }
    return folder;
  })();
  return made;
}

/** The cache folder, made if missing: the user's cache, else (not writable) the temporary directory's. */
function cacheDir(): string {
  const preferred =
    process.env.SERVICE_DESK_TEST_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'service-desk-tests');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), 'service-desk-tests');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

const WEEK_MS = 7 * 86_400_000;

/** Removes template folders other than `kept` whose last use (a copy: their access time, else their change) is over a week ago. */
function removeUnused(cache: string, kept: string): void {
  for (const name of readdirSync(cache)) {
    const path = join(cache, name);
    if (path === kept || !/^pglite-[0-9a-f]{16}$/.test(name)) continue;
    const stat =
      statSync(join(path, 'migrated', 'PG_VERSION'), { throwIfNoEntry: false }) ??
      statSync(join(path, 'PG_VERSION'), { throwIfNoEntry: false });
    if (stat && Date.now() - Math.max(stat.atimeMs, stat.mtimeMs) > WEEK_MS)
      rmSync(path, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lock (a directory: made atomically), or a lock its maker left over 2 minutes ago; false when another holds it. */
async function claim(lock: string): Promise<boolean> {
  try {
    mkdirSync(lock);
    return true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age < 120_000) return false;
    rmSync(lock, { recursive: true, force: true });
    return claim(lock);
  }
}
