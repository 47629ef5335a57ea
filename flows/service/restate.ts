import type { FlowDefinition } from '../schema.js';
import { escapeRegExp, normalize, trimSentence } from '../text.js';

/**
 * Restates a need in the bot's voice (需求确认): pronouns swapped ("我的订单" → "您的订单") unless
 * the text has words that make swapping ambiguous, in which case it is quoted as the customer wrote it.
 */
export function restate(def: FlowDefinition, need: string): string {
  const text = shorten(trimSentence(need), RESTATED_MAX);
  const lower = normalize(text);
  const ascii = /^[\x00-\x7f]*$/.test(text);
  // A Latin word is matched as a whole word whatever the text around it ("i" is not the i of
  // AirPods in "AirPods Pro 坏了"); a Chinese one anywhere, Chinese having no spaces.
  const wordAt = (w: string) =>
    new RegExp(
      /^[a-z' ]+$/i.test(w) ? `(?<![a-z'])${escapeRegExp(normalize(w))}(?![a-z'])` : escapeRegExp(normalize(w)),
      'giu',
    );
  if (def.restate.quoteIf.some((w) => wordAt(w).test(lower))) return ascii ? `"${text}"` : `“${text}”`;
  // One pass over all swaps, so "my" → "your" is not swapped back by a later "you" rule.
  const rules = def.restate.swaps.map(([from, to]) => ({ re: wordAt(from), to }));
  if (rules.length === 0) return text;
  const combined = new RegExp(rules.map((r) => `(${r.re.source})`).join('|'), 'giu');
  return text.replace(combined, (...m: unknown[]) => {
    const index = m.slice(1, rules.length + 1).findIndex((g) => g !== undefined);
    return rules[index]?.to ?? String(m[0]);
  });
}

/** Longest need restated whole (characters); a longer one is cut at a clause break and marked "…". */
export const RESTATED_MAX = 60;

/**
 * A long message restated sensibly: up to the last clause break (，。！？,.!? or a space) within
 * `max` characters, else `max` characters, followed by "…". Shorter text is returned as it is.
 */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = chars.slice(0, max).join('');
  const cut = Math.max(...[...'，。！？,.!?；; '].map((c) => head.lastIndexOf(c)));
  return `${trimSentence(cut >= max / 3 ? head.slice(0, cut) : head)}…`;
}

/** A need as a follow-up keeps it: short (it is in the conversation's state), cut at a break or a word (my parcel arrived…). */
export const followUpNeed = (need: string) => shorten(need, 23);
