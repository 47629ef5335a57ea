import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, type Transformer } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Engine } from '../../bots/engine.js';
import type { Logger } from '../../bots/log.js';
import type { RateStore } from '../../bots/ports.js';
import { TelegramChannel } from './channel.js';
import { fromUpdate, TelegramUpdate } from './updates.js';

export const WEBHOOK_PATH = '/telegram/webhook';
/** Telegram's overall limit for a bot's messages. */
const GLOBAL_PER_SECOND = 30;
const MAX_BODY_BYTES = 1 << 20;
/** The updates this bot reads; anything else Telegram need not send. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

export type TelegramMode =
  | { kind: 'polling' }
  | { kind: 'webhook'; publicUrl: string; secret: string; port: number; host?: string; /** The caller's server routes WEBHOOK_PATH to `webhook`. */ external?: boolean };

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  mode: TelegramMode;
  allowGroups: boolean;
  /** Pace outgoing messages (per chat and overall) with grammY's throttler. */
  throttle: boolean;
  /**
   * With several replicas, Telegram's overall limit (30 messages a second) is shared through
   * these buckets (the store's, read when a message goes out) instead of being counted per process.
   */
  rates?: () => RateStore;
  /** Waits for the shared limit; tests pass one they control. */
  sleep?: (ms: number) => Promise<void>;
  /** Known bot identity, to skip getMe (tests). */
  botInfo?: UserFromGetMe;
  /** grammY's `client.fetch`: how Bot API requests are made (a benchmark answers them in process). */
  fetch?: typeof fetch;
  log: Logger;
  clock: () => number;
}

export type HandleResult = 'accepted' | 'duplicate' | 'ignored' | 'invalid';

/**
 * The Telegram side of the product: turns updates into inbound events for the engine and
 * sends the engine's replies through the Bot API. Holds no conversation state.
 */
export class TelegramService {
  readonly bot: Bot;
  readonly channel: TelegramChannel;
  private engine: Engine | undefined;
  private server: Server | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(private readonly options: TelegramOptions) {
    this.bot = new Bot(options.token, { client: { apiRoot: options.apiRoot, ...(options.fetch ? { fetch: options.fetch } : {}) }, ...(options.botInfo ? { botInfo: options.botInfo } : {}) });
    if (options.throttle) {
      const rates = options.rates;
      // Installed first, so it runs last: after the per-chat queue, just before the request.
      if (rates) this.bot.api.config.use(this.sharedLimit(rates));
      this.bot.api.config.use(
        apiThrottler({
          // Without shared buckets, the overall limit is counted in this process.
          global: rates ? {} : { reservoir: GLOBAL_PER_SECOND, reservoirRefreshAmount: GLOBAL_PER_SECOND, reservoirRefreshInterval: 1_000 },
          // About one message a second per chat, with room for a reply of three parts at once.
          out: { maxConcurrent: 1, reservoir: 3, reservoirRefreshAmount: 3, reservoirRefreshInterval: 3_000 },
        }),
      );
    }
    this.channel = new TelegramChannel(this.bot.api, options.log);
    this.bot.use(async (ctx) => {
      await this.handle(ctx.update);
    });
    this.bot.catch((err) => options.log.error('telegram update failed', { error: String(err.error) }));
  }

  /** Waits for a token of the deployment-wide send budget before each message to a chat. */
  private sharedLimit(rates: () => RateStore): Transformer {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    return async (prev, method, payload, signal) => {
      if (payload && 'chat_id' in payload) {
        for (;;) {
          let wait = 0;
          try {
            wait = await rates().take('telegram:global', GLOBAL_PER_SECOND, this.options.clock());
          } catch (err) {
            // The limit protects the budget, not the message: if the store cannot answer, send (a 429 is retried).
            this.options.log.warn('shared send limit unavailable', { error: String(err) });
          }
          if (wait <= 0) break;
          await sleep(wait);
        }
      }
      return prev(method, payload, signal);
    };
  }

  /** The engine is built with this service's channel, so it is attached afterwards. */
  attach(engine: Engine): void {
    this.engine = engine;
  }

