/**
 * The few named errors of the product. Each carries one code per kind, the conversation when
 * there is one, and a message that says what to do next.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'FLOWS_INVALID'
  | 'LEASE_LOST'
  | 'DELIVERY_FAILED'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONTENTION'
  | 'SETUP_INVALID'
  | 'FILE_TOO_LARGE';

export class ServiceBotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly conversationId?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad environment: every problem, one per line, so all can be fixed in one go. */
export class ConfigError extends ServiceBotError {
  constructor(readonly problems: string[]) {
    super(
      'CONFIG_INVALID',
      `Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}\nFix the variables above (see README.md, "Configuration") and start again.`,
    );
  }
}

/** A component was put together wrongly (a programming or wiring mistake, not bad input). */
export class SetupError extends ServiceBotError {
  constructor(message: string) {
    super('SETUP_INVALID', message);
  }
}

export class FlowsError extends ServiceBotError {
  constructor(
    readonly file: string,
    readonly problems: Array<{ path: string; message: string }>,
  ) {
    super(
      'FLOWS_INVALID',
      `Flow definition ${file} is invalid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`,
    );
  }
}

/** The conversation's lock expired while a turn was in progress; another worker now owns it. */
export class LeaseLostError extends ServiceBotError {
  constructor(conversationId: string) {
    super(
      'LEASE_LOST',
      `Lost the lock on conversation ${conversationId} before committing; the turn will be retried by the lock's new holder.`,
      conversationId,
    );
  }
}

/** A write kept losing a compare-and-set race (many writers on one ticket); trying again later helps. */
export class ContentionError extends ServiceBotError {
  constructor(what: string) {
    super('STORE_CONTENTION', `${what} kept changing under concurrent updates; try again.`);
  }
}

/**
 * Whether retrying a failed delivery can help:
 * - `later`: a passing fault (5xx, network, rate limit); the engine retries, after `retryAfterSec` when given;
 * - `never`: this item can never be delivered (a malformed message, an unknown channel); it is dropped;
 * - `unreachable`: the customer cannot be reached at all (blocked the bot, deleted the account);
 *   the item is dropped and the conversation is told, so it ends and keeps the matter on record.
 */
export type DeliveryRetry = 'later' | 'never' | 'unreachable';

export interface DeliveryErrorOptions {
  retry: DeliveryRetry;
  /** Seconds the platform asked us to wait before retrying (Telegram's retry_after, Slack's Retry-After). */
  retryAfterSec?: number | undefined;
  conversationId?: string | undefined;
  /** The platform's HTTP status, when it answered with one (Telegram's error_code): for the operator's counts. */
  status?: number | undefined;
}

/** A channel or the desk could not deliver; `retry` says whether trying again can help. */
export class DeliveryError extends ServiceBotError {
  readonly retry: DeliveryRetry;
  readonly retryAfterSec: number | undefined;
  readonly status: number | undefined;

  constructor(message: string, options: DeliveryErrorOptions) {
    super('DELIVERY_FAILED', message, options.conversationId);
    this.retry = options.retry;
    this.retryAfterSec = options.retryAfterSec;
    this.status = options.status;
  }
}

/**
 * A file is larger than the side receiving it can take (Telegram: bots download up to 20 MB and
 * send up to 50 MB). Thrown by a file `fetch` that stopped reading at `limitBytes`; `size` is the
 * file's size in bytes when known. Not a fault to retry: the agents are told instead.
 */
export class FileTooLargeError extends ServiceBotError {
  constructor(
    readonly limitBytes: number,
    readonly size?: number | undefined,
  ) {
    super(
      'FILE_TOO_LARGE',
      `The file is ${size === undefined ? 'larger than' : `${size} bytes, over`} the ${limitBytes}-byte limit of the side receiving it.`,
    );
  }
}
