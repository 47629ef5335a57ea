import { assign, enqueueActions, setup } from 'xstate';
import type { Directive, AgentRef } from '../contracts.js';
import type { FileRef } from '../files.js';
import type { PhraseGuard } from '../guard.js';
import type { Understanding } from '../match.js';
import type { FlowDefinition, IntentId } from '../schema.js';
import type { Customer, TicketStatus } from '../ticket.js';
import type { TicketTimer } from '../ticket.js';
import { trimSentence, wordCount } from '../text.js';
import type { ComplaintState, FollowUp, HandoffState } from './states.js';

export type { ComplaintState, FollowUp, HandoffState } from './states.js';

/**
 * The base of the conversation machine: its context, events and input, the one effect
 * placeholder (`effect`, taking a `Directive`), and the guards that read what the customer said.
 * The concerns build on it in layers with XState's `.extend()`: records → handoff → complaint →
 * standard (each may use what the layers below declare); `machine.ts` puts the chart together.
 * The persisted snapshot holds this context: renaming a field breaks restoring stored conversations.
 */

export interface ServiceContext {
  locale: string;
  conversationId: string;
  channel: string;
  customer: Customer;
  /** When this conversation's state began (ServiceInput.since); absent in older snapshots. */
  since?: number | undefined;
  /** The need being confirmed or answered, in the customer's words. */
  need: string | undefined;
  /** Knowledge-base entry recognised in the need, when confident. */
  faqId: string | undefined;
  /** The other knowledge-base questions the same message asked (Understanding.asked), confirmed and answered with it. */
  alsoAsked?: Array<{ text: string; faqId: string }> | undefined;
  /** Restate the need in the customer's words: its topic was restated and said another way (recaptureNeed). */
  inWords?: true | undefined;
  /** Every confirmed description of the current matter, kept for the ticket. */
  facts: string[];
  /** Restatements in a row the customer said were wrong (不是); at `thresholds.failuresBeforeHandoff` a person takes over. */
  failures: number;
  /** Tickets recorded in this conversation so far; numbers the next one (persisted under this name). */
  seq: number;
  /** Tickets of the current session, which the survey score applies to. */
  sessionTickets: string[];
  /** The complaint being handled, while the standard conversation is suspended. */
  complaint: ComplaintState | undefined;
  /** A handoff to people, while the bot stays silent. */
  handoff: HandoffState | undefined;
  /** Before issue 13: a ticket posted after hours, waiting for an agent. Now a follow-up; kept so old snapshots restore. */
  waitingTicket?: string | undefined;
  /**
   * The matters of this conversation that people must follow up (a promised reply time, issue 13):
   * each has a card on the desk and its timers. Kept across sessions until resolved; bounded
   * (MAX_FOLLOW_UPS, oldest dropped from view, its ticket stays on record). Absent in older snapshots.
   */
  followUps?: FollowUp[] | undefined;
  /** This session already told the customer where their pending matters stand. */
  statusTold?: boolean | undefined;
  /**
   * When the last visit closed (epoch ms, and `seq` then): a customer back within JUST_CLOSED_MS,
   * nothing recorded since, is not greeted again nor told again where their matters stand (told in
   * that visit). Absent in older snapshots.
   */
  closed?: { at: number; seq: number } | undefined;
  /** After a low survey score: the tickets the customer's next words are a comment on (seed 001 评分和评论). */
  commentFor?: string[] | undefined;
  /**
   * A survey the customer left unanswered when the session closed (its idle timer): a score sent
   * within LATE_SURVEY_MS after, with no matter recorded since (`seq` unchanged), still rates those
   * tickets instead of opening a session. Absent in older snapshots.
   */
  lateSurvey?: { tickets: string[]; at: number; seq: number } | undefined;
  /** The last survey score's matters, when (ms, `seq`) and comment: a score sent again with a comment adds to it. */
  rated?: { tickets: string[]; at: number; seq: number; comment?: string | undefined; score?: number } | undefined;
  /**
   * Files the customer sent this session outside a handoff (references, at most MAX_KEPT_FILES):
   * recorded on its tickets and shown to the agent if the matter goes to a person. Absent in
   * snapshots stored before files crossed.
   */
  files?: FileRef[] | undefined;
  /**
   * Which of `files` are on a ticket already (`fileKey`), so a later matter of the session does
   * not take them too; they stay in `files` for the agent. Absent in older snapshots.
   */
  filesOnTickets?: string[] | undefined;
  /** A complaint was recorded this session: the close thanks for the feedback, not the inquiry (003). Absent in older snapshots. */
  complained?: boolean | undefined;
  /** The last matter recorded was answered by the knowledge base: an order number given next is about it (details.ts). */
  answered?: true | undefined;
  /**
   * The customer went quiet after an answer that asked for the order number: that matter, so a
   * number sent later (within a day, nothing recorded since) still reaches it (details.ts).
   */
  awaitingOrder?: { ticketId: string; need: string; faqId: string; at: number; seq: number } | undefined;
  /** Words the bot asks the customer to confirm as a detail of a matter: a pending one, or the answered one (details.ts). */
  detail?: { text: string; answered?: true | undefined } | undefined;
}

