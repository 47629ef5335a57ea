import type { IntentId } from './schema.js';
import { escapeRegExp, LATIN_END, LATIN_START, normalize, straightQuotes } from './text.js';

/**
 * The phrase rules of the matcher (match.ts): a definition's intent phrases and fillers, compiled
 * once per definition, and how a message is searched for them.
 */

/** Punctuation, symbols and spaces: what a message's meaningful characters leave out. */
export const PUNCT = /[\p{P}\p{S}\s]/u;
/** A Latin phrase: matched as whole words. */
export const ASCII_WORD = /^[a-z0-9' ]+$/;

/** One intent phrase or filler as the matcher looks for it. */
export interface PhraseRule {
  intent: IntentId | 'filler';
  /**
   * Other intents listing the same phrase: it counts for each, and the state reading the message
   * decides which it means (不行 is `no` to "is that right?" and `notHelped` right after an answer).
   */
  also?: IntentId[];
  phrase: string;
  pattern: RegExp;
  /** Latin phrases match whole words only (`pattern`); any other is found as it is written (indexOf). */
  wholeWords: boolean;
  /** The phrase's characters that are not punctuation, symbols or spaces: what one occurrence claims. */
  weight: number;
  /** A phrase cannot occur in a message that lacks its first character: a cheap prefilter. */
  first: string;
}

/** A phrase (normalised here) as a rule of `intent`. */
export function phraseRule(intent: PhraseRule['intent'], raw: string): PhraseRule {
  const phrase = normalize(raw);
  const escaped = escapeRegExp(phrase);
  // Latin phrases match whole words only ("no" is not in "know"); CJK has no word breaks.
  const wholeWords = ASCII_WORD.test(phrase);
  const source = wholeWords ? `${LATIN_START}${escaped}${LATIN_END}` : escaped;
  const chars = [...phrase];
  return {
    intent,
    phrase,
    pattern: new RegExp(source, 'gu'),
    wholeWords,
    weight: chars.filter((ch) => !PUNCT.test(ch)).length,
    first: chars[0] ?? '',
  };
}

/**
 * The intents' phrases as rules, longest first (so 不是 claims its characters before 是 can). A
 * phrase listed by several intents is one rule of the first, `also` naming the others.
 */
export function intentRules(lists: ReadonlyArray<readonly [IntentId, readonly string[]]>): PhraseRule[] {
  const byPhrase = new Map<string, PhraseRule>();
  for (const [intent, phrases] of lists)
    for (const raw of phrases.flatMap(spellings)) {
      const rule = phraseRule(intent, raw);
      const first = byPhrase.get(rule.phrase);
      if (!first) byPhrase.set(rule.phrase, rule);
      else if (first.intent !== intent && !first.also?.includes(intent)) (first.also ??= []).push(intent);
    }
  return [...byPhrase.values()].sort((a, b) => b.phrase.length - a.phrase.length);
}

/** The fillers (words that say nothing of the matter) as rules, longest first. */
export function fillerRulesOf(fillers: readonly string[]): PhraseRule[] {
  return fillers
    .flatMap(spellings)
    .map((f) => phraseRule('filler', f))
    .sort((a, b) => b.phrase.length - a.phrase.length);
}

/**
 * A phrase as customers type it: with its apostrophes, and without them when it has any (thats all,
 * dont need it, im done: found by the sixteenth issue-17 session's trial; phones often leave them out).
 */
export function spellings(raw: string): string[] {
  const bare = straightQuotes(raw).replaceAll("'", '');
  return bare === straightQuotes(raw) ? [raw] : [raw, bare];
}

/**
 * Where `rule` occurs in `text` from `from` on (UTF-16 offsets), or -1. A Latin phrase's pattern
 * only ever matches the phrase itself, so either way the occurrence is `rule.phrase.length` long.
 * (`exec` on the shared pattern, not `matchAll`, which copies the RegExp on every call.)
 */
export function occurrence(rule: PhraseRule, text: string, from: number): number {
  if (!rule.wholeWords) return text.indexOf(rule.phrase, from);
  rule.pattern.lastIndex = from;
  return rule.pattern.exec(text)?.index ?? -1;
}

/**
 * Claims every occurrence of `rule` in `norm` none of whose characters `covered` marks yet (marking
 * them): the rule's weight for each, summed. How phrases, longest first, share out a message.
 */
export function claimFree(rule: PhraseRule, norm: string, covered: Uint8Array): number {
  let got = 0;
  const length = rule.phrase.length;
  for (let start = occurrence(rule, norm, 0); start >= 0; start = occurrence(rule, norm, start + length)) {
    const end = start + length;
    let free = true;
    for (let i = start; i < end && free; i++) free = covered[i] === 0;
    if (!free) continue;
    covered.fill(1, start, end);
    got += rule.weight;
  }
  return got;
}

/**
 * The rules (in their order) that may occur in a text: those whose first character it has. An
 * index by first character, built once, so a short message visits a few rules, not all of them.
 */
export function candidatesOf(rules: readonly PhraseRule[]): (text: string) => PhraseRule[] {
  const byFirst = new Map<string, number[]>();
  rules.forEach((rule, i) => {
    const list = byFirst.get(rule.first);
    if (list) list.push(i);
    else byFirst.set(rule.first, [i]);
  });
  return (text) => {
    const seen = new Set<string>();
    const found: number[] = [];
    for (const ch of text) {
      if (seen.has(ch)) continue;
      seen.add(ch);
      const list = byFirst.get(ch);
      if (list) for (const i of list) found.push(i);
    }
    return found.sort((a, b) => a - b).map((i) => rules[i] as PhraseRule);
  };
}

/**
 * Whether a message, read as the matcher reads it (`norm`, with `covered` marking what its intent
 * phrases and fillers claimed), has characters of the customer's own: neither claimed nor inside one
 * of the `sameMatter` phrases (flows/schema-handoff.ts), which count wherever they occur, over claims
 * too (还是不行 has 是 and 不).
 */
export function ownWordsTest(sameMatter: readonly string[]): (norm: string, covered: Uint8Array) => boolean {
  const candidates = candidatesOf(sameMatter.map((p) => phraseRule('filler', p)));
  return (norm, covered) => {
    const aside = Uint8Array.from(covered);
    for (const rule of candidates(norm)) {
      const length = rule.phrase.length;
      for (let at = occurrence(rule, norm, 0); at >= 0; at = occurrence(rule, norm, at + length))
        aside.fill(1, at, at + length);
    }
    let i = 0;
    for (const ch of norm) {
      if (aside[i] === 0 && !PUNCT.test(ch)) return true;
      i += ch.length;
    }
    return false;
  };
}

/**
 * Whether a message opens with a request for a person before a break (人工，快递好几天没动了; 真人，…;
 * "agent, my parcel is stuck"), or ends with one after a break (退款，人工): a short human word in
 * that place is the request itself, where inside a sentence it takes a longer phrase (found by the
 * issue-17 trials). On normalised text.
 */
export function personOpening(phrases: readonly string[]): (norm: string) => boolean {
  const opening = phrases.map(normalize).filter((p) => p && [...p].length <= 12);
  if (!opening.length) return () => false;
  const escaped = opening.map(escapeRegExp).join('|');
  // …or ends it after a break (退款，人工; "my parcel is lost. human"; found by the verification trial).
  const re = new RegExp(`^(?:${escaped})\\s*[,，:：!！。.、]|[,，:：!！。.、]\\s*(?:${escaped})\\s*[!！。.]*$`, 'u');
  return (norm) => re.test(norm);
}

/** Joining words normalised, longest first (so 还有一个问题 is tried before 还有). */
const longestFirst = (connectors: readonly string[]): string[] =>
  connectors
    .map(normalize)
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);

