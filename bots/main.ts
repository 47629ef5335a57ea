import { randomBytes } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PlaygroundDesk } from '../adapters/playground/desk.js';
import { deskText, type DeskText } from '../adapters/desk/text.js';
import { PLAYGROUND_CHANNEL, PlaygroundChannel, PlaygroundSession } from '../adapters/playground/playground.js';
import { createSlack } from '../adapters/slack/index.js';
import { createTelegram } from '../adapters/telegram/index.js';
import { createHttpServer } from './app/http.js';
import { TELEGRAM_CHANNEL } from '../adapters/telegram/updates.js';
import { createRuntime } from './app.js';
import { parseConfig, type Config } from './config.js';
import { RedisStore } from '../adapters/store/redis.js';
import { TicketStatus } from '../flows/ticket.js';
import { isSupportedLocale, SUPPORTED_LOCALES, SUPPORTED_LOCALES_TEXT } from '../flows/locales.js';
import { ServiceBotError } from './errors.js';
import type { TicketStore } from './ports.js';
import { checkDefinitions, DEFAULT_FLOWS_DIR, type FlowRegistry } from './flows-registry.js';
import { createLogger } from './log.js';

const USAGE = `Usage:
  npm start [-- --lang ${SUPPORTED_LOCALES.join('|')}] [--flows DIR] [--at TIME]
                                                  chat with the bot in the local playground
                                                  (--at 2026-10-01T09:30:00+08:00 sets its clock)
                                                  (runs the Telegram channel when TELEGRAM_BOT_TOKEN is set)
  npm run flows:check [-- DIR]                    validate flow definitions and list every problem
  npm run tickets [-- --status S] [--limit N]     list recorded tickets, newest first (needs REDIS_URL)
  npm run tickets -- resolve ID [--note TEXT]     mark a ticket resolved (a person dealt with it): its
                                                  promised reply time then passes without a follow-up
Environment: see README.md, "Configuration".`;

