import type { AgentRef, HandoffReason } from '../contracts.js';
import type { ComplaintFacts } from '../facts.js';
import type { ComplaintKindId } from '../schema.js';

/**
 * What the conversation keeps of a matter people follow up, a handoff and a complaint, as parts of
 * the persisted context (setup.ts ServiceContext): renaming a field breaks restoring stored
 * conversations. And when what a closed session kept still applies (`keptStillOpen`).
 */

/** A pending matter with a promised reply time, as the conversation follows it up (issue 13). */
export interface FollowUp {
  ticketId: string;
  /** Epoch ms of the reply time promised to the customer. */
  promisedBy: number;
  /** The agent who claimed it on the desk, when one has. */
  agent?: AgentRef | undefined;
  /** A person already wrote to the customer about it (the first reply is on the record). */
  replied?: boolean | undefined;
  /** 'complaint', 'inquiry'…: what the status line tells a returning customer. */
  type: 'inquiry' | 'complaint';
  /** The promised time passed with the matter pending (its `promise-broken` is on the record). */
  overdue?: boolean | undefined;
  /** A person replied to the customer about it by its promised time: the promise is kept (deadlines.ts keptByReply). */
  answered?: true | undefined;
  /** Escalated after the working days allowed: later escalation timers only alert the supervisors again. */
  escalated?: true | undefined;
  /** The customer was already told it is past its time (their status line), before its timer fired. */
  toldOverdue?: boolean | undefined;
  /** The need in a few words, so a customer with two matters knows which one a status line is about. */
  need?: string | undefined;
  /** What its card listed the customer said (an order number…), for a handoff that takes the matter over. */
  facts?: string[] | undefined;
  /** Recorded from a bare request for a person (HandoffState.needUnstated): details added are its need. */
  needUnstated?: boolean | undefined;
  /** Its need as the customer told it after such a request (unshortened): more words in that visit join it. */
  told?: string | undefined;
  /**
   * The id of the agent the customer complained of, or asked a supervisor over, in the live talk it
   * came from: not theirs to claim or settle, a supervisor or another agent's (002 三.3 升级; found by
   * the issue-17 trial). `supervisorAsked`: asked, not complained of (what they are told).
   */
  complainedOf?: string | undefined;
  supervisorAsked?: true | undefined;
}

export interface HandoffState {
  reason: HandoffReason;
  priority: 'normal' | 'high';
  category: string | undefined;
  /** The ticket the card and its outcome refer to; '' until the handoff is opened. */
  ticketId: string;
  /** Epoch ms when the customer joined the queue. */
  queuedAt: number;
  agent: AgentRef | undefined;
  /** The agent's first reply to the customer is on the record (the ticket's `agent-replied`). */
  replied?: boolean | undefined;
  /** Epoch ms since when the agent owes the customer a reply: the claim, or their oldest message since the agent's last reply. */
  awaitingSince?: number | undefined;
  /** Taken up from a pending matter's follow-up card (claimed there, not queued): that card is its card. */
  adopted?: boolean | undefined;
  /** The customer asked for a supervisor during the handoff: escalated and alerted once. */
  supervisorAsked?: boolean | undefined;
  /** The customer complained while queued: escalated, alerted and apologised to once. */
  upsetNoted?: boolean | undefined;
  /** The customer complained while an agent had the conversation (complained-live): that agent does not settle it. */
  complainedOfAgent?: boolean | undefined;
  /** Epoch ms the customer was last told their place in answer to a wait question (handoffWaitUpdate). */
  waitToldAt?: number | undefined;
  /** The need and facts the card showed (for its follow-up card if the matter outlives the handoff). */
  need?: string | undefined;
  facts?: string[] | undefined;
  /**
   * A bare request for a person (转人工) with no matter under way: `need` is only the request, until
   * what the customer tells of the matter takes its place (customer-relay.ts keepWhatCustomerSays).
   */
  needUnstated?: boolean | undefined;
  /** With `needUnstated`: what the customer has told of the matter so far, the need now. */
  needWords?: string | undefined;
}

