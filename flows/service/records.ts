import { assign } from 'xstate';
import { addWorkingDays, addWorkingHours, workingMsBetween } from '../calendar.js';
import type { AgentRef, HandoffCard, HandoffReason } from '../contracts.js';
import { fileKey, keepFile, type FileRef } from '../files.js';
import { atWork, isBusinessTime, lastClosingTime, nextBusinessTime, promiseVars, reminderTime } from '../hours.js';
import { quoted, questionKey } from '../text.js';
import { followUpNeed } from './restate.js';
import type { FlowDefinition } from '../schema.js';
import { ticketId, ticketTimer, TICKET_TIMERS, type Ticket, type TicketChanges, type TicketEvent } from '../ticket.js';
import {
  effect,
  MINUTE_MS,
  say,
  textOf,
  understood,
  type BaseSetup,
  type Enqueue,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
  type FollowUp,
  type HandoffState,
  collect,
  fileOf,
} from './setup.js';
import { keepsPromise } from './states.js';

/**
 * Record keeping (问题记录, 000 三.(二) 记录归档), in one place for every concern: how a ticket is
 * made and numbered, which tickets the closing survey rates, and how a promised reply time is
 * watched (003: 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，也需回复客户).
 */

/** The survey rates at most this many recent matters, so state stays bounded in a long session. */
const MAX_SESSION_TICKETS = 10;

export type TicketFields = Pick<Ticket, 'type' | 'status' | 'need' | 'outcome'> & Partial<Ticket>;

/** A new ticket of this conversation, numbered after the ones it recorded before; `at` in epoch ms. */
export function newTicket(deps: MachineDeps, context: ServiceContext, at: number, fields: TicketFields): Ticket {
  const created: TicketEvent = { type: 'created', at };
  return {
    ...(deps.version ? { flowVersion: deps.version } : {}),
    events: [created],
    id: ticketId(context.conversationId, context.seq + 1, at, deps.definitions(context.locale).timeZone, context.since),
    conversationId: context.conversationId,
    channel: context.channel,
    customer: context.customer,
    locale: context.locale,
    facts: [...context.facts],
    ...filesOfNewMatter(context),
    createdAt: at,
    updatedAt: at,
    ...fields,
  };
}

/** The files a new ticket takes: those the customer sent this session that no earlier ticket has. */
function filesOfNewMatter(context: ServiceContext): { files?: FileRef[] } {
  const files = filesOnNoTicket(context);
  return files.length ? { files } : {};
}

/** The files the customer sent this session that no ticket has yet (`filesOnTickets`). */
export function filesOnNoTicket(context: Pick<ServiceContext, 'files' | 'filesOnTickets'>): FileRef[] {
  const onTickets = context.filesOnTickets ?? [];
  return (context.files ?? []).filter((f) => !onTickets.includes(fileKey(f)));
}

/**
 * Records a ticket: the put, the count that numbers the next one, and, unless `rated` is false,
 * the session's list the survey score applies to. The session's files are on a ticket from now
 * on (this one, or one before). `more` are context changes made in the same step.
 */
export function recordTicket(
  enqueue: Enqueue,
  context: ServiceContext,
  ticket: Ticket,
  options: { rated?: boolean; more?: Partial<ServiceContext> } = {},
): void {
  enqueue(effect({ type: 'ticket.put', ticket }));
  const rated = options.rated ?? true;
  enqueue.assign({
    seq: context.seq + 1,
    ...(context.files?.length ? { filesOnTickets: context.files.map(fileKey) } : {}),
    ...(ticket.type === 'complaint' ? { complained: true } : {}),
    ...(rated ? { sessionTickets: withTicket(context.sessionTickets, ticket.id) } : {}),
    // The last matter recorded is no longer one the knowledge base just answered, unless `more` says so;
    // a score's matters take no comment sent again once another is recorded (ratesRatedAgain).
    answered: undefined,
    rated: undefined,
    awaitingOrder: undefined,
    ...options.more,
  });
}

/** The session's rated tickets with one more (kept once, bounded). */
export function withTicket(sessionTickets: readonly string[], id: string): string[] {
  return sessionTickets.includes(id) ? [...sessionTickets] : [...sessionTickets, id].slice(-MAX_SESSION_TICKETS);
}