export interface ServiceInput {
  locale: string;
  conversationId: string;
  channel: string;
  customer: Customer;
  /**
   * When this conversation's state began (epoch ms): part of its ticket numbers, so a conversation
   * that starts over after its state was lost or forgotten, or the same chat of another deployment
   * on one record, does not number its tickets like an earlier one. Absent in snapshots from
   * before it existed (their tickets keep the numbering they had).
   */
  since?: number | undefined;
}

type AgentEvent = { agent: AgentRef; at: number };

/** Events are namespaced by who causes them: the customer, the channel or desk, a timer, an agent. All times are epoch ms. */
export type ServiceEvent =
  /** `file`: the message is the caption of a photo or file, which goes with it. */
  | { type: 'user.message'; text: string; understanding: Understanding; locale: string; at: number; file?: FileRef }
  | { type: 'user.media'; media: string; locale: string; at: number; file?: FileRef }
  /** The customer edited an earlier message; `text` is the new wording. */
  | { type: 'user.edit'; text: string; at: number }
  | { type: 'user.start'; locale: string; at: number }
  | { type: 'user.help'; at: number; /** As typed, when it was another command than /help. */ command?: string }
  | { type: 'user.blocked'; at: number }
  | { type: 'user.group'; locale: string; at: number }
  | { type: 'desk.unavailable'; at: number }
  | { type: 'timer.idle'; at: number }
  | { type: 'timer.listen'; at: number }
  /**
   * A pending matter's timer came due (`kind`: promise, remind, escalate, survey; see ticketTimer);
   * `status` and `rated` are the ticket's as the store has it now (status undefined: gone).
   */
  | {
      type: 'timer.ticket';
      kind: TicketTimer;
      ticketId: string;
      status: TicketStatus | undefined;
      rated: boolean;
      at: number;
    }
  | { type: `timer.${'claimSla' | 'supervisorSla' | 'queuePromise' | 'replySla' | 'replySupervisorSla'}`; at: number }
  /** The desk's working hours ended (queue-deadlines.ts): a customer still queued waits for the morning instead. */
  | { type: 'timer.deskClosed'; at: number }
  | ({ type: 'agent.claim' | 'agent.handback' | 'agent.close' | 'agent.release' } & AgentEvent)
  | ({ type: 'agent.reply'; text: string; override: boolean; files?: FileRef[] } & AgentEvent)
  | ({ type: 'agent.note'; text: string } & AgentEvent)
  | ({ type: 'agent.transfer'; category: string } & AgentEvent)
  /** The live handoff's matter is settled: `text` (may be empty) is the outcome the customer receives. */
  | ({ type: 'agent.resolve'; text: string; override: boolean; note?: string } & AgentEvent)
  /**
   * An agent acting on a pending matter's follow-up card (not the live handoff): `status` is the
   * ticket's as the store has it now (undefined: not read or gone).
   */
  | ({ type: 'followup.claim' | 'followup.release' | 'followup.other' } & FollowUpEvent)
  | ({ type: 'followup.reply'; text: string; override: boolean; files?: FileRef[] } & FollowUpEvent)
  | ({ type: 'followup.resolve'; text: string; override: boolean; note?: string } & FollowUpEvent)
  | ({ type: 'followup.note'; text: string } & FollowUpEvent);

