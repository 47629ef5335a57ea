/**
 * The few named errors of the product. Each carries a code, and the conversation when there is
 * one, and says what to do next.
 */
export type ErrorCode = 'CONFIG_INVALID' | 'FLOWS_INVALID' | 'LEASE_LOST' | 'DELIVERY_FAILED' | 'STORE_UNAVAILABLE';

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
    super('CONFIG_INVALID', `Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}\nFix the variables above (see README.md, "Configuration") and start again.`);
  }
}

export class FlowsError extends ServiceBotError {
  constructor(
    readonly file: string,
    readonly problems: Array<{ path: string; message: string }>,
  ) {
    super('FLOWS_INVALID', `Flow definition ${file} is invalid:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
  }
}

/** The conversation's lock expired while a turn was in progress; another worker now owns it. */
export class LeaseLostError extends ServiceBotError {
  constructor(conversationId: string) {
    super('LEASE_LOST', `Lost the lock on conversation ${conversationId} before committing; the turn will be retried by the lock's new holder.`, conversationId);
  }
}

/** A channel could not deliver. `permanent` means retrying cannot help (the customer blocked the bot). */
export class DeliveryError extends ServiceBotError {
  constructor(
    message: string,
    readonly permanent: boolean,
    conversationId?: string,
    /** Seconds the platform asked us to wait before retrying (Telegram's retry_after). */
    readonly retryAfterSec?: number,
    /** With `permanent`: the customer cannot be reached at all (blocked the bot, deleted account). */
    readonly unreachable = false,
  ) {
    super('DELIVERY_FAILED', message, conversationId);
  }
}
