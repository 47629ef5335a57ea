import type { Lease, Store } from './ports.js';

/**
 * The acknowledgement of items seen outside, sent without waiting for it: the items after it that
 * are not seen outside (a timer, a ticket, a record write: each may be done twice, as after any crash
 * before its acknowledgement) go in the same round trip to Redis. `settled` waits for it, and throws
 * what it threw (LeaseLostError: another worker has the conversation); it is awaited before anything
 * else is seen outside, so a crash still repeats at most the one item in flight.
 */
export class PendingAck {
  private pending: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'ackOutbox'>,
    private readonly lease: Lease,
  ) {}

  start(itemIds: readonly string[]): void {
    const ack = this.store.ackOutbox(this.lease, itemIds);
    // Read by `settled`; until then a failure is not an unhandled rejection.
    ack.catch(() => undefined);
    this.pending = ack;
  }

  async settled(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    await pending;
  }
}
