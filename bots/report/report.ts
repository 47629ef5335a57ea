import type { Target, TargetId } from './targets.js';

/**
 * The monthly service-quality report as data (issue 14): what `computeReport` returns, what
 * `--json` prints and what the text, CSV and HTML renderers draw. Times are epoch ms, durations
 * ms, shares fractions from 0 to 1 (null when there is nothing to divide by). Every rate carries
 * the counts behind it, and every figure with a target in the seeds carries its check.
 */

/** A target and whether the figure meets it (null: no figure to judge). */
export interface Check {
  id: TargetId;
  target: Target;
  met: boolean | null;
}

/** A rate with the counts it is made of: `value = numerator / denominator`. */
export interface Share {
  value: number | null;
  numerator: number;
  denominator: number;
  check?: Check;
}

/**
 * Durations measured (ms): how many, their mean and their p90 (nearest rank); null without any.
 * `unanswered`: waits that never ended and had outlasted the target by the time the report was
 * made (never claimed, never replied to): not in the mean and p90 shown, but judged longer than
 * the limit by the checks (measures.ts durations).
 */
export interface Durations {
  count: number;
  unanswered: number;
  averageMs: number | null;
  p90Ms: number | null;
  /** Checks of the average and of the p90 against the same target. */
  checks?: { average: Check; p90: Check };
}

/** One row of a breakdown: a key (a type, category id, locale, channel, reason…) and its count. */
export interface Count {
  key: string;
  count: number;
}

/** A group of rated matters (an agent, a category) and its CSAT. */
export interface CsatGroup {
  /** Agent id ('' for matters no person took: the bot's), or the category key (see `categoryKey`). */
  key: string;
  /** The agent's name when known, else their id; the category's name; '' for the bot. */
  label: string;
  csat: Share;
}

export type Section = 'volume' | 'bot' | 'speed' | 'outcome' | 'satisfaction';

/**
 * One figure as the CSV lists it and the renderers flag it: `value` is a count, a share (0–1) or a
 * duration (ms) as `unit` says; `count` is what it rests on ("3/4" for a share, the number of
 * durations measured, or the count itself).
 */
export interface Figure {
  section: Section;
  /** Stable id: `csat`, `matters.type.inquiry`, `claim_wait.p90`… */
  id: string;
  unit: 'count' | 'share' | 'ms';
  value: number | null;
  count: string;
  /** A duration's: the waits that never ended, counted as over its target (Durations.unanswered). */
  unanswered?: number;
  check?: Check;
}

/** A customer's word on the service (Report.satisfaction.feedback): a comment with its score, or a suggestion. */
export interface FeedbackItem {
  kind: 'comment' | 'suggestion';
  ticketId: string;
  /** When it was said (epoch ms): the comment's, or the suggestion's ticket's creation. */
  at: number;
  /** As the customer wrote it. */
  text: string;
  /** The score given with a comment (1–3). */
  score?: number;
  /** The matter it was about: its type, and a complaint's category id. */
  type: 'inquiry' | 'complaint' | 'suggestion';
  category?: string;
}

export interface Report {
  period: {
    /** [from, to), epoch ms. */
    from: number;
    to: number;
    /** `2026-11`, or `2026-11-01..2026-11-30` for a range. */
    label: string;
    timeZone: string;
  };
  generatedAt: number;
  /** Complaint category names by id (the definition's, in the desk language), for renderers. */
  categoryNames: Record<string, string>;
  volume: {
    conversations: number;
    matters: number;
    byType: Count[];
    /** Complaints by category id ('' when a complaint has none). */
    byCategory: Count[];
    byLocale: Count[];
    byChannel: Count[];
  };
  bot: {
    /** Matters settled without a person, among inquiries and complaints. */
    resolvedWithoutPerson: Share;
    /**
     * Matters a person took part in, among inquiries and complaints: handed off live, or a pending
     * matter (a follow-up) a person claimed, answered or resolved. The rest are the bot's, settled
     * or still open.
     */
    withPerson: Share;
    /** Matters with a `handed-off` event, among inquiries and complaints. */
    handoff: Share;
    /** `handed-off` details by reason (asked, failures, complaint), after hours counted apart. */
    handoffReasons: Count[];
    handoffsAfterHours: number;
    /** Askings the knowledge base could not answer: how many in all, and the 20 most asked. */
    unansweredAskings: number;
    unanswered: Array<{ text: string; locale: string; count: number; lastAt: number }>;
  };
  speed: {
    botFirstResponse: Durations;
    /** From `handed-off` to the first `agent-replied`, business hours only; never replied: unanswered. */
    personFirstResponse: Durations;
    /** Handed-off matters with no agent reply on record. */
    personNeverReplied: number;
    claimWait: Durations;
    /** Queue waits longer than the definition's claim SLA (or never claimed), among all queue waits. */
    claimSlaBreaches: Share;
    claimSlaSeconds: number;
  };
  outcome: {
    resolution: Share;
    firstContactResolution: Share;
    promisesKept: number;
    promisesBroken: number;
    /** Of those kept and broken, the promises judged from the record for want of a verdict on it (compute.ts unrecordedPromise). */
    promisesUnrecorded: number;
    /** Kept among kept and broken. */
    promiseKeptRate: Share;
    /** Matters escalated, and `escalated` events by detail. */
    escalatedMatters: number;
    escalations: Count[];
    /** Matters a person resolved whose survey went (or was answered) within 24 h of the resolution. */
    surveyWithin24h: Share;
  };
  satisfaction: {
    /** Matters with `survey-answered` among matters with `survey-sent`. */
    responseRate: Share;
    /** Scores 4–5 among scores. */
    csat: Share;
    /** How many matters got each score, 1 to 5. */
    scores: Count[];
    byAgent: CsatGroup[];
    byCategory: CsatGroup[];
    /**
     * 每月汇总用户反馈 (001 四.(三) 2): the comments given with a score below 4 and the suggestions
     * recorded, how many of each, and the newest (at most FEEDBACK_TOP) in the customers' words (feedback.ts).
     */
    feedback: { comments: number; suggestions: number; items: FeedbackItem[] };
  };
  /**
   * Per flow version that served the period's matters (the ticket's flowVersion hash; '' when not
   * recorded): "v3" when published, else the hash; its matters, those settled without a person
   * among the resolvable ones, and CSAT.
   */
  byFlowVersion: Array<{ key: string; label: string; matters: number; resolvedWithoutPerson: Share; csat: Share }>;
  /** Every figure flat, in report order: the CSV rows and the renderers' flags. */
  figures: Figure[];
}
