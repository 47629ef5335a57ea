import { parseDefinitionOnce } from '../definition-cache.js';
import { parsePath, parseYaml, rangeOf, type TextRange } from './yaml-edit.js';

/**
 * A definition file's problems as the console's editor shows them: each with the path the
 * schema names (as `npm run flows:check` prints it) and where it is in the text, so the YAML
 * editor can underline it and a form can show it beside its field.
 */
export interface EditorProblem extends TextRange {
  file: string;
  /** `faq[3].answer`, `texts.opening`, `(file)`; `line 4, column 2` for a YAML syntax error. */
  path: string;
  message: string;
  /** 1-based line and column of `from`. */
  line: number;
  column: number;
}

const MAX_SYNTAX_ERRORS = 3;

/** A problem found on the whole set of files (by flows:check rules), to be placed in its file. */
export interface FileProblem {
  file: string;
  path: string;
  message: string;
}

/**
 * Every problem of one file's YAML: syntax errors with their own position, otherwise the same
 * zod schema as flows:check (flows/definition.ts parseDefinition; a valid text is remembered,
 * definition-cache.ts), each placed at the node its path names. Never throws; an empty list means
 * the file is valid on its own.
 */
export function fileProblems(file: string, source: string): EditorProblem[] {
  // The valid file (the common case) is parsed once; a file with problems again, for their places.
  const parsed = parseDefinitionOnce(source);
  if (parsed.ok) return [];
  const { doc, lines } = parseYaml(source);
  const at = (range: TextRange) => {
    const { line, col } = lines.linePos(range.from);
    return { ...range, line, column: col };
  };
  // After the first syntax error the parser reports every token that follows: the first few say it.
  if (doc.errors.length > 0)
    return doc.errors.slice(0, MAX_SYNTAX_ERRORS).map((e) => {
      const [from, to] = e.pos;
      const place = at({ from, to: Math.max(from + 1, to) });
      return { file, path: `line ${place.line}, column ${place.column}`, message: firstLine(e.message), ...place };
    });
  return parsed.problems.map((p) => ({ file, ...p, ...at(rangeOf(doc, parsePath(p.path))) }));
}

/** Places problems found on the whole set (a locale defined twice, no default locale) in their files' text. */
export function placeProblems(
  problems: readonly FileProblem[],
  files: Readonly<Record<string, string>>,
): EditorProblem[] {
  return problems.map((p) => {
    const source = files[p.file];
    if (source === undefined) return { ...p, from: 0, to: 0, line: 1, column: 1 };
    const { doc, lines } = parseYaml(source);
    const range = doc.errors.length > 0 ? { from: 0, to: 1 } : rangeOf(doc, parsePath(p.path));
    const { line, col } = lines.linePos(range.from);
    return { ...p, ...range, line, column: col };
  });
}

/** The parser's message without its position (the problem has it): "Unexpected token". */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
