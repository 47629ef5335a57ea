import { isDeepStrictEqual } from 'node:util';
import { diffArrays } from 'diff';
import {
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';

/**
 * Reading and writing a definition file's YAML for the console's form editors: one field
 * changes, and everything else in the file (comments, key order, quoting, flow or block style)
 * stays as the admin wrote it.
 */

/** A path in a definition as the schema names it: `['faq', 3, 'answer']`. */
export type YamlPath = ReadonlyArray<string | number>;

/** `faq[3].answer` → `['faq', 3, 'answer']`; `(file)` → `[]` (the inverse of flows/definition.ts formatPath). */
export function parsePath(path: string): YamlPath {
  if (path === '(file)' || path === '(folder)') return [];
  const out: Array<string | number> = [];
  for (const m of path.matchAll(/\[(\d+)\]|([^.[\]]+)/g)) out.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? ''));
  return out;
}

const RENDER = { lineWidth: 0 } as const;

/** A parsed file that keeps its source: for edits and for ranges. */
export function parseYaml(source: string): { doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, uniqueKeys: true, keepSourceTokens: false });
  return { doc, lines };
}

/**
 * Why a form's edit was not made, as data: the console says it in its language
 * (adapters/console/flows/words.ts), the error's message in English (editProblemText). `section`
 * and `field` are the form's ids (`hours`, `promiseHours`); `index` counts from 0.
 */
export type EditProblem =
  | { kind: 'not-yaml'; detail: string; line?: number | undefined; column?: number | undefined }
  | { kind: 'too-long'; max: number }
  | { kind: 'no-text'; key: string }
  | { kind: 'no-phrasing'; key: string }
  | { kind: 'no-item'; section: string; index: number }
  | { kind: 'item-changed'; section: string; index: number }
  | { kind: 'text-changed'; key: string; typed: string }
  | { kind: 'empty-item'; section: string }
  | { kind: 'not-a-number'; field: string; got: string }
  | { kind: 'not-one-of'; field: string; options: readonly string[]; got: string };

/** An edit problem in one English line. */
export function editProblemText(p: EditProblem): string {
  switch (p.kind) {
    case 'not-yaml':
      return `the file is not valid YAML (${p.detail}): fix it first`;
    case 'too-long':
      return `the file is longer than ${p.max} characters`;
    case 'no-text':
      return `there is no text ${p.key}`;
    case 'no-phrasing':
      return 'a text needs at least one phrasing';
    case 'no-item':
      return `${p.section} has no item ${p.index + 1}: reload the page to see the list as it is now`;
    case 'item-changed':
      return `${p.section} item ${p.index + 1} changed since this page was opened (in another tab or window): reload the page and try again`;
    case 'text-changed':
      return `the text ${p.key} changed since this page was opened (in another tab or window): nothing was saved; you typed: ${p.typed}`;
    case 'empty-item':
      return `the new ${p.section} item is empty: fill in its fields first`;
    case 'not-a-number':
      return `${p.field} must be a number`;
    case 'not-one-of':
      return `${p.field} must be one of ${p.options.join(', ')}`;
  }
}

/** The editing failed for the reason given (a YAML syntax error, a field that is not where the form expects it). */
export class YamlEditError extends Error {
  override readonly name = 'YamlEditError';

  constructor(readonly problem: EditProblem) {
    super(editProblemText(problem));
  }
}

/**
 * Applies `edit` to the file's YAML document and returns the new text. Only the lines the edit
 * changed are rewritten: the document is rendered before and after the edit, the two renderings
 * are compared line by line, and the changed lines are spliced into the original text, so lines
 * the edit did not touch keep their exact spelling (the renderer would otherwise, say, pad every
 * flow collection). Throws YamlEditError when the file does not parse.
 */
