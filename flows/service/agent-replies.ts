import type { AgentNotice, AgentRef, Effect } from '../contracts.js';
import { INTERNAL_MARK } from '../system-lines.js';
import type { GuardMatch } from '../guard.js';
import { fileLabel, type FileRef } from '../files.js';
import type { TicketChanges } from '../ticket.js';
import { effect, type Enqueue, type MachineDeps } from './setup.js';

/**
 * What an agent's words become, for a live handoff and a follow-up alike: a guarded reply to the
 * customer, an internal line, and the ticket's record of a claim and of the first reply.
 */

/** The ticket's record of a claim: who holds the matter now. */
export function claimedUpdate(ticketId: string, agent: AgentRef, at: number): Effect {
  const who = agent.name ?? agent.id;
  const changes: TicketChanges = {
    outcome: `with ${who}, who claimed it`,
    claimedBy: agent,
    events: [{ type: 'claimed', at, by: agent }],
  };
  return { type: 'ticket.update', id: ticketId, changes, at, ifStatus: 'pending' };
}

/**
 * The ticket's record of a release (the agent let it go, or a transfer put it back in the queue):
 * nobody holds it now, so its outcome no longer names them (found by the issue-17 trial: a released
 * follow-up still said "with 小王, who claimed it").
 */
export function releasedUpdate(ticketId: string, agent: AgentRef | undefined, at: number): Effect {
  const who = agent ? (agent.name ?? agent.id) : undefined;
  const changes: TicketChanges = {
    outcome: who ? `released by ${who}; waiting for an agent` : 'waiting for an agent',
    claimedBy: undefined,
    events: [{ type: 'released', at, ...(agent ? { by: agent } : {}) }],
  };
  return { type: 'ticket.update', id: ticketId, changes, at, ifStatus: 'pending' };
}

/** The ticket's record of the first reply a person sent the customer on it (first response). */
export function repliedUpdate(ticketId: string, agent: AgentRef, at: number): Effect {
  return { type: 'ticket.update', id: ticketId, changes: { events: [{ type: 'agent-replied', at, by: agent }] }, at };
}

/** An agent's words that do not go to the customer (a note, or someone else's matter), for the transcript. */
export function internalLine(agent: AgentRef, text: string, files: readonly FileRef[] = []): Effect {
  const attached = files.map((f) => ` ${fileLabel(f)}`).join('');
  return { type: 'transcript', from: 'agent', text: `${INTERNAL_MARK}${agent.name ?? agent.id}: ${text}${attached}` };
}

/**
 * The internal note an agent gave beside an outcome told to the customer (`tickets resolve ID NOTE
 * --outcome …`), kept as a note is: on the transcript, not to the customer (found by the issue-17
 * trial: lost). With no outcome the note is the outcome itself.
 */
export function keepResolveNote(enqueue: Enqueue, event: { agent: AgentRef; text: string; note?: string }): void {
  if (event.text && event.note) enqueue(effect(internalLine(event.agent, event.note)));
}

/** Tells the agent alone, on the card of `ticketId`, that their words were held back and what to say instead. */
export function notifyBlocked(
  enqueue: Enqueue,
  agent: AgentRef,
  text: string,
  matches: GuardMatch[],
  ticketId: string | undefined,
): void {
  const notice: AgentNotice = { kind: 'guard-blocked', matches, text };
  enqueue(effect({ type: 'desk.notify', agentId: agent.id, notice, ticketId }));
}

/**
 * An agent's reply to the customer, through the service-phrase guard (a blocked one is held back
 * with its files, and the agent told why, on the card of `ticketId`). Returns whether it was sent.
 */
export function relayAgentReply(
  enqueue: Enqueue,
  deps: MachineDeps,
  reply: { agent: AgentRef; text: string; override: boolean; files?: readonly FileRef[] | undefined },
  ticketId: string,
  /** Outside a live talk about the matter: the words come framed with its ticket (followUpMessage). */
  framed = false,
): boolean {
  const files = reply.files ?? [];
  const verdict = deps.agentGuard.check(reply.text);
  if (!verdict.allowed && !reply.override) {
    notifyBlocked(enqueue, reply.agent, reply.text, verdict.matches, ticketId);
    const attached = files.map((f) => ` ${fileLabel(f)}`).join('');
    const blocked = `[blocked: ${verdict.matches.map((m) => m.phrase).join(', ')}] ${reply.text}${attached}`;
    enqueue(effect({ type: 'transcript', from: 'agent', text: blocked }));
    return false;
  }
  if (framed && reply.text) {
    // The words in their frame, then the files as they are.
    const vars = { ticket: ticketId, text: reply.text };
    enqueue(effect({ type: 'say', key: 'followUpMessage', vars, from: 'agent' }));
    for (const file of files) enqueue(effect({ type: 'reply.file', file, agentId: reply.agent.id }));
    return true;
  }
  if (files.length === 0) {
    enqueue(effect({ type: 'reply', text: reply.text, from: 'agent' }));
    return true;
  }
  // The text goes with the first file, as its caption (one message on the customer's side).
  files.forEach((file, n) =>
    enqueue(
      effect({
        type: 'reply.file',
        file,
        ...(n === 0 && reply.text ? { caption: reply.text } : {}),
        agentId: reply.agent.id,
      }),
    ),
  );
  return true;
}
