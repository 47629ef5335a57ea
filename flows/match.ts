import { kindOfFolded, VENTING_KINDS } from './facts.js';
import { INTENT_IDS, type ComplaintKindId, type FlowDefinition, type IntentId } from './schema.js';
import { normalize, toSimplified } from './text.js';

/** What the bot understood of one customer message, computed once per message. */
export interface Understanding {
  /** Share of the message's meaningful characters covered by each intent's phrases. */
  intents: Partial<Record<IntentId, number>>;
  /** Set when the message is (almost) nothing but intent phrases: the dominant one. */
  whole: IntentId | undefined;
  /** Best knowledge-base entry and its confidence (0–1); `confident` applies the threshold. */
  faq: { id: string; score: number; confident: boolean } | undefined;
  /** A satisfaction rating, when the message is one (a digit 1–5, "五星", "4分"). */
  rating: number | undefined;
  /** Complaint signals: a complaint word or anger starts the complaint flow; a supervisor request escalates it. */
  complaint: {
    triggered: boolean;
    angry: boolean;
    exclaimed: boolean;
    supervisor: boolean;
    /** Which of 003's complaint situations the message is (complaints.kinds); undefined: none or a general one. */
    kind: ComplaintKindId | undefined;
  };
  /** A request beyond policy this message makes (a policy id), answered with the sandwich. */
  policy: string | undefined;
  /** The customer asks for a person: the whole message says so, or a specific phrase (转人工, real person) appears. */
  wantsPerson: boolean;
  /** Nothing to go on: only punctuation, symbols, emoji or fillers ("?", "👍", "呃"). */
  empty: boolean;
}

export interface Matcher {
  understand(text: string): Understanding;
  /** Ranked knowledge-base entries, best first, for diagnostics and admin tools. */
  rankFaq(text: string): Array<{ id: string; score: number }>;
}

