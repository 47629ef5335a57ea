import { and, or } from 'xstate';
import type { Directive } from '../contracts.js';
import { quoted } from '../text.js';
import { effect, fileOf, say, statedNeed, type Enqueue, type ServiceContext, type ServiceEvent } from './setup.js';

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
    return { type: 'desk.post', text: `[edited] ${quoted(event.text)}`, from: 'customer', ticketId };
  return { type: 'desk.post', text: '/help', from: 'customer', ticketId };
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
 * What the customer's words during a handoff keep. What tells something (not 好的, 谢谢 and the
 * like) goes on the handoff's facts, for the follow-up card if the matter outlives the handoff
 * (found by the fourth issue-17 trial: after a handback it lacked them). After a bare request for a
 * person (`HandoffState.needUnstated`: 转人工 was all the card and the ticket had for a need), the
 * first words that say what the matter is become its need, on the ticket and for any follow-up
 * card; not a complaint of the wait, a question how long, or a request for a supervisor.
 */
export function keepWhatCustomerSays(enqueue: Enqueue, context: ServiceContext, event: ServiceEvent): void {
  const h = context.handoff;
  if (!h || event.type !== 'user.message') return;
  const u = event.understanding;
  if (u.whole || u.empty || !event.text.trim()) return;
  const aboutWaitOrSupervisor = u.intents.slowReply || u.intents.waitQuestion || u.complaint.supervisor;
  const need = (u.wantsPerson && u.ownWords ? u.ownText : statedNeed(event).text)?.trim();
  if (h.needUnstated && !aboutWaitOrSupervisor && !(u.wantsPerson && !u.ownWords) && need) {
    enqueue(effect({ type: 'ticket.update', id: h.ticketId, changes: { need }, at: event.at }));
    enqueue.assign({ handoff: { ...h, need, needUnstated: undefined } });
    return;
  }
  const facts = [...new Set([...(h.facts ?? []), event.text.trim()])].slice(-MAX_HANDOFF_FACTS);
  enqueue.assign({ handoff: { ...h, facts } });
}

/**
 * What the customer writes during a handoff, queued or claimed: the end word, or taking the request
 * back (算了不用转人工了; 算了，不用了 while still queued: the trials found them still queued), ends it;
 * anything else reaches the agent. A request for a supervisor alerts the supervisors too, once; so
 * does a complaint while still queued (我要投诉, 等了这么久没人理). Queued, the customer hears each of
 * them noted, and a complaint of the wait alone (人呢, 怎么还不回) is answered with their place in
 * the queue: nobody is there yet to answer them (002 三.5). Once claimed the bot stays silent.
 */
export const customerWords = [
  {
    guard: or(['wantsToEnd', 'onlyDeclinesPerson', 'takesBackWhileQueued']),
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
  // Once noted, or only about the wait or whether anyone is there (人呢, 有人吗): sorry, and their place.
  {
    guard: and([
      or(['complainsOfWaiting', 'asksHowLong', 'onlyGreets', 'startsComplaint', 'asksSupervisor']),
      'queuedForPerson',
    ]),
    actions: ['relayToDesk', say('handoffWaitUpdate', { queue: true })],
  },
  { actions: 'relayToDesk' },
] as const;
