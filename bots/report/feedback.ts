import type { Ticket } from '../../flows/ticket.js';
import { scoreOf } from './compute.js';
import type { FeedbackItem, Report } from './report.js';

/** How many comments and suggestions the report lists. */
export const FEEDBACK_TOP = 20;

/**
 * 每月汇总用户反馈，识别高频问题 (001 四.(三) 2): what customers told of the service in the period,
 * in their words, newest first, at most FEEDBACK_TOP: the comments given with a score below 4 (the
 * scores CSAT does not count as satisfied: why they were not) and the suggestions recorded (建议, a
 * matter passed on, never resolved); with how many of each there were. A comment with a score of 4
 * or 5 is praise, counted in CSAT and not listed.
 */
export function feedbackOf(tickets: readonly Ticket[]): Report['satisfaction']['feedback'] {
  const comments: FeedbackItem[] = tickets.flatMap((t) => {
    const score = scoreOf(t);
    const text = commentOf(t);
    if (score === undefined || score >= 4 || !text) return [];
    return [{ kind: 'comment', ticketId: t.id, at: commentedAt(t), text, score, ...about(t) }];
  });
  const suggestions: FeedbackItem[] = tickets
    .filter((t) => t.type === 'suggestion' && t.need.trim() !== '')
    .map((t) => ({ kind: 'suggestion', ticketId: t.id, at: t.createdAt, text: t.need, ...about(t) }));
  const items = [...comments, ...suggestions]
    .sort((a, b) => b.at - a.at || (a.ticketId < b.ticketId ? -1 : a.ticketId > b.ticketId ? 1 : 0))
    .slice(0, FEEDBACK_TOP);
  return { comments: comments.length, suggestions: suggestions.length, items };
}

/** The customer's last comment on a matter: the ticket's, else the last `commented` event's. */
function commentOf(t: Ticket): string | undefined {
  const last = (t.events ?? []).findLast((e) => e.type === 'commented')?.detail;
  return (t.comment ?? last)?.trim() || undefined;
}

const commentedAt = (t: Ticket): number =>
  (t.events ?? []).findLast((e) => e.type === 'commented' || e.type === 'survey-answered')?.at ?? t.updatedAt;

const about = (t: Ticket): Pick<FeedbackItem, 'type' | 'category'> =>
  t.type === 'complaint' && t.category ? { type: t.type, category: t.category } : { type: t.type };
