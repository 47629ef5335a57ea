import { and } from 'xstate';
import { refuse, type AgentDeskSetup } from './agents.js';
import { customerWords } from './customer-relay.js';
import { effect, say } from './setup.js';

/**
 * Working hours ended with the customer still queued: the matter waits for the morning; with still
 * nothing said of it, the customer is asked what it is (handoffAfterHoursDescribe), not "anything
 * else?". A closing time come while the desk is open (the bot was down past it): the next one.
 */
const deskClosed = [
  {
    guard: and(['afterHours', 'bareRequest']),
    target: '#conversation.service.awaitingNeed',
    actions: 'closeQueueForTheNight',
  },
  { guard: 'afterHours', target: '#conversation.service.askMore', actions: 'closeQueueForTheNight' },
  { actions: 'armDeskClosed' },
] as const;

/**
 * The same close for the night for a claimed customer the agent has owed a reply too long
 * (agentOwesReply), at the desk's closing or at a reply deadline after hours.
 */
const closeUnanswered = [
  {
    guard: and(['afterHours', 'agentOwesReply', 'bareRequest']),
    target: '#conversation.service.awaitingNeed',
    actions: 'closeQueueForTheNight',
  },
  {
    guard: and(['afterHours', 'agentOwesReply']),
    target: '#conversation.service.askMore',
    actions: 'closeQueueForTheNight',
  },
] as const;

/**
 * The reply SLA of a claimed conversation (queue-deadlines.ts armReplySla): the agent reminded, then
 * the supervisors alerted and the customer told; after hours, the close above. Once the agent has
 * replied, its timers are cancelled.
 */
const replyDeadlines = {
  'timer.replySla': [...closeUnanswered, { actions: { type: 'pingDesk', params: { level: 'reply-late' } } }],
  'timer.replySupervisorSla': [
    ...closeUnanswered,
    { actions: [{ type: 'pingDesk', params: { level: 'reply-supervisor' } }, say('handoffReplyLate')] },
  ],
  'timer.deskClosed': [...closeUnanswered, { actions: 'armDeskClosed' }],
} as const;

/**
 * People have the conversation: the queue, then the claim. One rule for everything the customer
 * does meanwhile, queued or claimed (README: Human handoff, "What the customer does during a
 * handoff"): what they write, edit, send or ask (a message, a button, an edit, a photo, /help or
 * any other command) reaches the agent in the card's thread and the bot stays silent; starting
 * over (/start), the end word (结束) and leaving (blocking the bot, or a send refused as
 * unreachable) end the handoff for both sides: the queue is left, the thread told, the card can no
 * longer be claimed, the ticket's outcome written.
 */
export function handoffState(s: AgentDeskSetup) {
  /** People have the conversation; the bot relays and stays silent (转人工). */
  const handoff = s.createStateConfig({
    tags: ['with-people'],
    initial: 'queued',
    on: {
      // Waiting or talking to an agent is not idling: the desk decides when it ends.
      'timer.idle': {},
      // The desk could not be reached even after retries: say so, keep the matter on record.
      'desk.unavailable': {
        target: '#conversation.service.askMore',
        actions: ['deskGaveUp', { type: 'endHandoff', params: { status: 'released' } }],
      },
      'user.message': customerWords,
      'user.media': { actions: 'relayToDesk' },
      'user.edit': { actions: 'relayToDesk' },
      'user.help': { actions: 'relayToDesk' },
      // Starting over: the handoff ends for the desk too, then the bot greets afresh.
      'user.start': {
        target: '#conversation.service.awaitingNeed',
        actions: [
          { type: 'endHandoff', params: { status: 'customer-restarted' } },
          'startAfresh',
          'adoptLocale',
          effect({ type: 'greet', withAsk: true }),
        ],
      },
      // Blocked the bot (Telegram's my_chat_member), or a send to them was refused as unreachable.
      'user.blocked': {
        target: '#conversation.service.idle',
        actions: { type: 'endHandoff', params: { status: 'customer-left' } },
      },
      'agent.note': {},
    },
    states: {
      queued: {
        on: {
          'timer.claimSla': { actions: [say('handoffStillWaiting'), { type: 'pingDesk', params: { level: 'sla' } }] },
          'timer.supervisorSla': { actions: { type: 'pingDesk', params: { level: 'supervisor' } } },
          'timer.queuePromise': { actions: 'promiseWhileQueued' },
          'timer.deskClosed': deskClosed,
          'agent.claim': { target: 'claimed', actions: 'claim' },
          'agent.reply': refuse('not-claimed'),
          'agent.handback': refuse('not-claimed'),
          'agent.close': refuse('not-claimed'),
          // Anyone at the desk may settle the matter (a supervisor for a colleague), in allowed words.
          'agent.resolve': [
            { guard: 'outcomeAllowed', target: '#conversation.service.closing', actions: 'resolveHandoff' },
            { actions: 'blockOutcome' },
          ],
          'agent.release': refuse('not-claimed'),
          'agent.transfer': refuse('not-claimed'),
        },
      },
      claimed: {
        on: {
          ...replyDeadlines,
          'agent.claim': { actions: 'notifyNotYours' },
          'agent.reply': { actions: 'agentReply' },
          'agent.handback': [
            {
              guard: 'isClaimer',
              target: '#conversation.service.awaitingNeed',
              actions: [
                'tellHandoffStatus',
                { type: 'endHandoff', params: { status: 'handed-back' } },
                say('handoffBack'),
              ],
            },
            { actions: 'notifyNotYours' },
          ],
          'agent.close': [
            {
              guard: 'isClaimer',
              target: '#conversation.service.closing',
              actions: { type: 'endHandoff', params: { status: 'closed' } },
            },
            { actions: 'notifyNotYours' },
          ],
          // Settled with the outcome the customer hears (checked like every reply), then the survey.
          'agent.resolve': [
            { guard: 'outcomeAllowed', target: '#conversation.service.closing', actions: 'resolveHandoff' },
            { actions: 'blockOutcome' },
          ],
          // A matter taken up from its follow-up card goes back to that card, and the conversation to the bot.
          'agent.release': [
            {
              guard: and(['isClaimer', 'isAdopted']),
              target: '#conversation.service.idle',
              actions: { type: 'releaseAdopted', params: { status: 'released' } },
            },
            { guard: 'isClaimer', target: 'queued', actions: { type: 'requeue', params: { status: 'released' } } },
            { actions: 'notifyNotYours' },
          ],
          // Only the agent who has the conversation moves it, and only to a category the definition has.
          'agent.transfer': [
            {
              guard: and(['isClaimer', 'isAdopted', 'transfersToKnownCategory']),
              target: '#conversation.service.idle',
              actions: { type: 'releaseAdopted', params: { status: 'transferred' } },
            },
            {
              guard: and(['isClaimer', 'transfersToKnownCategory']),
              target: 'queued',
              actions: { type: 'requeue', params: { status: 'transferred' } },
            },
            { guard: 'isClaimer', actions: 'notifyUnknownCategory' },
            { actions: 'notifyNotYours' },
          ],
        },
      },
    },
  });

  return handoff;
}