/** Entry point: parses arguments and environment once, then runs the playground or a tool. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      lang: { type: 'string' },
      flows: { type: 'string' },
      at: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      note: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.lang !== undefined && !isSupportedLocale(values.lang)) {
    process.stderr.write(`--lang must be ${SUPPORTED_LOCALES_TEXT} (got "${values.lang}")\n`);
    return 2;
  }
  const config = parseConfig(env);

  if (positionals[0] === 'flows' && positionals[1] === 'check') {
    const dir = positionals[2] ?? values.flows ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
    const result = await checkDefinitions(dir, config.DEFAULT_LOCALE);
    if (result.ok) {
      process.stdout.write(`OK: ${result.files.join(', ')} (version ${result.version})\n`);
      return 0;
    }
    process.stdout.write(`Invalid flow definitions in ${dir}:\n${result.problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`).join('\n')}\n`);
    return 1;
  }
  if (positionals[0] === 'tickets' && positionals[1] === 'resolve') return resolveTicket(config, positionals[2], values.note);
  if (positionals[0] === 'tickets' && positionals.length === 1) return tickets(config, values.status, values.limit);
  if (positionals.length > 0) {
    process.stderr.write(`Unknown command: ${positionals.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  if (config.TELEGRAM_BOT_TOKEN) return telegram(config, config.TELEGRAM_BOT_TOKEN, values.flows);
  let startAt: number | undefined;
  if (values.at !== undefined) {
    startAt = Date.parse(values.at);
    if (Number.isNaN(startAt)) {
      process.stderr.write(`--at must be a date and time, e.g. 2026-10-01T09:30:00+08:00 (got "${values.at}")\n`);
      return 2;
    }
  }
  return playground(config, values.lang, values.flows, startAt);
}

/** Production: the Telegram channel, by webhook when PUBLIC_URL is set, by long polling otherwise. */
async function telegram(config: Config, token: string, flowsDir: string | undefined): Promise<number> {
  const log = createLogger(config.LOG_LEVEL);
  const clock = Date.now;
  let secret = config.TELEGRAM_WEBHOOK_SECRET;
  if (config.PUBLIC_URL && !secret) {
    secret = randomBytes(32).toString('hex');
    log.warn('TELEGRAM_WEBHOOK_SECRET is not set; generated one for this run. Set it so restarts and replicas share it.', { TELEGRAM_WEBHOOK_SECRET: secret });
  }
  const webhook = Boolean(config.PUBLIC_URL && secret);
  const slackHttp = Boolean(config.SLACK_BOT_TOKEN && !config.SLACK_APP_TOKEN);
  // One HTTP server for Telegram's webhook and Slack's events, when either needs one.
  const serve = webhook || slackHttp;
  const telegram = createTelegram({
    token,
    apiRoot: config.TELEGRAM_API_ROOT,
    mode: webhook && secret && config.PUBLIC_URL ? { kind: 'webhook', publicUrl: config.PUBLIC_URL, secret } : { kind: 'polling' },
    allowGroups: config.TELEGRAM_GROUPS === 'answer',
    throttle: true,
  }, {
    // Shared by every replica on the same Redis (read when a message goes out, after start-up).
    rates: { take: (key, perSecond, now) => runtime.store.rates.take(key, perSecond, now) },
    log,
    clock,
  });
  const slack =
    config.SLACK_BOT_TOKEN && config.SLACK_AGENT_CHANNEL
      ? createSlack({
          botToken: config.SLACK_BOT_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          appToken: config.SLACK_APP_TOKEN,
          apiUrl: config.SLACK_API_URL,
          agentChannel: config.SLACK_AGENT_CHANNEL,
          supervisorGroup: config.SLACK_SUPERVISOR_GROUP,
          internalPrefix: config.SLACK_INTERNAL_PREFIX,
          deskText: deskWords(config.DESK_LANGUAGE ?? config.DEFAULT_LOCALE, () => runtime.flows),
          // Read when a card is posted, so an edited definition applies without a restart.
          categoryChannels: () => {
            const bundle = runtime.flows.current().bundle;
            return bundle.locales.get(bundle.defaultLocale)?.definition.handoff.categoryChannels ?? {};
          },
        }, {
          links: { get: async (k) => runtime.store.links.get(k), set: async (k, v) => runtime.store.links.set(k, v) },
          log,
          clock,
        })
      : undefined;
  const runtime = await createRuntime({ config, log, clock, channels: new Map([[TELEGRAM_CHANNEL, telegram.channel]]), desk: slack?.desk, flowsDir });
  if (runtime.storeKind === 'memory') log.warn('REDIS_URL is not set: conversations live in this process only and are lost on restart. Set REDIS_URL in production.');
  if (!slack) log.warn('Slack is not configured: customers who ask for a person are told no agent can join. Set SLACK_BOT_TOKEN and friends.');
  const service = telegram.receiver(runtime.engine);
  const slackReceiver = slack?.receiver(runtime.engine);
  const every = (ms: number, work: () => Promise<unknown>, what: string) => {
    const t = setInterval(() => void work().catch((err: unknown) => log.error(`${what} failed`, { error: String(err) })), ms);
    return () => clearInterval(t);
  };
  const stopTimers = every(1_000, () => runtime.poller.tick(), 'timer tick');
  const stopSweep = every(5_000, () => runtime.engine.recover(), 'recovery sweep');
  const stopWatch = runtime.flows.watch();
  const server = serve ? createHttpServer({ routes: [...(service.routes ?? []), ...(slackReceiver?.routes ?? [])], log }) : undefined;
  if (server) {
    await server.listen(config.PORT);
    log.info('listening', { port: config.PORT, telegramWebhook: webhook, slackEvents: slackHttp });
  }
  await service.start();
  await slackReceiver?.start();
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      log.info('shutting down: no new updates, finishing the ones in flight', { signal });
      resolve();
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  stopTimers();
  stopSweep();
  stopWatch();
  await server?.close();
  await slackReceiver?.stop();
  await service.stop();
  await runtime.close();
  log.info('stopped');
  return 0;
}

/**
 * Marks a ticket resolved from outside a conversation (the matter was settled by phone, by
 * e-mail…), so a promised reply time that passes later sends no follow-up.
 */
async function resolveTicket(config: Config, id: string | undefined, note: string | undefined): Promise<number> {
  if (!id) {
    process.stderr.write('Which ticket? npm run tickets -- resolve T261123-ABCDEFGHIJ [--note "refunded by phone"]\n');
    return 2;
  }
  return withTickets(config, async (tickets) => {
    const before = await tickets.get(id);
    if (!before) {
      process.stderr.write(`No ticket ${id}.\n`);
      return 1;
    }
    if (before.status === 'resolved') {
      process.stdout.write(`${id} was already resolved\n`);
      return 0;
    }
    await tickets.update(id, { status: 'resolved', outcome: note ? `resolved by staff: ${note}` : 'resolved by staff' }, Date.now());
    process.stdout.write(`${id} resolved (was ${before.status})\n`);
    return 0;
  });
}

