import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRecordStore } from '../../adapters/record/index.js';
import { memoryLogger } from '../../bots/log.js';

/**
 * A PGlite folder for a test, as a record opened once before leaves it: PGlite's cluster made and
 * every migration applied. Making a cluster (initdb in WebAssembly) costs a process 3–9 s of CPU, and
 * the suites that run the product on a folder of its own (the playground's report path, `npm start`
 * end to end) would each pay it; they get a copy of one folder made by the record's own code instead.
 * What a first start does on an empty folder is tested on a truly empty one (record/open.test.ts)
 * and measured by `npm run bench` (cold start).
 *
 * The folder is kept under node_modules/.cache, named by PGlite's version and the migrations'
 * text, so a change to either makes a new one; workers that miss it at once each make one and the
 * first rename wins. Returns the new folder's path (a temporary directory of its own).
 */
export async function pgliteFolder(prefix = 'record-'): Promise<string> {
  const template = await templateFolder();
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(template, dir, { recursive: true });
  return dir;
}

const root = join(import.meta.dirname, '..', '..');

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  const migrations = join(root, 'adapters', 'record', 'migrations');
  for (const name of readdirSync(migrations).sort()) hash.update(name).update(readFileSync(join(migrations, name)));
  return hash.digest('hex').slice(0, 16);
}

let made: Promise<string> | undefined;

function templateFolder(): Promise<string> {
  made ??= (async () => {
    const cache = join(root, 'node_modules', '.cache', 'service-desk-tests');
    const folder = join(cache, `pglite-${templateKey()}`);
    if (existsSync(join(folder, 'PG_VERSION'))) return folder;
    const building = mkdtempSync(join(tmpdir(), 'pglite-template-'));
    const record = openRecordStore({ dataDir: building, log: memoryLogger() });
    await record.ready();
    await record.close();
    cpSync(building, `${folder}.${process.pid}`, { recursive: true });
    rmSync(building, { recursive: true, force: true });
    try {
      renameSync(`${folder}.${process.pid}`, folder);
    } catch {
      // Another worker made it first: theirs is the same.
      rmSync(`${folder}.${process.pid}`, { recursive: true, force: true });
    }
    return folder;
  })();
  return made;
}
