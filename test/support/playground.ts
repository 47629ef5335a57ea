import { createPlayground, recordLeftBehind } from '../../bots/app/playground.js';
import { parseConfig } from '../../bots/config.js';
import { createLogger } from '../../bots/log.js';
import type { SupportedLocale } from '../../flows/locales.js';

/**
 * The playground command (`npm start` without a Telegram token) built in this process, so its
 * suite drives the real wiring in milliseconds instead of a process spawn per test. It mirrors
 * the playground command for a scripted (non-TTY) run, through the same `createPlayground`; the
 * one difference is the clock, which stands still at `--at` and moves only on `/wait`, so runs are
 * deterministic.
 */

/** A Monday afternoon in Shanghai, within business hours: the clock unless a run sets `at`. */
export const MONDAY_AFTERNOON = '2026-11-23T15:00:00+08:00';

export interface PlaygroundOptions {
  /** `--lang` */
  lang?: SupportedLocale;
  /** `--flows` */
  flows?: string;
  /** `--at`: when the playground's clock starts. */
  at?: string;
  /** The process environment the command would see (only this: never the test runner's). */
  env?: Record<string, string>;
}

export interface PlaygroundRun {
  /** What the terminal shows, one line per element (multi-line prints are split, as on stdout). */
  out: string[];
  /** Log lines (stderr in the real command). */
  log: string[];
}

/** A playground kept open, to be fed line by line while the test does something else between lines. */
export interface OpenPlayground extends PlaygroundRun {
  /** Feeds one typed line; false when it asked to leave. */
  line(text: string): Promise<boolean>;
  /** Ends as a scripted run does: short pauses are let happen (`settle`), then the runtime closes. */
  close(): Promise<void>;
}

/** A fresh playground, as the command builds it for a scripted (non-TTY) run. */
export async function openPlayground(options: PlaygroundOptions = {}): Promise<OpenPlayground> {
  // The conversation tests run without the system of record (PGlite costs seconds per start);
  // test/adapters/record-wiring.test.ts runs the playground with it.
  const env: Record<string, string> = { RECORD_STORE: 'off', ...options.env };
  const config = parseConfig(env);
  const out: string[] = [];
  const log: string[] = [];
  const print = (line: string) => void out.push(...line.split('\n'));
  const logger = createLogger(env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', (line) => void log.push(line));
  let now = Date.parse(options.at ?? MONDAY_AFTERNOON);
  if (Number.isNaN(now)) throw new Error(`--at must be a date and time (got "${options.at}")`);
  const clock = { now: () => now, advance: (ms: number) => void (now += ms) };
  const { runtime, session } = await createPlayground({
    config,
    lang: options.lang,
    flowsDir: options.flows,
    clock,
    print,
    log: logger,
  });
  return {
    out,
    log,
    line: (text) => session.line(text),
    close: async () => {
      try {
        await session.settle();
        await recordLeftBehind(runtime, logger);
      } finally {
        await runtime.close();
      }
    },
  };
}

/**
 * Feeds `script` (lines separated by "\n", as piped to stdin) to a fresh playground and returns
 * what it printed. Ends as a scripted run does: on /quit or the last line, short pauses are let
 * happen (`settle`), then the runtime closes. Rejects where the command would exit non-zero.
 */
export async function runPlayground(script: string, options: PlaygroundOptions = {}): Promise<PlaygroundRun> {
  const pg = await openPlayground(options);
  try {
    for (const line of script.split(/\r?\n/)) {
      if (!(await pg.line(line))) break;
    }
  } finally {
    await pg.close();
  }
  return { out: pg.out, log: pg.log };
}
