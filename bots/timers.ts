import { forEachConcurrently } from './concurrently.js';
import type { Logger } from './log.js';
import type { DueTimer, Inbox, TimerStore } from './ports.js';

/**
 * Turns due deadlines into ordinary inbound events. Deadlines live in the store, not in
 * `setTimeout` or XState `after`, so they survive restarts; the claim lease plus the event's
 * dedup id make each fire once across replicas.
 */
export class TimerPoller {
  constructor(
    private readonly deps: {
      timers: TimerStore;
      engine: Inbox;
      clock: () => number;
      log: Logger;
      leaseMs?: number;
      batch?: number;
      /** How many due timers are run at once (default 16): each conversation's turn runs on its own. */
      concurrency?: number;
    },
  ) {}

  /**
   * Fires everything due now; returns how many timers fired. Call it on an interval. Timers run
   * concurrently, at most `concurrency` at a time, so one slow send (a customer's chat paced by
   * Telegram, a desk waiting out a rate limit) does not hold other customers' deadlines back.
   * Two timers of one conversation are still serialised by its lock (the second waits in its inbox).
   */
  async tick(): Promise<number> {
    const { timers, clock } = this.deps;
    const now = clock();
    const due = await timers.claimDue(now, this.deps.leaseMs ?? 60_000, this.deps.batch ?? 100);
    await forEachConcurrently(due, this.deps.concurrency ?? 16, (t) => this.fire(t, now));
    return due.length;
  }

  /**
   * One due timer as an ordinary event of its conversation, completed once the event is stored (or
   * refused). A store that fails leaves it claimed: it comes due again after the lease.
   */
  private async fire(t: DueTimer, now: number): Promise<void> {
    const { timers, engine, log } = this.deps;
    const where = { timer: t.name, conversationId: t.conversationId };
    try {
      const result = await engine.receive({
        id: `timer:${t.name}:${t.dueAt}`,
        conversationId: t.conversationId,
        channel: t.channel,
        customer: { id: t.customerId },
        at: now,
        payload: { type: 'timer', name: t.name, dueAt: t.dueAt },
      });
      if (result.status === 'rejected') log.error('timer event rejected', { ...where, problems: result.problems });
      await timers.complete(t);
    } catch (err) {
      log.error('timer could not be fired; it comes due again after its lease', { ...where, error: String(err) });
    }
  }
}
