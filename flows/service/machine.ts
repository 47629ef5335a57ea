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
        actions: ['recordUnresolved', 'adoptLocale', effect({ type: 'greet', withAsk: true })],
      },
      'user.help': { actions: say('help') },
      // The customer blocked the bot: nothing can reach them, so end quietly, keeping the matter on record.
      'user.blocked': { target: '.service.idle', actions: 'recordUnresolved' },
      'user.group': { actions: ['adoptLocale', say('privateOnly')] },
      'user.media': { actions: [say('unsupported'), 'keepFile'] },
      'timer.idle': { target: '.service.idle', actions: ['recordUnresolved', say('idleClose')] },
      'timer.promise': { actions: 'flagOverdue' },
      // Agents acting on a conversation that is with the bot: a claim takes it over, the rest is refused.
      'agent.claim': [
        { guard: 'hasCustomer', target: '.handoff.claimed', actions: ['adoptConversation', 'claim'] },
        // A button from an old card, or a forged value: there is no customer to take over.
        refuse('no-handoff'),
      ],
      'agent.reply': refuse('no-handoff'),
      'agent.handback': refuse('no-handoff'),
      'agent.close': refuse('no-handoff'),
      'agent.release': refuse('no-handoff'),
      'agent.transfer': refuse('no-handoff'),
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
