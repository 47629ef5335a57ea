import type { Logger } from '../log.js';

/**
 * How the bot stops (issue 16, fault 9): on the first SIGTERM or SIGINT, however it was started
 * (`npm start`, `node --import tsx`, `tsx`), within a bound, handing back what it could not finish.
 */

/** How long closing the store and the record may take once the work has stopped or been handed back (ms). */
export const CLOSE_MS = 2_000;

/** The signals that stop the bot: a container runtime's or process manager's SIGTERM, a terminal's Ctrl-C. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Resolves with the name of the first SIGTERM or SIGINT. The handlers stay for the rest of the
 * process's life: a signal often arrives twice (a terminal's Ctrl-C reaches the whole process
 * group, and npm or tsx forward it to the bot as well), and a second one with no handler left
 * would kill the bot in the middle of its shutdown. Repeats are logged and otherwise ignored:
 * the shutdown is bounded anyway. `signals`: the process; a test passes an emitter of its own.
 */
export function firstStopSignal(log: Logger, signals: Pick<NodeJS.EventEmitter, 'on'> = process): Promise<string> {
  return new Promise((resolve) => {
    let first: string | undefined;
    for (const name of STOP_SIGNALS)
      signals.on(name, () => {
        if (first === undefined) {
          first = name;
          return resolve(name);
        }
        log.info('already stopping; the shutdown is bounded (SHUTDOWN_TIMEOUT_MS)', { signal: name, first });
      });
  });
}

export interface StopPlan {
  /** Stops taking work and waits for the work in flight (receivers, loops); may take long. */
  stop: () => Promise<void>;
  /** Hands back the conversations still held (Engine.release); resolves with how many. */
  release: () => Promise<number>;
  /** Closes the store and the record. */
  close: () => Promise<void>;
  /** How long `stop` may take before what is left is handed back (ms): SHUTDOWN_TIMEOUT_MS. */
  boundMs: number;
  log: Logger;
  /** Resolves after `ms`; a test passes one it controls. A timer that does not keep the process alive by default. */
  after?: (ms: number) => Promise<void>;
}

/** What a shutdown came to: whether the work in flight finished in time, and how many conversations were handed back. */
export interface Stopped {
  finished: boolean;
  handedBack: number;
}

const unrefTimer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Stops within `boundMs`: `stop`, and if it is not done by then, `release` (another replica takes
 * those conversations at once, instead of when their locks run out); then `close`, which gets
 * CLOSE_MS. Never throws: a step that fails is logged and the next one runs. What `stop` left
 * running (a send that never returns) is not waited for: the caller exits.
 */
export async function stopWithin(plan: StopPlan): Promise<Stopped> {
  const { log } = plan;
  const after = plan.after ?? unrefTimer;
  const failed = (what: string, err: unknown) => log.error(`${what} failed during shutdown`, { error: String(err) });
  // A stop that failed may have left turns running: they are handed back like those past the bound.
  const stopped = plan.stop().then(
    () => true,
    (err: unknown) => {
      failed('stopping', err);
      return false;
    },
  );
  const finished = await Promise.race([stopped, after(plan.boundMs).then(() => false)]);
  let handedBack = 0;
  if (!finished) {
    handedBack = await plan.release().catch((err: unknown) => {
      failed('handing back', err);
      return 0;
    });
    log.warn('the turns in flight did not finish within the bound: abandoned, their conversations handed back', {
      boundMs: plan.boundMs,
      handedBack,
    });
  }
  const closed = plan.close().then(
    () => true,
    (err: unknown) => {
      failed('closing', err);
      return true;
    },
  );
  if (!(await Promise.race([closed, after(CLOSE_MS).then(() => false)])))
    log.warn('closing the store took too long; exiting without waiting for it', { closeMs: CLOSE_MS });
  return { finished, handedBack };
}