const PUNCT = /[\p{P}\p{S}\s]/u;
const ASCII_WORD = /^[a-z0-9' ]+$/;

interface PhraseRule {
  intent: IntentId | 'filler';
  phrase: string;
  pattern: RegExp;
  /** A phrase cannot occur in a message that lacks its first character: a cheap prefilter. */
  first: string;
}

function phraseRule(intent: PhraseRule['intent'], raw: string): PhraseRule {
  const phrase = normalize(raw);
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Latin phrases match whole words only ("no" is not in "know"); CJK has no word breaks.
  const source = ASCII_WORD.test(phrase) ? `(?<![a-z0-9'])${escaped}(?![a-z0-9'])` : escaped;
  return { intent, phrase, pattern: new RegExp(source, 'gu'), first: [...phrase][0] ?? '' };
}

/**
 * The knowledge-base index: each phrasing and keyword of an entry is a document of features
 * (words and CJK bigrams), weighted by squared IDF; a query is scored by cosine against the
 * documents it shares a feature with, and each entry keeps its best document's score.
 */
function compileFaqIndex(
  def: FlowDefinition,
  features: (text: string) => Set<string>,
): (text: string) => Array<{ id: string; score: number }> {
  const docs: Array<{ id: string; feats: Set<string> }> = [];
  const entryFeats = new Map<string, Set<string>>();
  for (const entry of def.faq) {
    const all = new Set<string>();
    // Each phrasing and each keyword is its own document: a short query that hits one keyword
    // is not diluted by the entry's other vocabulary.
    for (const phrase of [...entry.questions, ...entry.keywords]) {
      const feats = features(phrase);
      if (feats.size === 0) continue;
      docs.push({ id: entry.id, feats });
      for (const f of feats) all.add(f);
    }
    entryFeats.set(entry.id, all);
  }
  const df = new Map<string, number>();
  for (const feats of entryFeats.values()) for (const f of feats) df.set(f, (df.get(f) ?? 0) + 1);
  const n = entryFeats.size;
  // Squared IDF weights, computed once; a feature no entry has only lengthens the query.
  const unseenWeight = Math.log(1 + 2) ** 2;
  const weights = new Map<string, number>();
  for (const [f, count] of df) weights.set(f, Math.log(1 + n / count) ** 2);
  const weight = (f: string): number => weights.get(f) ?? unseenWeight;
  const docNorms = docs.map((d) => Math.sqrt([...d.feats].reduce((s, f) => s + weight(f), 0)));
  // Feature → the documents that have it, so a query only visits the documents it shares words with.
  const postings = new Map<string, number[]>();
  docs.forEach((d, i) => {
    for (const f of d.feats) postings.set(f, [...(postings.get(f) ?? []), i]);
  });

  function rankFaq(text: string): Array<{ id: string; score: number }> {
    const q = features(text);
    if (q.size === 0) return [];
    let qSum = 0;
    const dots = new Map<number, number>();
    for (const f of q) {
      const w = weight(f);
      qSum += w;
      for (const i of postings.get(f) ?? []) dots.set(i, (dots.get(i) ?? 0) + w);
    }
    const qNorm = Math.sqrt(qSum);
    const best = new Map<string, number>();
    for (const [i, dot] of dots) {
      const d = docs[i];
      if (!d) continue;
      const score = dot / (qNorm * (docNorms[i] ?? 1));
      if (score > (best.get(d.id) ?? 0)) best.set(d.id, score);
    }
    return [...best.entries()].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
  }
  return rankFaq;
}

/** Builds the matcher for one definition: phrase tables and the knowledge-base index. */
export function compileMatcher(def: FlowDefinition): Matcher {
  const rules: PhraseRule[] = [];
  for (const intent of INTENT_IDS) for (const p of def.intents[intent]) rules.push(phraseRule(intent, p));
  // Longest first, so "不是" claims its characters before "是" can.
  rules.sort((a, b) => b.phrase.length - a.phrase.length);
  const fillerRules = def.fillers.map((f) => phraseRule('filler', f)).sort((a, b) => b.phrase.length - a.phrase.length);
  const fillers = new Set(def.fillers.map(normalize));

  const containsAny = (list: readonly string[]) => {
    if (list.length === 0) return () => false;
    // One alternation, one scan per message. Not global: `test` on a global RegExp would carry
    // lastIndex from one message to the next.
    const any = new RegExp(list.map((p) => `(?:${phraseRule('filler', p).pattern.source})`).join('|'), 'u');
    return (norm: string) => any.test(norm);
  };
  const isTrigger = containsAny(def.complaints.triggers);
  const isAnger = containsAny(def.complaints.anger);
  const isSupervisor = containsAny(def.complaints.supervisor);
  const exclamations = new RegExp(`!{${def.complaints.exclamations},}`, 'u');
  const policies = def.policies.map((p) => ({ id: p.id, matches: containsAny(p.triggers) }));
  // Short phrases (人工) only count as the whole message: 人工智能 is not a request for a person.
  const asksForPerson = containsAny(def.intents.human.filter((p) => [...normalize(p)].length >= 3));

  const features = featureExtractor(def.locale, fillers);
  const rankFaq = compileFaqIndex(def, features);

  function understand(text: string): Understanding {
    const norm = normalize(text);
    const covered = new Array<boolean>(norm.length).fill(false);
    const counts: Partial<Record<IntentId, number>> = {};
    const present = new Set(norm);
    const claim = (rule: PhraseRule): number => {
      if (!present.has(rule.first)) return 0;
      let got = 0;
      for (const m of norm.matchAll(rule.pattern)) {
        const start = m.index;
        const end = start + m[0].length;
        if (covered.slice(start, end).some(Boolean)) continue;
        for (let i = start; i < end; i++) covered[i] = true;
        got += [...m[0]].filter((ch) => !PUNCT.test(ch)).length;
      }
      return got;
    };
    for (const rule of rules) {
      const got = claim(rule);
      if (got > 0 && rule.intent !== 'filler') counts[rule.intent] = (counts[rule.intent] ?? 0) + got;
    }
    // Fillers do not count towards the message's length: "好的呀" is still just "yes". Characters
    // already claimed by an intent phrase stay; fillers claim what is left.
    let fillerChars = 0;
    for (const rule of fillerRules) fillerChars += claim(rule);
    const meaningful = [...norm].filter((ch) => !PUNCT.test(ch)).length - fillerChars;
    const intents: Partial<Record<IntentId, number>> = {};
    let total = 0;
    let whole: IntentId | undefined;
    let top = 0;
    for (const [id, c] of Object.entries(counts) as Array<[IntentId, number]>) {
      const share = meaningful > 0 ? Math.min(1, c / meaningful) : 0;
      intents[id] = share;
      total += share;
      if (share > top) {
        top = share;
        whole = id;
      }
    }
    if (total < def.thresholds.intentCoverage) whole = undefined;
    // A message that is nothing but "yes", "thanks" or "还有一个问题" is not a question for the
    // knowledge base, so it is not ranked at all.
    const first = whole === undefined ? rankFaq(text)[0] : undefined;
    const faq =
      first && first.score > 0 ? { ...first, confident: first.score >= def.thresholds.faqMinScore } : undefined;
    // Exclamation marks intensify ("太好了!!" is not a complaint); on their own they only tell
    // whether someone already complaining is still upset.
    // A kind of complaint (an agent's fault, cursing, a rude question) starts the complaint flow too;
    // cursing and rude questions are anger.
    const kind = kindOfFolded(def.complaints, norm)?.id;
    const angry = isAnger(norm) || (kind !== undefined && VENTING_KINDS.includes(kind));
    const supervisor = isSupervisor(norm);
    return {
      intents,
      whole,
      faq,
      rating: parseRating(norm),
      complaint: {
        triggered: angry || supervisor || kind !== undefined || isTrigger(norm),
        angry,
        exclaimed: exclamations.test(norm),
        supervisor,
        kind,
      },
      policy: policies.find((p) => p.matches(norm))?.id,
      wantsPerson: whole === 'human' || asksForPerson(norm),
      empty: meaningful <= 0,
    };
  }

  // Customers of a Chinese definition may write traditional characters: matched as simplified.
  if (!def.locale.startsWith('zh')) return { understand, rankFaq };
  return { understand: (text) => understand(toSimplified(text)), rankFaq: (text) => rankFaq(toSimplified(text)) };
}

const ZH_NUMERALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };

