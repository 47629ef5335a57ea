import { GrammyError, HttpError } from 'grammy';
import { SetupError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';

/**
 * The Bot API calls of start-up (getMe, setWebhook, deleteWebhook), asked again while Telegram
 * fails in passing. Replicas starting together hit 429 on setWebhook, and one failed call used to
 * end the process (exit 1, a crash loop under an orchestrator). A 429 is asked again after its
 * `retry_after`, 5xx and network errors after a backoff (1 s doubling to 15 s), each failure a
 * warning, for up to START_RETRY_MS in all; a refusal (a wrong token, a webhook address Telegram
 * will not take) ends the start at once with a SetupError saying what to fix.
 */

/** How long start-up keeps asking a Bot API that fails in passing before the bot stops. */
export const START_RETRY_MS = 60_000;

export interface StartRetry {
  log: Logger;
  clock: () => number;
  /** The pause between attempts; tests pass one that moves their clock. */
  wait: (ms: number) => Promise<void>;
  /** When start-up gives up (the clock's ms): one minute for all of start-up's calls. */
  deadline: number;
}

export const realStartWait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs one of start-up's Bot API calls, asking again while it fails in passing (see above). */
export async function startCall<T>(method: string, call: () => Promise<T>, retry: StartRetry): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const refusal = refusalOf(method, err);
      if (refusal) throw refusal;
      if (!(err instanceof GrammyError || err instanceof HttpError)) throw err;
      const ms = pauseOf(err, attempt);
      if (retry.clock() + ms > retry.deadline)
        throw new SetupError(
          `Telegram's Bot API kept failing ${method} for a minute at start-up (${whatFailed(err)}); the bot stops. Check that Telegram (or TELEGRAM_API_ROOT) answers, and start again.`,
        );
      retry.log.warn(`telegram ${method} failed at start-up; asking again`, {
        attempt,
        retryInMs: ms,
        error: whatFailed(err),
      });
      await retry.wait(ms);
    }
  }
}

/** A refusal that asking again cannot change (a 4xx other than 429), as the SetupError to stop with. */
function refusalOf(method: string, err: unknown): SetupError | undefined {
  if (!(err instanceof GrammyError) || err.error_code === 429 || err.error_code >= 500) return undefined;
  const what = `${method}: ${err.error_code} ${err.description}`;
  // Telegram answers 401 to a revoked or mistyped token, 404 to one that is not a token at all.
  if (err.error_code === 401 || err.error_code === 404)
    return new SetupError(
      `Telegram refused TELEGRAM_BOT_TOKEN (${what}): check the token with @BotFather (/mybots, API Token) and start again.`,
    );
  const hint =
    method === 'setWebhook' ? 'check PUBLIC_URL (an https address Telegram can reach)' : 'check the settings';
  return new SetupError(`Telegram refused ${method} (${err.error_code}: ${err.description}): ${hint} and start again.`);
}

/** Telegram's own pause for a 429; otherwise 1 s doubling to 15 s (attempt from 1). */
function pauseOf(err: GrammyError | HttpError, attempt: number): number {
  if (err instanceof GrammyError && err.error_code === 429) return (err.parameters.retry_after ?? 1) * 1000;
  return Math.min(15_000, 1_000 * 2 ** (attempt - 1));
}

function whatFailed(err: GrammyError | HttpError): string {
  return err instanceof GrammyError ? `${err.error_code}: ${err.description}` : err.message;
}
