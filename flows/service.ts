import { assign, enqueueActions, raise, setup } from 'xstate';
import type { Understanding } from './match.js';
import type { ChoiceId, FlowDefinition, IntentId, TextKey } from './schema.js';
import { ticketId, type Customer, type Ticket, type TicketChanges } from './ticket.js';
import { normalize, trimSentence } from './text.js';

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
  | { type: 'timer.idle'; at: number };

export interface SayParams {
  key: TextKey;
  vars?: Record<string, string>;
  choices?: ChoiceId[];
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
  | { type: 'updateTickets'; params: { ids: string[]; changes: TicketChanges; at: number } };

/**
 * Inside `setup({ actions })`, `enqueue` cannot see its sibling actions' types (they are being
 * declared); XState resolves them by name when the transition runs. This is the one cast.
 */
function emit(enqueue: (action: never) => void, action: EffectAction): void {
  enqueue(action as never);
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

export function createServiceMachine(definitions: ServiceDefinitions) {
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
      updateTickets: (_, _params: { ids: string[]; changes: TicketChanges; at: number }) => {},

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
      rate: enqueueActions(({ context, event, enqueue }) => {
        const rating = understood(event)?.rating;
        if (rating === undefined) return;
        emit(enqueue, { type: 'updateTickets', params: { ids: [...context.sessionTickets], changes: { satisfaction: rating }, at: event.at } });
        emit(enqueue, { type: 'say', params: { key: 'surveyThanks', vars: { score: String(rating) } } });
      }),
    },
    guards: {
      isGreetingOnly: ({ event }) => event.type === 'user.message' && (answers(event, 'greeting') || textOf(event) === ''),
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
    },
  }).createMachine({
    id: 'service',
    context: ({ input }) => ({ ...input, need: undefined, faqId: undefined, facts: [], failures: 0, seq: 0, sessionTickets: [] }),
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
                { guard: 'isGreetingOnly', actions: { type: 'say', params: { key: 'ask' } } },
                ...anyTime(),
                { guard: 'wantsToFinish', target: 'closing' },
                { target: 'confirming', actions: ['captureNeed', 'sayConfirm'] },
              ],
            },
          },
          /** 需求确认: "您的意思是……,对吗?" */
          confirming: {
            on: {
              'user.message': [
                { guard: 'isYes', target: 'answering', actions: assign({ facts: ({ context }) => [...context.facts, context.need ?? ''].filter(Boolean).slice(-5) }) },
                { guard: 'isNo', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'describeAgain' } } },
                ...anyTime(),
                { guard: 'isGreetingOnly', actions: 'sayConfirm' },
                // Anything else is the need said another way: restate that instead.
                { target: 'confirming', reenter: true, actions: ['captureNeed', 'sayConfirm'] },
              ],
            },
          },
          answering: {
            always: [
              { guard: 'canAnswer', target: 'askMore', actions: 'recordAnswered' },
              { guard: 'reachedFailureLimit', target: 'askMore', actions: 'recordFollowUp' },
              { target: 'awaitingNeed', actions: [assign({ failures: ({ context }) => context.failures + 1 }), { type: 'say', params: { key: 'notSure' } }] },
            ],
          },
          askMore: {
            entry: { type: 'say', params: { key: 'askMore', choices: MORE_DONE } },
            on: {
              'user.message': [
                { guard: 'wantsToFinish', target: 'closing' },
                { guard: 'wantsMore', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'goOn' } } },
                ...anyTime(),
                { guard: 'isGreetingOnly', target: 'awaitingNeed', actions: { type: 'say', params: { key: 'ask' } } },
                { target: 'confirming', actions: ['captureNeed', 'sayConfirm'] },
              ],
            },
          },
          /** 结束语, then the survey when a matter was recorded. */
          closing: {
            always: [
              {
                guard: 'hasSessionTickets',
                target: 'survey',
                actions: [
                  { type: 'say', params: ({ context }) => ({ key: 'closingRecorded', vars: { ticket: context.sessionTickets.at(-1) ?? '' } }) },
                  { type: 'say', params: { key: 'surveyAsk', choices: SCORES } },
                ],
              },
              { target: 'idle', actions: { type: 'say', params: { key: 'closing' } } },
            ],
          },
          survey: {
            on: {
              // Already thanked and closed politely: a customer who does not rate is simply let go.
              'timer.idle': { target: 'idle' },
              'user.message': [
                { guard: 'hasRating', target: 'idle', actions: 'rate' },
                ...anyTime(),
                { guard: 'wantsToFinish', target: 'idle' },
                { guard: 'looksLikeNewNeed', target: 'confirming', actions: [assign({ sessionTickets: [] }), 'captureNeed', 'sayConfirm'] },
                { actions: { type: 'say', params: { key: 'surveyRetry', choices: SCORES } } },
              ],
            },
          },
          hist: { type: 'history', history: 'shallow' },
        },
      },
    },
  });

  /** Answered the same way at any point of the conversation (003 关于特殊沟通内容的应答规范). */
  function anyTime() {
    return [
      { guard: 'isSuggestion', actions: 'recordSuggestion' },
      { guard: 'isThanks', actions: { type: 'say', params: { key: 'thanks' } } },
      { guard: 'isApology', actions: { type: 'say', params: { key: 'apology' } } },
    ] as const;
  }
}

export type ServiceMachine = ReturnType<typeof createServiceMachine>;