export interface ComplaintState {
  /** Everything the customer said while venting, taken together. */
  text: string;
  facts: ComplaintFacts;
  category: string;
  /** Which of 003's situations it is (complaints.kinds), chosen by the customer's words; undefined: a general complaint (and in snapshots stored before kinds). */
  kind?: ComplaintKindId | undefined;
  supervisor: boolean;
  /** Asked for a person during the complaint (转人工): it goes to people. Absent in older snapshots. */
  person?: boolean | undefined;
  /**
   * Only asked for someone higher up, calmly: the promise is given without 003's apology for an
   * upset customer (请您先消消气). Undefined in snapshots stored before it: treated as upset.
   */
  calm?: boolean | undefined;
  /** De-escalation turns in which the customer was still angry. */
  angryTurns: number;
  /** Times the bot asked for missing facts. */
  rounds: number;
  /**
   * Questions the knowledge base answers, asked while the complaint was told (那运费谁出？): not facts
   * of what happened; answered once the complaint is settled. Absent when none.
   */
  asked?: Array<{ text: string; faqId: string }> | undefined;
  /** The complaint's knowledge-base solution was offered (its entry is not answered again for a question). */
  offered?: true | undefined;
  /** The facts the last request for the missing ones restated (describeFacts): not restated again unchanged. */
  restated?: string | undefined;
  /** Started before any conversation (the customer's locale is adopted from it). */
  fromIdle: boolean;
  /**
   * Started while a need was being confirmed: afterwards the conversation comes back to it (complaintResume,
   * then the confirmation again); otherwise it asks what else we can do. Undefined in snapshots stored
   * before it: resumed unless started from idle, as they were.
   */
  resumesNeed?: boolean | undefined;
}

/** How long after a visit closed the customer's next message continues it (no second 开头语 or status line). */
export const JUST_CLOSED_MS = 30 * 60_000;

/**
 * Whether something kept when a session closed (a survey left unanswered, the matters just rated, a
 * matter waiting for its order number: each `{ at, seq }`) still applies at `at` (epoch ms): within
 * `windowMs` of when it was kept, and no matter recorded since (`seq` unchanged).
 */
/** The customer rated or closed a visit within JUST_CLOSED_MS of `at`, nothing recorded since. */
export function justSeen(
  context: {
    seq: number;
    rated?: { at: number; seq: number } | undefined;
    closed?: { at: number; seq: number } | undefined;
  },
  at: number,
): boolean {
  return (
    keptStillOpen(context.rated, context, at, JUST_CLOSED_MS) ||
    keptStillOpen(context.closed, context, at, JUST_CLOSED_MS)
  );
}

export function keptStillOpen(
  kept: { at: number; seq: number } | undefined,
  context: { seq: number },
  at: number,
  windowMs: number,
): boolean {
  return kept !== undefined && kept.seq === context.seq && at - kept.at <= windowMs;
}

/**
 * A handoff the agent serving it does not settle (close, resolve, hand back): the customer asked for
 * a supervisor, or complained of that agent; it waits for a supervisor (agents.ts waitForSupervisor).
 */
export function forSupervisor(h: HandoffState): boolean {
  return h.supervisorAsked === true || h.complainedOfAgent === true;
}

/**
 * Whether a reply or a resolution at `at` keeps the matter's promise (`promise-kept`): by its time,
 * not flagged overdue, and not kept already (once per matter).
 */
export function keepsPromise(f: FollowUp, at: number): boolean {
  return !f.overdue && !f.answered && at <= f.promisedBy;
}

/** A handoff from a bare request for a person (转人工) whose matter the customer has not told yet. */
export function nothingTold(h: HandoffState | undefined): boolean {
  return h?.needUnstated === true && h.needWords === undefined;
}
