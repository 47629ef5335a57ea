import { assign, enqueueActions, raise, setup } from 'xstate';
import { categorize, describeFacts, describeMissing, extractFacts, mergeFacts, missingFacts, type ComplaintFacts } from './complaint.js';
import type { PhraseGuard } from './guard.js';
import type { AgentNotice, AgentRef, DeskAlert, DeskUpdate, HandoffCard, HandoffReason } from './handoff.js';
import { describeHours, formatLocalTime, isBusinessTime, nextBusinessTime } from './hours.js';
import type { Understanding } from './match.js';
import type { ChoiceId, FlowDefinition, IntentId, TextKey } from './schema.js';
import { promiseTimer, ticketId, type Customer, type Ticket, type TicketChanges, type TicketStatus } from './ticket.js';
import { normalize, pickVariant, trimSentence } from './text.js';

/**
 * The standard service conversation (服务流程): greet, confirm the need by restating it, answer
 * from the knowledge base, record the matter, close with a satisfaction survey. Pure: it names
 * texts by key and emits effects as actions; `conversation.ts` turns them into replies.
 */

export interface ServiceContext {
  locale: string;
  conversationId: string;
  channel: string;
  customer: Customer;
  /** The need being confirmed or answered, in the customer's words. */
  need: string | undefined;
  /** Knowledge-base entry recognised in the need, when confident. */
  faqId: string | undefined;
  /** Every confirmed description of the current matter, kept for the ticket. */
  facts: string[];
  /** Consecutive needs the bot could not answer. */
  failures: number;
  /** Matters recorded in this conversation so far; numbers the tickets. */
  seq: number;
  /** Tickets of the current session, which the survey score applies to. */
  sessionTickets: string[];
  /** The complaint being handled, while the standard conversation is suspended. */
  complaint: ComplaintState | undefined;
  /** A handoff to people, while the bot stays silent. */
  handoff: HandoffState | undefined;
  /** A ticket posted after hours, waiting for an agent to pick it up (kept across sessions). */
  waitingTicket: string | undefined;
}

export interface HandoffState {
  reason: HandoffReason;
  priority: 'normal' | 'high';
  category: string | undefined;
  ticketId: string;
  queuedAt: number;
  agent: AgentRef | undefined;
}

export interface ServiceOptions {
  /** An agent desk is connected (Slack, the playground): handoffs can reach people. */
  desk: boolean;
  guardFor: (locale: string) => PhraseGuard;
}

export interface ComplaintState {
  /** Everything the customer said while venting, taken together. */
  text: string;
  facts: ComplaintFacts;
  category: string;
  supervisor: boolean;
  /** De-escalation turns in which the customer was still angry. */
  angryTurns: number;
  /** Times the bot asked for missing facts. */
  rounds: number;
  /** Started before any conversation: afterwards, ask what else we can do rather than resume. */
  fromIdle: boolean;
}

export type EscalationReason = 'supervisor' | 'still-angry' | 'always-human' | 'promise-overdue';

/** A result of the conversation that people must act on; human handoff consumes it. */
export interface Escalation {
  ticketId: string;
  reason: EscalationReason;
  priority: 'normal' | 'high';
}

export interface ServiceInput {
  locale: string;
  conversationId: string;
  channel: string;
  customer: Customer;
}

export type ServiceEvent =
  | { type: 'user.message'; text: string; u: Understanding; locale: string; at: number }
  | { type: 'user.media'; media: string; locale: string; at: number }
  | { type: 'user.start'; locale: string; at: number }
  | { type: 'user.help'; at: number }
  | { type: 'user.blocked'; at: number }
  | { type: 'user.group'; locale: string; at: number }
  | { type: 'desk.unavailable'; at: number }
  | { type: 'timer.idle'; at: number }
  | { type: 'timer.listen'; at: number }
  /** A promised reply time passed; `status` is the ticket's as the store has it now (undefined: gone). */
  | { type: 'timer.promise'; ticketId: string; status: TicketStatus | undefined; at: number }
  | { type: 'timer.claimSla'; at: number }
  | { type: 'timer.supervisorSla'; at: number }
  | ({ type: 'agent.claim' | 'agent.handback' | 'agent.close' | 'agent.release' } & AgentBase)
  | ({ type: 'agent.reply'; text: string; override: boolean } & AgentBase)
  | ({ type: 'agent.note'; text: string } & AgentBase)
  | ({ type: 'agent.transfer'; category: string } & AgentBase);

interface AgentBase {
  agent: { id: string; name?: string | undefined };
  at: number;
}

export interface SayParams {
  key: TextKey;
  vars?: Record<string, string>;
  choices?: ChoiceId[];
  /** {position} and {wait} are filled in at delivery, from the live queue. */
  queue?: boolean;
}
export interface GreetParams {
  withAsk: boolean;
  at: number;
}

export type ServiceDefinitions = (locale: string) => FlowDefinition;

/** The effect actions, typed for use inside `enqueueActions`. */
type EffectAction =
  | { type: 'say'; params: SayParams }
  | { type: 'answer'; params: { faqId: string } }
  | { type: 'putTicket'; params: { ticket: Ticket } }
  | { type: 'updateTickets'; params: UpdateTicketsParams }
  | { type: 'setTimer'; params: { name: string; ms: number } }
  | { type: 'cancelTimer'; params: { name: string } }
  | { type: 'escalate'; params: Escalation }
  | { type: 'deskOpen'; params: HandoffCard }
  | { type: 'deskPost'; params: { text: string; from: 'customer' | 'system' } }
  | { type: 'deskUpdate'; params: { status: DeskUpdate; agent?: { id: string; name?: string | undefined }; category?: string } }
  | { type: 'deskNotify'; params: { agentId: string; notice: AgentNotice } }
  | { type: 'deskPing'; params: { level: DeskAlert } }
  | { type: 'queueJoin'; params: { at: number } }
  | { type: 'queueLeave'; params: { at: number; claimed: boolean } }
  | { type: 'sayPolicy'; params: { policyId: string } }
  | { type: 'relay'; params: { text: string } }
  | { type: 'note'; params: { from: 'agent' | 'system'; text: string } };

export interface UpdateTicketsParams {
  ids: string[];
  changes: TicketChanges;
  at: number;
  /** Apply only while the ticket still has this status (a deadline flag must not touch a resolved ticket). */
  ifStatus?: Ticket['status'];
}

/**
 * Inside `setup({ actions })`, `enqueue` cannot see its sibling actions' types (they are being
 * declared); XState resolves them by name when the transition runs. This is the one cast.
 */
function emit(enqueue: (action: never) => void, action: EffectAction): void {
  enqueue(action as never);
}

