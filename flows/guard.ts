import { toSimplified } from './text.js';
import { z } from 'zod';

/**
 * The service-phrase guard (服务忌语, the 五个不说): phrases no text to a customer may contain,
 * whoever writes it. Bot texts are checked when a definition is validated; agent replies are
 * checked before they are relayed (human handoff).
 */

export const ForbiddenPhrase = z.object({
  /** The phrase as the standards write it; matching ignores spaces, punctuation, width and case. */
  phrase: z.string().trim().min(2),
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
 * "公司规定的退货期是7天", which only shares words with it. List the exact 推诿 phrase, not its
 * vocabulary, and ordinary sentences about policy stay allowed.
 */
export function compileGuard(phrases: readonly ForbiddenPhrase[]): PhraseGuard {
  const folded = phrases.map((p) => ({ ...p, key: foldForGuard(p.phrase) })).filter((p) => p.key.length > 0);
  return {
    check(text: string): GuardVerdict {
      const haystack = foldForGuard(text);
      const matches = folded
        .filter((p) => haystack.includes(p.key))
        .map(({ phrase, reason, suggestion }) => ({ phrase, reason, suggestion }));
      return matches.length ? { allowed: false, matches } : { allowed: true };
    },
  };
}