/** A rating is a lone digit 1–5 ("5", "５分", "4 stars", "打5分") or a Chinese numeral with 分/星. */
export function parseRating(norm: string): number | undefined {
  const digits = norm.match(/\d+/g);
  if (digits && digits.length === 1) {
    const d = Number(digits[0]);
    if (
      d >= 1 &&
      d <= 5 &&
      norm.replace(/\d+/, '').replace(/[\p{P}\p{S}\s]|分|星|颗星|stars?|points?|打|给|out of|\/|五|5/gu, '').length <= 2
    )
      return d;
  }
  const zh = norm.match(/([一二两三四五])\s*(?:颗)?(?:分|星)/u);
  if (zh?.[1]) return ZH_NUMERALS[zh[1]];
  return undefined;
}

const SEGMENTERS = new Map<string, Intl.Segmenter>();

function featureExtractor(locale: string, stop: Set<string>): (text: string) => Set<string> {
  const lang = locale.split('-')[0] ?? locale;
  const segmenter = SEGMENTERS.get(lang) ?? new Intl.Segmenter(lang, { granularity: 'word' });
  SEGMENTERS.set(lang, segmenter);
  return (text: string) => {
    const norm = normalize(text);
    const out = new Set<string>();
    for (const s of segmenter.segment(norm)) {
      if (!s.isWordLike) continue;
      const w = stem(s.segment);
      if (stop.has(s.segment) || stop.has(w)) continue;
      out.add(`w:${w}`);
    }
    // Chinese has no spaces and the segmenter splits 发货 into 发|货: character pairs catch
    // compound words the segmenter does not know.
    for (const run of norm.match(/[\u3400-\u9fff]+/gu) ?? []) {
      const chars = [...run];
      for (let i = 0; i + 1 < chars.length; i++) out.add(`b:${chars[i]}${chars[i + 1]}`);
    }
    return out;
  };
}

/** A light English stemmer: enough that "shipped", "ships" and "shipping" meet at "ship". */
function stem(word: string): string {
  if (!/^[a-z]+$/.test(word) || word.length <= 3) return word;
  let w = word;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (w.endsWith('ing') && w.length > 5) w = w.slice(0, -3);
  else if (w.endsWith('ed') && w.length > 4) w = w.slice(0, -2);
  else if (w.endsWith('es') && w.length > 4 && /(?:ss|x|ch|sh)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss')) w = w.slice(0, -1);
  if (/([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  return w;
}
