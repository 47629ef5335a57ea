import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App, HTTPReceiver, RespondFn, webApi } from '@slack/bolt';
import { z } from 'zod';
import { replyText } from '../../bots/http-text.js';
import type { Logger } from '../../bots/log.js';
import { escapeRegExp } from '../../flows/text.js';
import type { CardAddress, InboundEvent, Inbox, Receiver, Route } from '../../bots/ports.js';
import type { DeskText } from '../desk/text.js';
import type { DeskAccess, Refusal } from './access.js';
import { ACTIONS, cardOfValue } from './blocks.js';
import { refuseByHeaders, SLACK_EVENTS_PATH } from './bolt.js';
import type { SlackDesk } from './desk.js';
import { slackFilesOf } from './files.js';
import { parseThreadMessage, readMessage, type SlackSelf, type ThreadMessage } from './messages.js';
import { SEARCH_COMMAND, searchAnswer, type SlackSearchOptions } from './search.js';

export { refuseByHeaders, SLACK_EVENTS_PATH, SLACK_MAX_BODY_BYTES, SLACK_MAX_SKEW_MS } from './bolt.js';
export const SLACK_CHANNEL = 'slack';

type AgentPayload = Extract<InboundEvent['payload'], { type: 'agent' }>;
type Agent = AgentPayload['agent'];

/**
 * How long a first message of an agent waits for their name (users.info) before it is stored
 * without it: Slack's answer waits for the store, and Slack wants it within 3 s. Without a name
 * the customer is greeted by "an agent" instead of by name.
 */
const NAME_LOOKUP_MS = 1_000;

export interface SlackReceiverOptions {
  app: App;
  /** Bolt's HTTP receiver in HTTP mode (its listener becomes a route); undefined in Socket Mode. */
  http: HTTPReceiver | undefined;
  desk: SlackDesk;
  inbox: Inbox;
  /** Messages starting with this stay internal (never reach the customer). */
  internalPrefix: string;
  log: Logger;
  clock: () => number;
  /** The ticket search (`/tickets`), when the app has the ticket store; without it the command is not served. */
  search?: SlackSearchOptions | undefined;
  /** Who may act: the desk's channels, and the agents' user group when configured. */
  access: DeskAccess;
  /** What a person the desk refuses is told (`refused`). */
  text: Pick<DeskText, 'refused'>;
}

/** Where a button was pressed, as far as the desk checks it (block_actions; other payloads have less). */
const Pressed = z.looseObject({
  channel: z.looseObject({ id: z.string() }).optional(),
  container: z
    .looseObject({
      channel_id: z.string().optional(),
      message_ts: z.string().optional(),
      thread_ts: z.string().optional(),
    })
    .optional(),
  message: z.looseObject({ ts: z.string().optional(), thread_ts: z.string().optional() }).optional(),
});

/**
 * Slack as the agent desk's way in: button presses and thread messages become agent events of
 * the conversation; the engine decides what they mean (who has the claim, what passes the
 * phrase guard). Each is stored before Slack gets its answer and run afterwards, in the
 * background, so a slow delivery to the customer (Telegram's pacing) never holds Slack's answer
 * past its 3 seconds; a store that cannot take it makes the answer an error, and Slack sends the
 * event again. A Slack message is identified by its channel and `ts`, whatever its event id.
 */
export class SlackReceiver implements Receiver {
  readonly routes: readonly Route[] | undefined;
  private readonly names = new Map<string, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private ready: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private started = false;
  private stopping = false;

  constructor(private readonly options: SlackReceiverOptions) {
    const http = options.http;
    this.routes = http
      ? [{ path: SLACK_EVENTS_PATH, handle: (req, res) => void this.serve(http, req, res) }]
      : undefined;
    this.listen();
    this.listenForSearch();
  }

