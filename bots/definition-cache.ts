import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseDefinition, type ParseResult } from '../flows/definition.js';
import type { FlowDefinition } from '../flows/schema.js';

/**
 * Flow definitions parsed before, kept on disk by the hash of their text (issue 17, cold start):
 * reading the YAML and checking it against the zod schema costs a start 0.2–0.8 s of CPU, reading
 * the kept result back about 2 ms. Only a build of the product keeps them (program.ts: a folder of
 * that build's own under dist/cache, emptied by every build), so a kept result was always made by
 * the same schema code that reads it; run from the sources (tsx, the tests) every text is parsed.
 * Only valid definitions are kept, and only when JSON gives them back unchanged; anything that
 * cannot be read or written (a read-only checkout) is parsed as if nothing were kept.
 */
let folder: string | undefined;

/**
 * The folder a build keeps parsed definitions in: `dist/cache/<build>` beside the program file
 * `programFile` (dist/main.js) when a build stamp (build.json) sits beside it; undefined otherwise.
 */
export function buildCacheFolder(programFile: string | undefined): string | undefined {
  if (!programFile) return undefined;
  try {
    const stamp = JSON.parse(readFileSync(join(dirname(programFile), 'build.json'), 'utf8')) as { startedAt?: unknown };
    return typeof stamp.startedAt === 'number'
      ? join(dirname(programFile), 'cache', String(stamp.startedAt))
      : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps parsed definitions in `dir` from now on (undefined: keeps none); what this process remembered is forgotten. */
export function keepParsedDefinitions(dir: string | undefined): void {
  folder = dir;
  recent.clear();
}

/**
 * The last few valid definitions this process parsed or read back, by the hash of their text, most
 * recent last: the console checks a draft at every page and edit, a replica its folder at every
 * publish, and the same two texts came back each time (36–200 ms of YAML and zod each, against
 * under 1 ms for a copy). Each caller gets a copy of its own, so none can change another's.
 */
const recent = new Map<string, FlowDefinition>();
const RECENT_MAX = 8;

/**
 * parseDefinition (flows/definition.ts), answered from memory when this process parsed the same text
 * before (nothing on disk: the console's drafts change at every edit).
 */
export function parseDefinitionOnce(source: string): ParseResult {
  return remembered(createHash('sha256').update(source).digest('hex'), parseDefinition, source);
}

/** parseDefinition (flows/definition.ts), answered from what was kept when this text was parsed before. */
export function parseDefinitionKept(source: string): ParseResult {
  const hash = createHash('sha256').update(source).digest('hex');
  return remembered(
    hash,
    (text) => (folder ? readOrParse(join(folder, `${hash}.json`), text) : parseDefinition(text)),
    source,
  );
}

function remembered(hash: string, parse: (source: string) => ParseResult, source: string): ParseResult {
  const known = recent.get(hash);
  if (known) {
    recent.delete(hash);
    recent.set(hash, known);
    return { ok: true, definition: structuredClone(known) };
  }
  const parsed = parse(source);
  if (parsed.ok) {
    recent.set(hash, structuredClone(parsed.definition));
    if (recent.size > RECENT_MAX) recent.delete(recent.keys().next().value!);
  }
  return parsed;
}

function readOrParse(file: string, source: string): ParseResult {
  try {
    return { ok: true, definition: JSON.parse(readFileSync(file, 'utf8')) };
  } catch {
    // Not kept yet (or unreadable): parsed, and kept when valid.
  }
  const parsed = parseDefinition(source);
  if (parsed.ok) keep(file, parsed.definition);
  return parsed;
}

function keep(file: string, definition: unknown): void {
  try {
    const json = JSON.stringify(definition);
    if (!isDeepStrictEqual(JSON.parse(json), definition)) return;
    mkdirSync(dirname(file), { recursive: true });
    // Whole or not at all: another process may read it at any moment.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, json);
    renameSync(temporary, file);
  } catch {
    // A read-only checkout keeps nothing.
  }
}
