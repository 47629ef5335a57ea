import { withComplaint } from './complaint.js';
import { followUpEvents } from './follow-ups.js';
import { refuse } from './agents.js';
import { withHandoff } from './handoff.js';
import { withRecords } from './records.js';
import { baseSetup, effect, say, type MachineDeps } from './setup.js';
import { withStandard } from './standard.js';

/**
 * The conversation machine, put together from its concerns in layers (each may use what the
 * layers below it declare): base (types, the effect placeholder, guards on what was said) →
 * records (tickets and promises) → handoff → complaint → standard conversation. This file holds
 * only the root: the events answered the same way in every state, and the three regions.
 * Pure: it emits `Directive`s through the `effect` action; `flows/step.ts` renders and returns them.
 */
/** An agent action on a handoff that is over (the customer started over or left, an agent closed it). */
const refuseOutside = refuse('no-handoff');

/** /start: the session before it ends (the answered matter that asked for an order number still takes it after). */
const restart = ['rememberAwaitingOrder', 'recordUnresolved', 'startAfresh', 'adoptLocale'] as const;

export function createServiceMachine(deps: MachineDeps) {
  const handoff = withHandoff(withRecords(baseSetup(deps), deps), deps);
  const complaint = withComplaint(handoff.setup, deps);
  const standard = withStandard(complaint.setup, deps);

  return standard.setup.createMachine({
    id: 'conversation',
    context: ({ input }) => ({
      ...input,
      need: undefined,
      faqId: undefined,
      facts: [],
      failures: 0,
      seq: 0,
      sessionTickets: [],
      complaint: undefined,
      handoff: undefined,
      followUps: [],
      files: [],
      filesOnTickets: [],
      complained: false,
    }),
    initial: 'service',
    on: {
      'user.start': [
        // With matters pending, where they stand comes between the greeting and the question, as
        // for any customer back (found by the issue-17 trial: never told after /start, and a request
        // for a person then made a second ticket for the pending matter).
        {
          guard: 'hasPendingMatters',
          target: '.service.awaitingNeed',
          actions: [...restart, effect({ type: 'greet', withAsk: false }), 'tellPendingStatus', say('ask')],
        },
        { target: '.service.awaitingNeed', actions: [...restart, effect({ type: 'greet', withAsk: true })] },
      ],
      'user.help': { actions: say('help') },
      // The customer blocked the bot: nothing can reach them, so end quietly, keeping the matter on
      // record. Pending matters stay on the desk: the promise to them is still kept.
      'user.blocked': { target: '.service.idle', actions: 'recordUnresolved' },
      'user.group': { actions: ['adoptLocale', say('privateOnly')] },
      'user.media': { actions: [say('unsupported'), 'keepFile'] },
      // An edit is kept on the transcript, not answered (during a handoff it reaches the agent).
      'user.edit': {},
      'timer.idle': {
        target: '.service.idle',
        actions: ['rememberAwaitingOrder', 'recordUnresolved', say('idleClose'), 'markClosed'],
      },
      // Pending matters: their timers, and agents acting on their follow-up cards (follow-ups.ts).
      ...followUpEvents,
      // Agents acting on a handoff card while the bot has the conversation: a card whose handoff
      // ended (the customer started over or left, an agent closed or handed back), an old button or
      // a forged value is refused, and the customer hears nothing.
      'agent.claim': refuseOutside,
      'agent.reply': refuseOutside,
      'agent.resolve': refuseOutside,
      'agent.handback': refuseOutside,
      'agent.close': refuseOutside,
      'agent.release': refuseOutside,
      'agent.transfer': refuseOutside,
    },
    states: {
      service: standard.states.service,
      handingOff: handoff.states.handingOff,
      handoff: handoff.states.handoff,
      complaint: complaint.states.complaint,
    },
  });
}

export type ServiceMachine = ReturnType<typeof createServiceMachine>;
