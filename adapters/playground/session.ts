import type { TimerPoller } from '../../bots/timers.js';
import type { Inbox, InboundEvent, TicketStore } from '../../bots/ports.js';
import { countOf } from '../../flows/plural.js';
import { PLAYGROUND_CHANNEL, type PlaygroundChannel } from './channel.js';
import type { PlaygroundDesk } from './desk.js';
import { agentFile, playgroundMedia } from './files.js';
import { parseThreadMessage, resolveCommand } from '../slack/messages.js';

/** The playground desk's internal-note prefix: Slack's default (`SLACK_INTERNAL_PREFIX`). */
const INTERNAL_PREFIX = '//';

/**
 * A playground session: reads the lines you type as the customer and hands them to the engine.
 * Lines starting with "/" are playground commands. `/agent …` is reserved for the agent side,
 * which arrives with human handoff, so the whole product can be tried without any account.
 */

const MEDIA = ['photo', 'sticker', 'voice', 'video', 'document', 'location', 'contact'] as const;

export const PLAYGROUND_HELP = [
  'Type as the customer would. Playground commands:',
  '  /start            start a fresh conversation (like Telegram /start)',
  '  /help             ask the bot what it can do',
  `  /send KIND        send a non-text message (${MEDIA.join(', ')})`,
  '                    /send photo 快递盒压坏了: a photo with its caption; /send document NAME [caption]',
  '  /wait TIME        let time pass and timers fire: /wait 10s (seconds), /wait 11 (minutes), /wait 25h (hours)',
  '  /tickets          show the tickets recorded for this conversation',
  '  /agent claim [..] act as the agent: claim, reply TEXT, override TEXT, note TEXT, resolve [OUTCOME],',
  '                    handback, close, release, transfer CATEGORY, file NAME [TEXT] (/agent@小李 … as another agent)',
  '                    on the latest open card; /agent TICKET VERB … on another (/agent T261130-4KQ9ZC1A7X claim)',
  '  /quit             leave',
].join('\n');

/** The playground's clock (epoch ms); `/wait` moves it forward. */
export interface PlaygroundClock {
  now(): number;
  advance(ms: number): void;
}

export interface PlaygroundDeps {
  engine: Inbox;
  /** The system of record's upkeep (deferred writes, retention), run with each sweep. */
  upkeep?: (() => Promise<void>) | undefined;
  channel: PlaygroundChannel;
  tickets: TicketStore;
  poller: TimerPoller;
  /** The playground's clock; `/wait` moves it forward. */
  clock: PlaygroundClock;
  print: (line: string) => void;
  localeHint?: string | undefined;
  conversationId?: string;
  customer?: { id: string; name?: string };
  /** The name agents act under by default (/agent@NAME picks another). */
  agentName?: string;
  /** The desk whose cards `/agent` acts on; without it `/agent` names no ticket. */
  desk?: Pick<PlaygroundDesk, 'target' | 'unprinted'> | undefined;
}

/** A ticket id as the bot writes them (flows/ticket.ts `ticketId`): `/agent T261130-4KQ9ZC1A7X claim`. */
const TICKET_ID = /^T\d{6}-[0-9A-Z]{10}$/i;

/** What `/agent` takes, for its help line. */
const AGENT_USAGE =
  '[TICKET] claim | reply TEXT | override TEXT | note TEXT | resolve [OUTCOME] | handback | close | release | transfer CATEGORY | file NAME [TEXT]';

/** How far the clock moves at a time while time passes (ms): timers fire within this of their due time. */
const PASS_STEP_MS = 10_000;

export class PlaygroundSession {
  private seq = 0;
  /** Stand-in files sent so far (they are numbered). */
  private files = 0;
  private readonly sessionId = Date.now().toString(36);
  readonly conversationId: string;
  /** Who `/agent …` acts as, unless a line says `/agent@NAME …`. */
  private readonly agentName: string;

  constructor(private readonly deps: PlaygroundDeps) {
    this.conversationId = deps.conversationId ?? 'playground:local';
    this.agentName = deps.agentName ?? '小王';
  }

  /**
   * Runs what waits for this conversation in the store, queued from outside the playground (an
   * agent's resolution from `npm run tickets -- resolve`), as the server's recovery sweep does
   * every few seconds. Only this conversation's: with a Redis shared with a running bot, the
   * playground must not take other channels' conversations, whose replies it cannot deliver.
   */
  async sweep(): Promise<void> {
    await this.deps.engine.run(this.conversationId);
    await this.deps.upkeep?.();
  }

