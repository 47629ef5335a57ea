import type { FlowDefinition } from './schema.js';
import { normalize } from './text.js';

/**
 * A satisfaction score in what a customer writes: digits and Chinese numerals ("5", "４分", "打5分",
 * "五星", "3 stars"), or words that are wholly a score: a score button's label without its digit
 * (不满意, "very satisfied") or one of the definition's `ratingWords` (差评, "so-so"). Whole only: "我对
 * 你们的服务不满意，我要投诉" is no score. Pure; the matcher computes it for every message, and the
 * conversation reads it at the survey.
 */

/** The survey's score buttons (flows/schema.ts `choices`), score 1 first. */
export const SCORE_CHOICES = ['score1', 'score2', 'score3', 'score4', 'score5'] as const;
export type ScoreChoice = (typeof SCORE_CHOICES)[number];

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

/** The longest survey comment kept on a ticket, in characters (a longer one is cut). */
export const MAX_COMMENT_CHARS = 2_000;

/**
 * A score given with what the customer thinks of it, in one message: "1分，太慢了", "5星好评",
 * "2 stars: the courier was late", "4, quick and helpful". The score leads: a digit 1–5 (or a
 * Chinese numeral with 分/星), then its unit (分 but not 分钟, 星, stars, points, "/5") or a
 * break (punctuation), then the comment as written. A digit followed only by a space is no score
 * ("2 个都坏了"), nor one that numbers a list ("1. 怎么退货", "2、发票").
 * Undefined when there is no comment (a bare score is parseRating's) or no leading score.
 */
export function leadingRating(text: string): { score: number; comment: string } | undefined {
  // On the text as written (full-width digits and punctuation in the pattern), so the comment keeps
  // the customer's own punctuation (NFKC would turn ， into ,).
  const m = LEADING_RATING.exec(text.trim());
  if (!m?.groups) return undefined;
  const { digit, numeral, unit, outOf, brk, comment } = m.groups;
  if (!unit && !outOf && !brk) return undefined;
  if (numeral && !unit) return undefined;
  // "1. 怎么退货", "2、发票": a numbered list, not a score (4.5分 is no whole score either).
  if (!unit && !outOf && /^\s*[.．、]/u.test(brk ?? '')) return undefined;
  const rest = (comment ?? '').trim();
  // The comment must say something: punctuation and symbols alone are no comment.
  if (rest.replace(/[\p{P}\p{S}\s]/gu, '').length < 2) return undefined;
  const score = digit ? Number(digit.normalize('NFKC')) : ZH_NUMERALS[numeral ?? ''];
  return score === undefined ? undefined : { score, comment: rest };
}

const LEADING_RATING =
  /^(?:我?(?:打|给)(?:你们)?\s*)?(?:(?<digit>[1-5１-５])(?![\d０-９])|(?<numeral>[一二两三四五]))\s*(?<unit>颗?(?:分(?![钟之])|星)|stars?\b|points?\b)?(?<outOf>\s*(?:[/／]|out of)\s*[5５])?(?<brk>\s*[,，.。．!！;；:：、~～\-—–－]+)?\s*(?<comment>.*)$/isu;

/** Words compared without case, width, white space, punctuation or symbols (不满意！ is 不满意). */
export function ratingKey(text: string): string {
  return normalize(text).replace(/[\p{P}\p{S}\s]/gu, '');
}

/** A score button's words: its label without the leading digit ("2 不满意" → 不满意). */
export function labelWords(label: string): string {
  return normalize(label).replace(/^\d+\s*/, '');
}

/**
 * The scores a definition understands in words, by `ratingKey`: the score buttons' labels (without
 * their digit), then `ratingWords`.
 */
export function ratingWordsOf(def: Pick<FlowDefinition, 'choices' | 'ratingWords'>): Map<string, number> {
  const words = new Map<string, number>();
  SCORE_CHOICES.forEach((id, i) => {
    const key = ratingKey(labelWords(def.choices[id]));
    if (key) words.set(key, i + 1);
  });
  SCORE_CHOICES.forEach((id, i) => {
    for (const w of def.ratingWords[id] ?? []) {
      const key = ratingKey(w);
      if (key && !words.has(key)) words.set(key, i + 1);
    }
  });
  return words;
}

/**
 * The rating reader of a definition, on normalised text. Words count when they are the whole
 * message, as written or without the definition's fillers ("我很满意", "I was very satisfied").
 */
export function compileRating(def: FlowDefinition): (norm: string) => number | undefined {
  const words = ratingWordsOf(def);
  const fillers = def.fillers
    .map(normalize)
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((f) => {
      const escaped = f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      // Latin fillers are whole words ("i" is not in "dissatisfied"); CJK has no word breaks.
      return /^[a-z0-9' ]+$/.test(f) ? `(?<![a-z0-9'])${escaped}(?![a-z0-9'])` : escaped;
    });
  const filler = fillers.length ? new RegExp(fillers.join('|'), 'gu') : undefined;
  return (norm) => {
    const digits = parseRating(norm);
    if (digits !== undefined) return digits;
    return words.get(ratingKey(norm)) ?? (filler ? words.get(ratingKey(norm.replace(filler, ' '))) : undefined);
  };
}
