import { canonical, patternSource } from './guard.js';
import type { ComplaintKind, ComplaintKindId, FlowDefinition } from './schema.js';
import {
  escapeRegExp,
  hanSpacesAsBreaks,
  LATIN_END,
  LATIN_START,
  normalize,
  quoted,
  straightQuotes,
  toSimplified,
  trimSentence,
} from './text.js';

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

/**
 * Pulls order number, time and a description of what happened out of one message. For a Chinese
 * `locale` the message is read in simplified characters first, as the understanding reads it
 * (訂單20261120001的耳機壞了，我要投訴 → 订单号 20261120001, 情况 耳机坏了): the definition's patterns are
 * simplified, and the bot restates the facts in its own (simplified) voice.
 */
export function extractFacts(complaints: Complaints, text: string, locale = ''): ComplaintFacts {
  const facts: ComplaintFacts = {};
  let rest = (locale.startsWith('zh') ? toSimplified(text) : text).normalize('NFKC');
  // What is taken out leaves a mark, not a space, so the space rule below sees only the customer's own.
  const CUT = '\u0001';
  for (const pattern of complaints.facts.order.notOrder) rest = rest.replace(new RegExp(pattern, 'giu'), CUT);
  for (const pattern of complaints.facts.order.patterns) {
    const m = new RegExp(pattern, 'iu').exec(rest);
    if (m) {
      facts.order = (m[1] ?? m[0]).trim();
      // 订单20261120001的耳机坏了: the 的 that tied the number to the goods goes with it (not 的确).
      rest = rest.replace(new RegExp(`${escapeRegExp(m[0])}(?:的(?!确))?`, 'u'), CUT);
      break;
    }
  }
  for (const pattern of complaints.facts.when.patterns) {
    const m = new RegExp(pattern, 'iu').exec(rest);
    if (m) {
      // The first group, when the pattern has one, is the time itself ("on Nov 20" is "Nov 20").
      facts.when = (m[1] ?? m[0]).trim();
      rest = rest.replace(m[0], CUT);
      break;
    }
  }
  // A space the customer typed between Chinese characters is punctuation (我要投诉 东西坏了).
  rest = hanSpacesAsBreaks(rest).replaceAll(CUT, ' ');
  // What happened: the message clause by clause. Words that only carry the complaint or the anger
  // (and cursing, a rude question) are taken off a clause's start or end ("太差了，买的耳机…",
  // "…坏了太差了"); a clause they sit in the middle of ("我联系了好几次都没有人理我") is left out
  // rather than quoted half.
  const { charged, leadingTrigger, trailingTrigger, contextOnly: onlyContext } = compiled(complaints);
  const fillers = [...complaints.facts.what.ignore].sort((a, b) => b.length - a.length);
  const minLength = complaints.facts.what.minLength;
  const breaks = ['[!?！？。，,、;；:：~～\\n]+', ...complaints.facts.what.clauseBreaks]
    .map((b) => `(?:${b})`)
    .join('|');
  // Complaint words that also tell (`what.tell`: 问了三遍没人理) are venting beside other facts, and the
  // fact when nothing else is told (found by the sixteenth issue-17 session's trial: it was lost).
  const tell = new Set(complaints.facts.what.tell.map((w) => w.toLowerCase()));
  const told = (venting: readonly RegExp[]) => clausesOf(rest.split(new RegExp(breaks, 'iu')), venting);
  const clausesOf = (parts: string[], venting: readonly RegExp[]) =>
    parts
      .map((whole) => {
        const HOLE = '\u0000';
        // What follows complaint words that open the clause, or precedes those that close it, is what
        // the complaint is about (我要投诉耳机坏了, 耳机坏了我要投诉 → 耳机坏了): they read as a break.
        const clause = whole.replace(leadingTrigger, '').replace(trailingTrigger, '');
        // …and what is left beside them must say something (还要给差评: 还要; found by the sixteenth issue-17 session's trial).
        if (clause !== whole && [...clause.replace(/[\s\p{P}\p{S}]/gu, '')].length < minLength) return '';
        let c = clause;
        for (const re of venting) c = c.replace(re, HOLE);
        if (c !== clause) {
          c = c.replace(/^[\s\u0000]+|[\s\u0000]+$/gu, '');
          // What is left of a venting clause must say something on its own ("my emails" does not).
          if (c.includes(HOLE) || [...c.replace(/\s/g, '')].length < 2 * minLength) return '';
        }
        // "it arrived", "收到的": how the goods came, once the time is taken out; not what went wrong.
        if (onlyContext(c)) return '';
        for (const word of fillers) c = c.replace(new RegExp(escapeRegExp(word), 'giu'), ' ');
        // Words taken out of Chinese leave no gap; Latin words keep one space between them.
        return c
          .replace(/\s+/gu, ' ')
          .replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/gu, '')
          .trim();
      })
      .filter(Boolean);
  const whatOf = (venting: readonly RegExp[]) => trimSentence(told(venting).join(complaints.facts.detailSeparator));
  const saysEnough = (what: string) => [...what.replace(/\s/g, '')].length >= minLength;
  let what = whatOf(charged);
  if (!saysEnough(what) && tell.size) what = whatOf(charged.filter((re) => !tell.has(re.source.toLowerCase())));
  if (saysEnough(what)) facts.what = what.slice(0, 80);
  return facts;
}

