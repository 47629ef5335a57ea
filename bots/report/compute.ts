import type { CalendarDefinition } from '../../flows/calendar.js';
import type { FlowDefinition } from '../../flows/schema.js';
import type { Ticket, TicketEvent } from '../../flows/ticket.js';
import type { ConversationSummary, UnansweredAsking } from '../record-port.js';
import { feedbackOf } from './feedback.js';
import { figuresOf } from './figures.js';
import { businessMsBetween, durations, share } from './measures.js';
import type { Count, CsatGroup, Report } from './report.js';
import { TARGETS, type Targets } from './targets.js';

/**
 * The monthly service-quality report computed from the record (issue 14; seed 001 六.(二) 每月发布服务
 * 质量报告, 四.(三) 每月汇总用户反馈，识别高频问题). Pure: no I/O, no clock; the same data give the same
 * report. The rules, each documented where it is computed:
 *
 * - **Resolvable matters** are inquiries and complaints: a suggestion is recorded to be passed on,
 *   never resolved, so it is left out of every rate of the bot and of outcomes (it is in volume).
 * - **Settled**: status `answered` (by the bot from the knowledge base) or `resolved` (by a person,
 *   or a complaint whose customer accepted the knowledge-base solution).
 * - **Without a person**: settled, and no person touched it: no `handed-off`, `claimed`,
 *   `agent-replied` or `resolved` event (a person's resolution) and no claimedBy/resolvedBy.
 * - **First-contact resolution** (一次性解决): a settled matter with no new matter from the same
 *   customer (channel and customer id) in the same group (a complaint's category; the type for
 *   others) created within 7 days after it (t < u ≤ t + 7 d), among resolvable matters. The 7 days
 *   reach past the period: pass the tickets created in the 7 days after it as `ticketsAfter`.
 */

/** What the report reads (a `ReportSource`'s answers for the period; see source.ts readReportData). */
export interface ReportData {
  /** Tickets created in [from, to), with their lifecycle events. */
  tickets: readonly Ticket[];
  /** Tickets created in [to, to + 7 days): later matters that show a first contact did not resolve. */
  ticketsAfter: readonly Ticket[];
  conversations: readonly ConversationSummary[];
  unanswered: readonly UnansweredAsking[];
  /** The published flow versions' numbers by content hash (tickets record the hash): "v3" in the report. */
  flowVersions?: ReadonlyArray<{ id: number; hash: string }> | undefined;
}

/** What the report reads of the default flow definition. */
export type ReportDefinition = CalendarDefinition &
  Pick<FlowDefinition, 'locale'> & {
    handoff: Pick<FlowDefinition['handoff'], 'claimSlaSeconds'>;
    complaints: { categories: ReadonlyArray<{ id: string; name: string }> };
  };

export interface ReportOptions {
  /** The default definition: time zone, business hours and calendar, claim SLA, category names. */
  definition: ReportDefinition;
  /** [from, to) in epoch ms, and how the period is named (`2026-11`). */
  period: { from: number; to: number; label: string };
  /** When the report is made (epoch ms): a queue wait still unclaimed is a breach only once the SLA has passed by then. */
  generatedAt: number;
  /** The targets (TARGETS from the seeds unless given). */
  targets?: Targets;
}

const DAY_MS = 86_400_000;
/** How far after a matter a new one shows it was not resolved at first contact. */
export const REPEAT_WINDOW_MS = 7 * DAY_MS;
/** How many unanswered questions the report lists. */
export const UNANSWERED_TOP = 20;
const TYPES = ['inquiry', 'complaint', 'suggestion'] as const;

const eventsOf = (t: Ticket): readonly TicketEvent[] => t.events ?? [];
const has = (t: Ticket, type: TicketEvent['type']) => eventsOf(t).some((e) => e.type === type);
const first = (t: Ticket, type: TicketEvent['type'], after = -Infinity) =>
  eventsOf(t).find((e) => e.type === type && e.at >= after);

