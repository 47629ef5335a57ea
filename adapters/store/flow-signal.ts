import { z } from 'zod';
import type { ActiveFlowPointer, FlowFleetSignal } from '../../bots/flow-fleet-port.js';
import type { PublishedFlowVersion } from '../../bots/flow-versions-port.js';
import { createRedisClient, type RedisClient, type RedisTarget } from './redis-client.js';

const Pointer = z.object({ id: z.number().int().positive(), hash: z.string() });
/** The copy kept in Redis, read back defensively (another release may have written it). */
const Copy = Pointer.extend({
  files: z.record(z.string(), z.string()),
  author: z.string(),
  message: z.string(),
  createdAt: z.number(),
  figures: z.custom<PublishedFlowVersion['figures']>((v) => v === null || typeof v === 'object'),
});

/**
 * The fleet signal on Redis (bots/flow-fleet-port.ts): a message `{ id, hash }` on the pub/sub
 * channel `<prefix>flows:active`, and the active version's copy (JSON) in the key of the same
 * name. Two connections: pub/sub takes one over, so listening has its own, made on `listen`.
 * Messages sent while a replica is not subscribed are lost, which is why replicas also check the
 * record's pointer every few seconds. On a Redis Cluster a PUBLISH reaches the subscribers of
 * every node, so the subscriber may be on any of them.
 */
export class RedisFlowSignal implements FlowFleetSignal {
  private subscriber: RedisClient | undefined;
  private readonly name: string;

  private constructor(
    private readonly redis: RedisClient,
    prefix: string,
  ) {
    this.name = `${prefix}flows:active`;
  }

  /** Connects (lazily: commands wait for the connection; an unreachable Redis fails them). */
  static create(options: RedisTarget & { prefix?: string | undefined }): RedisFlowSignal {
    const target: RedisTarget = 'url' in options ? { url: options.url } : { cluster: options.cluster };
    const redis = createRedisClient(target, { lazyConnect: true, maxRetriesPerRequest: 2 });
    redis.on('error', () => {
      // Reported through failed commands (the signal is a hint; the record's pointer is the truth).
    });
    return new RedisFlowSignal(redis, options.prefix ?? 'csb:');
  }

  async announce(version: PublishedFlowVersion): Promise<void> {
    await this.remember(version);
    const pointer: ActiveFlowPointer = { id: version.id, hash: version.hash };
    await this.redis.publish(this.name, JSON.stringify(pointer));
  }

  async remember(version: PublishedFlowVersion): Promise<void> {
    await this.redis.set(this.name, JSON.stringify(version));
  }

  async cached(): Promise<PublishedFlowVersion | undefined> {
    const raw = await this.redis.get(this.name);
    if (raw === null) return undefined;
    try {
      const parsed = Copy.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  async listen(onActive: (pointer: ActiveFlowPointer) => void): Promise<void> {
    if (this.subscriber) throw new Error('RedisFlowSignal.listen is called once');
    const sub = this.redis.duplicate();
    sub.on('error', () => {
      // ioredis reconnects and subscribes again by itself.
    });
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.name) return;
      try {
        const parsed = Pointer.safeParse(JSON.parse(message));
        if (parsed.success) onActive(parsed.data);
      } catch {
        // Not ours: ignored.
      }
    });
    await sub.subscribe(this.name);
  }

  async close(): Promise<void> {
    for (const r of [this.subscriber, this.redis]) {
      if (!r || r.status === 'end') continue;
      // Never connected (nothing was asked of it): nothing to say goodbye to.
      if (r.status === 'wait') r.disconnect();
      else await r.quit().catch(() => r.disconnect());
    }
  }
}
