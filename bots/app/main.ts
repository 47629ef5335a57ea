import { parseArgs } from 'node:util';
import { isSupportedLocale, SUPPORTED_LOCALES, SUPPORTED_LOCALES_TEXT } from '../../flows/locales.js';
import { parseConfig } from '../config.js';
import { ServiceBotError } from '../errors.js';
import { DEFAULT_FLOWS_DIR } from '../flows-registry.js';
import { flowsCheck } from './flows-check.js';
import { DEFAULT_CORPUS_DIR, flowsTest } from './flows-test.js';
import { playground } from './playground.js';
import { serve } from './serve.js';
import { listTickets, resolveTicket } from './tickets.js';
import { listUnanswered } from './unanswered.js';

const USAGE = `Usage:
  npm start [-- --lang ${SUPPORTED_LOCALES.join('|')}] [--flows DIR] [--at TIME]
                                                  chat with the bot in the local playground
                                                  (--at 2026-10-01T09:30:00+08:00 sets its clock)
                                                  (runs the Telegram channel when TELEGRAM_BOT_TOKEN is set)
  npm run flows:check [-- DIR]                    validate flow definitions and list every problem
  npm run flows:test [-- --flows DIR] [--corpus DIR] [--min-accuracy 0.95] [--max-wrong-topic 0]
                    [--min-caught 0.95] [--max-false-alarms 0.02]
                                                  score how well the definitions understand the corpus
  npm run tickets [-- --status S] [--limit N]     list recorded tickets, newest first (needs REDIS_URL)
  npm run tickets -- resolve ID [--note TEXT]     mark a ticket resolved (a person dealt with it): its
                                                  promised reply time then passes without a follow-up
  npm run unanswered [-- --locale L] [--sort count|recent] [--limit N]
                                                  what customers asked that the knowledge base could not
                                                  answer, most asked (or most recent) first (needs REDIS_URL)
Environment: see README.md, "Configuration".`;

const OPTIONS = {
  lang: { type: 'string' },
  flows: { type: 'string' },
  corpus: { type: 'string' },
  'min-accuracy': { type: 'string' },
  'max-wrong-topic': { type: 'string' },
  'min-caught': { type: 'string' },
  'max-false-alarms': { type: 'string' },
  at: { type: 'string' },
  status: { type: 'string' },
  limit: { type: 'string' },
  note: { type: 'string' },
  locale: { type: 'string' },
  sort: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The command line, or what is wrong with it in words (an unknown flag, a flag without its value). */
function parseArguments(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    return { problem: err instanceof Error ? err.message : String(err) };
  }
}

/** Entry point: parses arguments and environment once, then hands over to one command. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseArguments(argv);
  if ('problem' in parsed) {
    process.stderr.write(`${parsed.problem}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.lang !== undefined && !isSupportedLocale(values.lang)) {
    process.stderr.write(`--lang must be ${SUPPORTED_LOCALES_TEXT} (got "${values.lang}")\n`);
    return 2;
  }
  const config = parseConfig(env);

  if (positionals[0] === 'flows' && positionals[1] === 'test') {
    const minAccuracy = share(values['min-accuracy'], 0.95);
    const maxWrongTopic = share(values['max-wrong-topic'], 0);
    const minCaught = share(values['min-caught'], 0.95);
    const maxFalseAlarms = share(values['max-false-alarms'], 0.02);
    if (
      minAccuracy === undefined ||
      maxWrongTopic === undefined ||
      minCaught === undefined ||
      maxFalseAlarms === undefined
    ) {
      process.stderr.write(
        '--min-accuracy, --max-wrong-topic, --min-caught and --max-false-alarms take a share from 0 to 1, e.g. 0.95\n',
      );
      return 2;
    }
    const flowsDir = values.flows ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
    return flowsTest(flowsDir, values.corpus ?? DEFAULT_CORPUS_DIR, config.DEFAULT_LOCALE, {
      minAccuracy,
      maxWrongTopic,
      minCaught,
      maxFalseAlarms,
    });
  }
  if (positionals[0] === 'flows' && positionals[1] === 'check')
    return flowsCheck(positionals[2] ?? values.flows ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR, config.DEFAULT_LOCALE);
  if (positionals[0] === 'tickets' && positionals[1] === 'resolve')
    return resolveTicket(config, positionals[2], values.note);
  if (positionals[0] === 'tickets' && positionals.length === 1) return listTickets(config, values.status, values.limit);
  if (positionals[0] === 'unanswered' && positionals.length === 1)
    return listUnanswered(config, { locale: values.locale, limit: values.limit, sort: values.sort });
  if (positionals.length > 0) {
    process.stderr.write(`Unknown command: ${positionals.join(' ')}\n${USAGE}\n`);
    return 2;
  }
  if (config.TELEGRAM_BOT_TOKEN) return serve(config, config.TELEGRAM_BOT_TOKEN, values.flows);
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

/** A share from 0 to 1 given on the command line, or the default; undefined when it is not one. */
function share(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}