  /**
   * Checks the bot token with Slack (auth.test) once it answers. Until then Slack's events get 503
   * and are redelivered by Slack; the desk's own posts do not need it.
   */
  private initialize(): Promise<void> {
    this.ready ??= this.options.app.init().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private async serve(http: HTTPReceiver, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.stopping) {
      req.resume();
      return replyText(res, 503, 'shutting down; Slack will redeliver');
    }
    // What the headers alone can refuse, before a byte of the body is read or a signature checked
    // (issue 16, fault 5: a 100 MB body was read first; a request from 10 minutes ahead passed).
    // The wall clock, as Bolt's own signature check uses: freshness is about real time, not the conversation's clock.
    const refused = refuseByHeaders(req, Date.now());
    if (refused) {
      req.resume();
      return replyText(res, refused.status, refused.why);
    }
    try {
      await this.initialize();
    } catch (err) {
      this.options.log.warn('Slack cannot verify the bot token yet; the event is refused for Slack to redeliver', {
        error: String(err),
      });
      req.resume();
      replyText(res, 503, 'Slack API not reachable yet; retry');
      return;
    }
    http.requestListener(req, res);
  }

  /**
   * Checks the token, and in Socket Mode connects out. Slack unreachable at start-up is logged and
   * retried every 30 s: the bot keeps serving customers meanwhile (handoffs find the desk down and
   * say so). HTTP mode needs nothing more (the app's server routes to it).
   */
  async start(): Promise<void> {
    this.started = true;
    try {
      await this.initialize();
      if (!this.options.http) await this.options.app.start();
    } catch (err) {
      if (!this.started) return;
      this.options.log.error('Slack cannot be reached; retrying in 30 s', { error: String(err) });
      this.retry = setTimeout(() => void this.start(), 30_000);
    }
  }

