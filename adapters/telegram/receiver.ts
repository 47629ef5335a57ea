import type { Bot } from 'grammy';
import type { Logger } from '../../bots/log.js';
import type { Metrics } from '../../bots/metrics.js';
import type { Inbox, Receiver, Route } from '../../bots/ports.js';
import type { TelegramChannel } from './channel.js';
import { LongPolling, type PollWait } from './polling.js';
import { realStartWait, START_RETRY_MS, startCall } from './start.js';
import { fromUpdate, TELEGRAM_CHANNEL, TelegramUpdate } from './updates.js';
import { WEBHOOK_PATH, webhookRoute, type HandleResult } from './webhook.js';

/** The updates this bot reads (`my_chat_member`: the customer blocked the bot); anything else Telegram need not send. */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

/** Webhook when the bot has a public address (the app's server mounts the route), long polling otherwise. */
export type TelegramMode = { kind: 'polling' } | { kind: 'webhook'; publicUrl: string; secret: string };

export interface TelegramReceiverOptions {
  bot: Bot;
  /** Acknowledges button presses once they are stored. */
  channel: TelegramChannel;
  inbox: Inbox;
  mode: TelegramMode;
  allowGroups: boolean;
  log: Logger;
  clock: () => number;
  /** Long polling's pause between attempts while updates cannot be stored; tests pass one they control. */
  pollWait?: PollWait | undefined;
  /** The pause between start-up's attempts while Telegram fails in passing (start.ts); tests pass one they control. */
  startWait?: ((ms: number) => Promise<void>) | undefined;
  /** Counts the updates dropped here, before the engine (unreadable, not served); the engine counts the rest. */
  metrics?: Pick<Metrics, 'inbound'> | undefined;
}

/**
 * Telegram's way in: turns updates into inbound events, stores each durably through the Inbox,
 * then runs the conversation in the background. Holds no conversation state; tracks the runs
 * in flight so stopping can wait for them.
 */
export class TelegramReceiver implements Receiver {
  readonly routes: readonly Route[] | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private stoppingNow = false;
  /** Long polling, in polling mode: confirms each update to Telegram only once `handle` stored it. */
  private readonly polling: LongPolling | undefined;

  constructor(private readonly options: TelegramReceiverOptions) {
    const { bot, mode, log } = options;
    this.routes =
      mode.kind === 'webhook'
        ? [webhookRoute(this, { secret: mode.secret, log, metrics: options.metrics })]
        : undefined;
    this.polling =
      mode.kind === 'polling'
        ? new LongPolling({
            api: bot.api,
            handle: (update) => this.handle(update),
            allowedUpdates: ALLOWED_UPDATES,
            log,
            ...(options.pollWait ? { wait: options.pollWait } : {}),
          })
        : undefined;
  }

  /** True from `stop()` on: the webhook answers 503 so Telegram redelivers. */
  get stopping(): boolean {
    return this.stoppingNow;
  }

  /**
   * Accepts one update durably, then lets the conversation run in the background. Resolves once
   * the update is stored (or found to be a duplicate), which is when a webhook may answer 200.
   * Throws when it cannot be stored, so the webhook answers 500 and Telegram redelivers.
   */
  async handle(raw: unknown, options: { wait?: boolean } = {}): Promise<HandleResult> {
    const { bot, inbox, log } = this.options;
    const parsed = TelegramUpdate.safeParse(raw);
    if (!parsed.success) {
      log.warn('malformed Telegram update ignored', {
        problems: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      });
      this.options.metrics?.inbound(TELEGRAM_CHANNEL, 'unknown', 'invalid');
      return 'invalid';
    }
    const inbound = fromUpdate(parsed.data, {
      allowGroups: this.options.allowGroups,
      botUsername: bot.isInited() ? bot.botInfo.username : undefined,
      now: this.options.clock,
    });
    if (inbound.kind === 'ignore') {
      log.debug('update ignored', { updateId: parsed.data.update_id, reason: inbound.reason });
      this.options.metrics?.inbound(TELEGRAM_CHANNEL, inbound.type ?? 'unknown', 'ignored');
      // A button pressed where the bot does not serve: its spinner stops, nothing else happens.
      if (inbound.callback) this.track(this.options.channel.acknowledge(inbound.callback));
      return 'ignored';
    }
    // Accepting also takes the conversation when it is free, so the usual turn needs no second look.
    const ignored = inbound.ignored === true;
    const result = await inbox.accept(inbound.event, { begin: true, ignored });
    if (result.status === 'rejected') return 'invalid';
    // A group's later messages find its one notice stored: ignored, not a redelivery.
    if (result.status === 'duplicate') return ignored ? 'ignored' : 'duplicate';
    if (inbound.callback) this.track(this.options.channel.acknowledge(inbound.callback));
    // The turn starts after this returns and the webhook has answered: Telegram's answer never
    // waits for the turn's work (issue 16, fault 6), by design rather than by the order of promises.
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      inbox.run(result.conversationId, result.begun),
    );
    this.track(run);
    // Measuring (and tests) can wait for this conversation's turn; the webhook never does.
    if (options.wait) await run;
    return ignored ? 'ignored' : 'accepted';
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

  /**
   * Starts taking updates: registers the webhook (the app's server already routes it), or starts
   * long polling. Telegram failing in passing (429, 5xx, the network) is asked again for up to a
   * minute; a refusal (a wrong token) or a minute of failures rejects with a SetupError (start.ts).
   */
  async start(): Promise<void> {
    const { bot, mode, log, clock } = this.options;
    const retry = { log, clock, wait: this.options.startWait ?? realStartWait, deadline: clock() + START_RETRY_MS };
    // Its own username (getMe), or `/start@other_bot` in a group would be taken as ours. Not
    // bot.init(): it asks again by itself, for ever and on real timers.
    if (!bot.isInited()) bot.botInfo = await startCall('getMe', () => bot.api.getMe(), retry);
    if (mode.kind === 'webhook') {
      const url = `${mode.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`;
      const options = { secret_token: mode.secret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false };
      await startCall('setWebhook', () => bot.api.setWebhook(url, options), retry);
      log.info('telegram webhook registered', { url });
      return;
    }
    // Long polling: no webhook in the way (Telegram refuses getUpdates while one is set), then
    // updates in the background.
    await startCall('deleteWebhook', () => bot.api.deleteWebhook({ drop_pending_updates: false }), retry);
    this.polling?.start();
    log.info('telegram long polling started', { bot: bot.botInfo.username });
  }

  /** Stops taking updates, then waits for the conversations in flight to finish. */
  async stop(): Promise<void> {
    this.stoppingNow = true;
    await this.polling?.stop();
    await this.idle();
  }
}