/** `status`/`promisedBy`: the ticket's as the store has it now (undefined: not read, gone, or another conversation's). */
type FollowUpEvent = AgentEvent & {
  ticketId: string;
  status: TicketStatus | undefined;
  promisedBy?: number | undefined;
};

/** What a guard written outside the setup's `guards` receives: the context and the event. */
export type Guarded = { context: ServiceContext; event: ServiceEvent };

/**
 * `idle`: no conversation in progress. `with-people`: a handoff holds it; the bot relays and stays quiet.
 * `between-matters`: "anything else?" was asked; the next question may choose the locale again.
 */
export type ServiceTag = 'idle' | 'with-people' | 'between-matters';

/** What the machine needs from outside, fixed when it is built. */
export interface MachineDeps {
  /** The definition in force for a locale (falls back to the default locale's). */
  definitions: (locale: string) => FlowDefinition;
  /** An agent desk is connected (Slack, the playground): handoffs can reach people. */
  desk: boolean;
  /** The definitions' version, recorded on the tickets they serve (undefined in tests that build a flow by hand). */
  version?: string | undefined;
  /** The service-phrase guard for agents' replies: every locale's list, since one desk answers customers of every locale. */
  agentGuard: PhraseGuard;
}

export function understood(event: ServiceEvent): Understanding | undefined {
  return event.type === 'user.message' ? event.understanding : undefined;
}
/** What a complaint is about, as its ticket and a handoff's card name it: the situation the customer described, else their words. */
export function complaintNeed(c: ComplaintState): string {
  return c.facts.what ?? c.text;
}

export function textOf(event: ServiceEvent): string {
  return event.type === 'user.message' ? trimSentence(event.text) : '';
}
/**
 * The need a message states, with what was understood of it: after a social opening (谢谢，另外发票怎么开 → 发票怎么开),
 * the rest; without the parts that refuse a person (ownText); else the whole message (several questions: capturedNeed).
 */
export function statedNeed(event: ServiceEvent): { text: string; understanding: Understanding | undefined } {
  const u = understood(event);
  if (u?.lead) return { text: trimSentence(u.lead.rest), understanding: u.lead.understanding };
  // Without the words refusing a person (不用转人工，发错货了怎么办: found by the verification trial).
  if (u?.declinesPerson && u.ownText) return { text: trimSentence(u.ownText), understanding: u };
  // A score with words and no survey to rate (the day after): the words are the need, not "1分，…"
  // (found by the issue-17 trial: 您的意思是1分，发错货了，对吗？).
  if (u?.rating !== undefined && u.ratingComment)
    return { text: trimSentence(u.ratingComment), understanding: u.ratingCommentMeaning ?? u };
  return { text: textOf(event), understanding: u };
}
export function localeOf(event: ServiceEvent, fallback: string): string {
  return 'locale' in event ? event.locale : fallback;
}
/** The photo or file a message carries, with what the customer wrote with it (kept for the agent). */
export function fileOf(event: ServiceEvent): FileRef | undefined {
  if (event.type === 'user.message' && event.file) return { ...event.file, caption: event.text.slice(0, 4_096) };
  return event.type === 'user.media' ? event.file : undefined;
}
export function agentOf(event: ServiceEvent): AgentRef | undefined {
  return 'agent' in event ? event.agent : undefined;
}
/** The message is a score and nothing else (5分, 五星, 4.5分): out of a survey it says nothing to act on. */
function onlyAScore(event: ServiceEvent): boolean {
  const u = understood(event);
  const scored = u?.rating !== undefined || u?.fractionalScore !== undefined;
  return scored && u?.ratingComment === undefined && u.afterRating === undefined;
}
/** The message is essentially this intent, and no other intent covers more of it. */
function answers(event: ServiceEvent, ...ids: IntentId[]): boolean {
  const u = understood(event);
  if (!u?.whole) return false;
  const top = Math.max(...Object.values(u.intents));
  return top > 0 && ids.some((id) => (u.intents[id] ?? 0) >= top);
}
export function upset(event: ServiceEvent): boolean {
  const c = understood(event)?.complaint;
  return c !== undefined && (c.angry || c.exclaimed);
}
/** The message has some of intent `id`'s phrases (any share). */
export function mentions(event: ServiceEvent, id: IntentId): boolean {
  return (understood(event)?.intents[id] ?? 0) > 0;
}