/**
 * Epoch ms by which a reply promised at `at` within `hours` is due: the hours count on working
 * days only (calendar.ts: public holidays and weekends do not count, 调休 workdays do), so a
 * 48-hour promise made before 国庆 falls after it. A time that falls when the desk is closed (at
 * night) moves to when it opens, plus the working time the promise ran since the desk last closed,
 * so people have that time to keep it: 12 hours promised at 20:30 with the desk closing at 21:00
 * are due at 20:30 the next day, not at 09:00 when nobody has had a minute for it (found by the
 * issue-17 trial: such promises were broken the moment the desk opened).
 */
export function promisedBy(def: FlowDefinition, at: number, hours: number): number {
  const due = addWorkingHours(def, at, hours);
  if (isBusinessTime(def, due)) return due;
  const opens = nextBusinessTime(def, due);
  if (opens === undefined) return due;
  const moved = opens + workingMsBetween(def, lastClosingTime(def, due, at), due);
  return atWork(def, moved);
}

/** At most this many pending matters are followed per conversation; the oldest leaves the list (its ticket and timers stay). */
const MAX_FOLLOW_UPS = 10;

/** The conversation's follow-ups, with `entry` added or replaced (by ticket). */
export function withFollowUp(list: readonly FollowUp[] | undefined, entry: FollowUp): FollowUp[] {
  return [...(list ?? []).filter((f) => f.ticketId !== entry.ticketId), entry].slice(-MAX_FOLLOW_UPS);
}

/** The follow-up of a ticket, if the conversation follows it. */
export function followUpOf(context: ServiceContext, ticketId: string): FollowUp | undefined {
  return context.followUps?.find((f) => f.ticketId === ticketId);
}

/** A card for a ticket, as the desk shows it (what the customer wrote is quoted, see `quoted`). */
export function cardOf(
  context: ServiceContext,
  fields: Pick<HandoffCard, 'ticketId' | 'need' | 'facts' | 'tickets' | 'afterHours'> & {
    reason: HandoffReason;
    priority: 'normal' | 'high';
    category?: string | undefined;
    followUpBy?: number | undefined;
  },
): HandoffCard {
  const { followUpBy, category, ...rest } = fields;
  return {
    ...rest,
    ...(followUpBy !== undefined
      ? { kind: 'follow-up' as const, promisedBy: followUpBy }
      : { kind: 'handoff' as const }),
    ...(category ? { category } : {}),
    locale: context.locale,
    channel: context.channel,
    customer:
      context.customer.name === undefined
        ? context.customer
        : { ...context.customer, name: quoted(context.customer.name) },
    need: quoted(fields.need),
    facts: fields.facts.map(quoted),
  };
}

/** What a handoff's matter is followed up as: a complaint's own, or an inquiry. */
export function followUpTypeOf(reason: HandoffReason): FollowUp['type'] {
  return reason === 'complaint' ? 'complaint' : 'inquiry';
}

/** The follow-up card of a handoff's ticket (its matter outlived the live talk, or the desk could not take it); `by`: the promised time. */
export function handoffFollowUpCard(context: ServiceContext, h: HandoffState, by: number): HandoffCard {
  return cardOf(context, {
    reason: h.reason,
    priority: h.priority,
    category: h.category,
    afterHours: false,
    ticketId: h.ticketId,
    need: h.need ?? '',
    facts: h.facts ?? [],
    tickets: [h.ticketId],
    followUpBy: by,
  });
}

/**
 * A reply time promised to the customer (003: 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，
 * 也需回复客户) makes the matter a follow-up that people must keep: it is on the desk as a card
 * (`card`; none when a live handoff's card already shows the ticket), and its durable timers run:
 * a reminder `followUp.remindBeforeMinutes` before the promised time, the promise itself
 * (`flagOverdue`), and the escalation of a matter still unresolved after
 * `followUp.escalateAfterWorkingDays` working days (001 五.(二)). `by`: the promised time (epoch ms).
 */
