import type { FlowDefinition } from './schema.js';
import { escapeRegExp, LATIN_END, LATIN_START, normalize } from './text.js';

/**
 * A satisfaction score in what a customer writes: digits and Chinese numerals ("5", "４分", "打5分",
 * "五星", "3 stars"), English number words with a unit or out of five ("one star", "4 out of 5",
 * "4/5"), after words that give it ("I'd give you a 4", "I give it 1 star"), or words that are
 * wholly a score: a score button's label without its digit (不满意, "very satisfied") or one of the
 * definition's `ratingWords` (差评, "so-so"). Whole only: "我对你们的服务不满意，我要投诉" is no score,
 * nor a number about something else ("I ordered 2 items", "等了五分钟"). A score between two whole
 * ones (4.5分, "3.5 stars", 四点五分, 四星半) is read as the number it is: the survey's scores are whole
 * (its buttons), so the conversation asks again rather than round. Pure; the matcher computes it for
 * every message, and the conversation reads it at the survey. English forms found by the new-user
 * trials (they were answered with the survey's retry, or "one star" restated as a need).
 */

/** The survey's score buttons (flows/schema.ts `choices`), score 1 first. */
export const SCORE_CHOICES = ['score1', 'score2', 'score3', 'score4', 'score5'] as const;
export type ScoreChoice = (typeof SCORE_CHOICES)[number];

const ZH_NUMERALS: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5 };
/**
 * English number words, read as the Chinese numerals are: with a unit or out of five, or after
 * words giving them. Here beside the numerals, units and 打/给, not in a definition: they are the
 * score's grammar, which every locale reads ("3 stars" in a Chinese chat); a definition's
 * `ratingWords` are answers that are wholly a score.
 */
const EN_NUMERALS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5 };

/**
 * Words that give the score just before it: 打/给 (我打5分, 给你们五星), and in English a subject, a
 * verb and what is rated ("I'd give you a 4", "I give it 1 star", "we rate it 3", "my rating: 4").
 */
const LEAD = [
  String.raw`我?(?:打|给)(?:你们)?\s*`,
  String.raw`(?<![a-z'’])(?:(?:(?:i|we)(?:['’]d|['’]ll|\s+would|\s+will)?\s+)?(?:give|rate|score)\s+` +
    String.raw`(?:(?:it|u|you(?:\s+guys)?|this|that|(?:the|your|this)\s+(?:service|chat|help))\s+)?` +
    String.raw`|(?:my\s+)?(?:rating|score)\s*(?:is\s+|:\s*))(?:an?\s+)?`,
].join('|');

/** The number: digits (one decimal at most: 4.5), a Chinese numeral, an English number word. */
const NUMBER = [
  String.raw`(?<![0-9０-９.．])(?<digits>[0-9０-９]+(?:[.．][0-9０-９])?)(?![0-9０-９]|[.．][0-9０-９])`,
  String.raw`(?<numeral>[一二两三四五])`,
  String.raw`(?<![a-z])(?<word>one|two|three|four|five)(?![a-z])`,
].join('|');

/**
 * A score as it starts (groups: lead, digits, numeral, word, half, unit, outOf): the number, a
 * half ("and a half", 点五 before 分/星), a unit (分 but not 分钟, 星 but not 星期, stars, points;
 * 分半/星半 a half: 4分半), out of five ("/5", "out of 5").
 */
const SCORE = [
  String.raw`(?<lead>${LEAD})?(?:${NUMBER})`,
  String.raw`(?<half>\s*and\s+a\s+half\b|点[五5５](?=\s*颗?[分星]))?`,
  String.raw`\s*(?<unit>颗?(?:分半(?![钟之])|星半|分(?![钟之半])|星(?!期))|stars?\b|points?\b)?`,
  String.raw`(?<outOf>\s*(?:[/／]|out\s+of)\s*(?:[5５]|five)(?![0-9０-９a-z])(?:\s*stars?\b)?)?`,
  String.raw`(?:\s+from\s+(?:me|us)\b)?`,
].join('');

