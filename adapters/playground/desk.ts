import type { CardAddress, DeskPort, TranscriptEntry } from '../../bots/ports.js';
import { describeLine } from '../desk/transcript-text.js';
import type { DeskText } from '../desk/text.js';
import {
  HANDOFF_ENDED,
  type AgentNotice,
  type AgentRef,
  type DeskAlert,
  type DeskUpdate,
  type HandoffCard,
} from '../../flows/contracts.js';
import { maskPII } from '../desk/pii.js';
import { alertAudience } from '../desk/alerts.js';
import { PlaygroundDeskFiles } from './files.js';

/** A card the playground desk printed, as `/agent` finds it again (the terminal's stand-in for a Slack thread). */
export interface PlaygroundCard {
  conversationId: string;
  ticketId: string;
  kind: 'handoff' | 'follow-up';
  /** Its matter is over (`HANDOFF_ENDED`): `/agent` no longer picks it by default. */
  ended: boolean;
}

/** Earlier tickets a card prints at most (delivery chooses them: bots/delivery.ts). */
const HISTORY_PRINTED = 5;

/**
 * The agent desk in the terminal: handoff and follow-up cards and relayed messages are printed as
 * `desk>` lines, and `/agent …` lines act as an agent on a card (the latest still open, or one
 * named by its ticket). Lets the whole product be tried without Slack.
 */
export class PlaygroundDesk implements DeskPort {
  /** Customers' photos and files, printed as `desk>` lines (files.ts). */
  readonly files: PlaygroundDeskFiles;
  /** The cards printed so far, by ticket, oldest first (a Map keeps the order of first printing). */
  private readonly cards = new Map<string, PlaygroundCard>();

  /** `timeZone`: the desk's (IANA), for promised times and the history's dates; UTC unless given. */
  constructor(
    private readonly print: (line: string) => void,
    private readonly t: DeskText,
    private readonly timeZone: () => string = () => 'UTC',
  ) {
    this.files = new PlaygroundDeskFiles(print, t);
  }

  /**
   * The card `/agent` acts on in a conversation: the one of `ticketId` when named (whether printed
   * or not: the conversation decides what it means), else the latest printed card still open,
   * else the latest printed at all; undefined before any card.
   */
  target(conversationId: string, ticketId?: string): { ticketId: string; known: boolean } | undefined {
    if (ticketId) {
      const named = [...this.cards.values()].find((c) => c.ticketId.toLowerCase() === ticketId.toLowerCase());
      return { ticketId: named?.ticketId ?? ticketId, known: named !== undefined };
    }
    const mine = [...this.cards.values()].filter((c) => c.conversationId === conversationId);
    const card = mine.filter((c) => !c.ended).at(-1) ?? mine.at(-1);
    return card && { ticketId: card.ticketId, known: true };
  }

  /** `/agent TICKET …` named a ticket whose card this desk has not printed: what happens, in the desk's language. */
  unprinted(ticketId: string): void {
    this.print(`desk> ${this.t.unprintedCard(ticketId)}`);
  }

  /** The card a desk call is about: its ticket's, or (no ticket) the conversation's latest. */
  private cardOf(to: CardAddress): PlaygroundCard | undefined {
    if (to.ticketId) return this.cards.get(to.ticketId);
    return [...this.cards.values()].filter((c) => c.conversationId === to.conversationId).at(-1);
  }

  async open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const { t } = this;
    const p = (line: string) => this.print(`desk> ${line}`);
    const c = t.colon;
    const followUp = card.kind === 'follow-up';
    // Printed again (a transfer): it moves to the end, as the latest card.
    this.cards.delete(card.ticketId);
    this.cards.set(card.ticketId, {
      conversationId,
      ticketId: card.ticketId,
      kind: card.kind ?? 'handoff',
      ended: false,
    });
    p(
      `── ${followUp ? t.followUp(card) : t.handoff(card)} · ${t.fields.priority}${c}${t.priorities[card.priority]}${card.category ? ` · ${t.fields.category}${c}${t.category(card.category)}` : ''} · ${t.fields.ticket} ${card.ticketId}`,
    );
    if (card.promisedBy !== undefined) p(`   ${t.fields.promisedBy}${c}${t.time(card.promisedBy, this.timeZone())}`);
    p(
      `   ${t.fields.customer}${c}${maskPII(card.customer.name ?? card.customer.id)} (${card.channel}, ${card.locale})`,
    );
    if (card.need) p(`   ${t.fields.need}${c}${maskPII(card.need)}`);
    for (const fact of card.facts) p(`   • ${maskPII(fact)}`);
    if (card.tickets.length) p(`   ${t.fields.tickets}${c}${card.tickets.join(', ')}`);
    if (card.history?.length) p(`   ${t.fields.history}${c.trim()}`);
    for (const s of (card.history ?? []).slice(0, HISTORY_PRINTED)) {
      const open = s.type === 'complaint' && s.status === 'pending';
      p(`     ${open ? '⚠' : '•'} ${t.historyLine(s, this.timeZone())} (${s.id})`);
    }
    if (transcript.length) p(`   ${t.fields.lastMessages}${c.trim()}`);
    for (const e of transcript.slice(-6)) p(`     ${t.from[e.from]}${c}${maskPII(describeLine(t, e.text))}`);
    p(`   ${followUp ? t.followUpHint : card.afterHours ? t.afterHoursHint : t.claimHint}`);
  }

  async post(_to: CardAddress, text: string, from: 'customer' | 'system'): Promise<void> {
    this.print(`desk> [${this.t.from[from]}] ${maskPII(describeLine(this.t, text))}`);
  }

  async update(to: CardAddress, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const card = this.cardOf(to);
    if (card && HANDOFF_ENDED.has(status)) card.ended = true;
    const who = agent ? (agent.name ?? agent.id) : this.t.someone;
    this.print(
      `desk> ${status === 'transferred' && category ? this.t.transferredTo(this.t.category(category), who) : this.t.updates[status](who)}`,
    );
  }

  /** The card's need line again, as the customer told it (the playground prints cards; it cannot redraw one). */
  async need(_to: CardAddress, need: string): Promise<void> {
    this.print(`desk>    ${this.t.fields.need}${this.t.colon}${maskPII(need)}`);
  }

  async notify(_to: CardAddress, agentId: string, notice: AgentNotice): Promise<void> {
    this.print(`desk> (${this.t.onlyFor(agentId)}) ${this.t.notice(notice)}`);
  }

  /**
   * An alert, naming whom Slack would (alertAudience): `@here`, the agent, or `@supervisors`. A
   * card's alert names its ticket when several cards may be open.
   */
  async delayed(to: CardAddress, since: number): Promise<void> {
    this.print(`desk> ${this.t.delayed(this.t.time(since, this.timeZone()))}`);
  }

  async ping(to: CardAddress, level: DeskAlert, agent?: AgentRef): Promise<void> {
    const audience = alertAudience(level, agent);
    const whom = typeof audience === 'string' ? `@${audience}` : `@${audience.name ?? audience.id}`;
    const ticket = to.ticketId ? ` (${this.t.fields.ticket} ${to.ticketId})` : '';
    this.print(`desk> ${whom} ${this.t.alerts[level]}${ticket}`);
  }
}
