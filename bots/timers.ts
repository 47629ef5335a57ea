import type { Logger } from './log.js';
import type { Inbox, TimerStore } from './ports.js';

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
    },
  ) {}

  /** Fires everything due now; returns how many timers fired. Call it on an interval. */
  async tick(): Promise<number> {
    const { timers, engine, clock, log } = this.deps;
    const now = clock();
    const due = await timers.claimDue(now, this.deps.leaseMs ?? 60_000, this.deps.batch ?? 100);
    for (const t of due) {
      const result = await engine.receive({
        id: `timer:${t.name}:${t.dueAt}`,
        conversationId: t.conversationId,
        channel: t.channel,
        customer: { id: t.customerId },
        at: now,
        payload: { type: 'timer', name: t.name, dueAt: t.dueAt },
      });
      if (result.status === 'rejected')
        log.error('timer event rejected', {
          timer: t.name,
          conversationId: t.conversationId,
          problems: result.problems,
        });
      await timers.complete(t);
    }
    return due.length;
  }
}
