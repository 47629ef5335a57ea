import { randomBytes } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import { PlaygroundDesk } from '../../adapters/playground/desk.js';
import { PLAYGROUND_CHANNEL, PlaygroundChannel } from '../../adapters/playground/channel.js';
import { PlaygroundSession, type PlaygroundClock } from '../../adapters/playground/session.js';
import type { Config } from '../config.js';
import { createLogger, readableLogLine, type Logger } from '../log.js';
import { playgroundConsole } from './console.js';
import { every } from './every.js';
import { createRuntime, deskWords, type Runtime } from './runtime.js';

export interface PlaygroundParts {
  config: Config;
  /** `--lang`: the customer's locale hint, and the desk's language unless DESK_LANGUAGE says otherwise. */
  lang: string | undefined;
  /** `--flows` */
  flowsDir: string | undefined;
  clock: PlaygroundClock;
  print: (line: string) => void;
  log: Logger;
}

/**
 * At the end of a run: record writes the database did not take (it was down) are applied now if it
 * answers again; otherwise the log says what becomes of them: kept in Redis for the next run, or,
 * with the store in memory, lost with this run (an error, with how many).
 */
export async function recordLeftBehind(runtime: Runtime, log: Logger): Promise<void> {
  await runtime.upkeep().catch(() => {});
  const waiting = await runtime.store.deferred.size().catch(() => 0);
  if (waiting === 0) return;
  if (runtime.storeKind === 'memory')
    log.error('record writes the database did not take are lost with this run (the store is in memory)', {
      waiting,
      what: 'set REDIS_URL to keep them until the database answers',
    });
  else log.warn('record writes wait in Redis until the database answers; the next run applies them', { waiting });
}

/** The playground's runtime and session: the production runtime with the terminal's channel and desk. */
export async function createPlayground(
  parts: PlaygroundParts,
): Promise<{ runtime: Runtime; session: PlaygroundSession }> {
  const { config, lang, flowsDir, clock, print, log } = parts;
  const channel = new PlaygroundChannel(print);
  let desk: PlaygroundDesk | undefined;
  const runtime = await createRuntime({ config, log, clock: clock.now, flowsDir, desk: true }, ({ flows }) => {
    desk = new PlaygroundDesk(print, deskWords(config.DESK_LANGUAGE ?? lang ?? config.DEFAULT_LOCALE, flows), () => {
      // Promised times and ticket dates, in the default definition's time zone (as on Slack).
      const bundle = flows.current().bundle;
      return bundle.locales.get(bundle.defaultLocale)?.definition.timeZone ?? 'UTC';
    });
    return { channels: new Map([[PLAYGROUND_CHANNEL, channel]]), desk };
  });
  const session = new PlaygroundSession({
    engine: runtime.engine,
    upkeep: runtime.upkeep,
    // On Redis a run resumes the conversation; in memory each run is a new one, and with a system
    // of record that outlives the run its tickets must not take the numbers of an earlier run's.
    ...(runtime.storeKind === 'memory' && runtime.record
      ? { conversationId: `playground:${clock.now().toString(36)}-${randomBytes(3).toString('hex')}` }
      : {}),
    channel,
    tickets: runtime.store.tickets,
    poller: runtime.poller,
    clock,
    print,
    localeHint: lang,
    desk,
  });
  return { runtime, session };
}

/**
 * The local playground: you are the customer at the terminal, and also the agent (/agent), on
 * the same runtime as production with the playground's channel and desk. Lines can be piped in
 * (tests, demos); then it answers them all and exits.
 */
export async function playground(
  config: Config,
  lang: string | undefined,
  flowsDir: string | undefined,
  startAt: number | undefined,
): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  let rl: Interface | undefined;
  let waiting = false;
  // A reply can arrive while the prompt is showing (an idle timer fires): clear the prompt line,
  // print, and draw the prompt again.
  const print = (line: string) => {
    if (interactive && waiting) process.stdout.write('\r\x1b[K');
    process.stdout.write(`${line}\n`);
    if (interactive && waiting) rl?.prompt(true);
  };
  // The conversation owns stdout; logs go to stderr, and only warnings unless asked for more, as
  // short lines a person reads beside the conversation (LOG_FORMAT=json: the server's JSON lines).
  const toStderr = (line: string) => {
    if (interactive && waiting) process.stderr.write('\r\x1b[K');
    process.stderr.write(`${config.LOG_FORMAT === 'json' ? line : readableLogLine(line)}\n`);
    if (interactive && waiting) rl?.prompt(true);
  };
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn', toStderr);
  // --at sets the playground's clock (to try holiday greetings or business hours); /wait moves it on.
  let offset = startAt === undefined ? 0 : startAt - Date.now();
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const { runtime, session } = await createPlayground({ config, lang, flowsDir, clock, print, log });

  let stopTimers = async () => {};
  let stopSweep = async () => {};
  let stopWatch = () => {};
  let stopConsole = async () => {};
  if (interactive) {
    const published = runtime.flows.published();
    print(
      `Playground: you are the customer (store: ${runtime.storeKind}, flows ${published ? `v${published.id} ` : ''}${runtime.flows.version}). Type /? for commands.`,
    );
    stopTimers = every(1_000, () => runtime.poller.tick(), 'timer tick', log);
    // Work queued from outside (`npm run tickets -- resolve`) shows within seconds, as on the
    // server; a piped run sweeps only before each line and at /wait, so it stays deterministic.
    stopSweep = every(3_000, () => session.sweep(), 'recovery sweep', log);
    stopWatch = runtime.flows.follow();
    // The web console on this machine (issue 15); its address is printed. Only at a terminal: a
    // piped run (tests, demos) stays a transcript that depends on its input alone and ends with it,
    // and must not make the first account with a one-time password nobody reads (the next start at
    // a terminal would then print none). test/console/playground.test.ts opens it as here.
    stopConsole = await playgroundConsole({ config, log, clock: clock.now, ...runtime }, print);
  }
  // Created only now, right before it is read: lines piped in while the runtime started must
  // not be emitted before anyone listens.
  rl = createInterface({
    input: process.stdin,
    ...(interactive ? { output: process.stdout, prompt: 'you> ', terminal: true } : { terminal: false }),
  });
  const lines = rl;
  const stop = async () => {
    await stopTimers();
    await stopSweep();
    stopWatch();
    await stopConsole();
    lines.close();
    // A turn cut short by a signal hands its conversation back now, not at its lock's TTL: the next
    // run (or a bot on the same Redis) takes the message up at once (found by the issue-17 trial).
    await runtime.engine.release();
    await recordLeftBehind(runtime, log);
    await runtime.close();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));

  const ask = () => {
    if (!interactive) return;
    waiting = true;
    lines.prompt();
  };
  ask();
  for await (const line of lines) {
    waiting = false;
    if (!(await session.line(line))) break;
    ask();
  }
  if (!interactive) await session.settle();
  await stop();
  return 0;
}