const SCORE_IN = new RegExp(SCORE, 'iu');
type ScoreGroups = Partial<Record<'lead' | 'digits' | 'numeral' | 'word' | 'half' | 'unit' | 'outOf', string>>;

/** The number a score's groups say, 1–5 (4.5 for a half), or undefined when out of the scale. */
function valueOf(g: ScoreGroups): number | undefined {
  const whole = g.digits
    ? Number(g.digits.normalize('NFKC'))
    : g.numeral
      ? ZH_NUMERALS[g.numeral]
      : EN_NUMERALS[(g.word ?? '').toLowerCase()];
  if (whole === undefined) return undefined;
  const value = whole + (g.half || g.unit?.endsWith('半') ? 0.5 : 0);
  return value >= 1 && value <= 5 ? value : undefined;
}

/**
 * The score a message wholly is, on normalised text: 1–5, or between them (4.5). Two characters
 * besides the score are allowed (a particle, "a 4", "5分吧"), or four before a score with its unit
 * that ends the message but for a particle (当然是五星, 肯定五星啊), and no other number; a Chinese
 * numeral needs its unit (五星), an English word its unit, out of five or the words giving it,
 * unless it is the whole message ("five").
 */
export function parseRating(norm: string): number | undefined {
  const m = SCORE_IN.exec(norm);
  if (!m?.groups) return undefined;
  const g: ScoreGroups = m.groups;
  const meaningful = (s: string) => s.replace(/[\p{P}\p{S}\s]/gu, '');
  const before = meaningful(norm.slice(0, m.index));
  const after = meaningful(norm.slice(m.index + m[0].length));
  const left = before + after;
  const endsWithUnit = g.unit !== undefined && [...after].length <= 1 && [...before].length <= 4;
  if (([...left].length > 2 && !endsWithUnit) || /\p{Nd}/u.test(left)) return undefined;
  if (g.numeral && !g.unit) return undefined;
  // A question is no score (有三星吗, 是5星吗), nor 三星 wanted, had or bought: the brand (我要三星,
  // 我想买三星; found by the verification trial: the customer's words went unanswered).
  if (/[吗呢]/u.test(left) || /[?？]/u.test(norm)) return undefined;
  if (g.numeral && g.unit?.endsWith('星') && /[要买有卖换款台部]/u.test(before)) return undefined;
  if (g.word && !g.unit && !g.outOf && !g.lead && left) return undefined;
  return valueOf(g);
}

/** The longest survey comment kept on a ticket, in characters (a longer one is cut). */
export const MAX_COMMENT_CHARS = 2_000;

/**
 * A score given with what the customer thinks of it, in one message: "1分，太慢了", "5星好评",
 * "2 stars: the courier was late", "one star, way too slow", "4/5 - quick", "4, quick and helpful".
 * The score leads (as `parseRating` reads it, words giving it included): then its unit (分 but not
 * 分钟, 星, stars, points), out of five, or a break (punctuation), then the comment as written. A
 * digit followed only by a space is no score ("2 个都坏了", "5 days late"), nor one that numbers a
 * list ("1. 怎么退货", "2、发票"), nor a number word without a unit ("one of them broke"). `score` may
 * be between whole ones (4.5分，还行: 4.5) when a unit or out of five says it is a score; 点 halves
 * only as a whole message (3点5分 is also a time).
 * Undefined when there is no comment (a bare score is parseRating's) or no leading score.
 */
export function leadingRating(text: string): { score: number; comment: string } | undefined {
  // On the text as written (full-width digits and punctuation in the pattern), so the comment keeps
  // the customer's own punctuation (NFKC would turn ， into ,).
  const m = LEADING_RATING.exec(text.trim());
  if (!m?.groups) return undefined;
  const { lead, numeral, word, half, unit, outOf, brk, comment } = m.groups;
  if (!unit && !outOf && !brk) return undefined;
  if ((numeral || word) && !unit && !outOf) return undefined;
  // "1. 怎么退货", "2、发票": a numbered list, not a score.
  if (!unit && !outOf && !lead && /^\s*[.．、]/u.test(brk ?? '')) return undefined;
  const rest = (comment ?? '').trim();
  // The comment must say something: punctuation and symbols alone are no comment.
  if (!saysSomething(rest)) return undefined;
  // 三星手机有货吗 is Samsung, not three stars: N星 run straight into words is a score only when they
  // go on to judge (五星好评, 5星服务很好).
  if (unit?.includes('星') && !brk && !/^[好差满不服推非很太超挺真棒赞]/u.test(rest)) return undefined;
  const score = valueOf(m.groups);
  if (score === undefined || half?.includes('点')) return undefined;
  if (!Number.isInteger(score) && !unit && !outOf) return undefined;
  return { score, comment: rest };
}

