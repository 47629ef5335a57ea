import type { DeskUpdate } from '../../flows/contracts.js';
import { EDITED_MARK, INTERNAL_MARK, readSystemLine, type AgentAction } from '../../flows/system-lines.js';
import type { TicketTimer } from '../../flows/ticket.js';
import type { DeskText } from './desk-text.js';

/**
 * The desk's words for the transcript lines nobody said (flows/system-lines.ts) and for the marks
 * on an internal note or an edited message, in each desk language: the record keeps them in
 * English; a card's last messages and the console's ticket page show them in the desk's own.
 */
export interface TranscriptText {
  blocked: string;
  deskUnavailable: string;
  /** A ticket's timer came and the ticket was no longer pending (`status`: the desk's word, or gone). */
  nothingToChase: (timer: TicketTimer, ticket: string, status: string) => string;
  /** The promised time came; a person had replied in time and the matter is still open. */
  repliedInTime: (ticket: string) => string;
  /** Said for a ticket that no longer exists. */
  gone: string;
  /** Before an agent's internal note (the customer never saw it) and a customer's edited message. */
  internal: string;
  edited: string;
}

const TIMERS_EN: Record<TicketTimer, string> = {
  promise: 'The promised reply time',
  remind: 'The reminder',
  escalate: 'The escalation time',
  survey: 'The survey time',
};
const TIMERS_ZH: Record<TicketTimer, string> = {
  promise: '承诺答复时间',
  remind: '到期前提醒时间',
  escalate: '升级时间',
  survey: '满意度回访时间',
};

export const TRANSCRIPT_EN: TranscriptText = {
  blocked: 'The customer blocked the bot.',
  deskUnavailable: 'The agent desk could not be reached.',
  nothingToChase: (timer, ticket, status) => `${TIMERS_EN[timer]} of ${ticket} came; it is ${status}, nothing to do.`,
  repliedInTime: (ticket) =>
    `The promised reply time of ${ticket} came: a person replied in time; the matter is still open.`,
  gone: 'gone',
  internal: '[internal note] ',
  edited: '[edited] ',
};

export const TRANSCRIPT_ZH: TranscriptText = {
  blocked: '客户已屏蔽机器人。',
  deskUnavailable: '无法连接客服工作台。',
  nothingToChase: (timer, ticket, status) => `工单 ${ticket} 的${TIMERS_ZH[timer]}已到：工单${status}，无需跟进。`,
  repliedInTime: (ticket) => `工单 ${ticket} 的承诺答复时间已到：客服已按时回复，事项仍待办结。`,
  gone: '已不存在',
  internal: '[内部备注] ',
  edited: '[已编辑] ',
};

/** The desk's update for each agent action a system line records. */
const UPDATES: Record<Exclude<AgentAction, 'transfer'>, DeskUpdate> = {
  claim: 'claimed',
  handback: 'handed-back',
  close: 'closed',
  release: 'released',
  resolve: 'resolved',
};

/**
 * A transcript line's text as the desk shows it: a system line in the desk's words (an agent's
 * action as the thread's own update says it), the marks of an internal note or an edit in its
 * language; any other text as written.
 */
export function describeLine(t: DeskText, text: string): string {
  if (text.startsWith(INTERNAL_MARK)) return t.transcript.internal + text.slice(INTERNAL_MARK.length);
  if (text.startsWith(EDITED_MARK)) return t.transcript.edited + text.slice(EDITED_MARK.length);
  const line = readSystemLine(text);
  if (!line) return text;
  switch (line.kind) {
    case 'agent':
      return line.action === 'transfer'
        ? t.transferredTo(t.category(line.category ?? ''), line.who)
        : t.updates[UPDATES[line.action]](line.who);
    case 'blocked':
      return t.transcript.blocked;
    case 'desk-unavailable':
      return t.transcript.deskUnavailable;
    case 'nothing-to-chase':
      return t.transcript.nothingToChase(
        line.timer,
        line.ticket,
        line.status === 'gone' ? t.transcript.gone : t.statuses[line.status],
      );
    case 'replied-in-time':
      return t.transcript.repliedInTime(line.ticket);
  }
}
