import { and, or } from 'xstate';
import { EDITED_MARK } from '../system-lines.js';
import type { Directive } from '../contracts.js';
import { partsOf } from '../message-parts.js';
import type { FlowDefinition } from '../schema.js';
import { quoted } from '../text.js';
import type { HandoffState } from './states.js';
import { joinNeed, tellingText, waitOpeningRest } from './unstated-need.js';
import {
  effect,
  fileOf,
  say,
  statedNeed,
  understood,
  type Enqueue,
  type Guarded,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * What the customer does during a handoff, as it reaches the card's thread: words (quoted), a
 * photo, document, voice note or video as the file itself with its caption, a sticker or the like
 * named, an edit and /help marked as the transcript marks them.
 */
function relayed(event: ServiceEvent, ticketId: string): Directive {
  if (event.type === 'user.message')
    return event.file
      ? { type: 'desk.file', file: event.file, caption: quoted(event.text), ticketId }
      : { type: 'desk.post', text: quoted(event.text), from: 'customer', ticketId };
  if (event.type === 'user.media')
    return event.file
      ? { type: 'desk.file', file: event.file, ticketId }
      : { type: 'desk.post', text: `[${event.media}]`, from: 'customer', ticketId };
  if (event.type === 'user.edit')
    return { type: 'desk.post', text: `${EDITED_MARK}${quoted(event.text)}`, from: 'customer', ticketId };
  return {
    type: 'desk.post',
    text: event.type === 'user.help' && event.command ? event.command : '/help',
    from: 'customer',
    ticketId,
  };
}

/**
 * Relays what the customer does during a handoff to the card's thread (`relayed`); a file goes on
 * the handoff's ticket too, with its caption, as one sent before the handoff does (found by the
 * issue-17 trial: photos sent while queued reached the agent but not the ticket).
 */
export function relayCustomer(enqueue: Enqueue, event: ServiceEvent, ticketId: string): void {
  enqueue(effect(relayed(event, ticketId)));
  const file = fileOf(event);
  if (file && ticketId)
    enqueue(effect({ type: 'ticket.update', id: ticketId, changes: { addFiles: [file] }, at: event.at }));
}

/** The most the handoff keeps of what the customer said (`HandoffState.facts`), the latest. */
const MAX_HANDOFF_FACTS = 12;

/**
 * The words of a message during a handoff that tell what the matter is (unstated-need.ts
 * `tellingText`: no part that only greets, thanks, or gives an order number or a time), or undefined:
 * a greeting, thanks or agreement, a message mostly about the wait (人呢, 要多久啊) or one sentence
 * mentioning it (我都等了半个小时了), or only asking for a supervisor. A complaint with nothing else to tell (耳机坏了太差了), not of the wait, is its own words.
 */
function matterWords(
  complaints: FlowDefinition['complaints'],
  event: ServiceEvent,
  locale: string,
): string | undefined {
  if (event.type !== 'user.message') return undefined;
  const u = event.understanding;
  const wait = (u.intents.waitQuestion ?? 0) + (u.intents.slowReply ?? 0);
  // A greeting or a bot question may open the matter (你是真人还是机器人？我的快递丢了): its parts decide.
  const social = u.whole === 'greeting' || u.whole === 'botQuestion';
  // After a question about the wait (人呢？我买的衣服尺码不对; where is everyone? my shirt is the wrong size),
  // the rest is the matter's whole sentence if it tells one (回复太慢了，真的服了 does not); a message
  // mostly about the wait with no such opening is venting (I have been waiting 10 minutes already).
  const rest = waitOpeningRest(event);
  const venting = wait >= 0.5 && u.lead === undefined && rest === undefined;
  if ((u.whole && !social) || u.empty || venting || (u.wantsPerson && !u.ownWords)) return undefined;
  const text = (u.wantsPerson && u.ownText) || rest || statedNeed(event).text;
  // One sentence that mentions the wait is about it (I have been waiting 10 minutes already); 我要找你们经理
  // says nothing of the matter, 我要找你们领导，耳机坏了三次了 does, beside it.
  if (rest === undefined && (wait > 0 || u.complaint.supervisor) && partsOf(text).length < 2) return undefined;
  const told = tellingText(complaints, text, locale);
  return told ?? (u.complaint.triggered && !u.complaint.supervisor && wait === 0 ? text : undefined);
}

/**
 * What the customer's words during a handoff keep. What tells something (not 好的, 谢谢 and the
 * like) goes on the handoff's facts, for the follow-up card if the matter outlives the handoff
 * (found by the fourth issue-17 trial: after a handback it lacked them). After a bare request for a
 * person (`HandoffState.needUnstated`: 转人工 was all the card and the ticket had for a need), what
 * the customer tells of the matter (`matterWords`) is its need, on the ticket, the card and any
 * follow-up card, gathered message by message (我买的耳机 / 左耳没声音) until an agent first replies: after
 * that the customer answers the agent, and only their first words about the matter count, when
 * none came before (请问有什么可以帮您？ → 耳机坏了). Found by the issue-17 trials.
 */
export function keepWhatCustomerSays(
  enqueue: Enqueue,
  context: ServiceContext,
  event: ServiceEvent,
  complaints: FlowDefinition['complaints'],
): void {
  const h = context.handoff;
  if (!h || event.type !== 'user.message') return;
  const u = event.understanding;
  if (u.empty || !event.text.trim()) return;
  const tells = u.whole === undefined;
  const facts = tells ? [...new Set([...(h.facts ?? []), event.text.trim()])].slice(-MAX_HANDOFF_FACTS) : h.facts;
  const gathering = h.needUnstated && (!h.replied || h.needWords === undefined);
  const more = gathering ? matterWords(complaints, event, context.locale) : undefined;
  if (!more) return void (tells && enqueue.assign({ handoff: { ...h, facts } }));
  const said = h.needWords;
  const need = joinNeed(said, more, complaints.facts.detailSeparator);
  if (need !== said) {
    enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: { need }, at: event.at }));
    enqueue(effect({ type: 'desk.need', need, ticketId: h.ticketId }));
  }
  enqueue.assign({ handoff: { ...h, facts, need, needWords: need } });
}