export function followUp(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  matter: {
    ticketId: string;
    type: FollowUp['type'];
    by: number;
    at: number;
    card?: HandoffCard | undefined;
    /** The ticket's files, shared in the card's thread right after it, as a handoff's are. */
    files?: readonly FileRef[] | undefined;
    /** The need, for the status line a returning customer hears (shortened). */
    need?: string | undefined;
    /** The need is only a request for a person (FollowUp.needUnstated). */
    bare?: boolean | undefined;
    complainedOf?: FollowUp['complainedOf'];
  },
): FollowUp {
  const def = deps.definitions(context.locale);
  const { ticketId: id, by, at } = matter;
  const promised: TicketEvent = { type: 'promised', at, promisedBy: by };
  enqueue(effect({ type: 'ticket.update', id, changes: { promisedBy: by, events: [promised] }, at }));
  const remindAt = reminderTime(def, at, by, def.followUp.remindBeforeMinutes * MINUTE_MS);
  if (remindAt !== undefined) enqueue(effect({ type: 'timer.set', name: ticketTimer('remind', id), dueAt: remindAt }));
  enqueue(effect({ type: 'timer.set', name: ticketTimer('promise', id), dueAt: by }));
  const escalateAt = atWork(def, addWorkingDays(def, at, def.followUp.escalateAfterWorkingDays));
  enqueue(effect({ type: 'timer.set', name: ticketTimer('escalate', id), dueAt: escalateAt }));
  if (matter.card && deps.desk) {
    enqueue(effect({ type: 'desk.open', card: matter.card }));
    for (const { caption, ...file } of matter.files ?? [])
      enqueue(effect({ type: 'desk.file', file, ticketId: id, ...(caption ? { caption: quoted(caption) } : {}) }));
  }
  const need = matter.need ?? matter.card?.need;
  const entry: FollowUp = {
    ticketId: id,
    promisedBy: by,
    type: matter.type,
    ...(need ? { need: followUpNeed(need) } : {}),
    ...(matter.card?.facts.length ? { facts: matter.card.facts } : {}),
    ...(matter.bare ? { needUnstated: true } : {}),
    ...(matter.complainedOf ? { complainedOf: matter.complainedOf } : {}),
    ...(matter.complainedOf && matter.card?.supervisor === 'asked' ? { supervisorAsked: true as const } : {}),
  };
  enqueue.assign({ followUps: withFollowUp(context.followUps, entry) });
  return entry;
}

/** A follow-up is over (resolved, or found settled elsewhere): its timers stop, it leaves the list. */
export function endFollowUp(
  enqueue: Enqueue,
  context: ServiceContext,
  ticketId: string,
  keep: 'survey' | 'none',
): void {
  for (const kind of TICKET_TIMERS)
    if (kind !== 'survey' || keep === 'none')
      enqueue(effect({ type: 'timer.cancel', name: ticketTimer(kind, ticketId) }));
  enqueue.assign({ followUps: (context.followUps ?? []).filter((f) => f.ticketId !== ticketId) });
}

/**
 * A person settled the matter (结果反馈 and 确认与闭环, 000 三.(一)4–5): the ticket is resolved by
 * `agent` with `outcome` (what the customer was told, or a note; may be empty), its promise is
 * recorded as kept when that was still in time, and a follow-up stops (its survey timer is the
 * caller's to set).
 */
export function resolveMatter(
  enqueue: Enqueue,
  context: ServiceContext,
  matter: { ticketId: string; agent: AgentRef; at: number; outcome: string },
): void {
  const { ticketId: id, agent, at, outcome } = matter;
  const f = followUpOf(context, id);
  const who = agent.name ?? agent.id;
  const events: TicketEvent[] = [{ type: 'resolved', at, by: agent, ...(outcome ? { detail: outcome } : {}) }];
  if (f && keepsPromise(f, at)) events.push({ type: 'promise-kept', at });
  const changes: TicketChanges = {
    status: 'resolved',
    resolvedBy: agent,
    outcome: outcome ? `resolved by ${who}: ${outcome}` : `resolved by ${who}`,
    events,
  };
  enqueue(effect({ type: 'ticket.update', id, changes, at }));
  if (f) endFollowUp(enqueue, context, id, 'survey');
}

/** Ticket changes for several tickets at once (the survey score applies to the whole session). */
export function updateTickets(enqueue: Enqueue, ids: readonly string[], changes: TicketChanges, at: number): void {
  for (const id of ids) enqueue(effect({ type: 'ticket.update', id, changes, at }));
}

const UNRESOLVED_OUTCOME: Partial<Record<ServiceEvent['type'], string>> = {
  'timer.idle': 'customer stopped replying before an answer',
  'user.blocked': 'customer blocked the bot before an answer',
  'user.message': 'customer took the question back before an answer',
};

