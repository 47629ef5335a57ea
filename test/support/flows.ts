import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileBundle, createConversationFlow, type ConversationFlow } from '../../flows/step.js';
import { parseDefinition } from '../../flows/definition.js';
import type { FlowDefinition } from '../../flows/schema.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';

/** The shipped default definitions, parsed the way the product parses them. */
export function defaultDefinition(locale: 'zh-CN' | 'en'): FlowDefinition {
  const result = parseDefinition(readFileSync(join(DEFAULT_FLOWS_DIR, `${locale}.yaml`), 'utf8'));
  if (!result.ok) throw new Error(`default ${locale} definition is invalid: ${JSON.stringify(result.problems)}`);
  return result.definition;
}

export function defaultFlow(edit?: (def: FlowDefinition) => void, options: { desk?: boolean } = {}): ConversationFlow {
  const defs = [defaultDefinition('zh-CN'), defaultDefinition('en')];
  if (edit) defs.forEach(edit);
  return createConversationFlow(compileBundle(defs, 'zh-CN'), { desk: options.desk ?? false });
}

/** Instants in Asia/Shanghai (UTC+8), the default definitions' time zone. */
export function shanghai(iso: string): number {
  return Date.parse(`${iso}+08:00`);
}