/**
 * A score given after what the customer thinks, in one message: "有点慢，3分吧", "还行吧，4分",
 * "a bit slow, 3 stars", "发货太慢了，给你们1分". The comment comes first and a break (punctuation or a
 * space) parts it from the score, which ends the message but for a particle (吧, 啦) or punctuation
 * and has its unit or out of five (数量，3 is no score). Without the break the words are no comment
 * but part of giving the score (当然是五星: parseRating's). Found by the issue-17 trial: the score was
 * kept and the comment before it lost. `score` may be between whole ones, as leadingRating's.
 * Undefined when there is no such score or no comment (two characters at least).
 */
export function trailingRating(text: string): { score: number; comment: string } | undefined {
  const trimmed = text.trim();
  // Most messages end otherwise: read no further (the matcher reads every message). A question is
  // no score ("do you have 3 stars?"; found by the verification trial).
  if (!ENDS_LIKE_SCORE.test(trimmed) || /[?？]/u.test(trimmed)) return undefined;
  const m = TRAILING_RATING.exec(trimmed);
  if (!m?.groups) return undefined;
  const { unit, outOf, comment } = m.groups;
  if (!unit && !outOf) return undefined;
  const rest = (comment ?? '').trim();
  if (!saysSomething(rest)) return undefined;
  const score = valueOf(m.groups);
  return score === undefined ? undefined : { score, comment: rest };
}

const ENDS_LIKE_SCORE = /(?:分半?|星半?|stars?|points?|[5５]|five)\s*[吧啦呀啊哦了嘛呗]?[\p{P}\s]*$/iu;
const TRAILING_RATING = new RegExp(
  String.raw`^(?<comment>.*?)[\s,，.。．!！;；:：、~～\-—–－]+${SCORE}\s*[吧啦呀啊哦了嘛呗]?[\p{P}\s]*$`,
  'isu',
);

/**
 * A score in words after a comment and a break (有点慢，不满意; 挺好的，五星好评; 服务很好，非常满意): the
 * last part is wholly a score by `ratingOf` (compileRating's) and not a bare number (数量，3: a number
 * after a break is trailingRating's, with its unit), and the comment says something. Found by the
 * verification trial: 有点慢，不满意 started a complaint and 挺好的，五星好评 kept no score.
 */
export function trailingWords(
  text: string,
  ratingOf: (norm: string) => number | undefined,
): { score: number; comment: string } | undefined {
  if (/[?？]|[吗呢]\s*$/u.test(text)) return undefined;
  const m = TRAILING_PART.exec(text.trim());
  if (!m?.[1] || !m[2] || /^\s*\p{Nd}+\s*$/u.test(m[2])) return undefined;
  const score = ratingOf(normalize(m[2]));
  const comment = m[1].trim();
  return score === undefined || !saysSomething(comment) ? undefined : { score, comment };
}
const TRAILING_PART = /^(.*\S)\s*[,，。.!！;；~～、]+\s*([^,，。.!！;；~～、]+?)[\s!！。.~～]*$/su;

/**
 * A score among the parts of a message (parted by breaks) with more words after it: between a
 * comment and more (有点慢，3分吧，转人工; 有点慢，3分，另外怎么退货) or first, in words (不满意，转人工;
 * a digit first is leadingRating's). The score's part is wholly a score (`ratingOf`), short
 * (`tooLongForScore`) and not a bare number. `comment` is what comes before it, `more` what follows, and
 * `words` both with the break between them, all as written. Found by the issue-17 trial: the score
 * was lost, and the survey's answer recorded as the need.
 */
