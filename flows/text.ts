import type { Text } from './schema.js';
import { Converter } from 'opencc-js/t2cn';
import type { SupportedLocale } from './locales.js';
import { renderPlurals } from './plural.js';

/**
 * Folds the differences a customer does not mean: full-width vs half-width (NFKC), case, and
 * runs of white space. Every comparison of customer text goes through this.
 */
export function normalize(text: string): string {
  return straightQuotes(text.normalize('NFKC').toLowerCase()).replace(/\s+/g, ' ').trim();
}

/**
 * Typographic apostrophes as the plain one (doesn’t → doesn't): phones type them, and every phrase
 * with an apostrophe is written with the plain one (found by the issue-17 trial: "it doesn’t work"
 * was not understood). One character for one, so offsets stay.
 */
export function straightQuotes(text: string): string {
  return text.replace(/[\u2018\u2019\u02bc]/gu, "'");
}

/**
 * Characters nobody types on purpose: format characters (zero-width space and joiners, the byte
 * order mark, bidi embeddings, overrides and isolates) and control characters, except line
 * breaks and tabs. They hide words from matching (转\u200b人工) and reorder what agents read.
 */
const INVISIBLE_G = /(?![\n\r\t])[\p{Cf}\p{Cc}]/gu;

/**
 * The most characters of one customer message the bot reads: Telegram's own limit (4,096). A
 * longer text can only be forged, and understanding it costs in proportion (issue 16, fault 6:
 * 65,536 characters held a replica for about a minute); the rest is dropped before anything reads
 * it. Agents' replies are not cut (the channel splits a long reply into messages).
 */
export const MAX_ENTERED_CHARS = 4_096;

/** The first `max` characters (code points, never half a surrogate pair) of `text`. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  return Array.from(text.slice(0, max * 2))
    .slice(0, max)
    .join('');
}

/** Where a cut at `at` may fall without splitting a surrogate pair: `at`, or one unit before. */
export function surrogateSafeCut(text: string, at: number): number {
  const cut = Math.max(0, Math.min(at, text.length));
  return cut > 0 && /[\ud800-\udbff]/.test(text.charAt(cut - 1)) ? cut - 1 : cut;
}

/**
 * The text, or its first `max - 1` UTF-16 units (fewer where `cutAt` moves the cut, never half a
 * surrogate pair by default) and "…", `max` units at most. The store's transcript lines and the
 * desk's card fields are clipped with it.
 */
export function clipText(text: string, max: number, cutAt = surrogateSafeCut): string {
  if (text.length <= max) return text;
  return `${text.slice(0, cutAt(text, max - 1)).trimEnd()}…`;
}

/**
 * Where a definition has characters nobody types on purpose (INVISIBLE_G: zero-width, bidi
 * controls…; line and paragraph separators; Hangul fillers, which show as nothing), each as its
 * path and code point: every string of `value`, walked, keys too. The joiner inside an emoji (👨‍👩‍👧)
 * is part of it. Found by the sixteenth issue-17 session's console trial: a topic with U+202E was
 * published and showed customers its confirmation line reversed.
 */
export function invisibleCharacters(
  value: unknown,
  path: Array<string | number> = [],
): Array<{ path: Array<string | number>; code: string }> {
  if (typeof value === 'string') {
    const found = invisibleIn(value);
    return found ? [{ path, code: found }] : [];
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => invisibleCharacters(v, [...path, i]));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => {
      const inKey = invisibleIn(k);
      return inKey ? [{ path: [...path, k], code: inKey }] : invisibleCharacters(v, [...path, k]);
    });
  return [];
}