/** What `customerWords` asks of the handoff and of the message. */
export const customerWordsGuards = {
  queuedForPerson: ({ context }: Guarded) => context.handoff !== undefined && !context.handoff.agent,
  // An agent has the conversation, and no complaint or supervisor request is noted in this handoff yet.
  claimedNotNoted: ({ context: { handoff: h } }: Guarded) =>
    h?.agent !== undefined && !h.upsetNoted && !h.supervisorAsked,
  waitNotToldLately: ({ context, event }: Guarded) => event.at - (context.handoff?.waitToldAt ?? -Infinity) >= 60_000,
  // 人呢？我的退款还没到账, 还要等多久？耳机坏了, 有人吗？退款还没到: about the wait, or whether anyone is
  // there, first, then more (lead.ts `Opening`).
  opensWithWait: ({ event }: Guarded) =>
    waitOpeningRest(event) !== undefined || understood(event)?.lead?.intent === 'greeting',
};

/**
 * What the customer writes during a handoff, queued or claimed: the end word, or taking the request
 * back (算了不用转人工了; 算了，不用了 while still queued: the trials found them still queued), ends it;
 * anything else reaches the agent. A request for a supervisor alerts the supervisors too, once; so
 * does a complaint while still queued (我要投诉, 等了这么久没人理). Queued, the customer hears each of
 * them noted, and a complaint of the wait alone (人呢, 怎么还不回) is answered with their place in
 * the queue: nobody is there yet to answer them (002 三.5). Once claimed the bot stays silent.
 */
export const customerWords = [
  // The end word: a matter an agent had and nobody settled waits for a person (handoff-ended.ts waitForAgent).
  {
    guard: 'wantsToEnd',
    target: '#conversation.service.closing',
    actions: [
      'postToDesk',
      'tellHandoffStatus',
      { type: 'endHandoff', params: { status: 'closed-by-customer', endWord: true } },
    ],
  },
  {
    guard: or(['onlyDeclinesPerson', 'takesBackWhileQueued']),
    target: '#conversation.service.closing',
    // A promise standing (an escalated complaint) is told before the close: the handoff line named
    // no time (found by the issue-17 trial: the desk had a promised time the customer never heard).
    // Their words reach the thread first: 怎么还没人回，算了 says why (found by the issue-17 trial).
    actions: ['postToDesk', 'tellHandoffStatus', { type: 'endHandoff', params: { status: 'closed-by-customer' } }],
  },
  {
    guard: and(['asksSupervisor', 'supervisorNotAsked']),
    actions: ['relayToDesk', { type: 'escalateHandoff', params: { reason: 'supervisor' } }],
  },
  {
    guard: and(['startsComplaint', 'queuedNotNoted']),
    actions: ['relayToDesk', { type: 'escalateHandoff', params: { reason: 'upset-waiting' } }],
  },
  {
    guard: and(['startsComplaint', 'claimedNotNoted']),
    actions: ['relayToDesk', { type: 'escalateHandoff', params: { reason: 'complained-live' } }],
  },
  // Once noted, or only about the wait or whether anyone is there (人呢, 有人吗): sorry, and their place, at most
  // once a minute (人呢 / 要多久 / 在吗 in a row: the trial found four alike).
  {
    guard: and([
      or(['complainsOfWaiting', 'asksHowLong', 'opensWithWait', 'onlyGreets', 'startsComplaint', 'asksSupervisor']),
      'queuedForPerson',
      'waitNotToldLately',
    ]),
    actions: ['relayToDesk', say('handoffWaitUpdate', { queue: true }), 'noteWaitTold'],
  },
  { actions: 'relayToDesk' },
] as const;

/** Words that only acknowledge (好的，谢谢; ok thanks; 没有了): nothing an agent owes a reply to. */
const ACKNOWLEDGING: ReadonlySet<string> = new Set(['yes', 'okay', 'done', 'thanks', 'praise']);

/**
 * Whether a message during a claimed handoff is owed the agent's reply (armReplySla): a message or
 * a file, unless it only acknowledges (found by the fifteenth issue-17 session's trial: 好的，谢谢
 * after the agent's answer set off the lateness alerts and, at the closing, a new promise).
 */
function awaitsReply(event: ServiceEvent): boolean {
  if (event.type === 'user.media') return true;
  return event.type === 'user.message' && !ACKNOWLEDGING.has(event.understanding.whole ?? '');
}

/** The handoff now owing the customer a reply from this message (HandoffState.awaitingSince), or undefined. */
export function owedReply(h: HandoffState | undefined, event: ServiceEvent): HandoffState | undefined {
  return h?.agent && h.awaitingSince === undefined && awaitsReply(event)
    ? { ...h, awaitingSince: event.at }
    : undefined;
}
