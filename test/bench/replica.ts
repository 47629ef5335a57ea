/**
 * One replica of the multi-process mode (replicas.ts), in a process of its own: the real
 * pipeline (Telegram adapter → engine → Redis store → outbox, the record when given; the shipped
 * conversation or the durable floor's trivial flow) on the
 * shared Redis, fed the updates its parent routes to it over IPC, the way a load balancer hands
 * webhook calls to replicas. Reports its own CPU and every reply it sent, with the monotonic clock
 * (shared by the processes of one machine) so the parent can put each chat's replies in order.
 */
import { ours, update, type Driver, type RecordBackend } from './drivers.js';

/** What the parent sends. */
export type ToReplica =
  | {
      op: 'start';
      redisUrl: string;
      prefix: string;
      databaseUrl?: string;
      clockBase: number;
      /** The shipped conversation, or the durable floor's trivial flow (durable.ts). */
      flow: 'service' | 'trivial';
    }
  | { op: 'send'; id: number; chatId: number; text: string; updateId: number; wait: boolean }
  | { op: 'begin' }
  | { op: 'end' };

/** What a replica answers. */
export type FromReplica =
  | { op: 'ready' }
  | { op: 'done'; id: number }
  | { op: 'begun' }
  | { op: 'ended'; cpuUs: number; deferred: number; sends: Array<[chatId: number, text: string, atNs: string]> }
  | { op: 'failed'; error: string };

if (process.send) {
  const reply = (m: FromReplica): void => void process.send?.(m);
  const sends: Array<[number, string, string]> = [];
  let driver: Driver | undefined;
  let cpu = process.cpuUsage();
  let clockBase = Date.now();
  // The receiver's `handle` is what a webhook call runs: `wait` false answers once the update is
  // stored (the turn runs after), true once this replica's turn is done or another replica has it.
  const on = async (m: ToReplica): Promise<void> => {
    switch (m.op) {
      case 'start': {
        clockBase = m.clockBase;
        const backend: RecordBackend | undefined = m.databaseUrl ? { kind: 'postgres', url: m.databaseUrl } : undefined;
        driver = await ours(
          m.redisUrl,
          m.prefix,
          (chatId, text) => void sends.push([chatId, text, process.hrtime.bigint().toString()]),
          backend,
          // Every replica's clock, and every message's date, stand at the same instant, so replies
          // (the greeting, ticket numbers, which hash when the conversation began) match the
          // one-replica run's exactly.
          { clock: () => m.clockBase, flow: m.flow },
        );
        return reply({ op: 'ready' });
      }
      case 'send':
        await driver?.handle?.(update(m.chatId, m.text, m.updateId, clockBase), m.wait);
        return reply({ op: 'done', id: m.id });
      case 'begin':
        // The warm-up's turns finished first: they are neither counted nor checked.
        await driver?.idle?.();
        sends.length = 0;
        cpu = process.cpuUsage();
        return reply({ op: 'begun' });
      case 'end': {
        await driver?.idle?.();
        // Record writes the database did not take in the turns are applied now, and counted: the
        // parent ends one replica after the other, so only one applies the shared backlog.
        const deferred = (await driver?.settle?.())?.deferredAtEnd ?? 0;
        const used = process.cpuUsage(cpu);
        reply({ op: 'ended', cpuUs: used.user + used.system, deferred, sends: sends.splice(0) });
        await driver?.close();
        return;
      }
    }
  };
  process.on('message', (m: ToReplica) => {
    on(m).catch((err: unknown) =>
      reply({ op: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    );
  });
}
