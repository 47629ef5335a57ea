import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder } from '../../bots/folders.js';

describe('makeFolder: a folder an operator names (DATA_DIR, a flows export)', () => {
  const root = mkdtempSync(join(tmpdir(), 'folders-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('makes the missing folders of a path, and a folder that exists is fine', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeFolder(dir);
    expect(existsSync(dir)).toBe(true);
    makeFolder(dir);
    makeFolder(join(root, 'a'));
  });

  it('says why a folder cannot be made instead of spinning: under a file, below a dangling link, under /proc', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeFolder(join(root, 'file', 'record'))).toThrow(/ENOTDIR/);
    symlinkSync(join(root, 'gone'), join(root, 'dangling'));
    expect(() => makeFolder(join(root, 'dangling', 'record'))).toThrow(/ENOENT/);
    // Node's own recursive mkdir never returns for this path (procfs answers ENOENT).
    if (existsSync('/proc/self')) expect(() => makeFolder('/proc/nope/record')).toThrow(/ENOENT.*\/proc\/nope/);
  });
});
