import { TICKET_TIMERS, type TicketStatus, type TicketTimer } from './ticket.js';

/**
 * What a transcript records that nobody said (`from: 'system'`): an agent's action on the desk, the
 * customer blocking the bot, the desk out of reach, a ticket's timer that found nothing to do. The
 * record keeps each as one fixed English sentence (`systemLineText`: the archive and the ticket
 * search read it as it always was); a desk or the console shows it in its own language
 * (`readSystemLine` gives the line back, adapters/desk/transcript-text.ts says it). Found by the
 * sixteenth issue-17 session's trial: a Chinese desk read 系统：agent 小王: handback.
 */
export type SystemLine =
  | { kind: 'agent'; who: string; action: AgentAction; category?: string | undefined }
  | { kind: 'blocked' }
  | { kind: 'desk-unavailable' }
  | { kind: 'nothing-to-chase'; timer: TicketTimer; ticket: string; status: TicketStatus | 'gone' }
  | { kind: 'replied-in-time'; ticket: string };

/** The desk actions a system line records (a reply and an internal note are lines of the agent's own). */
export const AGENT_ACTIONS = ['claim', 'handback', 'close', 'release', 'transfer', 'resolve'] as const;
export type AgentAction = (typeof AGENT_ACTIONS)[number];

/** The line as the record keeps it (English, fixed). */
export function systemLineText(line: SystemLine): string {
  switch (line.kind) {
    case 'agent':
      return `agent ${line.who}: ${line.action}${line.category ? ` ${line.category}` : ''}`;
    case 'blocked':
      return 'the customer blocked the bot';
    case 'desk-unavailable':
      return 'the agent desk could not be reached';
    case 'nothing-to-chase':
      return `${line.timer} time for ${line.ticket} came; the ticket is ${line.status}, nothing to chase`;
    case 'replied-in-time':
      return `reply time for ${line.ticket} came; a person replied in time, the matter is still pending`;
  }
}

const AGENT_LINE = new RegExp(`^agent (.+): (${AGENT_ACTIONS.join('|')})(?: (\\S+))?$`, 's');
const TIMER_LINE = new RegExp(
  `^(${TICKET_TIMERS.join('|')}) time for (\\S+) came; the ticket is (\\w+), nothing to chase$`,
);
const REPLIED_LINE = /^reply time for (\S+) came; a person replied in time, the matter is still pending$/;

/** A stored system line read back; undefined for any other text (a line written before, or by someone else: shown as written). */
export function readSystemLine(text: string): SystemLine | undefined {
  if (text === 'the customer blocked the bot') return { kind: 'blocked' };
  if (text === 'the agent desk could not be reached') return { kind: 'desk-unavailable' };
  const agent = AGENT_LINE.exec(text);
  if (agent) return { kind: 'agent', who: agent[1]!, action: agent[2] as AgentAction, category: agent[3] };
  const timer = TIMER_LINE.exec(text);
  if (timer)
    return {
      kind: 'nothing-to-chase',
      timer: timer[1] as TicketTimer,
      ticket: timer[2]!,
      status: timer[3] as TicketStatus | 'gone',
    };
  const replied = REPLIED_LINE.exec(text);
  return replied ? { kind: 'replied-in-time', ticket: replied[1]! } : undefined;
}

/** What opens an agent's internal note in a transcript (`[internal] 小王: …`) and a customer's edited message. */
export const INTERNAL_MARK = '[internal] ';
export const EDITED_MARK = '[edited] ';
