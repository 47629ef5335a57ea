import { z } from 'zod';
import type { PhraseGuard } from './guard.js';
import type { Matcher, Understanding } from './match.js';
import { INTENT_IDS, type ComplaintKindId, type FlowDefinition, type IntentId } from './schema.js';
import { cleanText } from './text.js';

/**
 * Understanding as a measured loop (issue 11): a corpus of what customers write, each sentence
 * labelled with what the bot should understand, scored against a definition. Pure: the command
 * (`npm run flows:test`) reads the files and prints the report.
 */

/** What the bot should understand of a whole message at "how can I help you?". */
const LABEL =
  /^(?:none|supervisor|complaint|complaint:(?:slow-response|agent|cursing|rude)|intent:[a-zA-Z]+|faq:[a-z0-9-]+|policy:[a-z0-9-]+)$/;

/** The corpus label of each kind of complaint (complaints.kinds): both agent kinds are `complaint:agent`. */
const KIND_LABELS: Record<ComplaintKindId, string> = {
  'agent-attitude': 'complaint:agent',
  'agent-mistake': 'complaint:agent',
  cursing: 'complaint:cursing',
  'rude-question': 'complaint:rude',
};

/** A corpus file: the locale, and sentences grouped by the label they should get. */
export const Corpus = z.strictObject({
  locale: z.string(),
  expect: z.record(
    z
      .string()
      .regex(
        LABEL,
        'must be none, supervisor, complaint[:slow-response|:agent|:cursing|:rude], intent:ID, faq:ID or policy:ID',
      ),
    z.array(z.string().min(1)).min(1),
  ),
});
export type Corpus = z.infer<typeof Corpus>;

/**
 * The label a message gets, in the order the conversation decides (flows/service/standard.ts,
 * a need being asked for): supervisors, then complaints by kind (an agent complaint that mentions
 * 货到付款 is still an agent complaint), then a person, a greeting or nothing,
 * a policy, being kept waiting, praise, a suggestion, a social or answering intent, a knowledge-base entry, else `none`
 * (restated in the customer's own words).
 */
export function labelOf(u: Understanding): string {
  if (u.complaint.supervisor) return 'supervisor';
  if (u.complaint.kind) return KIND_LABELS[u.complaint.kind];
  if (u.complaint.triggered) return 'complaint';
  if (u.wantsPerson) return 'intent:human';
  if (u.empty || u.whole === 'greeting') return 'intent:greeting';
  if (u.policy) return `policy:${u.policy}`;
  if ((u.intents.slowReply ?? 0) > 0) return 'complaint:slow-response';
  if ((u.intents.praise ?? 0) > 0) return 'intent:praise';
  if ((u.intents.suggestion ?? 0) > 0) return 'intent:suggestion';
  if (u.whole) return `intent:${u.whole}`;
  if (u.faq?.confident) return `faq:${u.faq.id}`;
  return 'none';
}

/**
 * A whole message one phrase of two intents' lists (不行: `no`, and `notHelped` right after an
 * answer): labelled with either, it is understood, since the conversation's state picks the one it
 * asks for (flows/service/setup.ts `answers`).
 */
function meansAlso(u: Understanding, got: string, expected: string): boolean {
  if (!got.startsWith('intent:') || !expected.startsWith('intent:') || u.whole === undefined) return false;
  const id = expected.slice('intent:'.length) as IntentId;
  return (u.intents[id] ?? 0) >= (u.intents[u.whole] ?? 0);
}

export interface Miss {
  text: string;
  expected: string;
  got: string;
}

export interface Report {
  locale: string;
  total: number;
  correct: number;
  /** correct ÷ total. */
  accuracy: number;
  /**
   * Sentences matched to a knowledge-base entry they are not about (labelled `none` or another
   * entry): the worst failure, since the customer confirms a need they do not have. ÷ total.
   */
  wrongTopic: number;
  wrongTopicCount: number;
  /** Per expected label: sentences and how many were right. */
  byLabel: Array<{ label: string; total: number; correct: number }>;
  /** Expected → got, most frequent first, with the sentences. */
  confusions: Array<{ expected: string; got: string; count: number; examples: string[] }>;
  /** Labels that name an entry, policy or intent the definition does not have. */
  problems: string[];
}