/** Later messages fill in what is missing and add detail to what happened and when (刚才 …, then 昨天: both kept). */
export function mergeFacts(known: ComplaintFacts, more: ComplaintFacts, separator: string): ComplaintFacts {
  const joined = (a: string | undefined, b: string | undefined, max: number) =>
    a && b && !a.includes(b) ? `${a}${separator}${b}`.slice(0, max) : (a ?? b);
  return {
    order: known.order ?? more.order,
    when: joined(known.when, more.when, 60),
    what: joined(known.what, more.what, 160),
  };
}

/** The facts still to ask for: of those `needed` (all three unless the complaint's kind says fewer). */
export function missingFacts(facts: ComplaintFacts, needed: readonly FactKey[] = FACT_KEYS): FactKey[] {
  return needed.filter((k) => !facts[k]);
}

/**
 * "订单号 12345；时间：上周；具体情况：耳机坏了" in the definition's words; each fact as the customer
 * gave it, `quoted` so it cannot reorder the labels around it.
 */
export function describeFacts(complaints: Complaints, facts: ComplaintFacts): string {
  return FACT_KEYS.filter((k) => facts[k])
    .map((k) => `${complaints.facts[k].label}${complaints.facts.labelSeparator}${quoted(facts[k] ?? '')}`)
    .join(complaints.facts.separator);
}

/** "订单号、具体发生了什么" — what to ask for, in the definition's words. */
export function describeMissing(complaints: Complaints, missing: readonly FactKey[]): string {
  return missing.map((k) => complaints.facts[k].ask).join(complaints.facts.askSeparator);
}

/**
 * The category whose keywords the complaint mentions most; the default one otherwise. Read as the
 * understanding reads (traditional characters as simplified: 耳機壞了 is 耳机坏了).
 */
