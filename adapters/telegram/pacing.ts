import { apiThrottler } from '@grammyjs/transformer-throttler';
import type { Api, Transformer } from 'grammy';
import type { Logger } from '../../bots/log.js';
import type { RateStore } from '../../bots/ports.js';

/** Telegram's overall limit for a bot's messages. */
export const GLOBAL_PER_SECOND = 30;

export interface PacingOptions {
  /**
   * With several replicas, Telegram's overall limit (30 messages a second) is shared through
   * the store's buckets instead of being counted per process.
   */
  rates?: RateStore | undefined;
  /** Waits for the shared limit; tests pass one they control. */
  sleep?: ((ms: number) => Promise<void>) | undefined;
  log: Logger;
  clock: () => number;
}

/**
 * Paces outgoing messages the way Telegram asks: about one a second per chat (grammY's
 * throttler) and 30 a second overall, for the whole deployment when `rates` is given.
 */
export function installPacing(api: Api, options: PacingOptions): void {
  const rates = options.rates;
  // Installed first, so it runs last: after the per-chat queue, just before the request.
  if (rates) api.config.use(sharedLimit(rates, options));
  api.config.use(
    apiThrottler({
      // Without shared buckets, the overall limit is counted in this process.
      global: rates
        ? {}
        : { reservoir: GLOBAL_PER_SECOND, reservoirRefreshAmount: GLOBAL_PER_SECOND, reservoirRefreshInterval: 1_000 },
      // About one message a second per chat, with room for a reply of three parts at once.
      out: { maxConcurrent: 1, reservoir: 3, reservoirRefreshAmount: 3, reservoirRefreshInterval: 3_000 },
    }),
  );
}

/** Waits for a token of the deployment-wide send budget before each message to a chat. */
function sharedLimit(rates: RateStore, options: PacingOptions): Transformer {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  return async (prev, method, payload, signal) => {
    if (payload && 'chat_id' in payload) {
      for (;;) {
        let wait = 0;
        try {
          wait = await rates.take('telegram:global', GLOBAL_PER_SECOND, options.clock());
        } catch (err) {
          // The limit protects the budget, not the message: if the store cannot answer, send (a 429 is retried).
          options.log.warn('shared send limit unavailable', { error: String(err) });
        }
        if (wait <= 0) break;
        await sleep(wait);
      }
    }
    return prev(method, payload, signal);
  };
}
