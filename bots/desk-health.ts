/**
 * What one process knows of the desk's health (issue 16, fault 4), so an outage is waited out
 * without hammering it: when it began failing, and until when to leave it alone (a circuit
 * breaker). After each failure with a passing fault the desk rests for what it asked
 * (`Retry-After`) or an exponential backoff (1 s, 2 s, 4 s … 30 s), whichever is longer; while it
 * rests, desk items wait without a call. The first call after the rest is the probe: its success
 * ends the outage. Found by the issue-16 trial: one conversation made 57 calls in 77 s.
 */
export class DeskHealth {
  private downSince: number | undefined;
  private restUntil = 0;
  private failures = 0;

  constructor(private readonly clock: () => number) {}

  /** Whether the desk may be called now: false while it rests after failures. */
  callable(): boolean {
    return this.clock() >= this.restUntil;
  }

  /** The desk took a call: the outage, if any, is over. */
  succeeded(): void {
    this.downSince = undefined;
    this.restUntil = 0;
    this.failures = 0;
  }

  /** The desk failed with a passing fault; `retryAfterMs`: how long it asked to be left alone. */
  failed(retryAfterMs = 0): void {
    const now = this.clock();
    this.downSince ??= now;
    this.failures++;
    const backoff = Math.min(MAX_REST_MS, FIRST_REST_MS * 2 ** Math.min(this.failures - 1, 10));
    this.restUntil = now + Math.max(retryAfterMs, backoff);
  }

  /** When this process first saw the current outage (epoch ms), or undefined while the desk answers. */
  get since(): number | undefined {
    return this.downSince;
  }
}

const FIRST_REST_MS = 1_000;
const MAX_REST_MS = 30_000;