/** The first character of `text` nobody types on purpose, as U+XXXX; undefined when none (see invisibleCharacters). */
export function invisibleIn(text: string): string | undefined {
  const found = text.replace(EMOJI_JOINER_G, '').match(UNSEEN)?.[0];
  return found && `U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}
const EMOJI_JOINER_G =
  /(?<=\p{Extended_Pictographic}[\uFE0F\u{1F3FB}-\u{1F3FF}]?)\u200D(?=\p{Extended_Pictographic})/gu;
const UNSEEN = /(?![\n\r\t])[\p{Cf}\p{Cc}\p{Zl}\p{Zp}\u115F\u1160\u3164\uFFA0]/u;

/** Customer and agent text with the invisible characters taken out; applied where text enters (FlowPayload). */
export function cleanText(text: string): string {
  return text.replace(INVISIBLE_G, '');
}

let traditionalToSimplified: ((text: string) => string) | undefined;

/**
 * Traditional Chinese characters as simplified ones (訂單 → 订单), with OpenCC's dictionaries
 * (opencc-js), for matching: a zh-CN definition then understands customers who write
 * traditional characters. Other scripts pass through. Built on first use (about 40 ms).
 */
export function toSimplified(text: string): string {
  const convert = (traditionalToSimplified ??= Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

const CJK_G = /[\u3400-\u9fff\uf900-\ufaff]/gu;

/** Runs of letters and digits: a word, or an identifier when it has a digit in it (SF1234567890123, A12). */
const TOKEN_G = /[\p{L}\p{N}]+/gu;
const LATIN_WORD = /^[a-z]+$/i;

/**
 * Guesses the locale from the customer's own words: at least as many Chinese characters as Latin
 * words mean zh-CN, Latin letters otherwise mean en. Undefined when the text says nothing either way
 * ("?", "123", an emoji, an order or courier number such as SF1234567890123), so the caller keeps
 * its default. `clear` is false for a single Latin word ("ok", "thanks", "iPhone"), which Chinese
 * customers type too: chooseLocale lets it decide only what nothing else does.
 */
export function localeOfWords(raw: string): { locale: SupportedLocale; clear: boolean } | undefined {
  // Full-width Latin letters (ｗｈｅｒｅ) are Latin letters.
  const text = raw.normalize('NFKC');
  const cjk = text.match(CJK_G)?.length ?? 0;
  const latinWords = (text.match(TOKEN_G) ?? []).filter((t) => LATIN_WORD.test(t));
  const latin = latinWords.reduce((n, w) => n + w.length, 0);
  if (cjk === 0 && latin === 0) return undefined;
  // A Chinese sentence with an order number, "ok" or a product's name in it (AirPods Pro 坏了) is
  // still Chinese: a Chinese character weighs a Latin word. An English sentence with a Chinese word
  // in it (where is my parcel 快递 not moving) is still English (found by the sixteenth issue-17
  // session's trial: two characters switched the conversation to Chinese).
  // Both in like measure (I want 转人工 please, AirPods Pro 坏了) is not clear either way: the conversation keeps its
  // language (found by the sixteenth issue-17 session's verification trial: 转人工 in English switched to Chinese).
  const mixed = cjk > 0 && latinWords.length > 0 && cjk < 2 * latinWords.length && latinWords.length < 2 * cjk;
  if (cjk >= latinWords.length || cjk * 3 >= latin) return { locale: 'zh-CN', clear: !mixed };
  return { locale: 'en', clear: latinWords.length >= 2 && !mixed };
}

/** The locales whose letters the text has (Chinese characters: zh-CN; a Latin word: en), for reading it in each. */
export function localesInWords(raw: string): ReadonlySet<string> {
  const text = raw.normalize('NFKC');
  const found = new Set<string>();
  if (CJK_G.test(text)) found.add('zh-CN');
  CJK_G.lastIndex = 0;
  if (/[a-z]{2}/i.test(text)) found.add('en');
  return found;
}

/** Picks one phrasing of a text; `turn` rotates through the variants deterministically. */
export function pickVariant(text: Text, turn: number): string {
  if (typeof text === 'string') return text;
  return text[Math.abs(turn) % text.length] ?? text[0] ?? '';
}

/**
 * Fills `{name}` placeholders and plural forms (`{hours, plural, one {# hour} other {# hours}}`,
 * chosen by `locale`'s plural rules: see plural.ts). Values may themselves contain placeholders
 * (the greeting uses `{opening}`, which uses `{ask}`), so rendering repeats until nothing
 * changes, a few rounds at most. Placeholders were checked at validation; one without a value is
 * left visible, not dropped (a queue message's `{wait}` is filled at delivery).
 */
export function render(template: string, vars: Readonly<Record<string, string>>, locale: string): string {
  let out = template;
  for (let round = 0; round < 4 && out.includes('{'); round++) {
    const next = renderPlurals(out, vars, locale).replace(
      /\{([^{}]+)\}/g,
      (whole, name: string) => vars[name] ?? whole,
    );
    if (next === out) break;
    out = next;
  }
  // A value cut with "…" before the text's own full stop reads "…." (found by the sixteenth issue-17 session's trial).
  return out.replace(/…\./gu, '…');
}

/**
 * The characters of an emoji, for a regular-expression character class (`u` flag): pictographs,
 * the variation selector, the zero-width joiner and skin tones (👍🏻, 👨‍👩‍👧).
 */
export const EMOJI_CHARS = '\\p{Extended_Pictographic}\\u{FE0F}\\u{200D}\\u{1F3FB}-\\u{1F3FF}';
const LEADING_EMOJI = new RegExp(`^(?:[${EMOJI_CHARS}]+\\s*)+`, 'u');
const TRAILING_BREAKS = new RegExp(`[\\s\\u3002.!\\uff01?\\uff1f~\\uff5e,\\uff0c;\\uff1b\\u3001${EMOJI_CHARS}]+$`, 'u');

/** Trims trailing punctuation, and emoji at either end, so a restated need reads naturally inside a sentence (我的耳机坏了😭 → 我的耳机坏了). */
export function trimSentence(text: string): string {
  return text.trim().replace(LEADING_EMOJI, '').replace(TRAILING_BREAKS, '');
}

/** Longest question kept in the unanswered list, in characters (code points). */
export const QUESTION_MAX = 200;

/**
 * A customer's question as the unanswered list groups it (issue 11: 未能解答的问题): invisible
 * characters out, traditional characters as simplified (Chinese locales), NFKC and lower case,
 * punctuation, symbols and emoji out (an apostrophe inside a word stays: "don't"), white space
 * collapsed and none left between Chinese characters, at most QUESTION_MAX characters. So
 * "你们的会员积分怎么用？" and "你們的會員積分 怎麼用" are one question; "" when nothing is left.
 */
export function questionKey(text: string, locale: string): string {
  const clean = cleanText(text);
  const folded = normalize(locale.startsWith('zh') ? toSimplified(clean) : clean).replace(/\u2019/g, "'");
  const words = folded.replace(/[\p{P}\p{S}]/gu, (c, i: number, s: string) =>
    c === "'" && /\p{L}/u.test(s[i - 1] ?? '') && /\p{L}/u.test(s[i + 1] ?? '') ? c : ' ',
  );
  const joined = words
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])/gu, '');
  return [...joined].slice(0, QUESTION_MAX).join('').trim();
}

/**
 * Chinese written letter-spaced, one character at a time ("转 人 工", "人 工 客 服"), read as the
 * word it spells ("转人工"), so spacing cannot hide a request from the matcher. Only runs of lone
 * characters are joined: a space between words still separates them (谢谢 发票怎么开 stays two
 * parts, as the social-opening reader needs). Zero-width characters are already gone (`cleanText`).
 */
export function joinSpacedLetters(text: string): string {
  return text.replace(SPACED_LETTERS_G, (run) => run.replace(/\s+/gu, ''));
}
/** Two or more lone CJK characters (no CJK neighbour on either side), separated by white space. */
const SPACED_LETTERS_G =
  /(?<![\u3400-\u9fff\uf900-\ufaff])[\u3400-\u9fff\uf900-\ufaff](?:\s+[\u3400-\u9fff\uf900-\ufaff](?![\u3400-\u9fff\uf900-\ufaff]))+/gu;

/**
 * Strong right-to-left letters (Hebrew, Arabic, Syriac, Thaana, N'Ko and their presentation
 * forms, and the RTL blocks of the supplementary planes): the ranges whose default bidi class is R
 * or AL in Unicode's DerivedBidiClass.txt (UAX #9). Only these, or bidi controls, can reorder text
 * around them in a left-to-right message.
 */
const RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;

const FSI = '\u2068';
const PDI = '\u2069';

/**
 * Customer (or agent) text as the bot quotes it inside its own words (a restated need, the facts
 * of a complaint, a card, an agent's name): invisible and bidi control characters taken out
 * (`cleanText`), and text with right-to-left letters wrapped in a first-strong isolate (U+2068 …
 * U+2069, UAX #9 "isolates"), so that nothing in it can change how the words around it are
 * displayed, nor the direction of the message. Text without right-to-left letters comes back
 * unchanged but for the removals. Quoting quoted text keeps the isolates already in it, paired.
 */
export function quoted(text: string): string {
  const clean = cleanKeepingIsolates(text);
  return RTL.test(clean) ? `${FSI}${clean}${PDI}` : clean;
}

/** `cleanText`, except that first-strong isolates which close (FSI … PDI, properly nested) stay. */
function cleanKeepingIsolates(text: string): string {
  const chars = [...text];
  const keep = new Set<number>();
  const open: number[] = [];
  chars.forEach((ch, i) => {
    if (ch === FSI) open.push(i);
    const start = ch === PDI ? open.pop() : undefined;
    if (start !== undefined) keep.add(start).add(i);
  });
  return chars.map((ch, i) => (keep.has(i) ? ch : cleanText(ch))).join('');
}

/** Bidi formatting characters, and C0/C1 controls other than tab and newline. */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069]/g;

