import type { DeskText } from '../desk/text.js';
import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type webApi } from '@slack/bolt';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../../bots/engine.js';
import type { Logger } from '../../bots/log.js';
import type { InboundEvent, LinkStore } from '../../bots/ports.js';
import { ACTIONS, SlackDesk } from './desk.js';

export const SLACK_EVENTS_PATH = '/slack/events';
export const SLACK_CHANNEL = 'slack';

export interface SlackOptions {
  botToken: string;
  /** HTTP mode: Slack posts events to SLACK_EVENTS_PATH on the bot's server. */
  signingSecret?: string | undefined;
  /** Socket Mode: the app connects out to Slack instead. */
  appToken?: string | undefined;
  /** Bolt's clientOptions.slackApiUrl (a proxy or a stand-in in tests). */
  apiUrl?: string | undefined;
  agentChannel: string;
  categoryChannels: () => Record<string, string>;
  supervisorGroup?: string | undefined;
  /** Messages starting with this stay internal (never reach the customer). */
  internalPrefix: string;
  /** The agents' language on the desk. */
  deskText: DeskText;
  links: LinkStore;
  log: Logger;
  clock: () => number;
}

type Agent = { id: string; name?: string };

/**
 * Slack as the agent desk: Bolt receives button presses and thread messages and turns them into
 * agent events of the conversation; the engine decides what they mean (who has the claim, what
 * passes the phrase guard). Bolt's receiver checks every request's signature and timestamp.
 */
export class SlackService {
  readonly app: App;
  readonly desk: SlackDesk;
  readonly receiver: HTTPReceiver | undefined;
  private engine: Engine | undefined;
  private readonly names = new Map<string, string>();

  constructor(private readonly o: SlackOptions) {
    const clientOptions = { ...(o.apiUrl ? { slackApiUrl: o.apiUrl } : {}), retryConfig: { retries: 0 }, rejectRateLimitedCalls: true };
    if (o.appToken) {
      this.receiver = undefined;
      // The receiver's own Web API client opens the connection (apps.connections.open): it must
      // use the same API root as the app's.
      const receiver = new SocketModeReceiver({ appToken: o.appToken, installerOptions: { clientOptions }, logLevel: LogLevel.WARN });
      this.app = new App({ token: o.botToken, receiver, clientOptions, logLevel: LogLevel.WARN });
    } else {
      if (!o.signingSecret) throw new Error('Slack needs SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)');
      this.receiver = new HTTPReceiver({ signingSecret: o.signingSecret, endpoints: [SLACK_EVENTS_PATH], processBeforeResponse: true, logLevel: LogLevel.WARN });
      this.app = new App({ token: o.botToken, receiver: this.receiver, clientOptions, logLevel: LogLevel.WARN });
    }
    this.desk = new SlackDesk({ client: this.app.client, links: o.links, log: o.log, agentChannel: o.agentChannel, categoryChannels: o.categoryChannels, supervisorGroup: o.supervisorGroup, text: o.deskText, internalPrefix: o.internalPrefix });
    this.listen();
  }

  attach(engine: Engine): void {
    this.engine = engine;
  }

  /** HTTP mode: mount on the bot's server at SLACK_EVENTS_PATH. */
  get requestListener(): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
    return this.receiver?.requestListener;
  }

  /** Socket Mode connects out; HTTP mode needs nothing started (the bot's server routes to it). */
  async start(): Promise<void> {
    if (this.o.appToken) await this.app.start();
  }

  async stop(): Promise<void> {
    if (this.o.appToken) await this.app.stop();
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
      this.o.log.warn('users.info failed; the agent is shown by id', { userId, error: String(err) });
      return undefined;
    }
  }

  private async send(id: string, conversationId: string, payload: InboundEvent['payload']): Promise<void> {
    if (!this.engine) throw new Error('SlackService.attach(engine) must be called first');
    await this.engine.receive({ id, conversationId, channel: SLACK_CHANNEL, at: this.o.clock(), payload });
  }

  private listen(): void {
    const verbs = { [ACTIONS.claim]: 'claim', [ACTIONS.handback]: 'handback', [ACTIONS.close]: 'close', [ACTIONS.release]: 'release' } as const;
    for (const [actionId, verb] of Object.entries(verbs)) {
      this.app.action(actionId, async ({ ack, body, action, client }) => {
        await ack();
        const value = 'value' in action ? action.value : undefined;
        if (!value) return;
        const agent: Agent = { id: body.user.id, ...(await this.nameOf(client, body.user.id).then((n) => (n ? { name: n } : {}))) };
        const ts = 'action_ts' in action ? action.action_ts : String(this.o.clock());
        await this.send(`slack:action:${ts}:${body.user.id}`, value, { type: 'agent', action: verb, agent });
      });
    }

    this.app.event('message', async ({ event, body, client }) => {
      // Only people's messages in a handoff card's thread; never our own or other bots'.
      if (!('thread_ts' in event) || !event.thread_ts || ('subtype' in event && event.subtype) || ('bot_id' in event && event.bot_id)) return;
      if (!('user' in event) || !event.user || !('text' in event) || typeof event.text !== 'string') return;
      const conversationId = await this.desk.conversationOf(event.channel, event.thread_ts);
      if (!conversationId) return;
      const agent: Agent = { id: event.user, ...(await this.nameOf(client, event.user).then((n) => (n ? { name: n } : {}))) };
      const id = `slack:${(body as { event_id?: string }).event_id ?? event.ts}`;
      const text = event.text.trim();
      const command = /^!(claim|close|handback|release|transfer|override)\b\s*(.*)$/is.exec(text);
      if (text.startsWith(this.o.internalPrefix)) {
        await this.send(id, conversationId, { type: 'agent', action: 'note', agent, text: text.slice(this.o.internalPrefix.length).trim() });
      } else if (command) {
        const verb = (command[1] ?? '').toLowerCase();
        const rest = (command[2] ?? '').trim();
        if (verb === 'override') await this.send(id, conversationId, { type: 'agent', action: 'reply', agent, text: rest, override: true });
        else if (verb === 'transfer') await this.send(id, conversationId, { type: 'agent', action: 'transfer', agent, category: rest });
        else await this.send(id, conversationId, { type: 'agent', action: verb as 'claim' | 'close' | 'handback' | 'release', agent });
      } else {
        await this.send(id, conversationId, { type: 'agent', action: 'reply', agent, text });
      }
    });

    this.app.error(async (err) => {
      this.o.log.error('slack handler failed', { error: String(err) });
    });
  }
}
