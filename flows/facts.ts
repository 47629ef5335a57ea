import type { FlowDefinition } from './schema.js';
import { normalize, trimSentence } from './text.js';

/**
 * The facts a complaint needs before it can be handled (002 澄清：确认问题的关键信息): which
 * order, what happened, when. Extracted from the customer's own words with the definition's
 * patterns; nothing is invented.
 */
export interface ComplaintFacts {
  order?: string | undefined;
  when?: string | undefined;
  what?: string | undefined;
}

export const FACT_KEYS = ['order', 'what', 'when'] as const;
export type FactKey = (typeof FACT_KEYS)[number];

type Complaints = FlowDefinition['complaints'];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Pulls order number, time and a description of what happened out of one message. */
export function extractFacts(complaints: Complaints, text: string): ComplaintFacts {
  const facts: ComplaintFacts = {};
  let rest = text.normalize('NFKC');
  for (const pattern of complaints.facts.order.patterns) {
    const m = new RegExp(pattern, 'iu').exec(rest);
    if (m) {
      facts.order = (m[1] ?? m[0]).trim();
      rest = rest.replace(m[0], ' ');
      break;
    }
  }
  for (const pattern of complaints.facts.when.patterns) {
    const m = new RegExp(pattern, 'iu').exec(rest);
    if (m) {
      // The first group, when the pattern has one, is the time itself ("on Nov 20" is "Nov 20").
      facts.when = (m[1] ?? m[0]).trim();
      rest = rest.replace(m[0], ' ');
      break;
    }
  }
  // What happened: the message clause by clause. Words that only carry the complaint or the anger
  // are taken off a clause's start or end ("太差了，买的耳机…", "…坏了太差了"); a clause they sit
  // in the middle of ("我联系了好几次都没有人理我") is left out rather than quoted half.
  const charged = [...complaints.triggers, ...complaints.anger, ...complaints.supervisor].sort(
    (a, b) => b.length - a.length,
  );
  const fillers = [...complaints.facts.what.ignore].sort((a, b) => b.length - a.length);
  const minLength = complaints.facts.what.minLength;
  const onlyContext = contextOnly(complaints.facts.what.context);
  const breaks = ['[!?！？。，,、;；:：~～\\n]+', ...complaints.facts.what.clauseBreaks]
    .map((b) => `(?:${b})`)
    .join('|');
  const clauses = rest
    .split(new RegExp(breaks, 'iu'))
    .map((clause) => {
      const HOLE = '\u0000';
      let c = clause;
      for (const word of charged) c = c.replace(new RegExp(escapeRe(word), 'giu'), HOLE);
      if (c !== clause) {
        c = c.replace(/^[\s\u0000]+|[\s\u0000]+$/gu, '');
        // What is left of a venting clause must say something on its own ("my emails" does not).
        if (c.includes(HOLE) || [...c.replace(/\s/g, '')].length < 2 * minLength) return '';
      }
      // "it arrived", "收到的": how the goods came, once the time is taken out; not what went wrong.
      if (onlyContext(c)) return '';
      for (const word of fillers) c = c.replace(new RegExp(escapeRe(word), 'giu'), ' ');
      // Words taken out of Chinese leave no gap; Latin words keep one space between them.
      return c
        .replace(/\s+/gu, ' ')
        .replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/gu, '')
        .trim();
    })
    .filter(Boolean);
  const what = trimSentence(clauses.join(complaints.facts.detailSeparator));
  if ([...what.replace(/\s/g, '')].length >= complaints.facts.what.minLength) facts.what = what.slice(0, 80);
  return facts;
}

/** Later messages fill in what is missing and add detail to what happened. */
export function mergeFacts(known: ComplaintFacts, more: ComplaintFacts, separator: string): ComplaintFacts {
  const what =
    known.what && more.what && !known.what.includes(more.what)
      ? `${known.what}${separator}${more.what}`.slice(0, 160)
      : (known.what ?? more.what);
  return { order: known.order ?? more.order, when: known.when ?? more.when, what };
}

export function missingFacts(facts: ComplaintFacts): FactKey[] {
  return FACT_KEYS.filter((k) => !facts[k]);
}

/** "订单号 12345；时间：上周；具体情况：耳机坏了" in the definition's words. */
export function describeFacts(complaints: Complaints, facts: ComplaintFacts): string {
  return FACT_KEYS.filter((k) => facts[k])
    .map((k) => `${complaints.facts[k].label}${complaints.facts.labelSeparator}${facts[k]}`)
    .join(complaints.facts.separator);
}

/** "订单号、具体发生了什么" — what to ask for, in the definition's words. */
export function describeMissing(complaints: Complaints, missing: readonly FactKey[]): string {
  return missing.map((k) => complaints.facts[k].ask).join(complaints.facts.askSeparator);
}

/** The category whose keywords the complaint mentions most; the default one otherwise. */
export function categorize(complaints: Complaints, text: string): Complaints['categories'][number] {
  const norm = normalize(text);
  let best: Complaints['categories'][number] | undefined;
  let bestHits = 0;
  for (const category of complaints.categories) {
    const hits = category.keywords.filter((k) => norm.includes(normalize(k))).length;
    if (hits > bestHits) {
      best = category;
      bestHits = hits;
    }
  }
  return (
    best ??
    complaints.categories.find((c) => c.id === complaints.defaultCategory) ??
    (complaints.categories[0] as Complaints['categories'][number])
  );
}

/** A word as it stands in customer text: Latin words whole ("it" is not in "item"), Chinese anywhere. */
function wordRe(word: string, flags: string): RegExp {
  const w = escapeRe(word);
  return /^[a-z0-9' ]+$/i.test(word) ? new RegExp(`(?<![a-z0-9'])${w}(?![a-z0-9'])`, flags) : new RegExp(w, flags);
}

/** A test for a clause made of nothing but `words` (and spaces or punctuation). */
function contextOnly(words: readonly string[]): (clause: string) => boolean {
  if (words.length === 0) return () => false;
  const res = [...words].sort((a, b) => b.length - a.length).map((w) => wordRe(w, 'giu'));
  return (clause) => {
    let rest = clause;
    for (const re of res) rest = rest.replace(re, ' ');
    return !/[\p{L}\p{N}]/u.test(rest);
  };
}
