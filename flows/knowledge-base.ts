import { matchesAny } from './facts.js';
import type { Understanding } from './match.js';
import { phraseRule } from './phrases.js';
import type { FlowDefinition } from './schema.js';
import { normalize, stem } from './text.js';

/**
 * The knowledge base as the matcher (match.ts) reads it: an index of the entries' phrasings and
 * the out-of-scope questions, features of words and CJK bigrams after synonyms.
 */

/** The pseudo-entry of the out-of-scope questions: never a topic, only a close competitor. */
const OUT_OF_SCOPE = '#out-of-scope';

/**
 * The knowledge-base index: each phrasing and keyword of an entry, and each out-of-scope question,
 * is a document of features (words and CJK bigrams), weighted by squared IDF; a query is scored by
 * cosine against the documents it shares a feature with, and each entry keeps its best document's
 * score. Ranked best first; the out-of-scope questions rank as `OUT_OF_SCOPE`.
 */
function compileFaqIndex(
  def: FlowDefinition,
  features: (text: string) => Set<string>,
): (text: string) => Array<{ id: string; score: number }> {
  const docs: Array<{ id: string; feats: Set<string> }> = [];
  const entryFeats = new Map<string, Set<string>>();
  const sources: Array<{ id: string; phrases: readonly string[] }> = [
    ...def.faq.map((entry) => ({ id: entry.id, phrases: entry.questions })),
    { id: OUT_OF_SCOPE, phrases: def.outOfScope },
  ];
  for (const { id, phrases } of sources) {
    const all = entryFeats.get(id) ?? new Set<string>();
    // Each phrasing and each keyword is its own document: a short query that hits one keyword
    // is not diluted by the entry's other vocabulary.
    for (const phrase of phrases) {
      const feats = features(phrase);
      if (feats.size === 0) continue;
      docs.push({ id, feats });
      for (const f of feats) all.add(f);
    }
    entryFeats.set(id, all);
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

  return (text: string) => {
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
  };
}

/**
 * The knowledge-base entry a message is about, or undefined: the best entry when it scores at
 * least `faqMinScore` and leads the runner-up (another entry or an out-of-scope question) by
 * `faqMargin`. `score` is the best entry's cosine (0–1).
 */
function pickEntry(
  ranked: ReadonlyArray<{ id: string; score: number }>,
  thresholds: { faqMinScore: number; faqMargin: number },
): Understanding['faq'] {
  const first = ranked[0];
  if (!first || first.score <= 0 || first.id === OUT_OF_SCOPE) return undefined;
  const runnerUp = ranked[1]?.score ?? 0;
  const confident = first.score >= thresholds.faqMinScore && first.score - runnerUp >= thresholds.faqMargin;
  return { id: first.id, score: first.score, confident };
}

/**
 * The knowledge base as the matcher reads it: messages ranked against the entries' phrasings and
 * the out-of-scope questions (after synonyms), and the entry a message is about, which must also
 * be named by one of its keywords.
 */
export function compileKnowledgeBase(def: FlowDefinition, fillers: Set<string>) {
  const fold = synonymFolder(def.synonyms);
  const features = featureExtractor(def.locale, fillers, fold);
  // An entry is a topic only when the message names it: one of its keywords (after synonyms).
  const named = new Map(
    def.faq.map((entry) => {
      const names = entry.keywords.length ? matchesAny(entry.keywords.map((k) => fold(normalize(k)))) : () => true;
      return [entry.id, (text: string) => names(fold(normalize(text)))] as const;
    }),
  );
  const rankAll = compileFaqIndex(def, features);
  return {
    rankFaq: (text: string) => rankAll(text).filter((r) => r.id !== OUT_OF_SCOPE),
    entryFor: (text: string): Understanding['faq'] => {
      const ranked = pickEntry(rankAll(text), def.thresholds);
      return ranked?.confident && !named.get(ranked.id)?.(text) ? { ...ranked, confident: false } : ranked;
    },
  };
}

const SEGMENTERS = new Map<string, Intl.Segmenter>();

/**
 * Reads each synonym as its group's first word ([付款, 支付, 付钱]: 支付 → 付款), longest first, on
 * normalised text. Latin words are replaced whole only.
 */
function synonymFolder(groups: readonly (readonly string[])[]): (norm: string) => string {
  const to = new Map<string, string>();
  for (const [canonical, ...variants] of groups) {
    if (canonical === undefined) continue;
    for (const v of variants) to.set(normalize(v), normalize(canonical));
  }
  if (to.size === 0) return (norm) => norm;
  const sources = [...to.keys()].sort((a, b) => b.length - a.length).map((v) => phraseRule('filler', v).pattern.source);
  const any = new RegExp(sources.join('|'), 'gu');
  return (norm) => norm.replace(any, (m) => to.get(m) ?? m);
}

function featureExtractor(
  locale: string,
  stop: Set<string>,
  fold: (norm: string) => string,
): (text: string) => Set<string> {
  const lang = locale.split('-')[0] ?? locale;
  const segmenter = SEGMENTERS.get(lang) ?? new Intl.Segmenter(lang, { granularity: 'word' });
  SEGMENTERS.set(lang, segmenter);
  return (text: string) => {
    const norm = fold(normalize(text));
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
