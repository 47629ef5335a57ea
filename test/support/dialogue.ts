import type { ConversationRecord, Effect, FlowInput, FlowPayload } from '../../flows/contracts.js';
import type { ConversationFlow } from '../../flows/step.js';
import type { Ticket } from '../../flows/ticket.js';
import { mergeTicket, putOver } from '../../adapters/store/shared.js';

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
  /** The tickets as a store holds them after every step's puts and updates (the stores' own merge). */
  private readonly tickets = new Map<string, Ticket>();

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
    for (const e of result.effects) {
      if (e.type === 'ticket.put') this.tickets.set(e.ticket.id, putOver(this.tickets.get(e.ticket.id), e.ticket));
      const current = e.type === 'ticket.update' ? this.tickets.get(e.id) : undefined;
      if (e.type === 'ticket.update' && current)
        this.tickets.set(e.id, mergeTicket(current, e.changes, e.at, e.ifStatus) ?? current);
    }
    return result.effects.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
  }

  /**
   * The timer `name` fires when due (a complaint's `listen` once the customer pauses, `idle`); returns
   * the reply texts. Throws when the conversation has no such timer.
   */
  fire(name: string, options: { ticket?: Ticket } = {}): string[] {
    const dueAt = this.record?.timers[name];
    if (dueAt === undefined) throw new Error(`no timer ${name}`);
    return this.say({ type: 'timer', name, dueAt }, { after: dueAt - this.at, ...options });
  }

  /** A ticket as recorded so far. */
  ticket(id: string): Ticket | undefined {
    return this.tickets.get(id);
  }

  /** Choices offered with the last replies, by label. */
  choices(): string[] {
    return this.effects.flatMap((e) => (e.type === 'reply' ? (e.choices ?? []).map((c) => c.label) : []));
  }

  of<T extends Effect['type']>(type: T): Array<Extract<Effect, { type: T }>> {
    return this.effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
  }
}

/**
 * A conversation at the survey: a question answered from the knowledge base, "nothing else", and the
 * survey asked (Monday afternoon unless `start` says otherwise). Throws when it is not at the survey.
 */
export function surveyedDialogue(flow: ConversationFlow, start: number, locale: 'zh-CN' | 'en' = 'zh-CN'): Dialogue {
  const d = new Dialogue(flow, start);
  const lines =
    locale === 'zh-CN'
      ? ['你好', '我的订单还没发货', '是的', '没有了']
      : ['hi', 'my order has not shipped yet', 'yes', 'no thanks'];
  lines.forEach((m) => d.say(m));
  if (d.state !== 'survey') throw new Error(`surveyedDialogue: at ${d.state}, not the survey`);
  return d;
}
