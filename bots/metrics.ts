import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The operator's numbers (issue 16, "the operator's view"), in the Prometheus text format on
 * `GET /metrics`. One `Metrics` per runtime, injected like the logger: each has its own prom-client
 * registry, so two runtimes in one process (tests, replicas side by side) never share a count.
 *
 * Every name starts with METRICS_PREFIX and says its unit (`_seconds`, `_total`). Label values
 * come from the code (a channel's name, an effect's kind, a result below), never from what a
 * customer sent, so their number stays small.
 */
export const METRICS_PREFIX = 'servicedesk_';

/**
 * What became of an inbound event: stored (`accepted`), seen before (`duplicate`), unreadable or
 * failing the schema (`invalid`), or read and deliberately not handled (`ignored`: a group
 * message, an update kind the bot does not serve).
 */
export type InboundResult = 'accepted' | 'duplicate' | 'invalid' | 'ignored';

/**
 * How a call to a platform ended: `ok`; the platform's HTTP status class when it gave one
 * (`429` rate limited, `403` forbidden: the customer blocked the bot, `4xx` another refusal,
 * `5xx`); otherwise what the adapter concluded: `refused` (can never succeed), `unreachable`
 * (the customer cannot be reached), `failed` (a passing fault: network, timeout).
 */
export type CallResult = 'ok' | '429' | '403' | '4xx' | '5xx' | 'refused' | 'unreachable' | 'failed';

/** Seconds: a turn is milliseconds; a slow one (a big flow, a slow store) shows in the upper buckets. */
const TURN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds from a commit to its acknowledgement: sends are paced (about one a second per chat) and retried. */
const OUTBOX_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900];
/** Seconds a timer fired after it was due: the poller ticks every second. */
const TIMER_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600];
/** Seconds a customer waited in the queue for an agent's claim. */
const CLAIM_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1800, 3600];

