import type { DeskPort, TranscriptEntry } from '../../bots/ports.js';
import type { DeskText } from '../desk/text.js';
import type { AgentNotice, AgentRef, DeskAlert, DeskUpdate, HandoffCard } from '../../flows/contracts.js';
import { maskPII } from '../desk/pii.js';
import { PlaygroundDeskFiles } from './files.js';

/**
 * The agent desk in the terminal: handoff cards and relayed messages are printed as `desk>`
 * lines, and `/agent …` lines act as an agent. Lets the whole product be tried without Slack.
 */
export class PlaygroundDesk implements DeskPort {
  /** Customers' photos and files, printed as `desk>` lines (files.ts). */
  readonly files: PlaygroundDeskFiles;

  constructor(
    private readonly print: (line: string) => void,
    private readonly t: DeskText,
  ) {
    this.files = new PlaygroundDeskFiles(print, t);
  }

  async open(_conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const { t } = this;
    const p = (line: string) => this.print(`desk> ${line}`);
    const c = t.colon;
    p(
      `── ${t.handoff(card)} · ${t.fields.priority}${c}${t.priorities[card.priority]}${card.category ? ` · ${t.fields.category}${c}${t.category(card.category)}` : ''} · ${t.fields.ticket} ${card.ticketId}`,
    );
    p(
      `   ${t.fields.customer}${c}${maskPII(card.customer.name ?? card.customer.id)} (${card.channel}, ${card.locale})`,
    );
    if (card.need) p(`   ${t.fields.need}${c}${maskPII(card.need)}`);
    for (const fact of card.facts) p(`   • ${maskPII(fact)}`);
    if (card.tickets.length) p(`   ${t.fields.tickets}${c}${card.tickets.join(', ')}`);
    if (transcript.length) p(`   ${t.fields.lastMessages}${c.trim()}`);
    for (const e of transcript.slice(-6)) p(`     ${t.from[e.from]}${c}${maskPII(e.text)}`);
    p(`   ${card.afterHours ? t.afterHoursHint : t.claimHint}`);
  }

  async post(_conversationId: string, text: string, from: 'customer' | 'system'): Promise<void> {
    this.print(`desk> [${this.t.from[from]}] ${maskPII(text)}`);
  }

  async update(_conversationId: string, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const who = agent ? (agent.name ?? agent.id) : this.t.someone;
    this.print(
      `desk> ${status === 'transferred' && category ? this.t.transferredTo(this.t.category(category), who) : this.t.updates[status](who)}`,
    );
  }

  async notify(_conversationId: string, agentId: string, notice: AgentNotice): Promise<void> {
    this.print(`desk> (${this.t.onlyFor(agentId)}) ${this.t.notice(notice)}`);
  }

  async ping(_conversationId: string, level: DeskAlert): Promise<void> {
    this.print(`desk> ${level === 'sla' ? '@here' : '@supervisors'} ${this.t.alerts[level]}`);
  }
}