/**
 * Text shown to staff with its bidi and control characters made visible as `[U+202E]`, so that
 * none of them can reorder what is around it or drive a terminal (the report, the console's diff,
 * the CLI's history). Not for customers: what they wrote is kept as written.
 */
export function showControls(text: string): string {
  return text.replace(UNSAFE, (c) => `[U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}]`);
}

/** A light English stemmer: enough that "shipped", "ships" and "shipping" meet at "ship". */
export function stem(word: string): string {
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

/**
 * A space typed between Chinese characters read as the break it is (发错货了 差评 转人工: 发错货了，差评，转人工).
 * Chinese has no spaces between words, so customers type one where a comma would go.
 */
export function hanSpacesAsBreaks(text: string): string {
  return text.replace(/(?<=[\u3400-\u9fff])[\s\u3000]+(?=[\u3400-\u9fff])/gu, '，');
}

/** How long a message is in words: each Chinese character one, each run of other letters or digits one. */
export function wordCount(text: string): number {
  return text.match(/\p{Script=Han}|[\p{L}\p{N}]+/gu)?.length ?? 0;
}

/**
 * Words that ask something rather than tell or score: a question mark, 吗/呢/怎么办 at the end, a
 * question word (几点, 什么时候, 哪里, 怎么, 如何, 为什么, 多久, 能不能, 有没有…), 请问 or how/what/do you… at the start.
 */
export function asksSomething(text: string): boolean {
  return QUESTION.test(text.trim());
}
const QUESTION =
  /[?？]\s*$|(?:[吗呢么不]|怎么办|怎么弄|怎么回事)\s*[。.!！]?$|几点|什么时候|哪里|哪儿|怎么|如何|为什么|为啥|多少|多久|能不能|可不可以|有没有|是不是|是否|^(?:请问|我想问|想问)|^(?:how|what|where|when|why|which|do|does|did|can|could|is|are|will)\b/iu;

/**
 * Where a Latin word or phrase may start and end in customer text (regular-expression lookarounds):
 * not inside a word ("no" is not in "know"), nor as the first part of a hyphenated one ("a human"
 * is not in "a human-readable invoice"; found by the issue-17 trial: a request for a person). The
 * last part of one is (an e-invoice is an invoice).
 */
export const LATIN_START = "(?<![a-z0-9'])";
export const LATIN_END = "(?![a-z0-9']|-[a-z0-9])";

/** `text` as a regular expression matching it literally (every special character escaped). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
