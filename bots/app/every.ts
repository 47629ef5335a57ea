import type { Logger } from '../log.js';

/**
 * Runs `work` every `ms`, logging failures. The returned stop clears the interval and waits
 * for the runs in progress, so shutdown does not close the store under them.
 */
export function every(ms: number, work: () => Promise<unknown>, what: string, log: Logger): () => Promise<void> {
  const running = new Set<Promise<unknown>>();
  const t = setInterval(() => {
    const run = work().catch((err: unknown) => log.error(`${what} failed`, { error: String(err) }));
    running.add(run);
    void run.finally(() => running.delete(run));
  }, ms);
  return async () => {
    clearInterval(t);
    await Promise.all([...running]);
  };
}