/**
 * A reply time promised to the customer: a durable timer watches it, so that when it passes with
 * the matter still pending the ticket is escalated and the customer hears from us (flagOverdue).
 */
function watchPromise(enqueue: (action: never) => void, ticketId: string, hours: number): void {
  emit(enqueue, { type: 'setTimer', params: { name: promiseTimer(ticketId), ms: hours * 3_600_000 } });
}

const MORE_DONE: ChoiceId[] = ['more', 'done'];
/** The survey rates at most this many recent matters, so state stays bounded in a long session. */
const MAX_SESSION_TICKETS = 10;
const YES_NO: ChoiceId[] = ['yes', 'no'];
const SCORES: ChoiceId[] = ['score5', 'score4', 'score3', 'score2', 'score1'];

function understood(event: ServiceEvent): Understanding | undefined {
  return event.type === 'user.message' ? event.u : undefined;
}
function textOf(event: ServiceEvent): string {
  return event.type === 'user.message' ? trimSentence(event.text) : '';
}
function localeOf(event: ServiceEvent, fallback: string): string {
  return 'locale' in event ? event.locale : fallback;
}
/** The message is essentially this intent, and no other intent covers more of it. */
function answers(event: ServiceEvent, ...ids: IntentId[]): boolean {
  const u = understood(event);
  if (!u?.whole) return false;
  const top = Math.max(...Object.values(u.intents));
  return top > 0 && ids.some((id) => (u.intents[id] ?? 0) >= top);
}
function upset(event: ServiceEvent): boolean {
  const c = understood(event)?.complaint;
  return c !== undefined && (c.angry || c.exclaimed);
}
function mentions(event: ServiceEvent, id: IntentId): boolean {
  return (understood(event)?.intents[id] ?? 0) > 0;
}

/**
 * Restates a need in the bot's voice: pronouns swapped ("我的订单" → "您的订单") unless the text
 * has words that make swapping ambiguous, in which case it is quoted as the customer wrote it.
 */
export function restate(def: FlowDefinition, need: string): string {
  const text = trimSentence(need);
  const lower = normalize(text);
  const ascii = /^[\x00-\x7f]*$/.test(text);
  const wordAt = (w: string) => new RegExp(ascii ? `(?<![a-z'])${escape(normalize(w))}(?![a-z'])` : escape(normalize(w)), 'giu');
  if (def.restate.quoteIf.some((w) => wordAt(w).test(lower))) return ascii ? `"${text}"` : `“${text}”`;
  // One pass over all swaps, so "my" → "your" is not swapped back by a later "you" rule.
  const rules = def.restate.swaps.map(([from, to]) => ({ re: wordAt(from), to }));
  if (rules.length === 0) return text;
  const combined = new RegExp(rules.map((r) => `(${r.re.source})`).join('|'), 'giu');
  return text.replace(combined, (...m: unknown[]) => {
    const index = m.slice(1, rules.length + 1).findIndex((g) => g !== undefined);
    return rules[index]?.to ?? String(m[0]);
  });
}
function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function agentOf(event: ServiceEvent): { id: string; name?: string | undefined } | undefined {
  return 'agent' in event ? event.agent : undefined;
}

