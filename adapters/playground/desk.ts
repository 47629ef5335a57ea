import type { DeskPort, TranscriptEntry } from '../../bots/ports.js';
import { describeNotice, type AgentNotice, type AgentRef, type DeskUpdate, type HandoffCard } from '../../flows/handoff.js';
import { maskPII } from '../../flows/pii.js';

/**
 * The agent desk in the terminal: handoff cards and relayed messages are printed as `desk>`
 * lines, and `/agent …` lines act as an agent. Lets the whole product be tried without Slack.
 */
export class PlaygroundDesk implements DeskPort {
  constructor(private readonly print: (line: string) => void) {}

  async open(_conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    const p = (line: string) => this.print(`desk> ${line}`);
    p(`── ${card.afterHours ? 'after-hours ' : ''}handoff · ${card.priority} priority · reason: ${card.reason}${card.category ? ` · category: ${card.category}` : ''} · ticket ${card.ticketId}`);
    p(`   customer: ${maskPII(card.customer.name ?? card.customer.id)} (${card.channel}, ${card.locale})`);
    if (card.need) p(`   need: ${maskPII(card.need)}`);
    for (const fact of card.facts) p(`   fact: ${maskPII(fact)}`);
    if (card.tickets.length) p(`   tickets: ${card.tickets.join(', ')}`);
    if (transcript.length) p('   last messages:');
    for (const e of transcript.slice(-6)) p(`     ${e.from}: ${maskPII(e.text)}`);
    p(card.afterHours ? '   (outside business hours: pick it up when agents are back)' : '   type "/agent claim" to take it');
  }

  async post(_conversationId: string, text: string, from: 'customer' | 'system'): Promise<void> {
    this.print(`desk> [${from}] ${maskPII(text)}`);
  }

  async update(_conversationId: string, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    const who = agent ? ` by ${agent.name ?? agent.id}` : '';
    this.print(`desk> ${status}${who}${category ? ` → ${category}` : ''}`);
  }

  async notify(_conversationId: string, agentId: string, notice: AgentNotice): Promise<void> {
    this.print(`desk> (only ${agentId} sees this) ${describeNotice(notice)}`);
  }

  async ping(_conversationId: string, level: 'sla' | 'supervisor'): Promise<void> {
    this.print(level === 'sla' ? 'desk> @here still unclaimed: the customer is waiting' : 'desk> @supervisors unclaimed for too long: please assign someone');
  }
}