  /** Stops taking events (HTTP: 503, Slack redelivers), then waits for the turns already taken. */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    clearTimeout(this.retry);
    if (!this.options.http && this.ready) await this.options.app.stop().catch(() => undefined);
    await this.idle();
  }

  /** Resolves when the work taken so far (turns, notices to agents) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) =>
      this.options.log.error('Slack background work failed', { error: String(err) }),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async agentOf(client: webApi.WebClient, userId: string): Promise<Agent> {
    const name = await this.nameOf(client, userId);
    return { id: userId, ...(name ? { name } : {}) };
  }

  /** `text` with each `@U…` mention as `@name`, where the name can be had (`nameOf`); others as they are. */
  private async withNames(text: string, client: webApi.WebClient): Promise<string> {
    const ids = [...new Set([...text.matchAll(/@([UW][A-Z0-9]{2,})\b/g)].map((m) => m[1] ?? ''))].filter(Boolean);
    let out = text;
    for (const id of ids) {
      const name = await this.nameOf(client, id);
      if (name) out = out.replaceAll(`@${id}`, `@${name}`);
    }
    return out;
  }

  /** The agent's display name, from a cache or users.info within NAME_LOOKUP_MS; undefined otherwise. */
  private async nameOf(client: webApi.WebClient, userId: string): Promise<string | undefined> {
    const cached = this.names.get(userId);
    if (cached) return cached;
    const lookup = client.users.info({ user: userId }).then(
      (info) => {
        const name = info.user?.profile?.display_name || info.user?.real_name || info.user?.name;
        if (name) this.names.set(userId, name);
        return name;
      },
      (err: unknown) => {
        this.options.log.warn('users.info failed; the agent is shown by id', { userId, error: String(err) });
        return undefined;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), NAME_LOOKUP_MS)));
    return Promise.race([lookup, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Stores an agent event, then runs its conversation in the background: resolves once it is
   * stored, which is when Slack may have its answer. Throws when it cannot be stored.
   */
  private async store(id: string, conversationId: string, payload: AgentPayload): Promise<void> {
    const { inbox, clock, log } = this.options;
    const event = { id, conversationId, channel: SLACK_CHANNEL, at: clock(), payload };
    const result = await inbox.accept(event, { begin: true });
    if (result.status === 'rejected') return log.warn('Slack event not accepted', { id, problems: result.problems });
    if (result.status === 'duplicate') return log.debug('Slack event seen before', { id });
    this.track(inbox.run(result.conversationId, result.begun));
  }

  /** What a thread message becomes: an agent event, an internal note of another app, or a word to its author. */
  private async onThreadMessage(read: ThreadMessage, client: webApi.WebClient): Promise<void> {
    const { desk, internalPrefix, log } = this.options;
    if (read.kind === 'ignore') return log.debug('Slack message ignored', { reason: read.reason });
    // Only a card's thread concerns the desk: a thread elsewhere is nobody's business here.
    const card = await desk.cardOf(read.channel, read.threadTs);
    if (!card) return;
    const { conversationId } = card;
    // Everything from a card's thread names the card's ticket (absent on threads of cards posted before issue 13).
    const ticket = card.ticketId ? { ticketId: card.ticketId } : {};
    const where = { channel: read.channel, threadTs: read.threadTs };
    // One message, one effect: Slack may deliver it again under another event id.
    const id = `slack:msg:${read.channel}:${read.ts}`;
    if (read.kind === 'explain') return this.track(desk.explain({ ...where, user: read.user }, read.why));
    // Other apps' messages are kept as internal notes (never sent), in the desk's channels only.
    const refused =
      read.kind === 'app'
        ? this.options.access.isDeskChannel(read.channel)
          ? undefined
          : 'channel'
        : await this.options.access.refusal(read.channel, read.user);
    if (refused) return this.refuseMessage(read, refused, client);
    if (read.kind === 'app') {
      const agent = { id: read.botId, ...(read.name ? { name: read.name } : {}) };
      return this.store(id, conversationId, { type: 'agent', action: 'note', agent, text: read.text, ...ticket });
    }
    const parsed = parseThreadMessage(read.text, internalPrefix);
    // A mention reaches the customer as the person's name (@小李), not Slack's id (@U0123).
    const command =
      parsed.action === 'reply' ? { ...parsed, text: await this.withNames(parsed.text ?? '', client) } : parsed;
    // A reply with files attached (file_share): its files go to the customer with its text.
    const files = command.action === 'reply' ? slackFilesOf({ files: read.files }) : [];
    if (command.action === 'reply' && !command.text && files.length === 0) return;
    const agent = await this.agentOf(client, read.user);
    await this.store(id, conversationId, {
      type: 'agent',
      agent,
      ...command,
      ...(files.length ? { files } : {}),
      ...ticket,
    });
  }

  /**
   * A card's thread message from someone the desk does not take it from: nothing is stored, and
   * a person is told why, privately. Membership that cannot be read yet throws: Slack sends the
   * message again (within minutes), and it is not lost.
   */
  private async refuseMessage(read: ThreadMessage, refused: Refusal, client: webApi.WebClient): Promise<void> {
    if (read.kind !== 'agent' && read.kind !== 'app') return;
    this.options.log.warn('Slack message refused: not from the desk', {
      channel: read.channel,
      ...(read.kind === 'agent' ? { user: read.user } : { botId: read.botId }),
      refused,
    });
    if (refused === 'unchecked') throw new Error('the agents group cannot be read; Slack will redeliver the message');
    if (read.kind !== 'agent') return;
    const text = this.options.text.refused[refused];
    this.track(client.chat.postEphemeral({ channel: read.channel, user: read.user, thread_ts: read.threadTs, text }));
  }

  /**
   * The card a button press may act on: the one its value names, if the press came from a desk
   * channel, from a person allowed to act, and from that card's message or its thread (the desk's
   * own link between them). Anything else is refused before anything is written.
   */
  private async pressedCard(
    body: unknown,
    value: string | undefined,
    user: string,
  ): Promise<CardAddress | Refusal | 'card'> {
    const where = Pressed.safeParse(body);
    const place = where.success ? where.data : {};
    const channel = place.channel?.id ?? place.container?.channel_id;
    const refused = await this.options.access.refusal(channel, user);
    if (refused) return refused;
    const named = cardOfValue(value);
    if (!named || channel === undefined) return 'card';
    const messages = [
      place.message?.thread_ts,
      place.container?.thread_ts,
      place.container?.message_ts,
      place.message?.ts,
    ];
    for (const ts of new Set(messages)) {
      if (ts === undefined) continue;
      const card = await this.options.desk.cardOf(channel, ts);
      if (
        card?.conversationId === named.conversationId &&
        (!named.ticketId || !card.ticketId || card.ticketId === named.ticketId)
      )
        return named;
    }
    return 'card';
  }

  /**
   * Tells the person who pressed a button why nothing happened, privately (the press's response_url).
   * `detail`: more fields for the log line (the action id of a button the desk does not know).
   */
  private async refusePress(
    refused: Refusal | 'card' | 'action',
    respond: RespondFn | undefined,
    user: string,
    detail: Record<string, unknown> = {},
  ): Promise<void> {
    this.options.log.warn('Slack button press refused', { user, refused, ...detail });
    const text = this.options.text.refused[refused];
    await respond?.({ response_type: 'ephemeral', replace_original: false, text }).catch((err: unknown) =>
      this.options.log.warn('the refusal could not be shown to its agent', { user, error: String(err) }),
    );
  }

  private listen(): void {
    const { app, internalPrefix, clock } = this.options;
    // A button the desk does not know (a card of an older version, a forged payload): answered at
    // once, the person told privately, nothing written. Unanswered, Slack would show an error after 3 s.
    const known = Object.values(ACTIONS).map(escapeRegExp);
    app.action(new RegExp(`^(?!(?:${known.join('|')})$)`), async ({ ack, body, action, respond }) => {
      const actionId = 'action_id' in action ? action.action_id : undefined;
      this.track(this.refusePress('action', respond, body.user.id, { actionId }));
      await ack();
    });
    const verbs = {
      [ACTIONS.claim]: 'claim',
      [ACTIONS.handback]: 'handback',
      [ACTIONS.close]: 'close',
      [ACTIONS.release]: 'release',
    } as const;
    for (const [actionId, verb] of Object.entries(verbs)) {
      app.action(actionId, async ({ ack, body, action, client, respond }) => {
        // The button's card: its conversation and ticket (cards posted before issue 13: the conversation only).
        const card = await this.pressedCard(body, 'value' in action ? action.value : undefined, body.user.id);
        if (typeof card === 'string') {
          // Nothing stored: Slack has its answer at once; the person is told why in the background.
          this.track(this.refusePress(card, respond, body.user.id));
          return ack();
        }
        const agent = await this.agentOf(client, body.user.id);
        const ts = 'action_ts' in action ? action.action_ts : String(clock());
        await this.store(`slack:action:${ts}:${body.user.id}`, card.conversationId, {
          type: 'agent',
          action: verb,
          agent,
          ...(card.ticketId ? { ticketId: card.ticketId } : {}),
        });
        // Acknowledged once stored; the HTTP answer (or the envelope's) goes when this returns.
        await ack();
      });
    }

    app.event('message', async ({ event, context, client }) => {
      const self: SlackSelf = { botId: context.botId, botUserId: context.botUserId };
      await this.onThreadMessage(readMessage(event, self, internalPrefix), client);
    });
  }

  /**
   * `/tickets QUERY` (issue 13): answered in the command's own HTTP answer (Bolt's receiver has
   * checked its signature), privately to the agent who typed it. Read-only: nothing is stored.
   */
  private listenForSearch(): void {
    const search = this.options.search;
    if (!search) return;
    this.options.app.command(SEARCH_COMMAND, async ({ command, ack }) => {
      // A channel that is not the desk's gets the search's own answer (where it can be used).
      const refused = await this.options.access.refusal(command.channel_id, command.user_id);
      if (refused === 'member' || refused === 'unchecked') {
        this.options.log.warn('Slack command refused', { command: SEARCH_COMMAND, user: command.user_id, refused });
        return ack({ response_type: 'ephemeral', text: this.options.text.refused[refused] });
      }
      await ack(await searchAnswer(search, command.text, command.channel_id));
    });
  }
}