/** Runs a ticket command against the production store, which it needs (tickets live in Redis). */
async function withTickets(config: Config, work: (tickets: TicketStore) => Promise<number>): Promise<number> {
  if (!config.REDIS_URL) {
    process.stderr.write('Tickets are kept in Redis: set REDIS_URL. (The playground without Redis keeps them in memory; use /tickets there.)\n');
    return 2;
  }
  const store = await RedisStore.connect({ url: config.REDIS_URL, prefix: config.REDIS_PREFIX });
  try {
    return await work(store.tickets);
  } finally {
    await store.close();
  }
}

/**
 * The desk's words, naming complaint categories from the definition in the desk's language (read
 * when a card is shown, so an edited definition applies at once).
 */
function deskWords(language: string, flows: () => FlowRegistry): DeskText {
  return deskText(language, (id) => {
    const bundle = flows().current().bundle;
    const def = (bundle.locales.get(language) ?? bundle.locales.get(bundle.defaultLocale))?.definition;
    return def?.complaints.categories.find((c) => c.id === id)?.name;
  });
}

/** Lists tickets from the production store, one line each, newest first. */
async function tickets(config: Config, status: string | undefined, limit: string | undefined): Promise<number> {
  const parsedStatus = status === undefined ? undefined : TicketStatus.safeParse(status);
  if (parsedStatus && !parsedStatus.success) {
    process.stderr.write(`--status must be one of ${TicketStatus.options.join(', ')} (got "${status}")\n`);
    return 2;
  }
  const n = limit === undefined ? 50 : Number(limit);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) {
    process.stderr.write(`--limit must be a whole number from 1 to 10000 (got "${limit}")\n`);
    return 2;
  }
  return withTickets(config, async (store) => {
    const list = await store.list({ ...(parsedStatus?.data ? { status: parsedStatus.data } : {}), limit: n });
    for (const t of list) {
      const when = new Date(t.createdAt).toISOString();
      const score = t.satisfaction !== undefined ? ` satisfaction=${t.satisfaction}` : '';
      const promised = t.promisedBy !== undefined ? ` promisedBy=${new Date(t.promisedBy).toISOString()}` : '';
      process.stdout.write(`${t.id} ${when} ${t.type} ${t.status} ${t.channel} customer=${t.customer.id} need=${JSON.stringify(t.need)}${score}${promised}\n`);
    }
    if (list.length === 0) process.stdout.write('no tickets\n');
    return 0;
  });
}

async function playground(config: Config, lang: string | undefined, flowsDir: string | undefined, startAt: number | undefined): Promise<number> {
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
  // The conversation owns stdout; logs go to stderr, and only warnings unless asked for more.
  const log = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn');
  // --at sets the playground's clock (to try holiday greetings or business hours); /wait moves it on.
  let offset = startAt === undefined ? 0 : startAt - Date.now();
  const clock = { now: () => Date.now() + offset, advance: (ms: number) => void (offset += ms) };
  const channel = new PlaygroundChannel(print);
  const runtime = await createRuntime({ config, log, clock: clock.now, channels: new Map([[PLAYGROUND_CHANNEL, channel]]), desk: new PlaygroundDesk(print, deskWords(config.DESK_LANGUAGE ?? lang ?? config.DEFAULT_LOCALE, () => runtime.flows)), flowsDir });
  const session = new PlaygroundSession({ engine: runtime.engine, channel, tickets: runtime.store.tickets, poller: runtime.poller, clock, print, localeHint: lang });

  let stopTimers = () => {};
  let stopWatch = () => {};
  if (interactive) {
    print(`Playground: you are the customer (store: ${runtime.storeKind}, flows ${runtime.flows.version}). Type /? for commands.`);
    const interval = setInterval(() => void runtime.poller.tick().catch((err: unknown) => log.error('timer tick failed', { error: String(err) })), 1_000);
    stopTimers = () => clearInterval(interval);
    stopWatch = runtime.flows.watch();
  }
  // Created only now, right before it is read: lines piped in while the runtime started must
  // not be emitted before anyone listens.
  rl = createInterface({ input: process.stdin, ...(interactive ? { output: process.stdout, prompt: 'you> ', terminal: true } : { terminal: false }) });
  const lines = rl;
  const stop = async () => {
    stopTimers();
    stopWatch();
    lines.close();
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

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ServiceBotError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

