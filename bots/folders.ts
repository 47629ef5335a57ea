import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p` for a folder an operator names (DATA_DIR, a flows export folder), without Node's
 * recursive mkdir: on a path whose parent exists but cannot hold it (under /proc or /sys, where
 * the system answers ENOENT, or below a dangling symlink) Node's recursive walk creates the parent
 * again and retries forever, at 100 % CPU, never returning (Node 20; reported for the same input
 * in Kewton/CommandMate#1774). Here each missing folder is made from the nearest one that exists,
 * one level at a time. Throws the system's error (ENOENT, EACCES, ENOTDIR…, with its `path`) for
 * the first folder that cannot be made; a folder that exists already is fine.
 */
export function makeFolder(path: string): void {
  const missing: string[] = [];
  for (let p = resolve(path); !existsSync(p);) {
    missing.push(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
