import type { Logger } from '../log.js';

/**
 * How the bot stops (issue 16, fault 9): on the first SIGTERM or SIGINT, however it was started
 * (`npm start`, `node --import tsx`, `tsx`), within a bound, handing back what it could not finish.
 */

/** At most this much of the bound is kept for handing back and closing (ms); a fifth of it when the bound is short. */
export const CLOSE_MS = 1_500;

/**
 * At most this much of the bound is kept for the process to end once closed (ms); a fifth of it
 * when the bound is short. Node's own teardown after `process.exit` takes 0.3–0.7 s with PGlite's
 * WebAssembly memory to free (measured on a busy 2-core machine), and cannot be cut short.
 */
export const EXIT_MS = 1_000;

/** How SHUTDOWN_TIMEOUT_MS is shared out, from the signal to the end of the process (ms each; they add up to the bound). */
export interface ShutdownBudget {
  /** For the turns in flight to finish (and the loops to stop), with the port still answering. */
  turnsMs: number;
  /** For handing back what is still held, closing the port, the console, the store and the record. */
  closeMs: number;
  /** For the process to end once all that is done (Node's teardown). */
  exitMs: number;
}

/** The turns get what is left of `boundMs` after reserving the closing and the exit: 7.5 + 1.5 + 1 s of the default 10 s. */
export function shutdownBudget(boundMs: number): ShutdownBudget {
  const closeMs = Math.min(CLOSE_MS, Math.floor(boundMs / 5));
  const exitMs = Math.min(EXIT_MS, Math.floor(boundMs / 5));
  return { turnsMs: boundMs - closeMs - exitMs, closeMs, exitMs };
}

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
  /**
   * Closes what the process holds: the port, the console, the store and the record. `graceMs`:
   * how long requests still in progress on the port may take (half of the closing's share).
   */
  close: (graceMs: number) => Promise<void>;
  /** The whole shutdown's bound, from the signal to the end of the process (ms): SHUTDOWN_TIMEOUT_MS. */
  boundMs: number;
  log: Logger;
  /** Resolves after `ms`; a test passes one it controls. A timer that does not keep the process alive by default. */
  after?: (ms: number) => Promise<void>;
}

/** What a shutdown came to: whether the work in flight finished in time, how many conversations were handed back, and whether everything closed in its time. */
export interface Stopped {
  finished: boolean;
  handedBack: number;
  closed: boolean;
}

const unrefTimer = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Stops within `boundMs` less the exit's share (shutdownBudget): `stop` for up to `turnsMs`, and
 * if it is not done by then, `release` (another replica takes those conversations at once,
 * instead of when their locks run out); then `close`; those two together for up to `closeMs`.
 * Never throws: a step that fails is logged and the next one runs. What is left running past
 * its share (a send that never returns, a store that does not answer) is not waited for: the
 * caller exits, within the `exitMs` left.
 */
export async function stopWithin(plan: StopPlan): Promise<Stopped> {
  const { log } = plan;
  const after = plan.after ?? unrefTimer;
  const budget = shutdownBudget(plan.boundMs);
  const failed = (what: string, err: unknown) => log.error(`${what} failed during shutdown`, { error: String(err) });
  // A stop that failed may have left turns running: they are handed back like those past the bound.
  const stopped = plan.stop().then(
    () => true,
    (err: unknown) => {
      failed('stopping', err);
      return false;
    },
  );
  const finished = await Promise.race([stopped, after(budget.turnsMs).then(() => false)]);
  let handedBack = 0;
  const closing = (async () => {
    if (!finished) {
      handedBack = await plan.release().catch((err: unknown) => {
        failed('handing back', err);
        return 0;
      });
      log.warn('the turns in flight did not finish within the bound: abandoned, their conversations handed back', {
        turnsMs: budget.turnsMs,
        handedBack,
      });
    }
    await plan.close(budget.closeMs / 2).catch((err: unknown) => failed('closing', err));
    return true;
  })();
  const closed = await Promise.race([closing, after(budget.closeMs).then(() => false)]);
  if (!closed)
    log.warn('handing back and closing took too long; exiting without waiting for them', { closeMs: budget.closeMs });
  return { finished, handedBack, closed };
}
