import { withComplaint } from './complaint.js';
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
/** An agent action other than a claim while the bot has the conversation: claim the waiting card first, or it is over. */
const refuseOutside = [{ guard: 'hasWaitingCard', ...refuse('not-claimed') }, refuse('no-handoff')] as const;

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
      waitingTicket: undefined,
    }),
    initial: 'service',
    on: {
      'user.start': {
        target: '.service.awaitingNeed',
        actions: ['recordUnresolved', 'startAfresh', 'adoptLocale', effect({ type: 'greet', withAsk: true })],
      },
      'user.help': { actions: say('help') },
      // The customer blocked the bot: nothing can reach them, so end quietly, keeping the matter on
      // record; an after-hours card waiting for them is over too.
      'user.blocked': { target: '.service.idle', actions: ['recordUnresolved', 'abandonWaitingCard'] },
      'user.group': { actions: ['adoptLocale', say('privateOnly')] },
      'user.media': { actions: [say('unsupported'), 'keepFile'] },
      // An edit is kept on the transcript, not answered (during a handoff it reaches the agent).
      'user.edit': {},
      'timer.idle': { target: '.service.idle', actions: ['recordUnresolved', say('idleClose')] },
      'timer.promise': { actions: 'flagOverdue' },
      // Agents acting on a conversation that is with the bot. Only an after-hours card waiting for
      // agents can be claimed; a card whose handoff ended (the customer started over or left, an
      // agent closed or handed back), an old button or a forged value is refused, and the customer
      // hears nothing.
      'agent.claim': [
        { guard: 'hasWaitingCard', target: '.handoff.claimed', actions: ['adoptConversation', 'claim'] },
        refuse('no-handoff'),
      ],
      'agent.reply': refuseOutside,
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