/** A message that is a greeting or says nothing (有人吗, 在吗, ？？？). */
function greetsOrNothing(event: ServiceEvent): boolean {
  return event.type === 'user.message' && (answers(event, 'greeting') || understood(event)?.empty === true);
}

/** What a yes may come with and still be only a yes (不好意思，是的; thanks, yes). */
const COURTESY_WITH_YES: ReadonlySet<string> = new Set(['yes', 'okay', 'thanks', 'apology']);
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
export const SECOND_MS = 1000;

/** The machine's base: types, the effect placeholder, locale adoption, and the guards on what was said. */
export function baseSetup(deps: MachineDeps) {
  return setup({
    types: {
      context: {} as ServiceContext,
      events: {} as ServiceEvent,
      input: {} as ServiceInput,
      tags: {} as ServiceTag,
    },
    actions: {
      /** The one placeholder: the step collects every directive, renders texts, passes effects on. */
      effect: (_, _directive: Directive) => {},
      adoptLocale: assign({ locale: ({ context, event }) => localeOf(event, context.locale) }),
      // The visit closed in front of the customer (结束语, or the idle close): see ServiceContext.closed.
      markClosed: assign({ closed: ({ context, event }) => ({ at: event.at, seq: context.seq }) }),
      // /start: a new session. Nothing of the earlier matter carries over (its need, facts, kept
      // files, or the tickets a survey would rate); the earlier matter stays on record.
      startAfresh: assign({
        need: undefined,
        faqId: undefined,
        facts: [],
        failures: 0,
        files: [],
        filesOnTickets: [],
        sessionTickets: [],
        complained: false,
      }),
    },
    guards: {
      // 有人吗, 在吗, anyone there, ？？？: a greeting or nothing at all (not a score or a number, as below).
      onlyGreets: ({ event }) => greetsOrNothing(event),
      // A greeting, or nothing to go on ("?", "👍", a bare "5" or "12", a score with no survey to
      // rate: "5分"): ask what they need instead of restating it. A longer number (an order number)
      // is a matter's start and is restated.
      isGreetingOnly: ({ event }) =>
        greetsOrNothing(event) ||
        (event.type === 'user.message' &&
          (textOf(event) === '' || /^\p{N}{1,3}$/u.test(textOf(event).normalize('NFKC')) || onlyAScore(event))),
      isYes: ({ event }) => answers(event, 'yes', 'okay'),
      isNo: ({ event }) => answers(event, 'no', 'done'),
      // 不是 / 不对 itself, not 没有了 (which, unasked, says there is nothing more).
      saysNo: ({ event }) => answers(event, 'no'),
      wantsToFinish: ({ event }) =>
        answers(event, 'done', 'no') || (answers(event, 'thanks') && !mentions(event, 'more')),
      wantsMore: ({ event }) => answers(event, 'more', 'yes', 'okay'),
      // 好的 / 行 / OK and nothing else: agreement, which at "anything else?" means the customer is done.
      onlyAgrees: ({ event }) => answers(event, 'okay') && (understood(event)?.intents.okay ?? 0) >= 0.999,
      // Nothing but "yes" or "I have a question" (有, 我想咨询一下): every meaningful character is the phrase,
      // so 我想问一下退款 (a need) is not taken for it.
      onlyWantsMore: ({ event }) => {
        const u = understood(event);
        const share = (u?.intents.more ?? 0) + (u?.intents.yes ?? 0) + (u?.intents.okay ?? 0);
        return answers(event, 'more', 'yes', 'okay') && share >= 0.999;
      },
      isThanks: ({ event }) => answers(event, 'thanks'),
      // A yes with only thanks or an apology beside it (不好意思，是的; sorry, yes): the yes counts.
      courtesyWithYes: ({ event }) => {
        const intents = understood(event)?.intents ?? {};
        const ids = Object.keys(intents);
        const share = Object.values(intents).reduce((a, b) => a + (b ?? 0), 0);
        return (
          (intents.yes ?? 0) > 0 && ids.length > 1 && ids.every((id) => COURTESY_WITH_YES.has(id)) && share >= 0.999
        );
      },
      isApology: ({ event }) => answers(event, 'apology'),
      // 没用, 还是不行 right after a knowledge-base answer: it did not help.
      // With more words (没用，还是没收到) too, unless they ask something new the knowledge base knows.
      answerDidNotHelp: ({ context, event }) =>
        mentions(event, 'notHelped') &&
        context.answered === true &&
        (answers(event, 'notHelped') || understood(event)?.faq?.confident !== true),
      onlyNotHelped: ({ event }) => answers(event, 'notHelped'),
      isSuggestion: ({ event }) => mentions(event, 'suggestion'),
      // Praise that opens a message going on to a need is answered with the need (answerLead).
      isPraise: ({ event }) => mentions(event, 'praise') && understood(event)?.lead === undefined,
      isPraiseOnly: ({ event }) => answers(event, 'praise'),
      asksIfBot: ({ event }) => answers(event, 'botQuestion'),
      // Not when a need follows the complaint (回复太慢了，我的订单还没发货): answered with it (answerLead).
      complainsOfWaiting: ({ event }) =>
        mentions(event, 'slowReply') && understood(event)?.lead?.intent !== 'slowReply',
      asksHowLong: ({ event }) => mentions(event, 'waitQuestion'),
      hasRating: ({ event }) => understood(event)?.rating !== undefined,
      looksLikeNewNeed: ({ event }) => statedNeed(event).understanding?.faq?.confident === true,
      startsComplaint: ({ event }) => understood(event)?.complaint.triggered === true,
      asksBeyondPolicy: ({ event }) => understood(event)?.policy !== undefined,
      asksSupervisor: ({ event }) => understood(event)?.complaint.supervisor === true,
      wantsPerson: ({ event }) => understood(event)?.wantsPerson === true,
      // Only that they want no person (不要转人工, don't transfer me): nothing to restate (found by the trial).
      onlyDeclinesPerson: ({ event }) => {
        const u = understood(event);
        if (u?.declinesPerson !== true || u.faq?.confident === true) return false;
        return u.withdrawsRequest === true || wordCount(textOf(event)) <= 8;
      },
      // A request for a person with no words of its own (Understanding.ownWords: 转人工, 还是不行，转人工).
      asksOnlyForPerson: ({ event }) => understood(event)?.wantsPerson === true && !understood(event)?.ownWords,
      deskConnected: () => deps.desk,
      speaksAnotherLocale: ({ context, event }) => localeOf(event, context.locale) !== context.locale,
    },
  });
}
export type BaseSetup = ReturnType<typeof baseSetup>;

