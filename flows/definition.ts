import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { FlowDefinition } from './schema.js';
import { BLANK } from './schema-texts.js';
import { invisibleIn } from './text.js';

/** One thing wrong with a definition file, addressed the way an admin reads the file. */
export interface DefinitionProblem {
  path: string;
  message: string;
}

export type ParseResult = { ok: true; definition: FlowDefinition } | { ok: false; problems: DefinitionProblem[] };

/** `faq[3].answer`, `texts.opening`, or `(file)` for the document itself. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(file)';
}

const messages: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) return 'required';
  if (issue.code === 'unrecognized_keys') {
    // A known name with an invisible character in it reads as itself (than\u200bks): say which.
    const named = issue.keys.map((k) =>
      invisibleIn(k) ? `${k} (has an invisible character ${invisibleIn(k)}: remove it)` : k,
    );
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${named.join(', ')}`;
  }
  // In the definition's own words, not the validator's ("Too small: expected string to have >=1
  // characters", beside the same field's BLANK: found by the sixteenth issue-17 session's console trial).
  if (issue.code === 'too_small' && issue.origin === 'string' && Number(issue.minimum) <= 1) return BLANK;
  if (issue.code === 'too_small' && issue.origin === 'array')
    return `needs at least ${Number(issue.minimum)} ${Number(issue.minimum) === 1 ? 'entry' : 'entries'}`;
  return undefined;
};

/** Each problem once: a field two rules refuse alike is told so once. */
const once = (problems: DefinitionProblem[]) =>
  problems.filter((p, i) => problems.findIndex((q) => q.path === p.path && q.message === p.message) === i);

/**
 * Parses and validates a definition from YAML or JSON text (JSON is YAML, so one parser serves
 * both). Never throws: every problem is returned with its path so an admin can fix them all at once.
 */
export function parseDefinition(source: string): ParseResult {
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({
        path: e.linePos?.[0] ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '(file)',
        // The path says where already: "… at line 2, column 11:" said it twice (the console trial).
        message: (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, ''),
      })),
    };
  }
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return {
      ok: false,
      problems: [{ path: '(file)', message: 'must be a mapping of fields (schema, locale, texts, faq, …)' }],
    };
  }
  const result = FlowDefinition.safeParse(data, { error: messages });
  if (result.success) return { ok: true, definition: result.data };
  return {
    ok: false,
    problems: once(result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }))),
  };
}
