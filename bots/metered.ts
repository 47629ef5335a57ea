import { DeliveryError, LeaseLostError } from './errors.js';
import type { CallResult, Metrics } from './metrics.js';
import type { ChannelPort, DeskPort, DueTimer, Lease, Store, TurnCommit } from './ports.js';

/**
 * The ports as the engine sees them, counted for the operator (bots/metrics.ts) on their way
 * through: the store (failures by operation, outbox commits and acknowledgements, timers as they
 * fire, claims from the queue), the channels (sends by result) and the desk (posts by result).
 * Each wrapper forwards every call unchanged (its arguments, its result, its error), so a port
 * that grows a method or a parameter needs nothing here.
 */

/** How a platform call ended, from what the adapter threw (its DeliveryError, with the HTTP status when there was one). */
export function callResult(err: unknown): CallResult {
  if (!(err instanceof DeliveryError)) return 'failed';
  const status = err.status;
  if (status === 429 || (status === undefined && err.retryAfterSec !== undefined)) return '429';
  if (status === 403) return '403';
  if (status !== undefined && status >= 500) return '5xx';
  if (status !== undefined && status >= 400) return '4xx';
  return err.retry === 'later' ? 'failed' : err.retry === 'unreachable' ? 'unreachable' : 'refused';
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * `target` with each method call reported to `seen(name, args, outcome)` once its promise settles
 * (synchronous methods are passed through). Wrappers are made once per method.
 */
function observed<T extends object>(
  target: T,
  seen: (name: string, args: unknown[], outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => void,
): T {
  const wrappers = new Map<PropertyKey, AnyFunction>();
  return new Proxy(target, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      let wrapper = wrappers.get(prop);
      if (!wrapper) {
        const fn = value as AnyFunction;
        wrapper = (...args: unknown[]) => {
          const result = fn.apply(t, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v: unknown) => {
              seen(prop, args, { ok: true, value: v });
              return v;
            },
            (error: unknown) => {
              seen(prop, args, { ok: false, error });
              throw error;
            },
          );
        };
        wrappers.set(prop, wrapper);
      }
      return wrapper;
    },
  });
}

/** Channels whose sends are counted by channel and result (`split` and `files` pass through). */
export function meterChannels(
  channels: ReadonlyMap<string, ChannelPort>,
  metrics: Metrics,
): ReadonlyMap<string, ChannelPort> {
  return new Map(
    [...channels].map(([name, channel]) => [
      name,
      observed(channel, (method, _args, outcome) => {
        if (method === 'send') metrics.sent(name, outcome.ok ? 'ok' : callResult(outcome.error));
      }),
    ]),
  );
}

/** A desk whose calls (open, post, update, notify, ping…) are counted by kind and result. */
export function meterDesk(desk: DeskPort, metrics: Metrics): DeskPort {
  return observed(desk, (method, _args, outcome) =>
    metrics.deskPosted(method, outcome.ok ? 'ok' : callResult(outcome.error)),
  );
}

/**
 * Outbox items this process committed and has not seen acknowledged, by conversation, with when
 * each was committed: the outbox's depth and lag as this process knows them. A conversation's
 * entries go when its lock is released with nothing left in its outbox (another worker may have
 * acknowledged them), or when it is forgotten. At most MAX_TRACKED items are followed.
 */
class OutboxWatch {
  private static readonly MAX_TRACKED = 100_000;
  private readonly waiting = new Map<string, Map<string, number>>();
  private size = 0;

  constructor(
    private readonly metrics: Metrics,
    private readonly clock: () => number,
  ) {
    metrics.watchOutbox(() => this.read());
  }

  committed(turn: TurnCommit, conversationId: string): void {
    this.metrics.committed(turn.outbox.length);
    if (turn.outbox.length === 0 || this.size >= OutboxWatch.MAX_TRACKED) return;
    const at = this.clock();
    let items = this.waiting.get(conversationId);
    if (!items) this.waiting.set(conversationId, (items = new Map()));
    for (const item of turn.outbox) if (!items.has(item.id)) (items.set(item.id, at), this.size++);
  }

  acknowledged(conversationId: string, ids: readonly string[] | undefined): void {
    if (!ids || ids.length === 0) return;
    const items = this.waiting.get(conversationId);
    const now = this.clock();
    const lags: number[] = [];
    for (const id of ids) {
      const at = items?.get(id);
      if (at === undefined) continue;
      lags.push(now - at);
      items?.delete(id);
      this.size--;
    }
    this.metrics.delivered(ids.length, lags);
  }

  settled(conversationId: string): void {
    this.size -= this.waiting.get(conversationId)?.size ?? 0;
    this.waiting.delete(conversationId);
  }

  private read(): { depth: number; oldestSeconds: number } {
    let oldest = Infinity;
    for (const items of this.waiting.values()) for (const at of items.values()) oldest = Math.min(oldest, at);
    return { depth: this.size, oldestSeconds: oldest === Infinity ? 0 : Math.max(0, this.clock() - oldest) / 1000 };
  }
}

/**
 * The store, counted: every failed call by operation (`commit`, `timers.claimDue`; a lost lease
 * is the lock changing hands, not a failure), outbox items as turns commit them and workers
 * acknowledge them, each due timer as it is claimed (with how late: `now` − `dueAt`), and each
 * claim that takes a customer out of the agents' queue (with their wait).
 */
export function meterStore(store: Store, metrics: Metrics, clock: () => number): Store {
  const outbox = new OutboxWatch(metrics, clock);
  const failed = (operation: string, error: unknown) => {
    if (!(error instanceof LeaseLostError)) metrics.storeError(operation);
  };
  const parts = new Map<PropertyKey, unknown>();
  const part = (name: string, value: object) =>
    observed(value, (method, args, outcome) => {
      if (!outcome.ok) return failed(`${name}.${method}`, outcome.error);
      if (name === 'timers' && method === 'claimDue') {
        const now = args[0] as number;
        for (const t of outcome.value as DueTimer[]) metrics.timerFired(now - t.dueAt);
      }
      // A claim that took the customer out of the queue returns the wait (a retried one finds nobody).
      if (name === 'queue' && method === 'leave' && typeof outcome.value === 'number') metrics.claimed(outcome.value);
    });
  const top = observed(store, (method, args, outcome) => {
    if (!outcome.ok) return failed(method, outcome.error);
    const conversationId = (args[0] as Lease | undefined)?.conversationId;
    if (method === 'commit' && conversationId) outbox.committed(args[1] as TurnCommit, conversationId);
    if (method === 'ackOutbox' && conversationId) outbox.acknowledged(conversationId, args[1] as readonly string[]);
    if (method === 'unlock' && conversationId) {
      outbox.acknowledged(conversationId, args[1] as readonly string[] | undefined);
      if ((outcome.value as { outbox: number }).outbox === 0) outbox.settled(conversationId);
    }
    if (method === 'forget') outbox.settled(args[0] as string);
  });
  return new Proxy(top, {
    get(t, prop, receiver) {
      const value: unknown = Reflect.get(t, prop, receiver);
      if (typeof prop !== 'string' || typeof value !== 'object' || value === null) return value;
      let wrapped = parts.get(prop);
      if (!wrapped) parts.set(prop, (wrapped = part(prop, value)));
      return wrapped;
    },
  });
}
