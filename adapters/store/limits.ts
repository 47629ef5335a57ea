/** Retention knobs shared by both stores, from configuration. */
export interface StoreLimits {
  /** How long an event id is remembered for dedup. Telegram and Slack redeliver within hours; ≥ 24 h. */
  dedupTtlSec: number;
  /** How long an untouched conversation's state is kept. */
  stateTtlSec: number;
  /** Transcript entries kept per conversation (oldest dropped first). */
  transcriptMax: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  dedupTtlSec: 48 * 3600,
  stateTtlSec: 30 * 86400,
  transcriptMax: 200,
};

export function storeLimits(overrides: Partial<StoreLimits>): StoreLimits {
  const limits = { ...DEFAULT_LIMITS, ...overrides };
  if (limits.dedupTtlSec < 24 * 3600) throw new RangeError(`dedupTtlSec must be at least 24 h (got ${limits.dedupTtlSec} s): platforms redeliver within a day`);
  return limits;
}