/** Shorthand for the `effect` action with a fixed directive, as charts write it. */
export function effect(directive: Directive) {
  return { type: 'effect' as const, params: directive };
}
/** 服务用语: a text of the definition, by key. */
export function say(
  key: Extract<Directive, { type: 'say' }>['key'],
  more: Omit<Extract<Directive, { type: 'say' }>, 'type' | 'key'> = {},
) {
  return effect({ type: 'say', key, ...more });
}

/**
 * The `enqueue` of an `enqueueActions` body, as the helpers of the concerns use it: emit a
 * directive, change the context.
 */
export interface Enqueue {
  (action: { type: 'effect'; params: Directive }): void;
  assign(changes: Partial<ServiceContext>): void;
}

/**
 * `enqueueActions` for the concerns: the body emits directives and changes the context through
 * `enqueue`, and may take params. (XState cannot infer the sibling actions of an `.extend()`
 * while they are being declared; the one action a body enqueues, `effect`, is named here.)
 */
export function collect<TParams extends Record<string, unknown> | undefined = undefined>(
  body: (args: { context: ServiceContext; event: ServiceEvent; enqueue: Enqueue }, params: TParams) => void,
) {
  return enqueueActions<
    ServiceContext,
    ServiceEvent,
    TParams,
    ServiceEvent,
    never,
    { type: 'effect'; params: Directive },
    never
  >(({ context, event, enqueue }, params) => body({ context, event, enqueue }, params));
}
