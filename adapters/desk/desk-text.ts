import type {
  AgentNotice,
  DeskAlert,
  DeskUpdate,
  HandoffCard,
  HandoffReason,
  TicketSummary,
} from '../../flows/contracts.js';
import type { TicketStatus } from '../../flows/ticket.js';
import type { FileText } from './files-text.js';
import type { SearchText } from './search-text.js';
import type { TranscriptText } from './transcript-text.js';

/** The shape of what agents read on the desk, one object per desk language (text.ts). */
export interface DeskText {
  handoff: (card: Pick<HandoffCard, 'afterHours' | 'reason' | 'priority'>) => string;
  /**
   * A follow-up card's title: the pending matter and why it waits for a person (issue 13). Read
   * from the card: a complaint (high priority: escalated, a supervisor's reply promised), a
   * question the bot could not answer, a request for a person after hours, or one nobody could
   * take then (the desk was down).
   */
  followUp: (card: Pick<HandoffCard, 'afterHours' | 'reason' | 'priority'>) => string;
  reasons: Record<HandoffReason, string>;
  priorities: Record<HandoffCard['priority'], string>;
  /** Between a label and its value. */
  colon: string;
  fields: {
    customer: string;
    channel: string;
    language: string;
    priority: string;
    category: string;
    ticket: string;
    need: string;
    tickets: string;
    lastMessages: string;
    /** A follow-up card's promised reply time. */
    promisedBy: string;
    /** The customer's earlier tickets (last 90 days). */
    history: string;
  };
  /** A date and time in the desk's time zone (`timeZone`: IANA), as cards show a promised time. */
  time: (at: number, timeZone: string) => string;
  /**
   * One of the customer's earlier tickets as a card lists it: date (the desk's time zone), kind,
   * category, status and score; an open complaint says so.
   */
  historyLine: (ticket: TicketSummary, timeZone: string) => string;
  statuses: Record<TicketStatus, string>;
  types: Record<TicketSummary['type'], string>;
  from: Record<'customer' | 'bot' | 'agent' | 'system', string>;
  claim: string;
  claimedBy: (who: string) => string;
  /** How to work in the thread; `prefix` keeps a message internal. */
  threadHelp: (prefix: string) => string;
  /** Under the thread help of a handoff: how to resolve with an outcome (`!resolve`). */
  resolveHelp: string;
  /** How to work in a claimed follow-up card's thread: reply, resolve with the outcome, release. */
  followUpHelp: (prefix: string) => string;
  buttons: { handback: string; close: string; release: string };
  someone: string;
  updates: Record<DeskUpdate, (who: string) => string>;
  transferredTo: (category: string, who: string) => string;
  /** A complaint category's name (from the definition in the desk's language), by id. */
  category: (id: string) => string;
  alerts: Record<DeskAlert, string>;
  /**
   * A thread's note that the desk received this conversation's messages late (the desk was down or
   * refusing for a while, issue 16, or a write before them was held up): `since` is when the oldest
   * delayed one was written, as `time` shows it. It names no cause: the courier only knows they are late.
   */
  delayed: (since: string) => string;
  notice: (notice: AgentNotice) => string;
  /** A message only one agent sees (Slack shows these as ephemeral). */
  onlyFor: (agent: string) => string;
  /** Playground only: what to type to take a card, and the after-hours hint. */
  claimHint: string;
  afterHoursHint: string;
  /** Playground only: how to take a follow-up card and give the customer the outcome. */
  followUpHint: string;
  /** Playground only: `/agent TICKET …` names a ticket whose card this desk has not printed; what happens. */
  unprintedCard: (ticketId: string) => string;
  /** On a card that shortened long texts: the full texts follow in its thread. */
  shortened: string;
  /**
   * Why an agent's message in a card's thread did not reach the customer, told to that agent
   * (Slack's message subtypes: an edit, a deletion, anything else with its subtype).
   */
  notSent: { edited: string; deleted: string; other: (subtype: string) => string };
  /** Photos and files: the line they are shared with, and why one did not cross (files-text.ts). */
  files: FileText;
  /** The ticket search (`/tickets QUERY` in Slack, issue 13), answered to the agent who typed it. */
  search: SearchText;
  /** The lines of a transcript nobody said, and the marks of notes and edits (transcript-text.ts). */
  transcript: TranscriptText;
  /**
   * Why the desk did nothing for a person (issue 16, fault 5), told only to them: the request came
   * from a channel that is not the desk's, from someone outside the agents' user group, while that
   * group's members could not be read, named no card the desk posted, or was a button (`action_id`) the desk has not.
   */
  refused: Record<'channel' | 'member' | 'unchecked' | 'card' | 'action', string>;
}
