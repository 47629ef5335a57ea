import { Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { SetupError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { Metrics } from '../../bots/metrics.js';
import type { Inbox, RateStore } from '../../bots/ports.js';
import { TelegramChannel } from './channel.js';
import { TelegramFiles } from './files.js';
import { installPacing } from './pacing.js';
import type { PollWait } from './polling.js';
import { TelegramReceiver, type TelegramMode } from './receiver.js';

export { ALLOWED_UPDATES, TelegramReceiver, type TelegramMode } from './receiver.js';
export { WEBHOOK_PATH, type HandleResult } from './webhook.js';
export { TELEGRAM_CHANNEL } from './updates.js';
export { TelegramChannel } from './channel.js';

export interface TelegramOptions {
  token: string;
  apiRoot: string;
  mode: TelegramMode;
  allowGroups: boolean;
  /** Pace outgoing messages (per chat and overall) with grammY's throttler. */
  throttle: boolean;
  /** Waits for the shared send limit; tests pass one they control. */
  sleep?: (ms: number) => Promise<void>;
  /** Known bot identity, to skip getMe (tests). */
  botInfo?: UserFromGetMe;
  /** grammY's `client.fetch`: how Bot API requests are made (a benchmark answers them in process). */
  fetch?: typeof fetch;
  /** Long polling's pause while updates cannot be stored (backoff); tests pass one they control. */
  pollWait?: PollWait;
  /** The pause between start-up's attempts while Telegram fails in passing (429, 5xx); tests pass one they control. */
  startWait?: (ms: number) => Promise<void>;
}

export interface TelegramDeps {
  /** The deployment-wide send budget (the store's): Telegram's overall limit holds for all replicas. */
  rates?: RateStore | undefined;
  log: Logger;
  clock: () => number;
  /** The operator's counts: updates dropped before the engine (unreadable, not served). */
  metrics?: Pick<Metrics, 'inbound'> | undefined;
}

export interface Telegram {
  readonly bot: Bot;
  /** Given to the engine, which sends replies through it. */
  readonly channel: TelegramChannel;
  /**
   * Builds the receiver once the engine exists (the engine needs the channel first). Once only:
   * it installs the bot's update handler.
   */
  receiver(inbox: Inbox): TelegramReceiver;
}

/** The Telegram channel: one grammY bot, paced, with the channel out and the receiver in. */
export function createTelegram(options: TelegramOptions, deps: TelegramDeps): Telegram {
  const bot = new Bot(options.token, {
    client: { apiRoot: options.apiRoot, ...(options.fetch ? { fetch: options.fetch } : {}) },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  if (options.throttle)
    installPacing(bot.api, { rates: deps.rates, sleep: options.sleep, log: deps.log, clock: deps.clock });
  const channel = new TelegramChannel(bot.api, deps.log, new TelegramFiles(bot.api));
  let built = false;
  return {
    bot,
    channel,
    receiver: (inbox) => {
      // A second receiver would install a second update handler, and each update would run twice.
      if (built)
        throw new SetupError('createTelegram(...).receiver(inbox) was called twice; build one receiver per bot.');
      built = true;
      return new TelegramReceiver({
        bot,
        channel,
        inbox,
        mode: options.mode,
        allowGroups: options.allowGroups,
        log: deps.log,
        clock: deps.clock,
        pollWait: options.pollWait,
        startWait: options.startWait,
        metrics: deps.metrics,
      });
    },
  };
}