export const resolvable = (t: Ticket) => t.type !== 'suggestion';
export const settled = (t: Ticket) => t.status === 'answered' || t.status === 'resolved';
const PERSON_EVENTS: ReadonlyArray<TicketEvent['type']> = ['handed-off', 'claimed', 'agent-replied', 'resolved'];
/** A person took part: a live handoff, or a pending matter a person claimed, answered or resolved. */
export const personTookPart = (t: Ticket) =>
  Boolean(t.claimedBy || t.resolvedBy) || PERSON_EVENTS.some((type) => has(t, type));
export const withoutPerson = (t: Ticket) => settled(t) && !personTookPart(t);

/** The group a matter is counted in for FCR and per-category CSAT: `complaint:<category>`, or its type. */
export const categoryKey = (t: Ticket) => (t.type === 'complaint' ? `complaint:${t.category ?? ''}` : t.type);
const customerKey = (t: Ticket) => `${t.channel}:${t.customer.id}`;

/** Counts by key, most first (ties by key); keys listed in `always` come first in that order, zeros included. */
function countBy<T>(items: readonly T[], key: (item: T) => string, always: readonly string[] = []): Count[] {
  const counts = new Map<string, number>(always.map((k) => [k, 0]));
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  const rest = [...counts].filter(([k]) => !always.includes(k)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return [
    ...always.map((k) => ({ key: k, count: counts.get(k) ?? 0 })),
    ...rest.map(([k, count]) => ({ key: k, count })),
  ];
}

/** Computes the report. Throws a RangeError when the period is empty or reversed. */
export function computeReport(data: ReportData, options: ReportOptions): Report {
  const { definition: def, period, generatedAt } = options;
  if (!(period.to > period.from))
    throw new RangeError(`the period must end after it starts (${period.from}–${period.to})`);
  const targets = options.targets ?? TARGETS;
  const tickets = data.tickets;
  const matters = tickets.filter(resolvable);
  const categoryNames = Object.fromEntries(def.complaints.categories.map((c) => [c.id, c.name]));
  const report: Omit<Report, 'figures'> = {
    period: { ...period, timeZone: def.timeZone },
    generatedAt,
    categoryNames,
    volume: {
      conversations: data.conversations.length,
      matters: tickets.length,
      byType: countBy(tickets, (t) => t.type, TYPES),
      byCategory: countBy(
        tickets.filter((t) => t.type === 'complaint'),
        (t) => t.category ?? '',
        def.complaints.categories.map((c) => c.id),
      ),
      byLocale: countBy(tickets, (t) => t.locale),
      byChannel: countBy(tickets, (t) => t.channel),
    },
    bot: botSection(data, matters),
    speed: speedSection(data, def, generatedAt, targets),
    outcome: outcomeSection(data, matters, targets, generatedAt),
    satisfaction: satisfactionSection(tickets, categoryNames, targets),
    byFlowVersion: byFlowVersion(data, targets),
  };
  return { ...report, figures: figuresOf(report) };
}

/**
 * The flow versions that served the period's matters (issue 15: each ticket records the version
 * that served it, so versions can be compared): per version, its matters, the share of the
 * resolvable ones settled without a person, and CSAT. Oldest published first; a version the
 * record does not know (a local draft, or before publishing existed) by its hash after them, and
 * matters that recorded none last. Empty when no matter recorded one.
 */
function byFlowVersion(data: ReportData, targets: Targets): Report['byFlowVersion'] {
  // Nothing to compare when no matter recorded its version (a record from before versions).
  if (!data.tickets.some((t) => t.flowVersion)) return [];
  const ids = new Map((data.flowVersions ?? []).map((v) => [v.hash, v.id]));
  const by = new Map<string, Ticket[]>();
  for (const t of data.tickets) by.set(t.flowVersion ?? '', [...(by.get(t.flowVersion ?? '') ?? []), t]);
  const rank = (key: string) => ids.get(key) ?? Number.MAX_SAFE_INTEGER;
  return [...by]
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, list]) => {
      const matters = list.filter(resolvable);
      const scores = list.flatMap((t) => scoreOf(t) ?? []);
      const id = ids.get(key);
      return {
        key,
        label: id !== undefined ? `v${id}` : key,
        matters: list.length,
        resolvedWithoutPerson: share(matters.filter(withoutPerson).length, matters.length),
        csat: share(scores.filter((s) => s >= 4).length, scores.length, ['csat', targets.csat]),
      };
    });
}

