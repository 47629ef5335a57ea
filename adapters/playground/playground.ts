import type { Engine } from '../../bots/engine.js';
import type { TimerPoller } from '../../bots/timers.js';
import type { ChannelPort, InboundEvent, OutboundMessage, TicketStore } from '../../bots/ports.js';
import type { Choice } from '../../flows/conversation.js';

/**
 * The local channel: you are the customer, typing lines; the real engine and flows answer.
 * Lines starting with "/" are playground commands. `/agent …` is reserved for the agent side,
 * which arrives with human handoff, so the whole product can be tried without any account.
 */

export const PLAYGROUND_CHANNEL = 'playground';

export class PlaygroundChannel implements ChannelPort {
  /** Choices offered by the last reply: typing one of their labels sends that choice. */
  lastChoices: Choice[] = [];

  constructor(private readonly print: (line: string) => void) {}

  async send(message: OutboundMessage): Promise<void> {
    this.print(`bot> ${message.text}`);
    if (message.choices?.length) this.print(`     ${message.choices.map((c) => `[${c.label}]`).join(' ')}`);
    this.lastChoices = message.choices ?? [];
  }
}

const MEDIA = ['photo', 'sticker', 'voice', 'video', 'document', 'location', 'contact'] as const;

export const PLAYGROUND_HELP = [
  'Type as the customer would. Playground commands:',
  '  /start            start a fresh conversation (like Telegram /start)',
  '  /help             ask the bot what it can do',
  `  /send KIND        send a non-text message (${MEDIA.join(', ')})`,
  '  /wait MINUTES     let time pass (idle timers fire), e.g. /wait 11',
  '  /tickets          show the tickets recorded for this conversation',
  '  /agent …          act as a human agent (arrives with human handoff)',
  '  /quit             leave',
].join('\n');

export interface PlaygroundDeps {
  engine: Engine;
  channel: PlaygroundChannel;
  tickets: TicketStore;
  poller: TimerPoller;
  /** The playground's clock; `/wait` moves it forward. */
  clock: { now(): number; advance(ms: number): void };
  print: (line: string) => void;
  localeHint?: string | undefined;
  conversationId?: string;
  customer?: { id: string; name?: string };
}

export class PlaygroundSession {
  private seq = 0;
  private readonly sessionId = Date.now().toString(36);
  readonly conversationId: string;

  constructor(private readonly deps: PlaygroundDeps) {
    this.conversationId = deps.conversationId ?? 'playground:local';
  }

  /** Handles one typed line. Returns false when the user asked to leave. */
  async line(raw: string): Promise<boolean> {
    const text = raw.trim();
    if (text === '') return true;
    if (text.startsWith('/')) return this.command(text);
    const choice = this.deps.channel.lastChoices.find((c) => c.label === text);
    await this.send(choice ? { type: 'choice', choice: choice.id } : { type: 'text', text });
    return true;
  }

  private async command(text: string): Promise<boolean> {
    const [name = '', ...args] = text.slice(1).split(/\s+/);
    const { print } = this.deps;
    switch (name.toLowerCase()) {
      case 'quit':
      case 'exit':
        return false;
      case 'start':
      case 'help':
        await this.send({ type: 'command', command: name.toLowerCase() as 'start' | 'help' });
        return true;
      case 'send': {
        const kind = (args[0] ?? '').toLowerCase();
        if (!(MEDIA as readonly string[]).includes(kind)) print(`playground> /send takes one of: ${MEDIA.join(', ')}`);
        else await this.send({ type: 'media', media: kind });
        return true;
      }
      case 'wait': {
        const minutes = Number(args[0]);
        if (!Number.isFinite(minutes) || minutes <= 0) {
          print('playground> /wait takes a number of minutes, e.g. /wait 11');
          return true;
        }
        this.deps.clock.advance(minutes * 60_000);
        print(`playground> ${minutes} minute(s) later…`);
        await this.deps.poller.tick();
        return true;
      }
      case 'tickets': {
        const tickets = await this.deps.tickets.list({ conversationId: this.conversationId, limit: 20 });
        if (tickets.length === 0) print('playground> no tickets yet');
        for (const t of tickets) {
          const score = t.satisfaction !== undefined ? ` satisfaction=${t.satisfaction}` : '';
          print(`playground> ${t.id} ${t.type} ${t.status} need="${t.need}"${score} outcome="${t.outcome}"`);
        }
        return true;
      }
      case 'agent':
        print('playground> the agent side (claim, reply, hand back, close) arrives with human handoff; it is not available in this version.');
        return true;
      case '?':
        print(PLAYGROUND_HELP);
        return true;
      default:
        print(`playground> unknown command /${name}. Type /? for the list.`);
        return true;
    }
  }

  private async send(payload: InboundEvent['payload']): Promise<void> {
    const result = await this.deps.engine.receive({
      id: `pg-${this.sessionId}-${++this.seq}`,
      conversationId: this.conversationId,
      channel: PLAYGROUND_CHANNEL,
      customer: this.deps.customer ?? { id: 'local', name: 'Playground customer' },
      at: this.deps.clock.now(),
      ...(this.deps.localeHint ? { localeHint: this.deps.localeHint } : {}),
      payload,
    });
    if (result.status === 'rejected') this.deps.print(`playground> message rejected: ${result.problems.join('; ')}`);
  }
}
