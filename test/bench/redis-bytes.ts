/**
 * Redis memory per conversation, everything counted (issue 17, requirement 3): every key a run
 * left under its prefix (SCAN), sized with MEMORY USAGE (SAMPLES 0: every element), summed by key
 * family and divided by the run's conversations. Shared keys (tickets, timers, links, the queue)
 * count too: they grow with conversations as surely as a conversation's own keys.
 */
import type { Redis } from 'ioredis';

/** One family of keys: what they hold per conversation, and how many keys. */
export interface KeyFamily {
  family: string;
  keys: number;
  bytes: number;
  /** `bytes` ÷ the run's conversations. */
  bytesPerConversation: number;
}

export interface RedisBytes {
  conversations: number;
  /** Messages each conversation had when the keys were sized. */
  messagesPerConversation: number;
  /** Largest first. */
  families: KeyFamily[];
  bytesPerConversation: number;
}

/** Redis of 4 GB (4 × 2³⁰ bytes): the budget for a million idle conversations. */
export const REDIS_BUDGET_BYTES = 4 * 2 ** 30;

/**
 * The family of a key, after the run's prefix: a conversation's own keys (`{c:<id>}:state`) by
 * their part (`state`, `transcript`, `seen` …; a transfer's `xfer:<id>` as `xfer`), shared ones
 * (`{tickets}:all`) by their hash tag, the grammY baselines' `<prefix><chat id>` as `session`.
 */
export function familyOf(key: string, prefix: string): string {
  const rest = key.startsWith(prefix) ? key.slice(prefix.length) : key;
  const own = /^\{c:[^}]*\}:([^:]+)/.exec(rest);
  if (own) return own[1] ?? rest;
  const shared = /^\{([^}]+)\}/.exec(rest);
  if (shared) return shared[1] ?? rest;
  if (/^-?\d+$/.test(rest)) return 'session';
  return rest.split(':')[0] || rest;
}

/** Sizes every key under `prefix` and sums them by family. */
export async function redisBytes(
  redis: Redis,
  prefix: string,
  conversations: number,
  messagesPerConversation: number,
): Promise<RedisBytes> {
  const byFamily = new Map<string, { keys: number; bytes: number }>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 1000);
    cursor = next;
    const sizes = await Promise.all(
      keys.map(async (key) => Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0)),
    );
    keys.forEach((key, i) => {
      const family = familyOf(key, prefix);
      const sum = byFamily.get(family) ?? { keys: 0, bytes: 0 };
      sum.keys++;
      sum.bytes += sizes[i] ?? 0;
      byFamily.set(family, sum);
    });
  } while (cursor !== '0');
  const families = [...byFamily]
    .map(([family, { keys, bytes }]) => ({ family, keys, bytes, bytesPerConversation: bytes / conversations }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    conversations,
    messagesPerConversation,
    families,
    bytesPerConversation: families.reduce((n, f) => n + f.bytesPerConversation, 0),
  };
}

/** SCAN's MATCH is a glob: the prefix's own `*?[]\` are taken literally. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