export function editYaml(source: string, edit: (doc: Document) => void): string {
  const { doc } = parseYaml(source);
  const error = doc.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const detail = error.message.split('\n')[0] ?? '';
    throw new YamlEditError({ kind: 'not-yaml', detail, line: at?.line, column: at?.col });
  }
  const before = doc.toString(RENDER);
  edit(doc);
  const after = doc.toString(RENDER);
  const sourceLines = source.split('\n');
  const beforeLines = before.split('\n');
  // A rendering that does not line up with the source (it should, comments included): the whole new rendering.
  if (sourceLines.length !== beforeLines.length) return after;
  const merged = spliceChanges(sourceLines, beforeLines, after.split('\n'));
  // The splice assumes the rendering's lines stand for the source's, one for one; should they not, the rendering.
  const check = parseYaml(merged).doc;
  return check.errors.length === 0 && isDeepStrictEqual(check.toJS(), doc.toJS()) ? merged : after;
}

/** The source with the lines the edit changed (rendering before → after) replaced, the others as they were. */
function spliceChanges(sourceLines: string[], beforeLines: string[], afterLines: string[]): string {
  const out: string[] = [];
  let at = 0;
  for (const change of diffArrays(beforeLines, afterLines)) {
    if (change.added) out.push(...change.value);
    else if (change.removed) at += change.value.length;
    else {
      out.push(...sourceLines.slice(at, at + change.value.length));
      at += change.value.length;
    }
  }
  return out.join('\n');
}

/**
 * Sets the value at `path`, creating the keys on the way. A value equal to the one there leaves
 * its node as written (a form posts every field of an entry: only the changed ones may show in
 * the diff). A string replacing a scalar keeps that scalar's quoting; a collection replacing a
 * flow collection (`[a, b]`, `{ … }`) stays flow.
 */
export function setValue(doc: Document, path: YamlPath, value: unknown): void {
  const existing = doc.getIn(path, true);
  if (isNode(existing) && isDeepStrictEqual(existing.toJSON(), value)) return;
  if (isScalar(existing) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
    existing.value = value;
    return;
  }
  const node = doc.createNode(value);
  if (isCollection(existing) && existing.flow && isCollection(node)) node.flow = true;
  doc.setIn(path, node);
}

/** Sets the value, or removes the key when `value` is undefined (an optional field left empty). */
export function setOrDelete(doc: Document, path: YamlPath, value: unknown): void {
  if (value === undefined) {
    if (doc.hasIn(path)) doc.deleteIn(path);
  } else setValue(doc, path, value);
}

/** Appends an item to the sequence at `path` (created when missing), in the style of the items already there. */
export function appendItem(doc: Document, path: YamlPath, item: unknown): void {
  const seq = doc.getIn(path, true);
  if (!isSeq(seq)) {
    setValue(doc, path, [item]);
    return;
  }
  const node = doc.createNode(item);
  const last = seq.items.at(-1);
  if (isCollection(last) && last.flow && isCollection(node)) node.flow = true;
  seq.items.push(node);
}

/** Where a path points in the text: character offsets [from, to) to underline. */
export interface TextRange {
  from: number;
  to: number;
}

/**
 * The text range of the node a schema path names, for underlining a problem. A path that goes
 * past what the file has (a required field that is missing) points at the deepest key that is
 * there; the document itself at the first line.
 */
export function rangeOf(doc: Document, path: YamlPath): TextRange {
  let node: unknown = doc.contents;
  let key: Node | undefined;
  for (const part of path) {
    const next = childOf(node, part);
    if (!next) break;
    node = next.value;
    key = next.key ?? key;
    if (next.key && !next.value) break;
  }
  // A scalar is underlined itself; a collection (many lines) by its key when it has one.
  const target = isScalar(node) || !key ? (node as Node | null | undefined) : key;
  const range = target?.range ?? key?.range;
  if (!range) return { from: 0, to: Math.max(0, firstLineEnd(doc)) };
  const [from, valueEnd] = range;
  return { from, to: Math.max(from + 1, valueEnd) };
}

function childOf(node: unknown, part: string | number): { key: Node | undefined; value: Node | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
    if (!pair) return undefined;
    return { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
  }
  if (isSeq(node) && typeof part === 'number') {
    const item = node.items[part];
    return item === undefined ? undefined : { key: undefined, value: item as Node };
  }
  return undefined;
}

function firstLineEnd(doc: Document): number {
  const contents = doc.contents as Node | null;
  return contents?.range ? Math.min(contents.range[1], contents.range[0] + 1) : 1;
}
