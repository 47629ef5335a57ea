import { randomBytes } from 'node:crypto';
import type { TelegramMode } from '../../adapters/telegram/index.js';
import type { Config } from '../config.js';
import { ConfigError, ServiceBotError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { Metrics } from '../metrics.js';
import type { Route } from '../ports.js';
import { every } from './every.js';
import { createHttpServer } from './http.js';
import { operatorRoutes } from './operator.js';
import { createRuntime, hasSlack, productionEdges, type Runtime } from './runtime.js';
import { firstStopSignal, shutdownBudget, stopWithin } from './shutdown.js';

/**
 * Production: the Telegram channel, by webhook when PUBLIC_URL is set (long polling otherwise),
 * with Slack as the desk when configured. Runs until SIGTERM or SIGINT, then stops taking work
 * (the port still answers, with 503 and `stopping`), lets the turns in flight finish for their
 * share of SHUTDOWN_TIMEOUT_MS, hands back the conversations still held (another replica takes
 * them at once), closes the port and the store, resolves 0, and ends the process at once, all
 * within SHUTDOWN_TIMEOUT_MS of the signal (shutdownBudget).
 */
export async function serve(config: Config, token: string, flowsDir: string | undefined): Promise<number> {
  const log = createLogger(config.LOG_LEVEL);
  const clock = Date.now;
  const mode = telegramMode(config, log);
  // The process's metrics: the runtime's counts, and the process's own (CPU, memory, event loop).
  const metrics = new Metrics();
  metrics.watchProcess();
  // Customers are answered while the record opens (PGlite's start, a server's migrations): its writes wait for it.
  const runtime = await createRuntime(
    { config, log, clock, flowsDir, desk: hasSlack(config), metrics, answerWhileRecordOpens: true },
    productionEdges(config, { token, mode }, log, clock),
  );
  warnOfMissingParts(config, runtime, log);

  const stopTimers = every(1_000, () => runtime.poller.tick(), 'timer tick', log);
  const stopSweep = every(5_000, () => runtime.engine.recover(), 'recovery sweep', log);
  const stopUpkeep = every(5_000, () => runtime.upkeep(), 'record upkeep', log);
  const stopWatch = runtime.flows.follow();
  // The web console under /console, when there is a system of record to keep its accounts (issue 15).
  const record = runtime.record;
  // Loaded only when it is on (hono and its pages: no record, no console).
  const consoleApp = record ? await import('./console.js') : undefined;
  const web =
    record && consoleApp
      ? await consoleApp.openConsole({
          config,
          log,
          clock,
          record,
          store: runtime.store,
          flows: runtime.flows,
          flowSignal: runtime.flowSignal,
        })
      : undefined;
  // One HTTP server for every receiver's routes (Telegram's webhook, Slack's events), the console,
  // and the operator's /metrics and /readyz: it listens on PORT in every mode.
  const routes = appRoutes(runtime, web?.route);
  const http = createHttpServer({ routes, log });
  // Stops taking work while the port still answers (/healthz `stopping`, /readyz and the webhooks
  // 503, so balancers route elsewhere and the platforms redeliver), then waits for what is in flight.
  const stopTaking = async () => {
    stopWatch();
    http?.drain();
    const loops = Promise.all([stopTimers(), stopSweep(), stopUpkeep()]);
    // Every receiver refuses at once (each answers 503 from its first step), then each waits for its turns.
    await Promise.all(runtime.receivers.map((receiver) => receiver.stop()));
    await loops;
  };
  // The port first, so no request reaches a closed store; then the console's and the runtime's connections.
  const closeAll = async (graceMs: number) => {
    await http?.close(graceMs);
    await web?.close();
    await runtime.close();
  };
  const startAll = async () => {
    if (http) {
      await http.listen(config.PORT).catch((err: unknown) => {
        throw (err as NodeJS.ErrnoException).code === 'EADDRINUSE'
          ? new ConfigError([`PORT: ${config.PORT} is already in use by another process; choose a free port`])
          : err;
      });
      // Every path served, the server's own /healthz too (the routes alone left it out).
      log.info('listening', { port: config.PORT, routes: http.paths });
    }
    for (const receiver of runtime.receivers) await receiver.start();
    // Not awaited: the first account's scrypt hash must delay neither customers nor the signal handlers below.
    if (record && web && consoleApp) {
      const url = `${config.PUBLIC_URL?.replace(/\/$/, '') ?? `http://localhost:${config.PORT}`}/console`;
      void consoleApp.firstAccount(record, clock).then(
        (password) => process.stdout.write(consoleApp.consoleBanner(url, password)),
        (err: unknown) => log.warn('the console could not check for a first account', { error: String(err) }),
      );
    }
  };
  // A port in use, a receiver that cannot start (a token Telegram refuses, or a minute of Telegram
  // failing) or a record that cannot be opened (a refused login, a failed migration: it opens while
  // customers are answered, and may fail during the start or after it) must not leave the rest
  // running: the bot stops with why, as one JSON error line like the rest of its log, exit 1.
  const failed = async (err: unknown): Promise<number> => {
    await stopTaking()
      .then(() => closeAll(0))
      .catch((e: unknown) => log.error('shutdown after a failed start failed too', { error: String(e) }));
    if (!(err instanceof ServiceBotError)) throw err;
    log.error(err.message, { code: err.code });
    return 1;
  };
  const recordFailed = runtime.recordOpened.then(() => new Promise<never>(() => {}));
  const starting = startAll();
  starting.catch(() => {}); // when the record's failure came first
  const startFailed = await Promise.race([starting, recordFailed]).then(() => undefined, failed);
  if (startFailed !== undefined) return startFailed;

  // A signal during start-up ends the process at once (nothing is lost: what was accepted is in the store).
  const signal = await Promise.race([firstStopSignal(log), recordFailed]).catch(failed);
  if (typeof signal === 'number') return signal;
  const boundMs = config.SHUTDOWN_TIMEOUT_MS;
  log.info('shutting down: no new updates, finishing the ones in flight', {
    signal,
    pid: process.pid,
    boundMs,
    ...shutdownBudget(boundMs),
  });
  const stopped = await stopWithin({
    stop: stopTaking,
    release: () => runtime.engine.release(),
    close: closeAll,
    boundMs,
    log,
  });
  log.info('stopped', { ...stopped });
  // The bound includes the process's end: what was abandoned (a send that never returns) must not
  // hold it open (main's grace for other commands). This runs after main has set the exit code.
  setTimeout(() => process.exit(), 0).unref();
  return 0;
}

/** Everything the app's one HTTP server mounts: the receivers' routes, the console's, the operator's. */
export function appRoutes(runtime: Pick<Runtime, 'receivers' | 'metrics' | 'checks'>, consoleRoute?: Route): Route[] {
  return [
    ...runtime.receivers.flatMap((r) => r.routes ?? []),
    ...(consoleRoute ? [consoleRoute] : []),
    ...operatorRoutes({ metrics: runtime.metrics, checks: runtime.checks }),
  ];
}

/** What production should have and this process lacks: Redis, the desk. */
function warnOfMissingParts(config: Config, runtime: Pick<Runtime, 'storeKind'>, log: Logger): void {
  if (runtime.storeKind === 'memory')
    log.warn(
      'REDIS_URL is not set: conversations live in this process only and are lost on restart. Set REDIS_URL in production.',
    );
  if (!hasSlack(config))
    log.warn(
      'Slack is not configured: customers who ask for a person are told no agent can join. Set SLACK_BOT_TOKEN and friends.',
    );
}

/** Webhook when there is a public address; a secret is generated when none is set, with a warning. */
function telegramMode(config: Config, log: Logger): TelegramMode {
  if (!config.PUBLIC_URL) return { kind: 'polling' };
  let secret = config.TELEGRAM_WEBHOOK_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('hex');
    log.warn(
      'TELEGRAM_WEBHOOK_SECRET is not set; generated one for this run. Set it so restarts and replicas share it.',
      {
        TELEGRAM_WEBHOOK_SECRET: secret,
      },
    );
  }
  return { kind: 'webhook', publicUrl: config.PUBLIC_URL, secret };
}
