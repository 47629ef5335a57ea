import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DefinitionProblem } from '../flows/definition.js';
import { parseDefinitionKept } from './definition-cache.js';
import type { FlowDefinition } from '../flows/schema.js';
import type { FlowFiles } from './flow-versions-port.js';

/**
 * A set of flow definition files, wherever it comes from (a folder, a published version, the
 * console's editor), validated with one rule: every file valid on its own (the zod schema of
 * flows/schema.ts, via parseDefinition: kept by a build, definition-cache.ts), one file per locale, one for the default locale.
 */

/** The definitions shipped with the product: flows/definitions next to this folder. */
/**
 * The message of a version seeded from a folder: the shipped definitions by name, another folder
 * relative to the working directory when inside it (no machine's absolute path in the history).
 */
export function seedMessage(dir: string): string {
  if (resolve(dir) === DEFAULT_FLOWS_DIR) return 'seeded from the shipped flows/definitions';
  const rel = relative(process.cwd(), resolve(dir));
  return `seeded from ${rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : dir}`;
}

export const DEFAULT_FLOWS_DIR = resolve(fileURLToPath(new URL('../flows/definitions', import.meta.url)));

export interface FileProblem extends DefinitionProblem {
  /** The file's name ('zh-CN.yaml'), or the folder for a problem of the whole set. */
  file: string;
}

export type CheckResult =
  | { ok: true; definitions: FlowDefinition[]; version: string; files: string[] }
  | { ok: false; problems: FileProblem[] };

/** The names a definition file may have: YAML or JSON (JSON is read as YAML). */
export const FLOW_FILE_NAME = /^[^/\\]+\.(ya?ml|json)$/i;

/**
 * The content hash of a set of files: sha256 over each file's name and text in name order, its
 * first 12 hex characters. Two replicas (or a folder and the version published from it) with the
 * same files report the same version.
 */
export function flowFilesHash(files: FlowFiles): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) hash.update(name).update('\0').update(files[name]!).update('\0');
  return hash.digest('hex').slice(0, 12);
}

/**
 * The definition files of a folder (.yaml, .yml, .json; other files are not read), or the
 * problem that the folder cannot be read or has none (`file` is the folder).
 */
export async function readFlowFolder(dir: string): Promise<{ files: FlowFiles } | { problem: FileProblem }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => FLOW_FILE_NAME.test(n)).sort();
  } catch (err) {
    return {
      problem: { file: dir, path: '(folder)', message: `cannot read the flows folder: ${(err as Error).message}` },
    };
  }
  if (names.length === 0)
    return { problem: { file: dir, path: '(folder)', message: 'has no .yaml, .yml or .json definition files' } };
  const files: Record<string, string> = {};
  for (const name of names) {
    try {
      files[name] = await readFile(join(dir, name), 'utf8');
    } catch (err) {
      // A folder named zh-CN.yaml, a file without read permission: said, never a stack trace.
      return { problem: { file: join(dir, name), path: '(file)', message: `cannot read: ${(err as Error).message}` } };
    }
  }
  return { files };
}

/**
 * Validates a set of files together; `where` names the set in problems about all of it (the
 * folder, or '(files)'). The version is flowFilesHash of the files.
 */
/** The largest definition file, in bytes (the shipped ones are 40–55 KB): 1 MiB. */
export const MAX_FLOW_FILE_BYTES = 1024 * 1024;

export function validateFlowFiles(files: FlowFiles, defaultLocale: string, where = '(files)'): CheckResult {
  const names = Object.keys(files).sort();
  if (names.length === 0)
    return { ok: false, problems: [{ file: where, path: '(folder)', message: 'has no definition files' }] };
  const problems: FileProblem[] = [];
  const definitions: FlowDefinition[] = [];
  const byLocale = new Map<string, string>();
  for (const name of names) {
    if (!FLOW_FILE_NAME.test(name)) {
      problems.push({ file: name, path: '(file)', message: 'a definition file is named LOCALE.yaml, .yml or .json' });
      continue;
    }
    const size = Buffer.byteLength(files[name]!, 'utf8');
    if (size > MAX_FLOW_FILE_BYTES) {
      problems.push({
        file: name,
        path: '(file)',
        message: `is ${Math.ceil(size / 1024)} KB; a definition file may be at most ${MAX_FLOW_FILE_BYTES / 1024} KB`,
      });
      continue;
    }
    const parsed = parseDefinitionKept(files[name]!);
    if (!parsed.ok) {
      problems.push(...parsed.problems.map((p) => ({ file: name, ...p })));
      continue;
    }
    const other = byLocale.get(parsed.definition.locale);
    if (other)
      problems.push({
        file: name,
        path: 'locale',
        message: `${parsed.definition.locale} is already defined by ${other}`,
      });
    byLocale.set(parsed.definition.locale, name);
    definitions.push(parsed.definition);
  }
  if (problems.length === 0 && !byLocale.has(defaultLocale)) {
    problems.push({
      file: where,
      path: '(folder)',
      message: `no definition for the default locale ${defaultLocale} (found: ${[...byLocale.keys()].join(', ')})`,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, definitions, version: flowFilesHash(files), files: names };
}