export function createServiceMachine(definitions: ServiceDefinitions, options: ServiceOptions = { desk: false, guardFor: () => ({ check: () => ({ allowed: true }) }) }) {
  const defOf = (ctx: ServiceContext) => definitions(ctx.locale);

  const newTicket = (ctx: ServiceContext, at: number, fields: Pick<Ticket, 'type' | 'status' | 'need' | 'outcome'> & Partial<Ticket>): Ticket => ({
    id: ticketId(ctx.conversationId, ctx.seq + 1, at, defOf(ctx).timeZone),
    conversationId: ctx.conversationId,
    channel: ctx.channel,
    customer: ctx.customer,
    locale: ctx.locale,
    facts: [...ctx.facts],
    createdAt: at,
    updatedAt: at,
    ...fields,
  });

  const categoryOf = (ctx: ServiceContext) => defOf(ctx).complaints.categories.find((k) => k.id === ctx.complaint?.category);

  /** One ticket per complaint: category, priority, the facts as restated, the promised deadline. */
  const complaintTicket = (
    ctx: ServiceContext,
    at: number,
    status: Ticket['status'],
    outcome: string,
    promiseHours?: number,
    extra: Partial<Ticket> = {},
  ): Ticket | undefined => {
    const c = ctx.complaint;
    if (!c) return undefined;
    const category = categoryOf(ctx);
    const facts = [c.text, describeFacts(defOf(ctx).complaints, c.facts)].filter(Boolean);
    return newTicket({ ...ctx, facts }, at, {
      type: 'complaint',
      status,
      need: c.facts.what ?? c.text,
      outcome,
      category: category?.id ?? 'other',
      priority: category?.priority ?? 'normal',
      ...(promiseHours !== undefined ? { promisedBy: at + promiseHours * 3_600_000 } : {}),
      ...extra,
    });
  };

  return setup({
    types: {
      context: {} as ServiceContext,
      events: {} as ServiceEvent,
      input: {} as ServiceInput,
    },
    actions: {
      // Effects: the conversation layer renders and delivers them.
      say: (_, _params: SayParams) => {},
      greet: (_, _params: GreetParams) => {},
      answer: (_, _params: { faqId: string }) => {},
      putTicket: (_, _params: { ticket: Ticket }) => {},
      updateTickets: (_, _params: UpdateTicketsParams) => {},
      setTimer: (_, _params: { name: string; ms: number }) => {},
      cancelTimer: (_, _params: { name: string }) => {},
      escalate: (_, _params: Escalation) => {},
      deskOpen: (_, _params: HandoffCard) => {},
      deskPost: (_, _params: { text: string; from: 'customer' | 'system' }) => {},
      deskUpdate: (_, _params: { status: DeskUpdate; agent?: { id: string; name?: string | undefined }; category?: string }) => {},
      deskNotify: (_, _params: { agentId: string; notice: AgentNotice }) => {},
      deskPing: (_, _params: { level: DeskAlert }) => {},
      queueJoin: (_, _params: { at: number }) => {},
      queueLeave: (_, _params: { at: number; claimed: boolean }) => {},
      relay: (_, _params: { text: string }) => {},
      note: (_, _params: { from: 'agent' | 'system'; text: string }) => {},
      sayPolicy: (_, _params: { policyId: string }) => {},

      adoptLocale: assign({ locale: ({ context, event }) => localeOf(event, context.locale) }),
      captureNeed: assign({
        need: ({ event }) => textOf(event),
        faqId: ({ event }) => {
          const faq = understood(event)?.faq;
          return faq?.confident ? faq.id : undefined;
        },
      }),
      sayConfirm: enqueueActions(({ context, enqueue }) => {
        const def = defOf(context);
        const entry = def.faq.find((f) => f.id === context.faqId);
        if (entry) emit(enqueue, { type: 'say', params: { key: 'confirmTopic', vars: { topic: entry.topic }, choices: YES_NO } });
        else emit(enqueue, { type: 'say', params: { key: 'confirmVerbatim', vars: { need: restate(def, context.need ?? '') }, choices: YES_NO } });
      }),
      recordAnswered: enqueueActions(({ context, event, enqueue }) => {
        const ticket = newTicket(context, event.at, {
          type: 'inquiry',
          status: 'answered',
          need: context.need ?? '',
          faqId: context.faqId,
          outcome: `answered from the knowledge base (${context.faqId})`,
        });
        emit(enqueue, { type: 'answer', params: { faqId: context.faqId ?? '' } });
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS), facts: [], failures: 0 });
      }),
      // 遇到无法当场答复的客户咨询: record it and promise a reply time.
      recordFollowUp: enqueueActions(({ context, event, enqueue }) => {
        const hours = defOf(context).thresholds.followUpHours;
        const ticket = newTicket(context, event.at, {
          type: 'inquiry',
          status: 'pending',
          need: context.need ?? '',
          outcome: `not answered after ${context.failures + 1} attempts; follow-up promised within ${hours} h`,
          promisedBy: event.at + hours * 3_600_000,
        });
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        emit(enqueue, { type: 'say', params: { key: 'followUp', vars: { ticket: ticket.id, hours: String(hours) } } });
        watchPromise(enqueue, ticket.id, hours);
        enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS), facts: [], failures: 0 });
      }),
      // A matter left half-way (the customer went quiet or restarted) is still recorded.
      recordUnresolved: enqueueActions(({ context, event, enqueue }) => {
        if (context.facts.length === 0) return;
        const ticket = newTicket(context, event.at, {
          type: 'inquiry',
          status: 'unresolved',
          need: context.facts.at(-1) ?? '',
          outcome:
            event.type === 'timer.idle'
              ? 'customer stopped replying before an answer'
              : event.type === 'user.blocked'
                ? 'customer blocked the bot before an answer'
                : 'conversation restarted before an answer',
        });
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        enqueue.assign({ seq: context.seq + 1, facts: [] });
      }),
      // 遇到客户提出建议时: thank, record, promise to pass it on.
      recordSuggestion: enqueueActions(({ context, event, enqueue }) => {
        const text = textOf(event);
        const ticket = newTicket({ ...context, facts: [text] }, event.at, { type: 'suggestion', status: 'recorded', need: text, outcome: 'suggestion recorded for the team responsible' });
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        emit(enqueue, { type: 'say', params: { key: 'suggestion', vars: { ticket: ticket.id } } });
        enqueue.assign({ seq: context.seq + 1 });
      }),
      // ---- complaints (客户抱怨与投诉): listen → apologise → clarify → resolve or promise/escalate
      startComplaint: enqueueActions(({ context, event, enqueue }, params: { fromIdle: boolean }) => {
        const def = defOf({ ...context, locale: localeOf(event, context.locale) });
        const text = textOf(event);
        enqueue.assign({
          locale: params.fromIdle ? localeOf(event, context.locale) : context.locale,
          complaint: {
            text,
            facts: extractFacts(def.complaints, text),
            category: categorize(def.complaints, text).id,
            supervisor: understood(event)?.complaint.supervisor ?? false,
            angryTurns: 0,
            rounds: 0,
            fromIdle: params.fromIdle,
          },
        });
        emit(enqueue, { type: 'setTimer', params: { name: 'listen', ms: def.complaints.listenSeconds * 1000 } });
      }),
      // Let the customer finish: every message in quick succession joins the complaint and waits again.
      absorbComplaint: enqueueActions(({ context, event, enqueue }) => {
        const c = context.complaint;
        if (!c || event.type !== 'user.message') return;
        const def = defOf(context);
        const text = [c.text, textOf(event)].filter(Boolean).join(' ').slice(0, 500);
        enqueue.assign({
          complaint: {
            ...c,
            text,
            facts: mergeFacts(c.facts, extractFacts(def.complaints, textOf(event)), def.complaints.facts.detailSeparator),
            category: categorize(def.complaints, text).id,
            supervisor: c.supervisor || event.u.complaint.supervisor,
          },
        });
      }),
      // An answer to the offered solution: kept with the complaint's words, not taken as a new fact.
      noteComplaint: assign({
        complaint: ({ context, event }) => (context.complaint ? { ...context.complaint, text: [context.complaint.text, textOf(event)].filter(Boolean).join(' ').slice(0, 500) } : undefined),
      }),
      armListen: enqueueActions(({ context, enqueue }) => {
        emit(enqueue, { type: 'setTimer', params: { name: 'listen', ms: defOf(context).complaints.listenSeconds * 1000 } });
      }),
      countAnger: assign({
        complaint: ({ context, event }) => (context.complaint && upset(event) ? { ...context.complaint, angryTurns: context.complaint.angryTurns + 1 } : context.complaint),
      }),
      nextRound: assign({ complaint: ({ context }) => (context.complaint ? { ...context.complaint, rounds: context.complaint.rounds + 1 } : undefined) }),
      // 澄清: restate what is known, ask for what is missing.
      askForFacts: enqueueActions(({ context, enqueue }) => {
        const c = context.complaint;
        if (!c) return;
        const complaints = defOf(context).complaints;
        const missing = missingFacts(c.facts);
        const facts = describeFacts(complaints, c.facts);
        if (missing.length === 0 || c.rounds >= complaints.clarifyRounds) {
          if (facts) emit(enqueue, { type: 'say', params: { key: 'complaintConfirmFacts', vars: { facts } } });
          return;
        }
        const ask = describeMissing(complaints, missing);
        if (facts) emit(enqueue, { type: 'say', params: { key: 'complaintClarify', vars: { facts, missing: ask } } });
        else emit(enqueue, { type: 'say', params: { key: 'complaintAskMissing', vars: { missing: ask } } });
      }),
      offerAnswer: enqueueActions(({ context, enqueue }) => {
        const def = defOf(context);
        const category = def.complaints.categories.find((k) => k.id === context.complaint?.category);
        const entry = def.faq.find((f) => f.id === category?.faqId);
        if (entry) emit(enqueue, { type: 'say', params: { key: 'complaintResolve', vars: { answer: pickVariant(entry.answer, context.seq) }, choices: YES_NO } });
      }),
      recordComplaintResolved: enqueueActions(({ context, event, enqueue }) => {
        const ticket = complaintTicket(context, event.at, 'resolved', 'customer accepted the knowledge-base solution');
        if (!ticket) return;
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        emit(enqueue, { type: 'say', params: { key: 'complaintResolved', vars: { ticket: ticket.id } } });
        enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS) });
      }),
      // 受理完客户投诉后的应答: the feedback path, with the category's promised reply time.
      recordComplaintPromise: enqueueActions(({ context, event, enqueue }) => {
        const hours = categoryOf(context)?.promiseHours ?? defOf(context).thresholds.followUpHours;
        const ticket = complaintTicket(context, event.at, 'pending', `feedback path: reply promised within ${hours} h`, hours);
        if (!ticket) return;
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        if (event.type !== 'user.blocked') emit(enqueue, { type: 'say', params: { key: 'complaintPromise', vars: { ticket: ticket.id, hours: String(hours) } } });
        watchPromise(enqueue, ticket.id, hours);
        enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS) });
      }),
      // 用户要求与上级沟通 / still angry / a category people must handle: escalate at high priority.
      recordComplaintEscalation: enqueueActions(({ context, event, enqueue }, params: { announce: boolean }) => {
        const c = context.complaint;
        if (!c) return;
        const category = categoryOf(context);
        const reason: EscalationReason = c.supervisor ? 'supervisor' : category?.alwaysHuman ? 'always-human' : 'still-angry';
        const hours = Math.min(category?.promiseHours ?? 24, defOf(context).thresholds.followUpHours);
        const ticket = complaintTicket(context, event.at, 'pending', `escalated (${reason}): supervisor contact promised within ${hours} h`, hours, { priority: 'high', escalation: { reason, at: event.at } });
        if (!ticket) return;
        emit(enqueue, { type: 'putTicket', params: { ticket } });
        if (params.announce) emit(enqueue, { type: 'say', params: { key: 'complaintEscalate', vars: { ticket: ticket.id, hours: String(hours) } } });
        watchPromise(enqueue, ticket.id, hours);
        emit(enqueue, { type: 'escalate', params: { ticketId: ticket.id, reason, priority: 'high' } });
        enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS) });
      }),
      clearComplaint: assign({ complaint: undefined }),
      // The escalated complaint's ticket is the one the handoff card and its outcome refer to.
      adoptComplaintTicket: assign({
        handoff: ({ context }) => (context.handoff ? { ...context.handoff, ticketId: context.sessionTickets.at(-1) ?? '' } : undefined),
      }),
      // The promised time passed. If nobody has resolved the matter: flag the ticket and escalate it,
      // and 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，也需回复客户，并尽量取得客户的谅解
      // (agents get the notice instead while they are talking with the customer).
      flagOverdue: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'timer.promise') return;
        if (event.status !== 'pending') {
          emit(enqueue, { type: 'note', params: { from: 'system', text: `promised reply time for ${event.ticketId} passed; the ticket is ${event.status ?? 'gone'}, nothing to chase` } });
          return;
        }
        emit(enqueue, {
          type: 'updateTickets',
          params: { ids: [event.ticketId], changes: { overdueAt: event.at, priority: 'high', escalation: { reason: 'promise-overdue', at: event.at } }, at: event.at, ifStatus: 'pending' },
        });
        emit(enqueue, { type: 'escalate', params: { ticketId: event.ticketId, reason: 'promise-overdue', priority: 'high' } });
        if (context.handoff) emit(enqueue, { type: 'deskPing', params: { level: 'overdue' } });
        else emit(enqueue, { type: 'say', params: { key: 'promiseOverdue', vars: { ticket: event.ticketId } } });
      }),
      // ---- handoff to people (智能与人工协同, 复杂问题升级)
      requestHandoff: assign({
        handoff: ({ context, event }, params: { reason: HandoffReason }) => ({
          reason: params.reason,
          priority: params.reason === 'complaint' ? ('high' as const) : ('normal' as const),
          category: context.complaint?.category,
          ticketId: '',
          queuedAt: event.at,
          agent: undefined,
        }),
      }),
      // The matter is recorded first: agents see it on the card, the customer can quote its number.
      openHandoff: enqueueActions(({ context, event, enqueue }, params: { afterHours: boolean }) => {
        const h = context.handoff;
        if (!h) return;
        const def = defOf(context);
        let ticketId = h.ticketId;
        let seq = context.seq;
        let sessionTickets = context.sessionTickets;
        if (!ticketId) {
          const ticket = newTicket(context, event.at, {
            type: 'inquiry',
            status: 'pending',
            need: context.need ?? context.facts.at(-1) ?? textOf(event),
            outcome: params.afterHours ? 'after hours: waiting for agents' : `handed to a person (${h.reason})`,
            promisedBy: event.at + def.thresholds.followUpHours * 3_600_000,
            priority: h.priority,
          });
          emit(enqueue, { type: 'putTicket', params: { ticket } });
          ticketId = ticket.id;
          seq += 1;
          sessionTickets = [...sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS);
        }
        const card = () => emit(enqueue, {
          type: 'deskOpen',
          params: {
            reason: h.reason,
            priority: h.priority,
            category: h.category,
            afterHours: params.afterHours,
            locale: context.locale,
            channel: context.channel,
            customer: context.customer,
            ticketId,
            need: context.need ?? context.facts.at(-1) ?? textOf(event),
            facts: context.facts,
            tickets: sessionTickets,
          },
        });
        if (params.afterHours) {
          card();
          const back = nextBusinessTime(def, event.at);
          emit(enqueue, {
            type: 'say',
            params: {
              key: 'handoffAfterHours',
              vars: { hours: describeHours(def), back: back === undefined ? '' : formatLocalTime(def, back), ticket: ticketId, promise: String(def.thresholds.followUpHours) },
            },
          });
          watchPromise(enqueue, ticketId, def.thresholds.followUpHours);
          enqueue.assign({ seq, sessionTickets, handoff: undefined, facts: [], failures: 0, waitingTicket: ticketId });
          return;
        }
        // The customer hears first: a slow or failing desk must not leave them in silence.
        emit(enqueue, { type: 'queueJoin', params: { at: event.at } });
        emit(enqueue, { type: 'say', params: { key: 'handoffQueued', queue: true } });
        card();
        emit(enqueue, { type: 'setTimer', params: { name: 'claimSla', ms: def.handoff.claimSlaSeconds * 1000 } });
        emit(enqueue, { type: 'setTimer', params: { name: 'supervisorSla', ms: def.handoff.supervisorSlaSeconds * 1000 } });
        enqueue.assign({ seq, sessionTickets, handoff: { ...h, ticketId }, facts: [], failures: 0 });
      }),
      // No desk is connected: say so honestly, record the matter and promise a reply time.
      handoffUnavailable: enqueueActions(({ context, event, enqueue }) => {
        const h = context.handoff;
        const hours = defOf(context).thresholds.followUpHours;
        let ticketId = h?.ticketId ?? '';
        if (!ticketId) {
          const ticket = newTicket(context, event.at, {
            type: 'inquiry',
            status: 'pending',
            need: context.need ?? context.facts.at(-1) ?? textOf(event),
            outcome: `asked for a person (${h?.reason ?? 'asked'}); no agent desk connected; follow-up promised within ${hours} h`,
            promisedBy: event.at + hours * 3_600_000,
          });
          emit(enqueue, { type: 'putTicket', params: { ticket } });
          ticketId = ticket.id;
          enqueue.assign({ seq: context.seq + 1, sessionTickets: [...context.sessionTickets, ticket.id].slice(-MAX_SESSION_TICKETS) });
        }
        emit(enqueue, { type: 'say', params: { key: 'handoffUnavailable', vars: { ticket: ticketId, hours: String(hours) } } });
        watchPromise(enqueue, ticketId, hours);
        enqueue.assign({ handoff: undefined, facts: [], failures: 0 });
      }),
      deskGaveUp: enqueueActions(({ context, enqueue }) => {
        const h = context.handoff;
        const hours = defOf(context).thresholds.followUpHours;
        emit(enqueue, { type: 'say', params: { key: 'handoffUnavailable', vars: { ticket: h?.ticketId ?? '', hours: String(hours) } } });
        if (h?.ticketId) watchPromise(enqueue, h.ticketId, hours);
      }),
      // 三明治法则 for whichever policy this message asks to go beyond.
      answerPolicy: enqueueActions(({ event, enqueue }) => {
        const policyId = understood(event)?.policy;
        if (policyId) emit(enqueue, { type: 'sayPolicy', params: { policyId } });
      }),
      relayToDesk: enqueueActions(({ event, enqueue }) => {
        if (event.type === 'user.message') emit(enqueue, { type: 'deskPost', params: { text: event.text, from: 'customer' } });
        if (event.type === 'user.media') emit(enqueue, { type: 'deskPost', params: { text: `[${event.media}]`, from: 'customer' } });
      }),
      claim: enqueueActions(({ context, event, enqueue }) => {
        const h = context.handoff;
        const agent = agentOf(event);
        if (!h || !agent) return;
        const def = defOf(context);
        emit(enqueue, { type: 'queueLeave', params: { at: event.at, claimed: true } });
        emit(enqueue, { type: 'cancelTimer', params: { name: 'claimSla' } });
        emit(enqueue, { type: 'cancelTimer', params: { name: 'supervisorSla' } });
        emit(enqueue, { type: 'deskUpdate', params: { status: 'claimed', agent } });
        if (def.handoff.showAgentName && agent.name) emit(enqueue, { type: 'say', params: { key: 'handoffClaimed', vars: { agent: agent.name } } });
        else emit(enqueue, { type: 'say', params: { key: 'handoffClaimedAnonymous' } });
        enqueue.assign({ handoff: { ...h, agent } });
      }),
      // Only the claiming agent talks to the customer, and only in words the standards allow.
      agentReply: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== 'agent.reply') return;
        const claimer = context.handoff?.agent;
        if (!claimer || claimer.id !== event.agent.id) {
          emit(enqueue, { type: 'note', params: { from: 'agent', text: `[internal] ${event.agent.name ?? event.agent.id}: ${event.text}` } });
          return;
        }
        const verdict = options.guardFor(context.locale).check(event.text);
        if (!verdict.allowed && !event.override) {
          emit(enqueue, { type: 'deskNotify', params: { agentId: event.agent.id, notice: { kind: 'guard-blocked', matches: verdict.matches, text: event.text } } });
          emit(enqueue, { type: 'note', params: { from: 'agent', text: `[blocked: ${verdict.matches.map((m) => m.phrase).join(', ')}] ${event.text}` } });
          return;
        }
        emit(enqueue, { type: 'relay', params: { text: event.text } });
      }),
      // An agent takes over a conversation that is not waiting (an after-hours card, next morning).
      adoptConversation: assign(({ context, event }) => {
        const ticketId = context.waitingTicket ?? context.sessionTickets.at(-1) ?? '';
        return {
          handoff: { reason: 'asked' as const, priority: 'normal' as const, category: context.complaint?.category, ticketId, queuedAt: event.at, agent: undefined },
          complaint: undefined,
          waitingTicket: undefined,
          // The survey at the end rates the matter the agent handled.
          sessionTickets: ticketId && !context.sessionTickets.includes(ticketId) ? [...context.sessionTickets, ticketId].slice(-MAX_SESSION_TICKETS) : context.sessionTickets,
        };
      }),
      notifyNoHandoff: enqueueActions(({ event, enqueue }) => {
        const agent = agentOf(event);
        if (agent) emit(enqueue, { type: 'deskNotify', params: { agentId: agent.id, notice: { kind: 'no-handoff' } } });
      }),
      notifyNotClaimed: enqueueActions(({ event, enqueue }) => {
        const agent = agentOf(event);
        if (agent) emit(enqueue, { type: 'deskNotify', params: { agentId: agent.id, notice: { kind: 'not-claimed' } } });
      }),
      notifyNotYours: enqueueActions(({ context, event, enqueue }) => {
        const agent = agentOf(event);
        const by = context.handoff?.agent;
        if (agent && by) emit(enqueue, { type: 'deskNotify', params: { agentId: agent.id, notice: { kind: agent.id === by.id ? 'already-claimed' : 'not-yours', by } } });
      }),
      endHandoff: enqueueActions(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const agent = agentOf(event);
        if (!h.agent) emit(enqueue, { type: 'queueLeave', params: { at: event.at, claimed: false } });
        emit(enqueue, { type: 'cancelTimer', params: { name: 'claimSla' } });
        emit(enqueue, { type: 'cancelTimer', params: { name: 'supervisorSla' } });
        emit(enqueue, { type: 'deskUpdate', params: { status: params.status, ...(agent ? { agent } : {}) } });
        const who = h.agent?.name ?? h.agent?.id ?? 'nobody';
        const changes: TicketChanges =
          params.status === 'closed'
            ? { status: 'resolved', outcome: `resolved by ${who}` }
            : params.status === 'handed-back'
              ? { outcome: `handed back to the bot by ${who}` }
              : { outcome: `customer ended the conversation${h.agent ? ` with ${who}` : ' before an agent joined'}` };
        emit(enqueue, { type: 'updateTickets', params: { ids: [h.ticketId], changes, at: event.at } });
        enqueue.assign({ handoff: undefined });
      }),
      requeue: enqueueActions(({ context, event, enqueue }, params: { status: DeskUpdate }) => {
        const h = context.handoff;
        if (!h) return;
        const def = defOf(context);
        const agent = agentOf(event);
        const category = event.type === 'agent.transfer' ? event.category : h.category;
        emit(enqueue, { type: 'deskUpdate', params: { status: params.status, ...(agent ? { agent } : {}), ...(category ? { category } : {}) } });
        if (h.agent) emit(enqueue, { type: 'queueJoin', params: { at: event.at } });
        emit(enqueue, { type: 'setTimer', params: { name: 'claimSla', ms: def.handoff.claimSlaSeconds * 1000 } });
        emit(enqueue, { type: 'setTimer', params: { name: 'supervisorSla', ms: def.handoff.supervisorSlaSeconds * 1000 } });
        enqueue.assign({ handoff: { ...h, agent: undefined, category, queuedAt: h.agent ? event.at : h.queuedAt } });
      }),
      rate: enqueueActions(({ context, event, enqueue }) => {
        const rating = understood(event)?.rating;
        if (rating === undefined) return;
        emit(enqueue, { type: 'updateTickets', params: { ids: [...context.sessionTickets], changes: { satisfaction: rating }, at: event.at } });
        // A low score is not thanked like a high one: apologise and say it will be looked at.
        emit(enqueue, { type: 'say', params: { key: rating <= 2 ? 'surveySorry' : 'surveyThanks', vars: { score: String(rating) } } });
      }),
    },
    guards: {
      // A greeting, or nothing to go on ("?", "👍"): ask what they need instead of restating it.
      isGreetingOnly: ({ event }) => event.type === 'user.message' && (answers(event, 'greeting') || textOf(event) === '' || understood(event)?.empty === true),
      isYes: ({ event }) => answers(event, 'yes'),
      isNo: ({ event }) => answers(event, 'no', 'done'),
      wantsToFinish: ({ event }) => answers(event, 'done', 'no') || (answers(event, 'thanks') && !mentions(event, 'more')),
      wantsMore: ({ event }) => answers(event, 'more', 'yes'),
      isThanks: ({ event }) => answers(event, 'thanks'),
      isApology: ({ event }) => answers(event, 'apology'),
      isSuggestion: ({ event }) => mentions(event, 'suggestion'),
      hasRating: ({ event }) => understood(event)?.rating !== undefined,
      looksLikeNewNeed: ({ event }) => understood(event)?.faq?.confident === true,
      canAnswer: ({ context }) => context.faqId !== undefined && defOf(context).faq.some((f) => f.id === context.faqId),
      reachedFailureLimit: ({ context }) => context.failures + 1 >= defOf(context).thresholds.failuresBeforeHandoff,
      hasSessionTickets: ({ context }) => context.sessionTickets.length > 0,
      startsComplaint: ({ event }) => understood(event)?.complaint.triggered === true,
      asksBeyondPolicy: ({ event }) => understood(event)?.policy !== undefined,
      asksSupervisor: ({ event }) => understood(event)?.complaint.supervisor === true,
      complaintNeedsPerson: ({ context }) => context.complaint?.supervisor === true || categoryOf(context)?.alwaysHuman === true,
      stillAngryTooLong: ({ context, event }) => upset(event) && (context.complaint?.angryTurns ?? 0) + 1 >= defOf(context).complaints.angryTurnsBeforeEscalation,
      readyToResolve: ({ context }) => {
        const c = context.complaint;
        return !c || missingFacts(c.facts).length === 0 || c.rounds >= defOf(context).complaints.clarifyRounds;
      },
      hasComplaintAnswer: ({ context }) => {
        const faqId = categoryOf(context)?.faqId;
        return faqId !== undefined && defOf(context).faq.some((f) => f.id === faqId);
      },
      complaintFromIdle: ({ context }) => context.complaint?.fromIdle === true,
      wantsPerson: ({ event }) => understood(event)?.wantsPerson === true,
      noDesk: () => !options.desk,
      noDeskAfterFailures: ({ context }) => !options.desk && context.handoff?.reason === 'failures',
      deskConnected: () => options.desk,
      afterHours: ({ context, event }) => !isBusinessTime(defOf(context), event.at),
      wantsToEnd: ({ context, event }) => {
        if (event.type !== 'user.message') return false;
        const norm = normalize(trimSentence(event.text));
        return defOf(context).handoff.endWords.some((w) => normalize(w) === norm);
      },
      hasCustomer: ({ context }) => context.customer.id !== '',
      isClaimer: ({ context, event }) => context.handoff?.agent !== undefined && context.handoff.agent.id === agentOf(event)?.id,
    },
  }).createMachine({
    id: 'conversation',
    context: ({ input }) => ({ ...input, need: undefined, faqId: undefined, facts: [], failures: 0, seq: 0, sessionTickets: [], complaint: undefined, handoff: undefined, waitingTicket: undefined }),
    initial: 'service',
    on: {
      'user.start': {
        target: '.service.awaitingNeed',
        actions: ['recordUnresolved', 'adoptLocale', { type: 'greet', params: ({ event }) => ({ withAsk: true, at: event.at }) }],
      },
      'user.help': { actions: { type: 'say', params: { key: 'help' } } },
      // The customer blocked the bot: nothing can reach them, so end quietly, keeping the matter on record.
      'user.blocked': { target: '.service.idle', actions: 'recordUnresolved' },
      'user.group': { actions: ['adoptLocale', { type: 'say', params: { key: 'privateOnly' } }] },
      'user.media': { actions: { type: 'say', params: { key: 'unsupported' } } },
      'timer.idle': { target: '.service.idle', actions: ['recordUnresolved', { type: 'say', params: { key: 'idleClose' } }] },
      'timer.promise': { actions: 'flagOverdue' },
      // Agents acting on a conversation that is with the bot: a claim takes it over, the rest is refused.
      'agent.claim': [
        { guard: 'hasCustomer', target: '.handoff.claimed', actions: ['adoptConversation', 'claim'] },
        // A button from an old card, or a forged value: there is no customer to take over.
        { actions: 'notifyNoHandoff' },
      ],
      'agent.reply': { actions: 'notifyNoHandoff' },
      'agent.handback': { actions: 'notifyNoHandoff' },
      'agent.close': { actions: 'notifyNoHandoff' },
      'agent.release': { actions: 'notifyNoHandoff' },
      'agent.transfer': { actions: 'notifyNoHandoff' },
    },
    states: {
      /** The standard service conversation. A complaint suspends it; `hist` brings the customer back. */
      service: {
        initial: 'idle',
        states: {
          /** No conversation in progress: the next message opens one with a greeting. */
          idle: {
            entry: assign({ need: undefined, faqId: undefined, facts: [], failures: 0, sessionTickets: [] }),
            on: {
              'timer.idle': {},
              'user.media': {
                target: 'awaitingNeed',
                actions: ['adoptLocale', { type: 'greet', params: ({ event }) => ({ withAsk: false, at: event.at }) }, { type: 'say', params: { key: 'unsupported' } }],
              },
              'user.message': [
                // An angry first message gets no cheerful greeting: listen first.
                { guard: 'startsComplaint', target: '#conversation.complaint', actions: { type: 'startComplaint', params: { fromIdle: true } } },
                { guard: 'wantsPerson', target: '#conversation.handingOff', actions: ['adoptLocale', { type: 'requestHandoff', params: { reason: 'asked' } }] },
                { guard: 'isThanks', actions: { type: 'say', params: { key: 'thanks' } } },
                { guard: 'isApology', actions: { type: 'say', params: { key: 'apology' } } },
                { guard: 'isGreetingOnly', target: 'awaitingNeed', actions: ['adoptLocale', { type: 'greet', params: ({ event }) => ({ withAsk: true, at: event.at }) }] },
                {
                  // The first message already says what they need: greet briefly, then handle it.
                  target: 'awaitingNeed',
                  actions: ['adoptLocale', { type: 'greet', params: ({ event }) => ({ withAsk: false, at: event.at }) }, raise(({ event }) => event)],
                },
              ],
            },
          },
          awaitingNeed: {
            on: {
              'user.message': [
                { guard: 'startsComplaint', target: '#conversation.complaint', actions: { type: 'startComplaint', params: { fromIdle: false } } },
                { guard: 'wantsPerson', target: '#conversation.handingOff', actions: { type: 'requestHandoff', params: { reason: 'asked' } } },
                { guard: 'isGreetingOnly', actions: { type: 'say', params: { key: 'ask' } } },
                ...anyTime(),
                { guard: 'wantsToFinish', target: 'closing' },
                { target: 'confirming', actions: 'captureNeed' },
              ],
            },
          },
          /** 需求确认: "您的意思是……,对吗?" (asked on entry, so returning here after a complaint asks again). */
          confirming: {
            entry: 'sayConfirm',
            on: {
              'user.message': [
                { guard: 'startsComplaint', target: '#conversation.complaint', actions: { type: 'startComplaint', params: { fromIdle: false } } },
                { guard: 'wantsPerson', target: '#conversation.handingOff', actions: { type: 'requestHandoff', params: { reason: 'asked' } } },
                { guard: 'isYes', target: 'answering', actions: assign({ facts: ({ context }) => [...context.facts, context.need ?? ''].filter(Boolean).slice(-5) }) },
                { guard: 'isNo', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'describeAgain' } } },
                ...anyTime(),
                { guard: 'isGreetingOnly', actions: 'sayConfirm' },
                // Anything else is the need said another way: restate that instead.
                { target: 'confirming', reenter: true, actions: 'captureNeed' },
              ],
            },
          },
          answering: {
            always: [
              { guard: 'canAnswer', target: 'askMore', actions: 'recordAnswered' },
              { guard: 'reachedFailureLimit', target: '#conversation.handingOff', actions: { type: 'requestHandoff', params: { reason: 'failures' } } },
              { target: 'awaitingNeed', actions: [assign({ failures: ({ context }) => context.failures + 1 }), { type: 'say', params: { key: 'notSure' } }] },
            ],
          },
          askMore: {
            entry: { type: 'say', params: { key: 'askMore', choices: MORE_DONE } },
            on: {
              'user.message': [
                { guard: 'startsComplaint', target: '#conversation.complaint', actions: { type: 'startComplaint', params: { fromIdle: false } } },
                { guard: 'wantsPerson', target: '#conversation.handingOff', actions: { type: 'requestHandoff', params: { reason: 'asked' } } },
                { guard: 'wantsToFinish', target: 'closing' },
                { guard: 'wantsMore', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'goOn' } } },
                ...anyTime(),
                { guard: 'isGreetingOnly', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'ask' } } },
                { target: 'confirming', actions: 'captureNeed' },
              ],
            },
          },
          /** 结束语, then the survey when a matter was recorded. */
          closing: {
            always: [
              {
                guard: 'hasSessionTickets',
                target: 'survey',
                actions: { type: 'say', params: ({ context }) => ({ key: 'closingRecorded', vars: { ticket: context.sessionTickets.at(-1) ?? '' } }) },
              },
              { target: 'idle', actions: { type: 'say', params: { key: 'closing' } } },
            ],
          },
          survey: {
            entry: { type: 'say', params: { key: 'surveyAsk', choices: SCORES } },
            on: {
              // Already thanked and closed politely: a customer who does not rate is simply let go.
              'timer.idle': { target: 'idle' },
              'user.message': [
                { guard: 'hasRating', target: 'idle', actions: 'rate' },
                { guard: 'startsComplaint', target: '#conversation.complaint', actions: { type: 'startComplaint', params: { fromIdle: false } } },
                { guard: 'wantsPerson', target: '#conversation.handingOff', actions: { type: 'requestHandoff', params: { reason: 'asked' } } },
                ...anyTime(),
                { guard: 'wantsToFinish', target: 'idle' },
                { guard: 'looksLikeNewNeed', target: 'confirming', actions: [assign({ sessionTickets: [] }), 'captureNeed'] },
                { actions: { type: 'say', params: { key: 'surveyRetry', choices: SCORES } } },
              ],
            },
          },
          hist: { type: 'history', history: 'shallow' },
        },
      },
      /** Where a handoff goes: nobody to hand to, after hours, or into the queue. */
      handingOff: {
        always: [
          // Nobody to hand to: a customer the bot could not answer gets the follow-up promise…
          { guard: 'noDeskAfterFailures', target: 'service.askMore', actions: ['recordFollowUp', assign({ handoff: undefined })] },
          // …one who asked for a person is told honestly that nobody can join now.
          { guard: 'noDesk', target: 'service.askMore', actions: 'handoffUnavailable' },
          { guard: 'afterHours', target: 'service.askMore', actions: { type: 'openHandoff', params: { afterHours: true } } },
          { target: 'handoff.queued', actions: { type: 'openHandoff', params: { afterHours: false } } },
        ],
      },
      /** People have the conversation; the bot relays and stays silent (转人工). */
      handoff: {
        initial: 'queued',
        on: {
          // Waiting or talking to an agent is not idling: the desk decides when it ends.
          'timer.idle': {},
          // The desk could not be reached even after retries: say so, keep the matter on record.
          'desk.unavailable': { target: '#conversation.service.askMore', actions: ['deskGaveUp', { type: 'endHandoff', params: { status: 'released' } }] },
          'user.media': { actions: 'relayToDesk' },
          'agent.note': {},
          'agent.transfer': { target: '.queued', actions: { type: 'requeue', params: { status: 'transferred' } } },
        },
        states: {
          queued: {
            on: {
              'user.message': [
                { guard: 'wantsToEnd', target: '#conversation.service.closing', actions: { type: 'endHandoff', params: { status: 'closed-by-customer' } } },
                { actions: 'relayToDesk' },
              ],
              'timer.claimSla': { actions: [{ type: 'say', params: { key: 'handoffStillWaiting' } }, { type: 'deskPing', params: { level: 'sla' } }] },
              'timer.supervisorSla': { actions: { type: 'deskPing', params: { level: 'supervisor' } } },
              'agent.claim': { target: 'claimed', actions: 'claim' },
              'agent.reply': { actions: 'notifyNotClaimed' },
              'agent.handback': { actions: 'notifyNotClaimed' },
              'agent.close': { actions: 'notifyNotClaimed' },
              'agent.release': { actions: 'notifyNotClaimed' },
            },
          },
          claimed: {
            on: {
              'user.message': [
                { guard: 'wantsToEnd', target: '#conversation.service.closing', actions: { type: 'endHandoff', params: { status: 'closed-by-customer' } } },
                { actions: 'relayToDesk' },
              ],
              'agent.claim': { actions: 'notifyNotYours' },
              'agent.reply': { actions: 'agentReply' },
              'agent.handback': [
                {
                  guard: 'isClaimer',
                  target: '#conversation.service.awaitingNeed',
                  actions: [{ type: 'endHandoff', params: { status: 'handed-back' } }, { type: 'say', params: { key: 'handoffBack' } }],
                },
                { actions: 'notifyNotYours' },
              ],
              'agent.close': [
                { guard: 'isClaimer', target: '#conversation.service.closing', actions: { type: 'endHandoff', params: { status: 'closed' } } },
                { actions: 'notifyNotYours' },
              ],
              'agent.release': [{ guard: 'isClaimer', target: 'queued', actions: { type: 'requeue', params: { status: 'released' } } }, { actions: 'notifyNotYours' }],
            },
          },
        },
      },
      /** 投诉处理 (002 核心步骤): listen, apologise, clarify, then resolve or give the feedback path. */
      complaint: {
        initial: 'listening',
        on: {
          // Gone quiet mid-complaint: it is still registered, with its promised reply time.
          'timer.idle': { target: '#conversation.service.idle', actions: ['recordComplaintPromise', 'clearComplaint', { type: 'say', params: { key: 'idleClose' } }] },
          'user.blocked': { target: '#conversation.service.idle', actions: ['recordComplaintPromise', 'clearComplaint'] },
          'user.start': {
            target: '#conversation.service.awaitingNeed',
            actions: ['recordComplaintPromise', 'clearComplaint', 'adoptLocale', { type: 'greet', params: ({ event }) => ({ withAsk: true, at: event.at }) }],
          },
        },
        states: {
          /** 倾听: let the customer finish; messages in quick succession are answered once. */
          listening: {
            on: {
              'user.message': { actions: ['absorbComplaint', 'armListen'] },
              'user.media': { actions: 'armListen' },
              'timer.listen': { target: 'acknowledging' },
            },
          },
          /** 道歉: acknowledge the feeling and apologise, even when the fault is not ours. */
          acknowledging: {
            always: [
              { guard: 'complaintNeedsPerson', target: 'escalating', actions: { type: 'say', params: { key: 'complaintAcknowledge' } } },
              { target: 'clarifying', actions: { type: 'say', params: { key: 'complaintAcknowledge' } } },
            ],
          },
          /** 澄清: restate the key facts and ask for what is missing. */
          clarifying: {
            entry: 'askForFacts',
            always: { guard: 'readyToResolve', target: 'resolving' },
            on: {
              'user.message': [
                { guard: 'asksSupervisor', target: 'escalating', actions: 'absorbComplaint' },
                { guard: 'stillAngryTooLong', target: 'escalating', actions: ['absorbComplaint', 'countAnger'] },
                { guard: 'asksBeyondPolicy', actions: 'answerPolicy' },
                { target: 'clarifying', reenter: true, actions: ['absorbComplaint', 'countAnger', 'nextRound'] },
              ],
            },
          },
          /** 解决: the category's knowledge-base answer when it has one, else the feedback path. */
          resolving: {
            always: [{ guard: 'hasComplaintAnswer', target: 'checking', actions: 'offerAnswer' }, { target: 'promising' }],
          },
          checking: {
            on: {
              'user.message': [
                { guard: 'asksSupervisor', target: 'escalating', actions: 'absorbComplaint' },
                { guard: 'isYes', target: 'done', actions: 'recordComplaintResolved' },
                { guard: 'stillAngryTooLong', target: 'escalating', actions: 'countAnger' },
                { guard: 'asksBeyondPolicy', actions: 'answerPolicy' },
                // "No", or anything else: the solution does not settle it, so give the feedback path.
                { target: 'promising', actions: 'noteComplaint' },
              ],
            },
          },
          /** 反馈: registered, with the reply time promised for its category. */
          promising: { always: { target: 'done', actions: 'recordComplaintPromise' } },
          /** 升级: the outcome handoff acts on; meanwhile a supervisor's reply time is promised. */
          escalating: {
            always: [
              // With people at the desk, the escalation goes to them now (priority high).
              {
                guard: 'deskConnected',
                target: '#conversation.handingOff',
                actions: [{ type: 'recordComplaintEscalation', params: { announce: false } }, { type: 'requestHandoff', params: { reason: 'complaint' } }, 'adoptComplaintTicket', 'clearComplaint'],
              },
              { target: 'done', actions: { type: 'recordComplaintEscalation', params: { announce: true } } },
            ],
          },
          /** Back to where the customer was, or on to "anything else?" if the complaint came first. */
          done: {
            always: [
              { guard: 'complaintFromIdle', target: '#conversation.service.askMore', actions: 'clearComplaint' },
              { target: '#conversation.service.hist', actions: ['clearComplaint', { type: 'say', params: { key: 'complaintResume' } }] },
            ],
          },
        },
      },
    },
  });

  /** Answered the same way at any point of the conversation (003 关于特殊沟通内容的应答规范). */
  function anyTime() {
    return [
      { guard: 'asksBeyondPolicy', actions: 'answerPolicy' },
      { guard: 'isSuggestion', actions: 'recordSuggestion' },
      { guard: 'isThanks', actions: { type: 'say', params: { key: 'thanks' } } },
      { guard: 'isApology', actions: { type: 'say', params: { key: 'apology' } } },
    ] as const;
  }
}

export type ServiceMachine = ReturnType<typeof createServiceMachine>;