/** The bot: matters settled without a person, handoffs and their reasons, the unanswered questions. */
function botSection(data: ReportData, matters: readonly Ticket[]): Report['bot'] {
  const handedOff = matters.flatMap((t) => first(t, 'handed-off') ?? []);
  // A `handed-off` detail is the reason, with ", after hours" when nobody was at work.
  const reasonOf = (e: TicketEvent) => (e.detail ?? '').split(',')[0]?.trim() || 'unknown';
  const groups = new Map<string, { text: string; locale: string; count: number; lastAt: number }>();
  for (const a of data.unanswered) {
    const key = `${a.locale}\u0000${a.text}`;
    const g = groups.get(key) ?? { text: a.text, locale: a.locale, count: 0, lastAt: a.at };
    g.count += 1;
    g.lastAt = Math.max(g.lastAt, a.at);
    groups.set(key, g);
  }
  const unanswered = [...groups.values()]
    .sort((a, b) => b.count - a.count || b.lastAt - a.lastAt || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .slice(0, UNANSWERED_TOP);
  return {
    resolvedWithoutPerson: share(matters.filter(withoutPerson).length, matters.length),
    withPerson: share(matters.filter(personTookPart).length, matters.length),
    handoff: share(handedOff.length, matters.length),
    handoffReasons: countBy(handedOff, reasonOf, ['asked', 'failures', 'complaint']),
    handoffsAfterHours: handedOff.filter((e) => (e.detail ?? '').includes('after hours')).length,
    unansweredAskings: data.unanswered.length,
    unanswered,
  };
}

/**
 * Speed. The bot's first response: a conversation's first bot reply after the customer's first
 * message. A person's: from a matter's first `handed-off` to the first `agent-replied` after it,
 * business hours only (businessMsBetween). Claim waits: from each `queued` to the `claimed` that
 * ends it; a wait is a breach when longer than the definition's claimSlaSeconds, or when never
 * claimed and the SLA had passed by `generatedAt`. A wait of any of the three that never ended
 * (no bot reply, no agent reply, never claimed) is passed on with how long it had lasted by
 * `generatedAt` (business time for a person's): past the target, it counts against it (durations).
 */
function speedSection(data: ReportData, def: ReportDefinition, generatedAt: number, targets: Targets): Report['speed'] {
  const bot: number[] = [];
  const botOpen: number[] = [];
  for (const c of data.conversations) {
    if (c.firstCustomerAt === undefined) continue;
    if (c.firstBotReplyAt === undefined) botOpen.push(generatedAt - c.firstCustomerAt);
    else if (c.firstBotReplyAt >= c.firstCustomerAt) bot.push(c.firstBotReplyAt - c.firstCustomerAt);
  }
  const person: number[] = [];
  const personOpen: number[] = [];
  const waits: number[] = [];
  const waitsOpen: number[] = [];
  const slaMs = def.handoff.claimSlaSeconds * 1000;
  let breaches = 0;
  let queueWaits = 0;
  for (const t of data.tickets) {
    const handoff = first(t, 'handed-off');
    if (handoff) {
      const reply = first(t, 'agent-replied', handoff.at);
      if (reply) person.push(businessMsBetween(def, handoff.at, reply.at));
      else personOpen.push(businessMsBetween(def, handoff.at, generatedAt));
    }
    let since: number | undefined;
    for (const e of [...eventsOf(t)].sort((a, b) => a.at - b.at)) {
      // Handed off again while queued (the desk closed: the matter waits for the morning on a follow-up card):
      // the queue wait ended there, never claimed; a claim from that card later is no queue wait (found by
      // the sixteenth issue-17 session's report trial: 49 clock hours over a night and a weekend).
      if (e.type === 'handed-off' && since !== undefined) {
        waitsOpen.push(e.at - since);
        queueWaits += 1;
        if (e.at - since > slaMs) breaches += 1;
        since = undefined;
      }
      if (e.type === 'queued' && since === undefined) since = e.at;
      if (e.type === 'claimed' && since !== undefined) {
        waits.push(e.at - since);
        queueWaits += 1;
        if (e.at - since > slaMs) breaches += 1;
        since = undefined;
      }
    }
    if (since !== undefined) {
      waitsOpen.push(generatedAt - since);
      queueWaits += 1;
      if (generatedAt - since > slaMs) breaches += 1;
    }
  }
  return {
    botFirstResponse: durations(bot, ['botFirstResponse', targets.botFirstResponse], botOpen),
    personFirstResponse: durations(person, ['personFirstResponse', targets.personFirstResponse], personOpen),
    personNeverReplied: personOpen.length,
    claimWait: durations(waits, ['claimWait', targets.claimWait], waitsOpen),
    claimSlaBreaches: share(breaches, queueWaits),
    claimSlaSeconds: def.handoff.claimSlaSeconds,
  };
}

/** Outcome: resolution, first-contact resolution, promises, escalations, the 24-hour follow-up survey. */
function outcomeSection(
  data: ReportData,
  matters: readonly Ticket[],
  targets: Targets,
  generatedAt: number,
): Report['outcome'] {
  const later = new Map<string, Ticket[]>();
  for (const u of [...data.tickets, ...data.ticketsAfter]) {
    const key = `${customerKey(u)}\u0000${categoryKey(u)}`;
    later.set(key, [...(later.get(key) ?? []), u]);
  }
  const repeated = (t: Ticket) =>
    (later.get(`${customerKey(t)}\u0000${categoryKey(t)}`) ?? []).some(
      (u) => u.id !== t.id && u.createdAt > t.createdAt && u.createdAt <= t.createdAt + REPEAT_WINDOW_MS,
    );
  const all = data.tickets.flatMap(eventsOf);
  const unrecorded = data.tickets.map((t) => unrecordedPromise(t, generatedAt));
  const kept = all.filter((e) => e.type === 'promise-kept').length + unrecorded.filter((u) => u === 'kept').length;
  const broken =
    all.filter((e) => e.type === 'promise-broken').length + unrecorded.filter((u) => u === 'broken').length;
  const escalations = all.filter((e) => e.type === 'escalated');
  // 回访 within 24 h: a survey sent (or answered) in [resolved, resolved + 24 h].
  const resolvedByPerson = data.tickets.flatMap((t) => {
    const r = first(t, 'resolved');
    return r ? [{ t, at: r.at }] : [];
  });
  const surveyed = resolvedByPerson.filter(({ t, at }) =>
    eventsOf(t).some(
      (e) => (e.type === 'survey-sent' || e.type === 'survey-answered') && e.at >= at && e.at <= at + DAY_MS,
    ),
  );
  return {
    resolution: share(matters.filter(settled).length, matters.length),
    firstContactResolution: share(matters.filter((t) => settled(t) && !repeated(t)).length, matters.length, [
      'firstContactResolution',
      targets.firstContactResolution,
    ]),
    promisesKept: kept,
    promisesBroken: broken,
    promisesUnrecorded: unrecorded.filter((u) => u !== undefined).length,
    promiseKeptRate: share(kept, kept + broken),
    escalatedMatters: data.tickets.filter((t) => has(t, 'escalated')).length,
    escalations: countBy(escalations, (e) => e.detail ?? 'unknown'),
    surveyWithin24h: share(surveyed.length, resolvedByPerson.length, ['surveyWithin24h', targets.surveyWithin24h]),
  };
}

/**
 * A promise the record holds no verdict on (neither `promise-kept` nor `promise-broken`: the timer
 * that writes it never ran, its process stopped or a playground ended), judged from the record as
 * 003 asks (需严格按照承诺时间回复客户): kept when a person replied or resolved it between the promise
 * and its time, broken once its time (`promisedBy`) has passed without, undefined while it has not
 * (found by the sixteenth issue-17 session's report trial: two passed promises counted as neither).
 */
function unrecordedPromise(t: Ticket, now: number): 'kept' | 'broken' | undefined {
  const events = eventsOf(t);
  if (t.promisedBy === undefined || events.some((e) => e.type === 'promise-kept' || e.type === 'promise-broken'))
    return undefined;
  const since = events.findLast((e) => e.type === 'promised')?.at ?? -Infinity;
  const by = t.promisedBy;
  if (events.some((e) => (e.type === 'agent-replied' || e.type === 'resolved') && e.at >= since && e.at <= by))
    return 'kept';
  return by <= now ? 'broken' : undefined;
}

/** A matter's score: its latest `survey-answered`, else `satisfaction` (tickets from before issue 13). */
export function scoreOf(t: Ticket): number | undefined {
  return eventsOf(t).findLast((e) => e.type === 'survey-answered' && e.score !== undefined)?.score ?? t.satisfaction;
}

/**
 * Satisfaction: survey response rate (matters with `survey-answered` among those with
 * `survey-sent`); CSAT, the share of scores 4–5 among the matters scored, overall, per agent (the
 * matter's resolvedBy, else claimedBy; '' for the bot's) and per category (categoryKey). Every
 * matter rated counts, suggestions included: the score is of the service.
 */
function satisfactionSection(
  tickets: readonly Ticket[],
  categoryNames: Record<string, string>,
  targets: Targets,
): Report['satisfaction'] {
  const sent = tickets.filter((t) => has(t, 'survey-sent'));
  const rated = tickets.flatMap((t) => {
    const score = scoreOf(t);
    return score === undefined ? [] : [{ t, score }];
  });
  const csat = (list: ReadonlyArray<{ score: number }>) =>
    share(list.filter((r) => r.score >= 4).length, list.length, ['csat', targets.csat]);
  const groups = (key: (t: Ticket) => string, label: (t: Ticket) => string): CsatGroup[] => {
    const by = new Map<string, { label: string; list: Array<{ score: number }> }>();
    for (const r of rated) {
      const g = by.get(key(r.t)) ?? { label: label(r.t), list: [] };
      g.list.push(r);
      by.set(key(r.t), g);
    }
    return [...by]
      .map(([k, g]) => ({ key: k, label: g.label, csat: csat(g.list) }))
      .sort((a, b) => b.csat.denominator - a.csat.denominator || (a.key < b.key ? -1 : 1));
  };
  const agent = (t: Ticket) => t.resolvedBy ?? t.claimedBy;
  return {
    responseRate: share(sent.filter((t) => has(t, 'survey-answered')).length, sent.length),
    csat: csat(rated),
    scores: [1, 2, 3, 4, 5].map((s) => ({ key: String(s), count: rated.filter((r) => r.score === s).length })),
    byAgent: groups(
      (t) => agent(t)?.id ?? '',
      (t) => agent(t)?.name ?? agent(t)?.id ?? '',
    ),
    byCategory: groups(categoryKey, (t) =>
      t.type === 'complaint' ? (categoryNames[t.category ?? ''] ?? t.category ?? '') : '',
    ),
    feedback: feedbackOf(tickets),
  };
}