export class Metrics {
  /** The registry `text()` renders; a runtime's own. */
  readonly registry = new Registry();
  private readonly inboundEvents = this.counter(
    'inbound_events_total',
    'Inbound events by channel, payload type and result',
    ['channel', 'type', 'result'],
  );
  private readonly turns = this.counter('turns_total', 'Conversation turns committed (one inbound event each)');
  private readonly turnSeconds = new Histogram({
    name: `${METRICS_PREFIX}turn_duration_seconds`,
    help: 'How long a turn took, from loading the state to committing the new one (s)',
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  });
  private readonly sends = this.counter('sends_total', 'Messages sent to customers, by channel and result', [
    'channel',
    'result',
  ]);
  private readonly deskPosts = this.counter('desk_posts_total', 'Calls to the agent desk, by kind and result', [
    'kind',
    'result',
  ]);
  private readonly outboxCommitted = this.counter('outbox_items_committed_total', 'Outbox items committed by turns');
  private readonly outboxDelivered = this.counter(
    'outbox_items_delivered_total',
    'Outbox items acknowledged (delivered, or given up by their policy)',
  );
  private readonly outboxLag = new Histogram({
    name: `${METRICS_PREFIX}outbox_lag_seconds`,
    help: 'Seconds from the commit of an outbox item to its acknowledgement (items committed by this process)',
    buckets: OUTBOX_BUCKETS,
    registers: [this.registry],
  });
  private readonly timersFired = this.counter('timers_fired_total', 'Due timers claimed for firing');
  private readonly timerLag = new Histogram({
    name: `${METRICS_PREFIX}timer_lag_seconds`,
    help: 'Seconds between when a timer was due and when it fired',
    buckets: TIMER_BUCKETS,
    registers: [this.registry],
  });
  private readonly claims = this.counter('claims_total', 'Handoffs an agent claimed from the queue');
  private readonly claimWait = new Histogram({
    name: `${METRICS_PREFIX}claim_wait_seconds`,
    help: 'Seconds a customer waited in the queue before an agent claimed the conversation',
    buckets: CLAIM_BUCKETS,
    registers: [this.registry],
  });
  private readonly storeErrors = this.counter('store_errors_total', 'Store calls that failed, by operation', [
    'operation',
  ]);
  private readonly incidents = this.counter(
    'data_loss_incidents_total',
    'Data-loss incidents detected (a Redis that came back empty), by kind',
    ['kind'],
  );
  private processWatched = false;

  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name: `${METRICS_PREFIX}${name}`, help, labelNames, registers: [this.registry] });
  }

  /** Counts one inbound event. `type`: the payload's type (text, choice, timer, agent…), `unknown` when unreadable. */
  inbound(channel: string, type: string, result: InboundResult): void {
    this.inboundEvents.inc({ channel, type, result });
  }

  /** Starts timing a turn; call the function returned once it is committed (counted then). */
  turnStarted(): () => void {
    const end = this.turnSeconds.startTimer();
    return () => {
      end();
      this.turns.inc();
    };
  }

  /** Counts one message sent (or not) to a customer on `channel`. */
  sent(channel: string, result: CallResult): void {
    this.sends.inc({ channel, result });
  }

  /** Counts one desk call: `kind` is the desk port's method (open, post, update, notify, ping…). */
  deskPosted(kind: string, result: CallResult): void {
    this.deskPosts.inc({ kind, result });
  }

  /** Outbox items a turn committed. */
  committed(items: number): void {
    if (items > 0) this.outboxCommitted.inc(items);
  }

  /** Outbox items acknowledged; `lagMs`: commit-to-acknowledgement times known for some of them (ms). */
  delivered(items: number, lagMs: readonly number[]): void {
    if (items > 0) this.outboxDelivered.inc(items);
    for (const ms of lagMs) this.outboxLag.observe(Math.max(0, ms) / 1000);
  }

  /** A due timer fired `lagMs` after it was due. */
  timerFired(lagMs: number): void {
    this.timersFired.inc();
    this.timerLag.observe(Math.max(0, lagMs) / 1000);
  }

  /** An agent's claim took a customer out of the queue after `waitSeconds`. */
  claimed(waitSeconds: number): void {
    this.claims.inc();
    this.claimWait.observe(waitSeconds);
  }

  /** A store call failed (`operation`: its method, `timers.claimDue` for a part's). */
  storeError(operation: string): void {
    this.storeErrors.inc({ operation });
  }

  /**
   * A data-loss incident: call it where the loss is detected (a Redis that lost its epoch marker:
   * `incident('redis-epoch')`). `kind` is a short fixed name, never data.
   */
  incident(kind: string): void {
    this.incidents.inc({ kind });
  }

  /**
   * Gauges of this process's outbox, read at each scrape: items committed here and not yet
   * acknowledged, and how long the oldest of them has waited (seconds; 0 when none).
   */
  watchOutbox(read: () => { depth: number; oldestSeconds: number }): void {
    const gauge = (name: string, help: string, pick: (r: { depth: number; oldestSeconds: number }) => number) =>
      new Gauge({
        name: `${METRICS_PREFIX}${name}`,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(read()));
        },
      });
    gauge('outbox_depth', 'Outbox items committed by this process and not acknowledged yet', (r) => r.depth);
    gauge('outbox_oldest_age_seconds', 'Seconds the oldest of those items has waited', (r) => r.oldestSeconds);
  }

  /**
   * The flow version in force, read at each scrape: `servicedesk_flow_version_info{version,published} 1`
   * (`version`: the content hash; `published`: `v3`, or `none` when served from a folder), and
   * `servicedesk_flow_published_version` (3; 0 when none), which is easy to alert on across replicas.
   */
  watchFlows(read: () => { version: string; published: number | undefined }): void {
    new Gauge({
      name: `${METRICS_PREFIX}flow_version_info`,
      help: 'The flow version in force (1, labelled with its hash and published number)',
      labelNames: ['version', 'published'],
      registers: [this.registry],
      collect() {
        const { version, published } = read();
        this.reset();
        this.set({ version, published: published === undefined ? 'none' : `v${published}` }, 1);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}flow_published_version`,
      help: 'The published flow version in force (0 when served from a folder)',
      registers: [this.registry],
      collect() {
        this.set(read().published ?? 0);
      },
    });
  }

  /** A counter kept elsewhere (the engine's), read at each scrape; it only ever grows. */
  watchCount(name: string, help: string, read: () => number): void {
    let seen = 0;
    new Counter({
      name: `${METRICS_PREFIX}${name}`,
      help,
      registers: [this.registry],
      collect() {
        const now = read();
        if (now > seen) this.inc(now - seen);
        seen = Math.max(seen, now);
      },
    });
  }

  /**
   * prom-client's process metrics (CPU, memory, event loop lag, GC), prefixed too: for the
   * production process only, as they watch the whole process and keep observers running.
   */
  watchProcess(): void {
    if (this.processWatched) return;
    this.processWatched = true;
    collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
  }

  /** The Content-Type of `text()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Everything, in the Prometheus text format (collecting the gauges read at scrape). */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
