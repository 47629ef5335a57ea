import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type webApi } from '@slack/bolt';
import { SetupError } from '../../bots/errors.js';
import { replyText } from '../../bots/http-text.js';
import type { Logger } from '../../bots/log.js';
import type { InboundEvent, Inbox, Receiver, Route } from '../../bots/ports.js';
import { ACTIONS } from './blocks.js';
import type { SlackDesk } from './desk.js';
import { slackFilesOf } from './files.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const SLACK_CHANNEL = 'slack';

type AgentPayload = Extract<InboundEvent['payload'], { type: 'agent' }>;
type Agent = AgentPayload['agent'];

/** What an agent's thread message asks for, before knowing who wrote it. */
export type ThreadCommand = Omit<AgentPayload, 'type' | 'agent'>;

/**
 * Reads an agent's message in a card's thread: an internal note (the prefix), a desk command
 * (`!claim`, `!close`, `!handback`, `!release`, `!transfer CATEGORY`, `!override TEXT`), or a
 * reply for the customer. Pure, so the desk's small language is tested without Slack.
 */
export function parseThreadMessage(raw: string, internalPrefix: string): ThreadCommand {
  const text = raw.trim();
  if (text.startsWith(internalPrefix)) return { action: 'note', text: text.slice(internalPrefix.length).trim() };
  const command = /^!(claim|close|handback|release|transfer|override)\b\s*(.*)$/is.exec(text);
  if (!command) return { action: 'reply', text };
  const verb = (command[1] ?? '').toLowerCase();
  const rest = (command[2] ?? '').trim();
  if (verb === 'override') return { action: 'reply', text: rest, override: true };
  if (verb === 'transfer') return { action: 'transfer', category: rest };
  return { action: verb as 'claim' | 'close' | 'handback' | 'release' };
}

export interface BoltOptions {
  botToken: string;
  /** HTTP mode: Slack posts events to SLACK_EVENTS_PATH on the app's server. */
  signingSecret?: string | undefined;
  /** Socket Mode: the app connects out to Slack instead. */
  appToken?: string | undefined;
  /** Bolt's clientOptions.slackApiUrl (a proxy or a stand-in in tests). */
  apiUrl?: string | undefined;
}

/**
 * The Bolt app with its transport: Socket Mode when an app token is given, HTTP events
 * otherwise (Bolt's HTTP receiver checks every request's signature and timestamp).
 */
export function createBoltApp(options: BoltOptions): { app: App; http: HTTPReceiver | undefined } {
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
  if (options.appToken) {
    // The receiver's own Web API client opens the connection (apps.connections.open): it must
    // use the same API root as the app's.
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      installerOptions: { clientOptions },
      logLevel: LogLevel.WARN,
    });
    return {
      app: new App({
        token: options.botToken,
        receiver,
        clientOptions,
        logLevel: LogLevel.WARN,
        deferInitialization: true,
      }),
      http: undefined,
    };
  }
  if (!options.signingSecret)
    throw new SetupError('Slack needs SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)');
  const http = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    processBeforeResponse: true,
    logLevel: LogLevel.WARN,
  });
  // Initialised by the receiver (auth.test), not in the constructor: an unreachable Slack at
  // start-up must not crash the bot (Bolt's own start-up check rejects with nobody listening).
  const app = new App({
    token: options.botToken,
    receiver: http,
    clientOptions,
    logLevel: LogLevel.WARN,
    deferInitialization: true,
  });
  return { app, http };
}

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
}

/**
 * Slack as the agent desk's way in: button presses and thread messages become agent events of
 * the conversation; the engine decides what they mean (who has the claim, what passes the
 * phrase guard). Each is run inline, so Slack's retry comes only when the turn failed.
 */
export class SlackReceiver implements Receiver {
  readonly routes: readonly Route[] | undefined;
  private readonly names = new Map<string, string>();
  private ready: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private started = false;

  constructor(private readonly options: SlackReceiverOptions) {
    const http = options.http;
    this.routes = http
      ? [{ path: SLACK_EVENTS_PATH, handle: (req, res) => void this.serve(http, req, res) }]
      : undefined;
    this.listen();
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

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.retry);
    if (!this.options.http && this.ready) await this.options.app.stop().catch(() => undefined);
  }

  private async agentOf(client: webApi.WebClient, userId: string): Promise<Agent> {
    const name = await this.nameOf(client, userId);
    return { id: userId, ...(name ? { name } : {}) };
  }

  private async nameOf(client: webApi.WebClient, userId: string): Promise<string | undefined> {
    const cached = this.names.get(userId);
    if (cached) return cached;
    try {
      const info = await client.users.info({ user: userId });
      const name = info.user?.profile?.display_name || info.user?.real_name || info.user?.name;
      if (name) this.names.set(userId, name);
      return name;
    } catch (err) {
      this.options.log.warn('users.info failed; the agent is shown by id', { userId, error: String(err) });
      return undefined;
    }
  }

  private async send(id: string, conversationId: string, payload: AgentPayload): Promise<void> {
    await this.options.inbox.receive({ id, conversationId, channel: SLACK_CHANNEL, at: this.options.clock(), payload });
  }

  private listen(): void {
    const { app, desk, internalPrefix, log, clock } = this.options;
    const verbs = {
      [ACTIONS.claim]: 'claim',
      [ACTIONS.handback]: 'handback',
      [ACTIONS.close]: 'close',
      [ACTIONS.release]: 'release',
    } as const;
    for (const [actionId, verb] of Object.entries(verbs)) {
      app.action(actionId, async ({ ack, body, action, client }) => {
        await ack();
        const value = 'value' in action ? action.value : undefined;
        if (!value) return;
        const agent = await this.agentOf(client, body.user.id);
        const ts = 'action_ts' in action ? action.action_ts : String(clock());
        await this.send(`slack:action:${ts}:${body.user.id}`, value, { type: 'agent', action: verb, agent });
      });
    }

    app.event('message', async ({ event, body, client }) => {
      // Only people's messages in a handoff card's thread; never our own or other bots'.
      if (
        !('thread_ts' in event) ||
        !event.thread_ts ||
        // A reply with a file attached (file_share) is a reply: its files go to the customer with it.
        ('subtype' in event && event.subtype && event.subtype !== 'file_share') ||
        ('bot_id' in event && event.bot_id)
      )
        return;
      if (!('user' in event) || !event.user || !('text' in event) || typeof event.text !== 'string') return;
      const conversationId = await desk.conversationOf(event.channel, event.thread_ts);
      if (!conversationId) return;
      const agent = await this.agentOf(client, event.user);
      const id = `slack:${(body as { event_id?: string }).event_id ?? event.ts}`;
      const said = parseThreadMessage(event.text, internalPrefix);
      const files = said.action === 'reply' ? slackFilesOf(event) : [];
      if (said.action === 'reply' && !said.text && files.length === 0) return;
      await this.send(id, conversationId, { type: 'agent', agent, ...said, ...(files.length ? { files } : {}) });
    });

    app.error(async (err) => {
      log.error('slack handler failed', { error: String(err) });
    });
  }
}