export function categorize(complaints: Complaints, text: string): Complaints['categories'][number] {
  const norm = foldCustomer(text);
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
  const w = escapeRegExp(word);
  return /^[a-z0-9' ]+$/i.test(word) ? new RegExp(`${LATIN_START}${w}${LATIN_END}`, flags) : new RegExp(w, flags);
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

/** `…` in a customer pattern: a gap of up to 8 characters (customers put words in between). */
const CUSTOMER_GAP = '.{0,8}';

/** Customer text as patterns read it: simplified characters, full width folded, lower case, single spaces. */
function foldCustomer(text: string): string {
  return normalize(toSimplified(text));
}

/**
 * A phrase of a definition as a test on folded customer text, in the guard's pattern syntax
 * (flows/guard.ts: `[…]` optional words, `(a|b)` alternatives, `…` a gap of up to 8 characters).
 * A Latin word at either end matches whole words only ("rep" is not in "reply"). Undefined when
 * the pattern is not valid, or would match an empty message.
 */
export function customerPattern(phrase: string): RegExp | undefined {
  // Pieces keep their spaces ("(the|your) agent"), so they are folded without trimming.
  const piece = (p: string) =>
    escapeRegExp(straightQuotes(toSimplified(p).normalize('NFKC').toLowerCase()).replace(/\s+/g, ' '));
  const source = patternSource(phrase.trim(), piece, CUSTOMER_GAP);
  const plain = foldCustomer(canonical(phrase));
  const before = /^[a-z0-9]/.test(plain) ? LATIN_START : '';
  const after = /[a-z0-9]$/.test(plain) ? LATIN_END : '';
  let re: RegExp;
  try {
    re = new RegExp(`${before}(?:${source})${after}`, 'u');
  } catch {
    return undefined;
  }
  // A pattern of nothing but optional parts (`[离谱]`) matches every message: not a phrase.
  return re.test('') ? undefined : re;
}

/**
 * Any of the phrases (plain or patterns, see `customerPattern`), as one test on folded customer
 * text (NFKC, lower case, simplified). One alternation, one scan per message; not global, so no
 * lastIndex carries from one message to the next.
 */
export function matchesAny(phrases: readonly string[]): (folded: string) => boolean {
  const sources = phrases.flatMap((p) => customerPattern(p)?.source ?? []);
  if (sources.length === 0) return () => false;
  const re = new RegExp(sources.map((s) => `(?:${s})`).join('|'), 'u');
  return (folded) => re.test(folded);
}

/** `matchesAny(phrases)` unless one of `unless` is said too (叫你们主管来, but not 不用叫主管了). */
export function matchesAnyUnless(phrases: readonly string[], unless: readonly string[]): (folded: string) => boolean {
  const says = matchesAny(phrases);
  const denies = matchesAny(unless);
  return (folded) => says(folded) && !denies(folded);
}

const PHRASE_TESTS = new WeakMap<readonly string[], (folded: string) => boolean>();

/** Whether a customer's text says one of a definition's phrases (see `customerPattern`); compiled once per list. */
export function saysAnyOf(phrases: readonly string[], text: string): boolean {
  let test = PHRASE_TESTS.get(phrases);
  if (!test) PHRASE_TESTS.set(phrases, (test = matchesAny(phrases)));
  return test(foldCustomer(text));
}

interface CompiledKinds {
  kinds: Array<{ kind: ComplaintKind; about: (folded: string) => boolean; words: (folded: string) => boolean }>;
  nothingToAdd: (folded: string) => boolean;
  /** What only vents, for the facts: complaint, anger and supervisor words (longest first), then cursing and rude questions. */
  charged: RegExp[];
  /** Complaint words (plain ones, longest first) opening a clause. */
  leadingTrigger: RegExp;
  /** The same closing a clause (耳机坏了我要投诉). */
  trailingTrigger: RegExp;
  /** A clause of nothing but `facts.what.context` words ("it arrived", "收到的"). */
  contextOnly: (clause: string) => boolean;
}

/** Kinds whose words are anger, not facts: they start the complaint as anger and are left out of what happened. */
export const VENTING_KINDS: readonly ComplaintKindId[] = ['cursing', 'rude-question'];

/** Compiled once per definition (definitions are immutable once loaded). */
const COMPILED = new WeakMap<Complaints, CompiledKinds>();

function compiled(complaints: Complaints): CompiledKinds {
  let c = COMPILED.get(complaints);
  if (!c) {
    c = {
      kinds: complaints.kinds.map((kind) => ({
        kind,
        about: kind.about.length ? matchesAny(kind.about) : () => true,
        words: matchesAny(kind.words),
      })),
      nothingToAdd: matchesAny(complaints.nothingToAdd),
      contextOnly: contextOnly(complaints.facts.what.context),
      leadingTrigger: new RegExp(
        `^\\s*(?:${[...complaints.triggers]
          .sort((a, b) => b.length - a.length)
          .map((t) => `${escapeRegExp(t)}${/[a-z]$/i.test(t) ? '(?![a-z])' : ''}`)
          .join('|')})\\s*`,
        'iu',
      ),
      trailingTrigger: new RegExp(
        `\\s*(?:${[...complaints.triggers]
          .sort((a, b) => b.length - a.length)
          .map((t) => `${/^[a-z]/i.test(t) ? '(?<![a-z])' : ''}${escapeRegExp(t)}`)
          .join('|')})\\s*$`,
        'iu',
      ),
      charged: [
        // Plain words only: a phrase in the pattern syntax ("垃圾(公司|店)", "(服务|态度)…差") starts a
        // complaint but stays in what happened, since taking it out of a clause drops the clause
        // and its facts with it (这个垃圾店铺卖的耳机用两天就坏了; found by the third issue-17 trial).
        ...[...complaints.triggers, ...complaints.anger, ...complaints.supervisor]
          .sort((a, b) => b.length - a.length)
          .map((word) => new RegExp(escapeRegExp(word), 'giu')),
        ...complaints.kinds
          .filter((k) => VENTING_KINDS.includes(k.id))
          .flatMap((k) => k.words.flatMap((w) => customerPattern(w) ?? []))
          .map((re) => new RegExp(re.source, 'giu')),
      ],
    };
    COMPILED.set(complaints, c);
  }
  return c;
}

/**
 * Which of 003's situations a complaint is (an agent's attitude or mistake, cursing, a rude
 * question about the company), from the customer's words: the first kind listed whose `words`
 * occur, together with one of its `about` when it lists them. Undefined: a general complaint.
 */
export function complaintKind(complaints: Complaints, text: string): ComplaintKind | undefined {
  return kindOfFolded(complaints, foldCustomer(text));
}

/** `complaintKind` on text already folded (simplified, `normalize`d), as the matcher has it. */
export function kindOfFolded(complaints: Complaints, folded: string): ComplaintKind | undefined {
  return compiled(complaints).kinds.find((k) => k.words(folded) && k.about(folded))?.kind;
}

/** The complaint's kind and the category it is filed in: the kind's own category, else by keywords. */
export function classify(complaints: Complaints, text: string): { kind: ComplaintKind | undefined; category: string } {
  const kind = complaintKind(complaints, text);
  return { kind, category: kind?.category ?? categorize(complaints, text).id };
}

/** 有无补充: the customer says there is nothing to add (没有要补充的了, nothing to add). */
export function saysNothingToAdd(complaints: Complaints, text: string): boolean {
  return compiled(complaints).nothingToAdd(foldCustomer(text));
}