/** The record-keeping actions every concern uses. */
export function withRecords(base: BaseSetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return base.extend({
    actions: {
      // A photo or file the customer sent is kept with the matter: on its tickets, and for the agent if a person takes it.
      keepFile: assign({ files: ({ context, event }) => keepFile(context.files, fileOf(event)) }),
      // A matter left half-way (quiet, blocked, restarted, taken back) is recorded: as confirmed, else (`unconfirmed`) the need.
      recordUnresolved: collect(({ context, event, enqueue }, params: { unconfirmed: boolean } | undefined) => {
        const need = context.facts.at(-1) ?? (params?.unconfirmed ? context.need : undefined);
        if (!need) return;
        const outcome = UNRESOLVED_OUTCOME[event.type] ?? 'conversation restarted before an answer';
        const ticket = newTicket(deps, context, event.at, {
          type: 'inquiry',
          status: 'unresolved',
          need,
          outcome: params?.unconfirmed ? `${outcome} (need not yet confirmed)` : outcome,
        });
        recordTicket(enqueue, context, ticket, { rated: false, more: { facts: [] } });
      }),
      // 遇到客户提出建议时: thank, record, promise to pass it on.
      recordSuggestion: collect(({ context, event, enqueue }) => {
        const text = textOf(event);
        const ticket = newTicket(deps, { ...context, facts: [text] }, event.at, {
          type: 'suggestion',
          status: 'recorded',
          need: text,
          outcome: 'suggestion recorded for the team responsible',
        });
        recordTicket(enqueue, context, ticket, { rated: false });
        enqueue(say('suggestion', { vars: { ticket: ticket.id } }));
      }),
      // 遇到无法当场答复的客户咨询: record it (pending, never `answered`) and promise a reply time.
      // Either the customer confirmed a need the knowledge base has no answer for, or (no desk to
      // hand to) they said `failures` restatements in a row were not what they meant.
      recordFollowUp: collect(({ context, event, enqueue }) => {
        const def = defOf(context);
        const hours = def.thresholds.followUpHours;
        const why =
          context.failures > 0
            ? `need not understood after ${context.failures + 1} restatements`
            : 'no knowledge-base answer for the confirmed need';
        const by = promisedBy(def, event.at, hours);
        const ticket = newTicket(deps, context, event.at, {
          type: 'inquiry',
          status: 'pending',
          need: context.need ?? '',
          outcome: `${why}; follow-up promised within ${hours} h`,
          promisedBy: by,
        });
        recordTicket(enqueue, context, ticket, { more: { facts: [], failures: 0 } });
        enqueue(say('followUp', { vars: promiseVars(def, ticket.id, hours, by) }));
        const card = cardOf(context, {
          ticketId: ticket.id,
          reason: 'failures',
          priority: 'normal',
          need: ticket.need,
          facts: ticket.facts,
          tickets: [ticket.id],
          afterHours: false,
          followUpBy: by,
        });
        followUp(enqueue, deps, context, {
          ticketId: ticket.id,
          type: 'inquiry',
          by,
          at: event.at,
          card,
          files: ticket.files,
        });
      }),
      // What the knowledge base could not answer (as the customer put it) is counted for admins (issue 11).
      noteUnanswered: collect(({ context, event, enqueue }) => {
        const text = withoutOpening(questionKey(context.need ?? '', context.locale), defOf(context), context.locale);
        if (text) enqueue(effect({ type: 'unanswered.record', text, locale: context.locale, at: event.at }));
      }),
      // 三明治法则 for whichever policy this message asks to go beyond.
      answerPolicy: collect(({ event, enqueue }) => {
        const policyId = understood(event)?.policy;
        if (policyId) enqueue(effect({ type: 'policy', policyId }));
      }),
    },
  });
}
export type RecordsSetup = ReturnType<typeof withRecords>;

/**
 * A question's key without the words it opens with that do not change the question (the
 * definition's `restate.connectors`, and in Chinese its `fillers`: 我想问下, 请问, 你们的, "i wanted to ask"), so
 * 我想问下你们的会员积分怎么用 and 你们的会员积分怎么用 are counted as one. Keeps the key whole
 * when nothing would be left.
 */
function withoutOpening(key: string, def: FlowDefinition, locale: string): string {
  // Chinese fillers are particles and pronouns (你们的); English ones include the question words.
  const openings = [...def.restate.connectors, ...(locale.startsWith('zh') ? def.fillers : [])]
    .map((w) => questionKey(w, locale))
    .filter(Boolean)
    .sort((a, b) => b.length - a.length);
  let rest = key;
  for (let changed = true; changed;) {
    changed = false;
    for (const w of openings) {
      const latin = /^[a-z0-9' ]+$/.test(w);
      if (!rest.startsWith(w) || (latin && rest.length > w.length && rest[w.length] !== ' ')) continue;
      const next = rest.slice(w.length).trim();
      if (!next) continue;
      rest = next;
      changed = true;
      break;
    }
  }
  return rest;
}
