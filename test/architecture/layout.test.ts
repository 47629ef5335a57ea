import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape the code must keep (issue: the conversation machine by concern, one composition
 * root): small functions and files, and imports that only run downward. Measured on the source
 * itself, so a change that breaks the shape fails here rather than in review.
 */

const root = join(import.meta.dirname, '..', '..');
const FOLDERS = ['flows', 'bots', 'adapters'];
const MAX_FUNCTION_LINES = 120;
const MAX_FILE_LINES = 400;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

const files = FOLDERS.flatMap(sourceFiles).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') }));

/** Every function-like node with its name and length in lines. */
function functionsOf(path: string, text: string): Array<{ name: string; lines: number }> {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const out: Array<{ name: string; lines: number }> = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name =
        node.name && ts.isIdentifier(node.name)
          ? node.name.text
          : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)
            ? node.parent.name.text
            : '(anonymous)';
      out.push({ name: `${path}:${start + 1} ${name}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return out;
}

function importsOf(text: string): string[] {
  return [...text.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1] ?? '');
}

describe('layout', () => {
  it(`has no function longer than ${MAX_FUNCTION_LINES} lines in ${FOLDERS.join(', ')}`, () => {
    const long = files.flatMap((f) => functionsOf(f.path, f.text)).filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });

  it(`has no source file longer than ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((f) => ({ path: f.path, lines: f.text.split('\n').length }))
      .filter((f) => f.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it('keeps flows/ pure: no I/O, no platform SDK, nothing of the project outside flows/', () => {
    const bad = files
      .filter((f) => f.path.startsWith('flows'))
      .flatMap((f) => importsOf(f.text).map((spec) => ({ file: f.path, spec })))
      .filter(
        ({ file, spec }) =>
          /^(node:|grammy|@slack|ioredis)/.test(spec) ||
          (spec.startsWith('.') && relative('flows', join(file, '..', spec)).startsWith('..')),
      );
    expect(bad).toEqual([]);
  });

  it('keeps platform SDKs and ioredis inside adapters/', () => {
    const bad = files
      .filter((f) => !f.path.startsWith('adapters'))
      .flatMap((f) =>
        importsOf(f.text)
          .filter((s) => /^(grammy|@grammyjs|@slack|ioredis)/.test(s))
          .map((s) => `${f.path}: ${s}`),
      );
    expect(bad).toEqual([]);
  });

  it('lets adapters reach the engine only through its ports', () => {
    const bad = files
      .filter((f) => f.path.startsWith('adapters'))
      .flatMap((f) =>
        importsOf(f.text)
          .filter((s) => /bots\/(engine|delivery|transcript|app)/.test(s))
          .map((s) => `${f.path}: ${s}`),
      );
    expect(bad).toEqual([]);
  });
});