/**
 * Splits a text before each joining word inside it (`restate.connectors`: how long does shipping take
 * also can i pay cash on delivery; 怎么付款另外能改地址吗), for messages typed without punctuation; a
 * Latin one only as a whole word after a space. The pieces keep the words.
 */
export function connectorSplitter(connectors: readonly string[]): (text: string) => string[] {
  const sorted = longestFirst(connectors);
  const latin = sorted.filter((c) => ASCII_WORD.test(c)).map(escapeRegExp);
  const other = sorted.filter((c) => !ASCII_WORD.test(c)).map(escapeRegExp);
  const alternatives = [
    ...(latin.length ? [`(?<=\\S)\\s+(?=(?:${latin.join('|')})(?![a-z0-9'-]))`] : []),
    ...(other.length ? [`(?<=[^\\s,，、;；])(?=${other.join('|')})`] : []),
  ];
  if (alternatives.length === 0) return (text) => [text];
  const re = new RegExp(alternatives.join('|'), 'iu');
  return (text) => text.split(re).filter((piece) => piece.trim());
}

/**
 * Drops the joining words a text opens with (`restate.connectors`: 另外, also), longest first, with
 * the break after them; a Latin one only as a whole word. For words that follow another part of the
 * message (有进展了吗？另外充电器也坏了 → 充电器也坏了), where they only join.
 */
export function connectorDropper(connectors: readonly string[]): (text: string) => string {
  const sorted = longestFirst(connectors);
  return (text) => {
    const lower = normalize(text);
    const hit = sorted.find(
      (c) => lower.startsWith(c) && !(ASCII_WORD.test(c) && /[a-z0-9'-]/.test(lower[c.length] ?? '')),
    );
    const rest =
      hit === undefined
        ? text
        : text
            .trimStart()
            .slice(hit.length)
            .replace(/^[\s,，、:：]+/u, '');
    return rest || text;
  };
}