  /**
   * Handles one typed line, after running what was queued meanwhile. Returns false when the user
   * asked to leave. A store or record that fails on it (down, a damaged key) is said on one line and
   * the playground goes on, as the server logs and goes on; what the bot had stored stays queued.
   */
  async line(raw: string): Promise<boolean> {
    try {
      return await this.handle(raw);
    } catch (err) {
      this.failed('that line', err);
      return true;
    }
  }

  private failed(what: string, err: unknown): void {
    const reason = err instanceof Error ? err.message : String(err);
    this.deps.print(
      `playground> ${what} could not be done: ${reason}. The bot goes on; try again once that is mended.`,
    );
  }

  private async handle(raw: string): Promise<boolean> {
    await this.sweep();
    const text = raw.trim();
    if (text === '') return true;
    if (text.startsWith('/')) return this.command(text);
    const choice = this.deps.channel.lastChoices.find((c) => c.label === text);
    await this.receive(choice ? { type: 'choice', choice: choice.id } : { type: 'text', text }, 'customer');
    return true;
  }

  private async command(text: string): Promise<boolean> {
    const [command = '', ...args] = text.slice(1).split(/\s+/);
    // "/start@bot" is "/start"; "/agent@小李" is read by the agent branch.
    const name = command.split('@')[0] ?? '';
    const { print } = this.deps;
    switch (name.toLowerCase()) {
      case 'quit':
      case 'exit':
        return false;
      case 'start':
      case 'help':
        await this.receive({ type: 'command', command: name.toLowerCase() as 'start' | 'help' }, 'customer');
        return true;
      case 'send': {
        const kind = (args[0] ?? '').toLowerCase();
        if (!(MEDIA as readonly string[]).includes(kind)) print(`playground> /send takes one of: ${MEDIA.join(', ')}`);
        else await this.receive(playgroundMedia(kind, args.slice(1), ++this.files), 'customer');
        return true;
      }
      case 'wait': {
        const ms = parseDuration(args[0] ?? '');
        if (ms === undefined) {
          print('playground> /wait takes a time: /wait 10s (seconds), /wait 11 (minutes) or /wait 25h (hours)');
          return true;
        }
        const unit = (args[0] ?? '').slice(-1).toLowerCase();
        const [n, one] =
          unit === 's' ? [ms / 1000, 'second'] : unit === 'h' ? [ms / 3_600_000, 'hour'] : [ms / 60_000, 'minute'];
        print(`playground> ${countOf(n, { one, other: `${one}s` }, 'en')} later…`);
        await this.pass(ms);
        return true;
      }
      case 'tickets': {
        const tickets = await this.deps.tickets
          .list({ conversationId: this.conversationId, limit: 20 })
          .catch((err: unknown) => {
            // The system of record is down: say so; the conversation goes on (its writes wait).
            print(`playground> the tickets cannot be read now (${String(err)})`);
            return undefined;
          });
        if (!tickets) return true;
        if (tickets.length === 0) print('playground> no tickets yet');
        for (const t of tickets) {
          const extra = [
            t.category !== undefined ? `category=${t.category}` : '',
            t.priority !== undefined ? `priority=${t.priority}` : '',
            t.promisedBy !== undefined ? `promisedBy=${new Date(t.promisedBy).toISOString()}` : '',
            t.escalation ? `escalated=${t.escalation.reason}` : '',
            t.satisfaction !== undefined ? `satisfaction=${t.satisfaction}` : '',
            t.comment !== undefined ? `comment="${t.comment}"` : '',
            t.files?.length ? `files=${t.files.map((f) => f.name ?? f.kind).join(',')}` : '',
          ].filter(Boolean);
          print(
            `playground> ${t.id} ${t.type} ${t.status} need="${t.need}"${extra.map((e) => ` ${e}`).join('')} outcome="${t.outcome}"`,
          );
        }
        return true;
      }
      case 'agent': {
        // "/agent@小李 claim" acts as another agent, for this line only.
        const at = command.indexOf('@');
        await this.agent(name, at >= 0 ? command.slice(at + 1) : this.agentName, args);
        return true;
      }
      case '?':
        print(PLAYGROUND_HELP);
        return true;
      default:
        print(`playground> unknown command /${name}. Type /? for the list.`);
        return true;
    }
  }

