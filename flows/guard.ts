import { escapeRegExp, toSimplified } from './text.js';
import { z } from 'zod';

/**
 * The service-phrase guard (服务忌语, the 五个不说): phrases no text to a customer may contain,
 * whoever writes it. Bot texts are checked when a definition is validated; agent replies are
 * checked before they are relayed (human handoff).
 */

export const ForbiddenPhrase = z.object({
  /**
   * The phrase as the standards write it; matching ignores spaces, punctuation, width, case and
   * traditional characters. It may be a pattern: `[…]` optional words, `(a|b)` alternatives, `…`
   * a gap of up to 4 characters: `这是[我们][的]公司[的]规定`, `是不是(你|您)(那面|那边)…问题`.
   */
  phrase: z
    .string()
    .trim()
    .min(2)
    .refine((p) => phraseTest(p) !== 'invalid', 'is not a valid pattern: check that every [ ] and ( ) is closed'),
  /** Why it is forbidden (which of the 五个不说). */
  reason: z.string().min(1),
  /** The standard phrasing to use instead. */
  suggestion: z.string().min(1),
});
export type ForbiddenPhrase = z.infer<typeof ForbiddenPhrase>;

export interface GuardMatch {
  phrase: string;
  reason: string;
  suggestion: string;
}

export type GuardVerdict = { allowed: true } | { allowed: false; matches: GuardMatch[] };

/**
 * Folds what someone might use to slip a phrase past the guard: full-width forms, case, and
 * anything that is not a letter or digit (spaces, punctuation, symbols, zero-width characters),
 * and traditional characters (這是公司規定 is 这是公司规定).
 */
export function foldForGuard(text: string): string {
  return toSimplified(text)
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '');
}

export interface PhraseGuard {
  check(text: string): GuardVerdict;
}

/**
 * The whole listed phrase must occur: "这是公司规定" blocks "这 是 公司，规定" but not
 * "公司规定的退货期是7天", which only shares words with it. List the exact 推诿 phrase (or a
 * pattern of its variants), not its vocabulary, and ordinary sentences about policy stay allowed.
 */
export function compileGuard(phrases: readonly ForbiddenPhrase[]): PhraseGuard {
  const compiled = phrases.flatMap((p) => {
    const test = phraseTest(p.phrase);
    return typeof test === 'function'
      ? [{ match: { phrase: canonical(p.phrase), reason: p.reason, suggestion: p.suggestion }, test }]
      : [];
  });
  return {
    check(text: string): GuardVerdict {
      const haystack = foldForGuard(text);
      const matches = compiled.filter((p) => p.test(haystack)).map((p) => p.match);
      return matches.length ? { allowed: false, matches } : { allowed: true };
    },
  };
}

/** One guard for several locales' lists: agents on one desk answer customers of every locale. */
export function combineGuards(guards: readonly PhraseGuard[]): PhraseGuard {
  return {
    check(text: string): GuardVerdict {
      const seen = new Set<string>();
      const matches = guards.flatMap((g) => {
        const verdict = g.check(text);
        return verdict.allowed ? [] : verdict.matches;
      });
      const unique = matches.filter((m) => !seen.has(m.phrase) && seen.add(m.phrase));
      return unique.length ? { allowed: false, matches: unique } : { allowed: true };
    },
  };
}

/**
 * How a pattern reads to the agent it stopped: optional words left out, the first alternative,
 * gaps as "…" (`这是[我们][的]公司[的]规定` reads 这是公司规定).
 */
export function canonical(phrase: string): string {
  return phrase
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\(([^|)]*)[^)]*\)/g, '$1')
    .replace(/\.\.\./g, '…');
}

const PATTERN_SYNTAX = /[[\]()|…]|\.\.\./;

/**
 * The regular-expression source of a phrase in the pattern syntax: `[…]` optional words, `(a|b)`
 * alternatives, `…` (or `...`) `gap`. Each literal piece goes through `literal`, which must fold
 * it the way the text it is matched against is folded and escape it. Used by the guard and by
 * the complaint kinds (flows/facts.ts); the result may still be an invalid expression (an
 * unclosed bracket), which the caller finds when it compiles it.
 */
export function patternSource(phrase: string, literal: (piece: string) => string, gap: string): string {
  return phrase
    .replace(/\.\.\./g, '…')
    .split(/([[\]()|…])/u)
    .map((part) => {
      if (part === '[') return '(?:';
      if (part === ']') return ')?';
      if (part === '(') return '(?:';
      if (part === ')' || part === '|') return part;
      if (part === '…') return gap;
      return literal(part);
    })
    .join('');
}

const GAP = '.{0,4}';

/**
 * A test on folded text (`foldForGuard`) for a listed phrase: a plain phrase is a substring; a
 * pattern becomes a regular expression over the folded pieces. Undefined for a phrase with
 * nothing to match; 'invalid' for a pattern with an unclosed bracket.
 */
function phraseTest(phrase: string): ((folded: string) => boolean) | 'invalid' | undefined {
  if (!PATTERN_SYNTAX.test(phrase)) {
    const key = foldForGuard(phrase);
    return key ? (folded) => folded.includes(key) : undefined;
  }
  const source = patternSource(phrase, (part) => escapeRegExp(foldForGuard(part)), GAP);
  let re: RegExp;
  try {
    re = new RegExp(source, 'u');
  } catch {
    return 'invalid';
  }
  return (folded) => re.test(folded);
}
