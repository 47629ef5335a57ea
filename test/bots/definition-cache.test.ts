import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCacheFolder, keepParsedDefinitions, parseDefinitionKept } from '../../bots/definition-cache.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flow-files.js';
import { parseDefinition } from '../../flows/definition.js';

/**
 * A build keeps the flow definitions it parsed (issue 17, cold start): the next start reads them
 * back instead of parsing the YAML and checking the schema again, and gets the same definitions.
 */
const dirs: string[] = [];
afterEach(() => {
  keepParsedDefinitions(undefined);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const temporary = () => {
  const d = mkdtempSync(join(tmpdir(), 'kept-'));
  dirs.push(d);
  return d;
};

describe('kept flow definitions', () => {
  it('gives back the very definition parsing gives, from what it kept, and keeps only valid ones', () => {
    const folder = join(temporary(), 'cache', '1');
    keepParsedDefinitions(folder);
    const zh = readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8');
    const parsed = parseDefinition(zh);
    expect(parseDefinitionKept(zh)).toEqual(parsed);
    expect(readdirSync(folder)).toHaveLength(1);
    // A broken file is parsed every time, its problems listed, nothing kept.
    const broken = parseDefinitionKept('locale: [');
    expect(broken.ok).toBe(false);
    expect(readdirSync(folder)).toHaveLength(1);
    // The next start (nothing remembered in memory) reads the kept file instead of parsing: the same
    // definition, field for field; marked here to show it was the file that answered.
    const kept = join(folder, readdirSync(folder)[0]!);
    expect(JSON.parse(readFileSync(kept, 'utf8'))).toEqual(parsed.ok && parsed.definition);
    writeFileSync(kept, JSON.stringify({ ...(parsed.ok && parsed.definition), locale: 'read back' }));
    keepParsedDefinitions(folder);
    expect(parseDefinitionKept(zh)).toMatchObject({ ok: true, definition: { locale: 'read back' } });
  });

  it('parses a text once per process and gives each caller a copy of its own', () => {
    const en = readFileSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), 'utf8');
    const first = parseDefinitionKept(en);
    const second = parseDefinitionKept(en);
    expect(second).toEqual(parseDefinition(en));
    if (!first.ok || !second.ok) throw new Error('the shipped definition is valid');
    expect(second.definition).not.toBe(first.definition);
    // A caller that changes its copy changes nobody else's.
    first.definition.faq.length = 0;
    expect(parseDefinitionKept(en)).toEqual(second);
  });

  it('keeps nothing outside a build: run from the sources, every text is parsed', () => {
    const dir = temporary();
    expect(buildCacheFolder(join(dir, 'main.js'))).toBeUndefined();
    writeFileSync(join(dir, 'build.json'), JSON.stringify({ startedAt: 42, inputs: [], outputs: [] }));
    expect(buildCacheFolder(join(dir, 'main.js'))).toBe(join(dir, 'cache', '42'));
    expect(buildCacheFolder(undefined)).toBeUndefined();
  });

  it('parses as if nothing were kept when it cannot keep anything (a read-only checkout)', () => {
    const file = join(temporary(), 'not-a-folder');
    writeFileSync(file, '');
    keepParsedDefinitions(join(file, 'cache'));
    const en = readFileSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), 'utf8');
    expect(parseDefinitionKept(en)).toEqual(parseDefinition(en));
  });
});