  /**
   * Lets time pass on the playground clock, running what was queued and firing the timers that
   * come due, in order and within ten seconds of their time: a long wait goes by in such steps
   * (found by the issue-17 trial: /wait 25h fired a complaint's 10-second listen timer 25 hours
   * late, so its ticket and promise were dated the next day).
   */
  async pass(ms: number): Promise<void> {
    for (let left = ms; left > 0; left -= PASS_STEP_MS) {
      this.deps.clock.advance(Math.min(left, PASS_STEP_MS));
      await this.sweep();
      while ((await this.deps.poller.tick()) > 0) {
        // A fired timer can set a shorter one (a complaint's listen window): keep going until quiet.
      }
    }
  }

  /**
   * End of a scripted run: lines came in back to back, so let short pauses happen (a complaint's
   * listen window) before leaving. Long timers, like the idle close, are not fast-forwarded.
   */
  async settle(): Promise<void> {
    try {
      for (let i = 0; i < 6; i++) await this.pass(10_000);
    } catch (err) {
      this.failed('letting the last minute pass', err);
    }
  }

  /**
   * The agent side, acting as `name` on a card: claim, reply, note, override, resolve, handback,
   * close, release, transfer. The card is the one whose ticket comes first (`/agent T… claim`), or
   * the latest the desk printed that is still open; the event names its ticket, as a Slack
   * card's buttons and thread do.
   */
  private async agent(command: string, name: string, all: string[]): Promise<void> {
    const named = TICKET_ID.test(all[0] ?? '') ? all[0] : undefined;
    const args = named ? all.slice(1) : all;
    const [verb = '', ...rest] = args;
    const agent = { id: `pg:${name}`, name };
    const text = rest.join(' ');
    const actions: Record<string, InboundEvent['payload']> = {
      claim: { type: 'agent', action: 'claim', agent },
      // A reply is read as a message in a card's thread is on Slack: `//…` is an internal note, `!close` a command.
      reply: { type: 'agent', agent, ...parseThreadMessage(text, INTERNAL_PREFIX) },
      override: { type: 'agent', action: 'reply', agent, text, override: true },
      note: { type: 'agent', action: 'note', agent, text },
      handback: { type: 'agent', action: 'handback', agent },
      close: { type: 'agent', action: 'close', agent },
      release: { type: 'agent', action: 'release', agent },
      transfer: { type: 'agent', action: 'transfer', agent, category: text },
      // "/agent resolve 已为您办理退款": the outcome the customer receives; "/agent resolve" alone, or with an
      // internal note ("/agent resolve //已电话退款"): resolved without a message, as `!resolve` on Slack.
      resolve: { type: 'agent', agent, ...resolveCommand(text, INTERNAL_PREFIX) },
      // "/agent file 物流单.png 这是物流单截图": a file shared in the thread, with the reply's text.
      file: {
        type: 'agent',
        action: 'reply',
        agent,
        text: rest.slice(1).join(' '),
        files: [agentFile(rest[0] ?? '', this.files + 1)],
      },
    };
    const payload = actions[verb.toLowerCase()];
    if (
      !payload ||
      payload.type !== 'agent' ||
      (['reply', 'override', 'note', 'transfer', 'file'].includes(verb) && !text)
    ) {
      this.deps.print(`playground> ${command} takes: ${AGENT_USAGE}`);
      return;
    }
    const card = this.deps.desk?.target(this.conversationId, named);
    if (card && !card.known) this.deps.desk?.unprinted(card.ticketId);
    if (verb === 'file') this.files++;
    await this.receive(card ? { ...payload, ticketId: card.ticketId } : payload, 'agent');
  }

  /**
   * Hands one event to the engine. A customer's line carries who they are and the `--lang` hint;
   * an agent's action carries neither (it comes from the desk, as on Slack).
   */
  private async receive(payload: InboundEvent['payload'], from: 'customer' | 'agent'): Promise<void> {
    const customer = from === 'customer';
    const result = await this.deps.engine.receive({
      id: `pg-${this.sessionId}-${++this.seq}`,
      conversationId: this.conversationId,
      channel: PLAYGROUND_CHANNEL,
      ...(customer ? { customer: this.deps.customer ?? { id: 'local', name: 'Playground customer' } } : {}),
      at: this.deps.clock.now(),
      ...(customer && this.deps.localeHint ? { localeHint: this.deps.localeHint } : {}),
      payload,
    });
    if (result.status === 'rejected')
      this.deps.print(`playground> ${customer ? 'message' : 'agent action'} rejected: ${result.problems.join('; ')}`);
  }
}

/** "10s" → 10 seconds, "11" or "11m" → 11 minutes; undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!(n > 0)) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'm').toLowerCase() as 's' | 'm' | 'h'];
  return Math.round(n * unit);
}
