import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundle, DIST, staleness } from '../../scripts/bundle.mjs';

/**
 * The build `npm start` runs when dist/ is stale (scripts/bundle.mjs, issue 17): when a bundle
 * counts as stale, and that a bundle runs the product with the files it reads beside the sources.
 */
const root = join(import.meta.dirname, '..', '..');

/** A checkout of one source file and a build of it, stamped as scripts/bundle.mjs stamps one. */
function fakeBuild() {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-'));
  const [src, dist] = [join(dir, 'src'), join(dir, 'dist')];
  mkdirSync(src);
  mkdirSync(dist);
  writeFileSync(join(src, 'a.ts'), 'export const a = 1;\n');
  // The source was written a minute before the build began.
  const before = new Date(Date.now() - 60_000);
  utimesSync(join(src, 'a.ts'), before, before);
  writeFileSync(join(dist, 'main.js'), 'export const a = 1;\n');
  const stamp = {
    startedAt: Date.now() - 1_000,
    inputs: ['a.ts'],
    outputs: ['main.js'],
    stats: { 'a.ts': [statSync(join(src, 'a.ts')).mtimeMs, statSync(join(src, 'a.ts')).size] },
  };
  writeFileSync(join(dist, 'build.json'), JSON.stringify(stamp));
  return { dir, src, dist };
}

describe('staleness', () => {
  it('finds a build current until a source it was made from changes, vanishes, or an output is missing', () => {
    const { dir, src, dist } = fakeBuild();
    try {
      expect(staleness(dist, src)).toBeUndefined();
      // An edit, a checkout or a pull after the build started.
      writeFileSync(join(src, 'a.ts'), 'export const a = 2;\n');
      expect(staleness(dist, src)).toBe('a.ts changed');
      rmSync(join(src, 'a.ts'));
      expect(staleness(dist, src)).toBe('a.ts is gone');
      writeFileSync(join(src, 'a.ts'), 'export const a = 1;\n');
      rmSync(join(dist, 'main.js'));
      expect(staleness(dist, src)).toBe('main.js is missing');
      rmSync(join(dist, 'build.json'));
      expect(staleness(dist, src)).toBe('not built yet');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds a source replaced by a copy that kept an older time (rsync -a, cp -p, tar x) changed', () => {
    const { dir, src, dist } = fakeBuild();
    try {
      writeFileSync(join(src, 'a.ts'), 'export const a = 22;\n');
      const older = new Date(Date.now() - 3_600_000);
      utimesSync(join(src, 'a.ts'), older, older);
      expect(staleness(dist, src)).toBe('a.ts changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('bundle', () => {
  // Inside dist/, so the bundle finds node_modules as dist/main.js does.
  const out = join(DIST, `test-${process.pid}`);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('bundles the product into one folder that runs its tools and reads the flows beside the sources', async () => {
    const { inputs, outputs } = await bundle(out);
    expect(outputs).toContain('main.js');
    expect(inputs).toEqual(expect.arrayContaining(['bots/app/program.ts', 'bots/app/main.ts', 'package-lock.json']));
    expect(inputs.some((p) => p.includes('node_modules'))).toBe(false);
    expect(staleness(out)).toBeUndefined();
    expect(JSON.parse(readFileSync(join(out, 'build.json'), 'utf8')).outputs).toEqual(outputs);
    // flows check reads flows/definitions next to bots/ (flow-files.ts, by its import.meta.url).
    const { stdout } = await promisify(execFile)(process.execPath, [join(out, 'main.js'), 'flows', 'check'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    expect(stdout).toMatch(/^OK: en\.yaml, zh-CN\.yaml \(version [0-9a-f]+\)/);
  });
});
