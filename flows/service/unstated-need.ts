import { extractFacts, saysAnyOf } from '../facts.js';
import type { Understanding } from '../match.js';
import { partsOf } from '../message-parts.js';
import type { FlowDefinition } from '../schema.js';
import { asksSomething, trimSentence } from '../text.js';
import type { TicketChanges } from '../ticket.js';
import { endFollowUp, followUpOf, withFollowUp } from './records.js';
import { followUpNeed } from './restate.js';
import {
  collect,
  effect,
  textOf,
  understood,
  type Enqueue,
  type FollowUp,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * A matter recorded from a bare request for a person (转人工, and nothing said of the matter): what
 * the customer then tells of it becomes its need (issue-17 trials: the card, the record and the
 * status line said 您的问题“转人工”). During a handoff see customer-relay.ts keepWhatCustomerSays;
 * after hours, here: the words added to the pending matter (details.ts addDetail).
 */

/** The longest need gathered from several messages, in characters. */
const NEED_MAX = 80;

/**
 * What `text` tells of a matter, as the customer wrote it: its parts (up to a break: ，。！？ or a
 * line) in which the complaint-facts reading finds something that happened (extractFacts' `what`),
 * so without the parts that only greet, thank, ask if it is a bot, or give an order number or a
 * time (亲，我的订单20261120001还没到 → 我的订单20261120001还没到). Undefined when no part tells anything.
 * Whole parts only: the facts reading cuts order numbers and times out of a sentence (found by
 * the trial: 我的还没到).
 */
export function tellingText(
  complaints: FlowDefinition['complaints'],
  text: string,
  locale: string,
): string | undefined {
  const areas = areaWords(complaints);
  // A short part naming what the matter is about tells it too (退款呢, refund?: found by the second trial).
  const tells = (part: string) => extractFacts(complaints, part, locale).what !== undefined || saysAnyOf(areas, part);
  return trimSentence(partsOf(text).filter(tells).join('')) || undefined;
}

const AREA_WORDS = new WeakMap<FlowDefinition['complaints'], readonly string[]>();
/** The complaint categories' keywords (退款, 快递, 坏了; refund, parcel), one list per definition. */
function areaWords(complaints: FlowDefinition['complaints']): readonly string[] {
  let words = AREA_WORDS.get(complaints);
  if (!words) AREA_WORDS.set(complaints, (words = complaints.categories.flatMap((c) => c.keywords)));
  return words;
}

/**
 * A message's words after the complaint or question about the wait it opens with (还要等多久？耳机坏了
 * → 耳机坏了; lead.ts `Opening`), else the message: what may tell a pending request's matter (found by
 * the issue-17 trial: after hours the status line answered the wait, and the matter was lost).
 */
export function afterWaitOpening(event: ServiceEvent): string {
  return waitOpeningRest(event) ?? textOf(event);
}

/** The words after a complaint or question about the wait a message opens with, if it does. */
export function waitOpeningRest(event: ServiceEvent): string | undefined {
  return waitOpening(event)?.rest;
}

/** The complaint or question about the wait a message opens with (lead.ts), with the rest and its reading. */
export function waitOpening(event: ServiceEvent): { rest: string; understanding: Understanding } | undefined {
  const u = understood(event);
  const opening = u?.lead ?? u?.opening;
  return opening && (opening.intent === 'slowReply' || opening.intent === 'waitQuestion') ? opening : undefined;
}

/** A question about the wait, alone or opening the message (还要等多久？…; how much longer? my charger…). */
export function asksAboutWait(event: ServiceEvent): boolean {
  const u = understood(event);
  return (u?.intents.waitQuestion ?? 0) > 0 || (u?.lead ?? u?.opening)?.intent === 'waitQuestion';
}

/**
 * What a message says besides asking where a matter stands (有进展了吗？另外充电器也坏了; 还要等多久？耳机也坏了:
 * after a question about the wait), as a message of its own; undefined when it says nothing more.
 */
export function besidesStatus(event: ServiceEvent): { text: string; understanding: Understanding } | undefined {
  const after = understood(event)?.afterStatus;
  if (after) return after;
  const opening = waitOpening(event);
  return opening && { text: opening.rest, understanding: opening.understanding };
}

/** `more` joined to the need told so far (`told`), within NEED_MAX; `told` when it has them already. */
export function joinNeed(told: string | undefined, more: string, separator: string): string {
  if (!told) return more;
  return told.includes(more) ? told : `${told}${separator}${more}`.slice(0, NEED_MAX);
}

/** The pending matter added details go to: the latest, when this session recorded it or told where it stands. */
export function pendingMatter(context: ServiceContext): string | undefined {
  const latest = context.followUps?.at(-1)?.ticketId;
  return latest !== undefined && (context.sessionTickets.includes(latest) || context.statusTold === true)
    ? latest
    : undefined;
}

/**
 * The pending matter's follow-up when it came from a bare request: still to be described
 * (`needUnstated`), or described in this visit (`told`, the need so far: more words join it).
 */
function pendingRequest(context: ServiceContext): FollowUp | undefined {
  const pending = pendingMatter(context);
  const f = pending === undefined ? undefined : followUpOf(context, pending);
  if (f?.needUnstated) return f;
  return f?.told !== undefined && context.sessionTickets.includes(f.ticketId) ? f : undefined;
}

/** The guards of a pending bare request, for the details' setup (`bareOrder`: an order number alone). */
export function pendingRequestGuards(
  bareOrder: (context: ServiceContext, event: ServiceEvent) => string | undefined,
  defOf: (context: ServiceContext) => FlowDefinition,
) {
  type Args = { context: ServiceContext; event: ServiceEvent };
  /** Words that tell a matter: not an order number alone, an aside (a whole intent, a complaint, a request, a score), nor a question the knowledge base answers. */
  const tellsMatter = (context: ServiceContext, event: ServiceEvent): boolean => {
    const u = understood(event);
    if (!u || bareOrder(context, event) !== undefined) return false;
    const told = tellingText(defOf(context).complaints, afterWaitOpening(event), context.locale) !== undefined;
    const aside = u.whole !== undefined || u.complaint.triggered || u.wantsPerson || u.rating !== undefined;
    // A question the knowledge base answers is answered (怎么开发票？ would wait a day for a person).
    const answerable = u.faq?.confident === true && asksSomething(textOf(event));
    return told && !aside && !answerable;
  };
  return {
    /**
     * Words that tell the matter of a pending bare request, still undescribed or described in this
     * visit (收到就是坏的 after 我买的耳机): a statement, a question, a knowledge-base topic told (my
     * order arrived broken), but not a question the knowledge base answers (怎么开发票？, 另外发票怎么开:
     * answered as a matter of its own).
     */
    describesPendingRequest: ({ context, event }: Args) =>
      pendingRequest(context) !== undefined && tellsMatter(context, event),
    // Back with words that tell an undescribed request's matter (还要等多久？耳机坏了 the next day): not only its status.
    tellsUndescribedMatter: ({ context, event }: Args) =>
      context.followUps?.some((f) => f.needUnstated) === true && tellsMatter(context, event),
    // 算了，不用了 to the request for a description in the visit that made the request: taken back.
    takesBackPendingRequest: ({ context, event }: Args) => {
      const f = pendingRequest(context);
      const u = understood(event);
      const ownVisit = f?.needUnstated === true && context.sessionTickets.includes(f.ticketId);
      return ownVisit && (u?.takesBack === true || u?.withdrawsRequest === true);
    },
    // An order number alone for a bare request not described yet: kept, and the matter still asked for.
    ordersPendingRequest: ({ context, event }: Args) =>
      pendingRequest(context)?.needUnstated === true && bareOrder(context, event) !== undefined,
  };
}

/**
 * Words the customer added to a pending matter (details.ts addDetail) as the ticket takes them:
 * facts, except on a matter from a bare request, where what tells the matter (`tellingText`: not an
 * order number or a time alone, nor 亲, 你好) is its need, joined in the visit that described it,
 * on the ticket and in the status line a returning customer hears. Returns the ticket's changes
 * and the conversation's follow-ups after them.
 */
export function wordsForPending(
  context: ServiceContext,
  ticketId: string,
  texts: readonly string[],
  complaints: FlowDefinition['complaints'],
): { changes: TicketChanges; followUps: FollowUp[] | undefined } {
  const entry = followUpOf(context, ticketId);
  const gathering = entry !== undefined && entry.ticketId === pendingRequest(context)?.ticketId;
  const tells = gathering ? texts.map((t) => tellingText(complaints, t, context.locale)) : [];
  const told = tells.filter((t): t is string => t !== undefined);
  const facts = texts.filter((_, i) => tells[i] === undefined);
  const added = facts.length ? { addFacts: facts } : {};
  if (!entry || told.length === 0) return { changes: added, followUps: context.followUps };
  const need = told.reduce((so, more) => joinNeed(so, more, complaints.facts.detailSeparator), entry.told ?? '');
  const stated: FollowUp = { ...entry, need: followUpNeed(need), needUnstated: undefined, told: need };
  return { changes: { need, ...added }, followUps: withFollowUp(context.followUps, stated) };
}

/**
 * A bare request taken back in the visit that made it (转人工 after hours, then 算了，不用了): nobody
 * chases it. Its timers stop, its card loses Claim (closed by the customer) and the ticket is
 * unresolved with why (found by the issue-17 trial: left pending with its promise).
 */
function takeBackPendingRequest(enqueue: Enqueue, context: ServiceContext, at: number): void {
  const f = pendingRequest(context);
  if (!f) return;
  const changes = { status: 'unresolved' as const, outcome: 'customer took the request for a person back' };
  enqueue(effect({ type: 'ticket.update', id: f.ticketId, changes, at, ifStatus: 'pending' }));
  enqueue(effect({ type: 'desk.update', status: 'closed-by-customer', ticketId: f.ticketId }));
  endFollowUp(enqueue, context, f.ticketId, 'none');
  enqueue.assign({ sessionTickets: context.sessionTickets.filter((id) => id !== f.ticketId) });
}

/** The actions of a pending bare request, for the details' setup. */
export const pendingRequestActions = {
  takeBackPendingRequest: collect(({ context, event, enqueue }) => takeBackPendingRequest(enqueue, context, event.at)),
};

/**
 * Words that tell a pending bare request's matter, taken before anything else reads the message
 * (a question about the wait or where it stands, 还要等多久？耳机坏了: the trial found the status told
 * and the matter lost).
 */
export const describesPending = [
  {
    guard: 'describesPendingRequest',
    target: '#conversation.service.askMore',
    reenter: true,
    actions: { type: 'addDetail', params: { from: 'message' } },
  },
] as const;
