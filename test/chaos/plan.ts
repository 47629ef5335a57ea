import { parseArgs } from 'node:util';

/** How long and how hard each phase of the run is (ms unless named otherwise). */
export interface Plan {
  quick: boolean;
  seed: number;
  /** Private chats talking at once. */
  chats: number;
  /** A customer's pause between two messages: [min, max]. */
  thinkMs: [number, number];
  /**
   * Phase 1: steady load while a random replica is killed (SIGKILL) every [min, max] and started
   * again; one at a time unless `overlap` (then both may be down at once).
   */
  kills: { durationMs: number; everyMs: [number, number]; overlap: boolean };
  /** Phase 2: this many updates, each POSTed `copies` times at once, spread over both replicas. */
  storm: { updates: number; copies: number; thinkMs: [number, number] };
  /** Phase 3: load for `durationMs`; Redis is killed (SIGKILL) at `killAtMs` and started again `downMs` later. */
  redis: { durationMs: number; killAtMs: number; downMs: number };
  /**
   * Phase 4: `claimed` chats are handed off and claimed by an agent; then Slack answers 500 for
   * `outageMs`, then 429 with Retry-After `retryAfterSec` for `limitedMs`, then works again for
   * `calmMs`, while the claimed customers write to their agent every `sayEveryMs`.
   */
  slack: {
    claimed: number;
    outageMs: number;
    limitedMs: number;
    retryAfterSec: number;
    calmMs: number;
    sayEveryMs: [number, number];
  };
  /** How long the end waits for the backlog to drain and the sends to stop. */
  settleMs: number;
  /** Where to write the figures as JSON, if anywhere. */
  json: string | undefined;
  /** Keep the run's folder (logs, Redis's append-only file) instead of deleting it. */
  keep: boolean;
}

const FULL: Omit<Plan, 'quick' | 'seed' | 'json' | 'keep'> = {
  chats: 200,
  thinkMs: [8_000, 16_000],
  kills: { durationMs: 120_000, everyMs: [4_000, 8_000], overlap: false },
  storm: { updates: 500, copies: 10, thinkMs: [4_000, 8_000] },
  redis: { durationMs: 60_000, killAtMs: 20_000, downMs: 5_000 },
  slack: {
    claimed: 40,
    outageMs: 30_000,
    limitedMs: 30_000,
    retryAfterSec: 5,
    calmMs: 20_000,
    sayEveryMs: [4_000, 8_000],
  },
  settleMs: 120_000,
};

const QUICK: typeof FULL = {
  chats: 40,
  thinkMs: [3_000, 6_000],
  kills: { durationMs: 20_000, everyMs: [4_000, 8_000], overlap: false },
  storm: { updates: 100, copies: 10, thinkMs: [1_000, 2_000] },
  redis: { durationMs: 12_000, killAtMs: 4_000, downMs: 3_000 },
  slack: { claimed: 8, outageMs: 8_000, limitedMs: 6_000, retryAfterSec: 2, calmMs: 4_000, sayEveryMs: [2_000, 3_000] },
  settleMs: 60_000,
};

export const USAGE = `Usage: npm run chaos [-- --quick] [--json FILE] [--seed N] [--chats N] [--overlap] [--keep]
  Runs two replicas of the bot against its own Redis (append-only), a PostgreSQL database of its
  own and local stand-ins of Telegram's and Slack's APIs, through four phases: replicas killed
  (kill -9), a duplicate storm, a Redis crash, a Slack outage; then prints, per phase, what
  customers were sent against what the record says the bot told them.
  --quick   shorter phases (about a minute and a half in all)
  --json    also write the figures to FILE
  --seed    the random choices' seed (default: the time), to repeat a run
  --chats   private chats talking at once (200; 40 with --quick)
  --overlap in phase 1, kill the last replica serving too (by default a kill waits until the
            one killed before serves again)
  --keep    keep the run's folder (replica logs, Redis's files); it is kept anyway when the run fails`;

/** The plan from the command line; a string says what is wrong with it ('' for --help). */
export function planOf(argv: string[]): Plan | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        quick: { type: 'boolean', default: false },
        json: { type: 'string' },
        seed: { type: 'string' },
        chats: { type: 'string' },
        keep: { type: 'boolean', default: false },
        overlap: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowPositionals: false,
    });
  } catch (err) {
    return (err as Error).message;
  }
  const { values } = parsed;
  if (values.help) return '';
  const base = values.quick ? QUICK : FULL;
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0) return `--seed takes a whole number (got "${values.seed}")`;
  const chats = values.chats === undefined ? base.chats : Number(values.chats);
  if (!Number.isInteger(chats) || chats < 2 || chats > 5_000)
    return `--chats takes a whole number from 2 to 5000 (got "${values.chats}")`;
  const claimed = Math.min(base.slack.claimed, Math.max(1, Math.floor(chats / 5)));
  return {
    ...base,
    chats,
    slack: { ...base.slack, claimed },
    quick: values.quick,
    seed,
    json: values.json,
    keep: values.keep,
  };
}