export function scoreAmongParts(
  text: string,
  ratingOf: (norm: string) => number | undefined,
): { score: number; comment: string; more: string; words: string } | undefined {
  if (!HAS_BREAK.test(text)) return undefined;
  const parts = [...text.trim().matchAll(PART)];
  // A score with its digit first (还行，4分，另外…: 4, not 还行's 3), then one in words.
  const order = parts.slice(0, -1).map((_, i) => i);
  order.sort((a, b) => Number(!/\p{Nd}/u.test(parts[a]![1]!)) - Number(!/\p{Nd}/u.test(parts[b]![1]!)));
  for (const i of order) {
    const part = parts[i]!;
    const words = part[1]!;
    if (tooLongForScore(words) || /^\s*\p{Nd}+\s*$/u.test(words) || (i === 0 && /\p{Nd}/u.test(words))) continue;
    const score = ratingOf(normalize(words));
    if (score === undefined) continue;
    const whole = text.trim();
    const start = part.index ?? 0;
    const comment = whole.slice(0, start).replace(BREAKS_AT_END, '');
    const more = whole.slice(start + part[0].length).trim();
    if (!saysSomething(more)) return undefined;
    const between = i === 0 ? '' : (parts[i - 1]![2] ?? '');
    return { score, comment, more, words: comment ? `${comment}${between.replace(/\s+$/u, ' ')}${more}` : more };
  }
  return undefined;
}
/**
 * Longer than a score's part can be: 12 characters in Chinese (非常不满意), 30 in Latin letters
 * ("very dissatisfied" was too long for the Chinese limit; found by the issue-17 trial).
 */
function tooLongForScore(words: string): boolean {
  return /\p{Script=Han}/u.test(words) ? [...words].length > 12 : words.trim().length > 30;
}
/** A part of a message and the break after it; a point between digits (4.5分) breaks nothing. */
const PART = /((?:[^,，。.!！;；~～、]|(?<=\d)\.(?=\d))+)((?:[,，。!！;；~～、]|\.(?!\d)|(?<!\d)\.)+\s*|$)/gu;
const BREAKS_AT_END = /[\s,，。.!！;；~～、]+$/u;
const HAS_BREAK = /[,，。.!！;；~～、]\s*\S/u;

/** A comment says something: two characters besides punctuation, symbols and spaces. */
function saysSomething(comment: string): boolean {
  return comment.replace(/[\p{P}\p{S}\s]/gu, '').length >= 2;
}

const LEADING_RATING = new RegExp(
  String.raw`^${SCORE}(?<brk>\s*[,，.。．!！;；:：、~～\-—–－]+)?\s*(?<comment>.*)$`,
  'isu',
);

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
 * The rating reader of a definition, on normalised text: the score 1–5 (`parseRating`'s, which may
 * be between whole ones: 4.5), else the score of words that are the whole message, as written or
 * without the definition's fillers ("我很满意", "I was very satisfied").
 */
export function compileRating(def: FlowDefinition): (norm: string) => number | undefined {
  const words = ratingWordsOf(def);
  const fillers = def.fillers
    .map(normalize)
    .filter(Boolean)
    .sort((a, b) => b.length - a.length)
    .map((f) => {
      const escaped = escapeRegExp(f);
      // Latin fillers are whole words ("i" is not in "dissatisfied"); CJK has no word breaks.
      return /^[a-z0-9' ]+$/.test(f) ? `${LATIN_START}${escaped}${LATIN_END}` : escaped;
    });
  const filler = fillers.length ? new RegExp(fillers.join('|'), 'gu') : undefined;
  return (norm) => {
    // A score said with a hedge ("4 i guess", "idk 4?", "meh 2": found by the sixteenth issue-17 session's trial).
    const digits = parseRating(norm) ?? (filler ? parseRating(norm.replace(filler, ' ').trim()) : undefined);
    if (digits !== undefined) return digits;
    return words.get(ratingKey(norm)) ?? (filler ? words.get(ratingKey(norm.replace(filler, ' '))) : undefined);
  };
}
