import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SetupError } from '../../bots/errors.js';
import { replyText } from '../../bots/http-text.js';
import type { Logger } from '../../bots/log.js';
import type { Metrics } from '../../bots/metrics.js';
import type { Route } from '../../bots/ports.js';
import { TELEGRAM_CHANNEL } from './updates.js';

export const WEBHOOK_PATH = '/telegram/webhook';
const MAX_BODY_BYTES = 1 << 20;

/**
 * What became of one update. Every one is answered 200, `invalid` too: an update that can never
 * be processed would otherwise be redelivered by Telegram for a day (issue 16, fault 8); it is
 * logged instead. Only a failure to store (500) asks Telegram to deliver again.
 */
export type HandleResult = 'accepted' | 'duplicate' | 'ignored' | 'invalid';

/** What the webhook feeds: the receiver, seen only as far as a request needs. */
export interface WebhookTarget {
  /** True once the receiver stops: new updates are refused so Telegram redelivers them elsewhere. */
  readonly stopping: boolean;
  /** Resolves once the update is stored (or found a duplicate); throws when it cannot be stored. */
  handle(raw: unknown): Promise<HandleResult>;
}

/**
 * The webhook endpoint: the secret token first (in constant time, before the body is read), the
 * body second, and 2xx only once the update is durably stored, so Telegram redelivers anything
 * the bot could not keep.
 */
export function webhookRoute(
  target: WebhookTarget,
  options: { secret: string; log: Logger; metrics?: Pick<Metrics, 'inbound'> | undefined },
): Route {
  if (!options.secret) throw new SetupError('The Telegram webhook needs a secret token (TELEGRAM_WEBHOOK_SECRET).');
  return {
    path: WEBHOOK_PATH,
    handle: (req, res) => {
      void serve(target, options, req, res).catch((err: unknown) => {
        options.log.error('webhook request failed', { error: String(err) });
        if (!res.headersSent) replyText(res, 500, 'could not accept the update; Telegram will redeliver it');
      });
    },
  };
}

async function serve(
  target: WebhookTarget,
  { secret, log, metrics }: Parameters<typeof webhookRoute>[1],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') return replyText(res, 405, 'POST only');
  if (!sameSecret(req.headers['x-telegram-bot-api-secret-token'], secret)) {
    req.resume();
    return replyText(res, 401, 'wrong or missing X-Telegram-Bot-Api-Secret-Token');
  }
  if (target.stopping) return replyText(res, 503, 'shutting down; Telegram will redeliver');
  const body = await readBody(req);
  if (body === undefined) {
    // No update is this large (a message is at most 4,096 characters): it can never be processed,
    // and a 413 would be redelivered for a day like any 4xx. Logged without the body (personal data).
    log.warn('dropped a webhook body over 1 MiB (answered 200: it can never be processed)', {
      limitBytes: MAX_BODY_BYTES,
      contentLength: req.headers['content-length'],
    });
    metrics?.inbound(TELEGRAM_CHANNEL, 'unknown', 'invalid');
    // The rest of the body is not read: the connection ends with the answer.
    res.setHeader('connection', 'close');
    return replyText(res, 200, 'invalid: over 1 MiB; dropped');
  }
  let update: unknown;
  try {
    update = JSON.parse(body);
  } catch {
    log.warn('dropped a webhook body that is not JSON (answered 200: it can never be processed)', {
      excerpt: body.slice(0, 200),
    });
    metrics?.inbound(TELEGRAM_CHANNEL, 'unknown', 'invalid');
    return replyText(res, 200, 'invalid: not JSON; dropped');
  }
  // An update the bot cannot read is logged by the receiver ("malformed Telegram update ignored").
  return replyText(res, 200, await target.handle(update));
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