  /**
   * Accepts one update durably, then lets the conversation run in the background. Resolves once
   * the update is stored (or found to be a duplicate), which is when a webhook may answer 200.
   * Throws when it cannot be stored, so the webhook answers 500 and Telegram redelivers.
   */
  async handle(raw: unknown, options: { wait?: boolean } = {}): Promise<HandleResult> {
    const engine = this.engine;
    if (!engine) throw new Error('TelegramService.attach(engine) must be called before updates arrive');
    const parsed = TelegramUpdate.safeParse(raw);
    if (!parsed.success) {
      this.options.log.warn('malformed Telegram update ignored', { problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return 'invalid';
    }
    const inbound = fromUpdate(parsed.data, { allowGroups: this.options.allowGroups, botUsername: this.bot.isInited() ? this.bot.botInfo.username : this.options.botInfo?.username, now: this.options.clock });
    if (inbound.kind === 'ignore') {
      this.options.log.debug('update ignored', { updateId: parsed.data.update_id, reason: inbound.reason });
      return 'ignored';
    }
    // Accepting also takes the conversation when it is free, so the usual turn needs no second look.
    const result = await engine.accept(inbound.event, { begin: true });
    if (result.status === 'rejected') return 'invalid';
    if (result.status === 'duplicate') return 'duplicate';
    if (inbound.callback) this.track(this.channel.acknowledge(inbound.callback));
    const run = engine.run(result.conversationId, result.begun);
    this.track(run);
    // Measuring (and tests) can wait for this conversation's turn; the webhook never does.
    if (options.wait) await run;
    return 'accepted';
  }

  private track(work: Promise<unknown>): void {
    const p = work.catch((err: unknown) => this.options.log.error('background work failed', { error: String(err) }));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every conversation run started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The webhook endpoint: secret token first, body second, 2xx only once the update is stored. */
  readonly webhook = (req: IncomingMessage, res: ServerResponse): void => {
    void this.serve(req, res).catch((err: unknown) => {
      this.options.log.error('webhook request failed', { error: String(err) });
      if (!res.headersSent) reply(res, 500, 'could not accept the update; Telegram will redeliver it');
    });
  };

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET' && url.pathname === '/healthz') return reply(res, 200, this.stopping ? 'stopping' : 'ok');
    if (url.pathname !== WEBHOOK_PATH) return reply(res, 404, 'not found');
    if (req.method !== 'POST') return reply(res, 405, 'POST only');
    const mode = this.options.mode;
    const secret = mode.kind === 'webhook' ? mode.secret : '';
    if (!secret || !sameSecret(req.headers['x-telegram-bot-api-secret-token'], secret)) {
      req.resume();
      return reply(res, 401, 'wrong or missing X-Telegram-Bot-Api-Secret-Token');
    }
    if (this.stopping) return reply(res, 503, 'shutting down; Telegram will redeliver');
    const body = await readBody(req);
    if (body === undefined) return reply(res, 413, 'update too large');
    let update: unknown;
    try {
      update = JSON.parse(body);
    } catch {
      return reply(res, 400, 'body is not JSON');
    }
    const result = await this.handle(update);
    return reply(res, result === 'invalid' ? 400 : 200, result);
  }

  /** Starts taking updates: registers the webhook and listens, or starts long polling. */
  async start(): Promise<{ url?: string }> {
    const mode = this.options.mode;
    if (mode.kind === 'webhook' && mode.external) {
      const url = `${mode.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
      await this.bot.api.setWebhook(url, { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
      this.options.log.info('telegram webhook registered', { url });
      return { url };
    }
    if (mode.kind === 'webhook') {
      this.server = createServer(this.webhook);
      await new Promise<void>((resolve, reject) => {
        this.server?.once('error', reject);
        this.server?.listen(mode.port, mode.host ?? '0.0.0.0', () => resolve());
      });
      const port = (this.server.address() as AddressInfo).port;
      const url = `${mode.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
      await this.bot.api.setWebhook(url, { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
      this.options.log.info('telegram webhook registered', { url, port });
      return { url };
    }
    // bot.start() removes any webhook first, then long-polls.
    void this.bot.start({ allowed_updates: [...ALLOWED_UPDATES], onStart: (me) => this.options.log.info('telegram long polling started', { bot: me.username }) });
    return {};
  }

  /** The port the webhook server listens on (after start). */
  get port(): number | undefined {
    const addr = this.server?.address();
    return addr && typeof addr === 'object' ? addr.port : undefined;
  }

  /** Stops taking updates, then waits for the conversations in flight to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.bot.isRunning()) await this.bot.stop();
    if (this.server) await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    await this.idle();
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text);
}

/** Compares the secret in constant time (hashing first makes the lengths equal). */
function sameSecret(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
