import { GrammyError, type Api } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../bots/log.js';

/**
 * Long polling that confirms an update to Telegram only once it is stored. Telegram keeps an
 * update until a `getUpdates` call's `offset` is above its `update_id` ("An update is considered
 * confirmed as soon as getUpdates is called with an offset higher than its update_id", Bot API,
 * getUpdates). grammY's `bot.start()` advances its offset past an update before its handler has
 * run (`lastTriedUpdateId` in grammY's bot.js), so an update whose handler throws (the store is
 * restarting) is confirmed and lost. Here the offset moves past an update only after `handle`
 * resolved; when it throws, polling pauses with backoff and asks again from that update, which
 * Telegram hands out again. Updates are handled one at a time, in order.
 */

/** Waits `ms`, or less when `signal` aborts (stopping); tests pass one they control. */
export type PollWait = (ms: number, signal: AbortSignal) => Promise<void>;

export interface LongPollingOptions {
  api: Api;
  /** Stores one update durably (or finds it is a duplicate, or nothing to keep); rejects when it cannot be stored. */
  handle: (update: Update) => Promise<unknown>;
  /** The update kinds to ask for (Bot API `allowed_updates`). */
  allowedUpdates: ReadonlyArray<Exclude<keyof Update, 'update_id'>>;
  log: Logger;
  wait?: PollWait;
  /** Pause before the n-th retry in a row (n from 0), in ms; 1 s doubling to 15 s by default. */
  backoffMs?: (attempt: number) => number;
  /** How long Telegram may hold one getUpdates call open, in seconds (30). */
  timeoutSec?: number;
}

const realWait: PollWait = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });

export class LongPolling {
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** The offset of the next getUpdates: every update below it is stored. */
  private offset = 0;
  /** The offset Telegram was last sent: updates below it are confirmed. */
  private confirmed = 0;

  constructor(private readonly options: LongPollingOptions) {}

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Starts polling in the background; `stop()` ends it. */
  start(): void {
    if (this.loop) return;
    const controller = new AbortController();
    this.controller = controller;
    this.loop = this.poll(controller.signal).catch((err: unknown) => {
      this.options.log.error('telegram long polling stopped', { error: String(err) });
    });
  }

  /**
   * Stops asking for updates (the waiting getUpdates is cancelled), lets the update being stored
   * finish, then confirms what was stored so a restart does not get it again.
   */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.loop;
    this.loop = undefined;
    if (this.offset > this.confirmed)
      await this.options.api.getUpdates({ offset: this.offset, limit: 1, timeout: 0 }).then(
        () => void (this.confirmed = this.offset),
        (err: unknown) => this.options.log.warn('could not confirm the last updates on stop', { error: String(err) }),
      );
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const { api, log } = this.options;
    const wait = this.options.wait ?? realWait;
    const backoff = this.options.backoffMs ?? ((n: number) => Math.min(15_000, 1_000 * 2 ** n));
    let failures = 0;
    while (!signal.aborted) {
      let updates: Update[];
      try {
        const offset = this.offset;
        updates = await api.getUpdates(
          {
            offset,
            timeout: this.options.timeoutSec ?? 30,
            allowed_updates: [...this.options.allowedUpdates],
          },
          // grammY types its signal with its own AbortSignal shim; Node's is the same object at run time.
          signal as Parameters<Api['getUpdates']>[1],
        );
        this.confirmed = offset;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof GrammyError && err.error_code === 401) throw err;
        const ms = retryAfterMs(err) ?? backoff(failures);
        log.warn('getUpdates failed; asking again', { attempt: ++failures, retryInMs: ms, error: String(err) });
        await wait(ms, signal);
        continue;
      }
      const failed = await this.storeInOrder(updates);
      if (!failed) {
        failures = 0;
        continue;
      }
      const ms = backoff(failures++);
      log.warn('a Telegram update could not be stored; polling pauses and Telegram keeps it', {
        updateId: failed.updateId,
        attempt: failures,
        retryInMs: ms,
        error: failed.error,
      });
      await wait(ms, signal);
    }
  }

  /**
   * Stores the updates in order, moving the offset past each one stored. Stops at the first that
   * cannot be stored and says which (the next getUpdates starts from it); undefined when all were.
   */
  private async storeInOrder(updates: readonly Update[]): Promise<{ updateId: number; error: string } | undefined> {
    for (const update of updates) {
      try {
        await this.options.handle(update);
      } catch (err) {
        return { updateId: update.update_id, error: String(err) };
      }
      this.offset = update.update_id + 1;
    }
    return undefined;
  }
}

/** Telegram's own pause for a 429 answer, in ms. */
function retryAfterMs(err: unknown): number | undefined {
  if (!(err instanceof GrammyError) || err.error_code !== 429) return undefined;
  return (err.parameters.retry_after ?? 1) * 1000;
}
