import type { ConversationRecord, Effect, FlowInput, FlowPayload } from '../../flows/contracts.js';
import type { ConversationFlow } from '../../flows/step.js';
import type { Ticket } from '../../flows/ticket.js';

/** Drives a flow directly, the way the engine does, keeping the record between turns. */
export class Dialogue {
  record: ConversationRecord | undefined;
  effects: Effect[] = [];
  state = '';
  locale = '';
  escalations: import('../../flows/contracts.js').Escalation[] = [];
  /** The last input opened a session (what the report counts as a conversation). */
  opened = false;
  at: number;

  constructor(
    private readonly flow: ConversationFlow,
    start: number,
    private readonly base: Partial<FlowInput> = {},
  ) {
    this.at = start;
  }

  /** Sends a customer line (or a payload) a minute after the previous one; returns the reply texts. */
  say(
    input: string | FlowPayload,
    options: { after?: number; localeHint?: string; ticket?: Ticket; ticketUnread?: true } = {},
  ): string[] {
    this.at += options.after ?? 60_000;
    const payload: FlowPayload = typeof input === 'string' ? { type: 'text', text: input } : input;
    const result = this.flow.step(this.record, {
      conversationId: 'test:1',
      channel: 'test',
      customer: { id: 'c1', name: 'Li' },
      at: this.at,
      ...this.base,
      ...(options.localeHint ? { localeHint: options.localeHint } : {}),
      ...(options.ticket ? { ticket: options.ticket } : {}),
      ...(options.ticketUnread ? { ticketUnread: true as const } : {}),
      payload,
    });
    this.record = result.record;
    this.effects = result.effects;
    this.state = result.state;
    this.locale = result.locale;
    this.escalations = result.escalations;
    this.opened = result.opensSession === true;
    return result.effects.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
  }

  /** Choices offered with the last replies, by label. */
  choices(): string[] {
    return this.effects.flatMap((e) => (e.type === 'reply' ? (e.choices ?? []).map((c) => c.label) : []));
  }

  of<T extends Effect['type']>(type: T): Array<Extract<Effect, { type: T }>> {
    return this.effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
}