export function evaluate(definition: FlowDefinition, matcher: Matcher, corpus: Corpus): Report {
  const problems = unknownLabels(definition, corpus);
  const misses: Miss[] = [];
  const byLabel: Report['byLabel'] = [];
  let total = 0;
  for (const [expected, sentences] of Object.entries(corpus.expect)) {
    let correct = 0;
    for (const text of sentences) {
      const u = matcher.understand(cleanText(text));
      const got = labelOf(u);
      if (got === expected || meansAlso(u, got, expected)) correct++;
      else misses.push({ text, expected, got });
    }
    total += sentences.length;
    byLabel.push({ label: expected, total: sentences.length, correct });
  }
  const wrongTopicCount = misses.filter((m) => m.got.startsWith('faq:')).length;
  return {
    locale: corpus.locale,
    total,
    correct: total - misses.length,
    accuracy: total ? (total - misses.length) / total : 1,
    wrongTopic: total ? wrongTopicCount / total : 0,
    wrongTopicCount,
    byLabel: byLabel.sort((a, b) => a.correct / a.total - b.correct / b.total || a.label.localeCompare(b.label)),
    confusions: confusionsOf(misses),
    problems,
  };
}

function confusionsOf(misses: readonly Miss[]): Report['confusions'] {
  const pairs = new Map<string, { expected: string; got: string; count: number; examples: string[] }>();
  for (const m of misses) {
    const key = `${m.expected}\u0000${m.got}`;
    const pair = pairs.get(key) ?? { expected: m.expected, got: m.got, count: 0, examples: [] };
    pair.count++;
    pair.examples.push(m.text);
    pairs.set(key, pair);
  }
  return [...pairs.values()].sort((a, b) => b.count - a.count || a.expected.localeCompare(b.expected));
}

/** Labels naming something the definition lacks: a typo in the corpus, or an entry removed since. */
function unknownLabels(definition: FlowDefinition, corpus: Corpus): string[] {
  const known = new Set<string>([
    'none',
    'supervisor',
    'complaint',
    'complaint:slow-response',
    ...new Set(Object.values(KIND_LABELS)),
    ...INTENT_IDS.map((i) => `intent:${i}`),
    ...definition.faq.map((f) => `faq:${f.id}`),
    ...definition.policies.map((p) => `policy:${p.id}`),
  ]);
  return Object.keys(corpus.expect)
    .filter((label) => !known.has(label))
    .map((label) => `${label}: the ${corpus.locale} definition has no such entry, policy or intent`);
}

/** Agent replies the phrase guard must block or let through, per locale (flows/corpus/guard.yaml). */
export const GuardCorpus = z.strictObject({
  blocked: z.record(z.string(), z.array(z.string().min(1))),
  allowed: z.record(z.string(), z.array(z.string().min(1))),
});
export type GuardCorpus = z.infer<typeof GuardCorpus>;

export interface GuardReport {
  blocked: number;
  caught: number;
  /** caught ÷ blocked (1 when there is nothing to block). */
  caughtShare: number;
  allowed: number;
  falseAlarms: number;
  /** false alarms ÷ allowed. */
  falseAlarmShare: number;
  /** Replies that should have been blocked and were not, and allowed ones that were blocked (with the phrase). */
  missed: string[];
  alarms: Array<{ text: string; phrase: string }>;
}

/** Scores the guard agents face (every locale's list together) on the guard corpus. */
export function evaluateGuard(guard: PhraseGuard, corpus: GuardCorpus): GuardReport {
  const blocked = Object.values(corpus.blocked).flat();
  const allowed = Object.values(corpus.allowed).flat();
  const missed = blocked.filter((text) => guard.check(cleanText(text)).allowed);
  const alarms = allowed.flatMap((text) => {
    const verdict = guard.check(cleanText(text));
    return verdict.allowed ? [] : [{ text, phrase: verdict.matches[0]?.phrase ?? '' }];
  });
  return {
    blocked: blocked.length,
    caught: blocked.length - missed.length,
    caughtShare: blocked.length ? (blocked.length - missed.length) / blocked.length : 1,
    allowed: allowed.length,
    falseAlarms: alarms.length,
    falseAlarmShare: allowed.length ? alarms.length / allowed.length : 0,
    missed,
    alarms,
  };
}
