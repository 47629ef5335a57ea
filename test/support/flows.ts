import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBundle, createConversationFlow, type ConversationFlow, type FlowBundle } from '../../flows/step.js';
import { parseDefinition } from '../../flows/definition.js';
import type { FlowDefinition } from '../../flows/schema.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';

/**
 * The shipped default definitions' parses, by their text: test files ask for them about 70 times
 * in a run, and the same YAML under the same schema parses to the same definition, so a worker
 * parses each text once (about 100 ms of YAML and zod) and hands out copies.
 */
const parsed = new Map<string, FlowDefinition>();

const shippedText = (locale: 'zh-CN' | 'en') => readFileSync(join(DEFAULT_FLOWS_DIR, `${locale}.yaml`), 'utf8');

function parsedOnce(text: string, locale: string): FlowDefinition {
  let definition = parsed.get(text);
  if (!definition) {
    const result = parseDefinition(text);
    if (!result.ok) throw new Error(`default ${locale} definition is invalid: ${JSON.stringify(result.problems)}`);
    definition = result.definition;
    parsed.set(text, definition);
  }
  return definition;
}

/** The shipped default definitions, parsed the way the product parses them: a copy of its own for each caller. */
export function defaultDefinition(locale: 'zh-CN' | 'en'): FlowDefinition {
  return structuredClone(parsedOnce(shippedText(locale), locale));
}

/**
 * The shipped definitions compiled (matchers, guards; about 60 ms), by their texts: every unedited
 * defaultFlow of a worker shares them, as every conversation of a process shares its bundle.
 */
let shipped: { key: string; bundle: FlowBundle } | undefined;

export function defaultFlow(edit?: (def: FlowDefinition) => void, options: { desk?: boolean } = {}): ConversationFlow {
  const desk = options.desk ?? false;
  if (edit) {
    const defs = [defaultDefinition('zh-CN'), defaultDefinition('en')];
    defs.forEach(edit);
    return createConversationFlow(compileBundle(defs, 'zh-CN'), { desk });
  }
  const [zh, en] = [shippedText('zh-CN'), shippedText('en')];
  const key = `${zh}\0${en}`;
  if (shipped?.key !== key) {
    const definitions = [structuredClone(parsedOnce(zh, 'zh-CN')), structuredClone(parsedOnce(en, 'en'))];
    shipped = { key, bundle: compileBundle(definitions, 'zh-CN') };
  }
  return createConversationFlow(shipped.bundle, { desk });
}

/** Instants in Asia/Shanghai (UTC+8), the default definitions' time zone. */
export function shanghai(iso: string): number {
  return Date.parse(`${iso}+08:00`);
}
