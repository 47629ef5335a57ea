import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isSupportedLocale, SUPPORTED_LOCALES, SUPPORTED_LOCALES_TEXT } from '../../flows/locales.js';
import { cleanText } from '../../flows/text.js';
import { parseConfig } from '../config.js';
import { ServiceBotError } from '../errors.js';
import { DEFAULT_FLOWS_DIR } from '../flow-files.js';
import { type CommandSpec, parseCommandLine } from './args.js';
import type { FlowsCommand } from './flows-cli.js';

const USAGE = `Usage:
  npm start [-- --lang ${SUPPORTED_LOCALES.join('|')}] [--flows DIR] [--at TIME]
                                                  chat with the bot in the local playground
                                                  (--at 2026-10-01T09:30:00+08:00 sets its clock)
                                                  (runs the Telegram channel when TELEGRAM_BOT_TOKEN is set)
  npm run flows:check [-- DIR]                    validate flow definitions and list every problem
  npm run flows:test [-- --flows DIR] [--corpus DIR] [--min-accuracy 0.95] [--max-wrong-topic 0]
                    [--min-caught 0.95] [--max-false-alarms 0.02]
                                                  score how well the definitions understand the corpus
  npm run flows -- publish DIR -m MESSAGE [--by NAME] [--corpus DIR]
                                                  validate and score the folder (on the corpus in --corpus,
                                                  CORPUS_DIR or flows/corpus), store it as the next version
                                                  and make it active on every replica (within 5 s)
  npm run flows -- history [--limit N]            published versions, newest first (* active)
  npm run flows -- diff A B                       what changed between two versions (3, v3 or active)
  npm run flows -- rollback A [--by NAME]         make an earlier version active again
  npm run flows -- export A DIR [--force]         write a version's files into a folder (--force: over edited ones)
  npm run tickets [-- --status S] [--limit N]     list recorded tickets, newest first (from the record,
                                                  or from Redis when RECORD_STORE=off)
  npm run tickets -- search [--customer ID] [--id T…] [--text WORDS] [--status S]
                    [--from DATE] [--to DATE] [--limit N] [--format table|json|csv]
                                                  find tickets, newest first; DATE is YYYY-MM-DD in the
                                                  default definition's time zone (--to includes that
                                                  day) or a time with its offset (2026-11-30T09:00+08:00)
  npm run tickets -- resolve ID [NOTE] [--outcome TEXT] [--by NAME]
                                                  resolve a matter settled outside the chat: the running
                                                  bot tells the customer the outcome (checked against the
                                                  forbidden phrases) and sends the satisfaction survey;
                                                  NOTE stays internal
  npm run unanswered [-- --locale L] [--sort count|recent] [--limit N]
                                                  what customers asked that the knowledge base could not
                                                  answer, most asked (or most recent) first (from the
                                                  record, or from Redis when RECORD_STORE=off)
  npm run report [-- --month YYYY-MM | --from DATE --to DATE] [--json | --csv | --html FILE]
                                                  the service-quality report of a month (this month unless
                                                  given; DATE is YYYY-MM-DD, --to includes that day), in
                                                  the desk language; --html FILE writes the page with charts
                                                  (- for standard output)
  npm run customer -- forget ID                   delete one customer's transcripts and personal data (the
                                                  record and Redis); their tickets stay, anonymised
  npm run admin -- add NAME --role admin|supervisor | passwd NAME | remove NAME | list
                                                  the web console's accounts: add and passwd print a one-time
                                                  password (or set one piped in)
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
  message: { type: 'string', short: 'm' },
  status: { type: 'string' },
  limit: { type: 'string' },
  note: { type: 'string' },
  outcome: { type: 'string' },
  by: { type: 'string' },
  customer: { type: 'string' },
  id: { type: 'string' },
  text: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  format: { type: 'string' },
  locale: { type: 'string' },
  sort: { type: 'string' },
  month: { type: 'string' },
  json: { type: 'boolean' },
  csv: { type: 'boolean' },
  html: { type: 'string' },
  role: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** What each command takes (besides --help): a command line with anything else gets the usage. */
const COMMANDS: readonly CommandSpec<keyof typeof OPTIONS>[] = [
  { words: [], usage: 'npm start', options: ['lang', 'flows', 'at'], operands: 0 },
  { words: ['flows', 'check'], usage: 'npm run flows:check', options: ['flows'], operands: 1 },
  {
    words: ['flows', 'test'],
    usage: 'npm run flows:test',
    options: ['flows', 'corpus', 'min-accuracy', 'max-wrong-topic', 'min-caught', 'max-false-alarms'],
    operands: 0,
  },
  {
    words: ['flows', 'publish'],
    usage: 'npm run flows -- publish',
    options: ['message', 'by', 'corpus'],
    operands: 1,
  },
  { words: ['flows', 'history'], usage: 'npm run flows -- history', options: ['limit'], operands: 0 },
  { words: ['flows', 'diff'], usage: 'npm run flows -- diff', options: [], operands: 2 },
  { words: ['flows', 'rollback'], usage: 'npm run flows -- rollback', options: ['by'], operands: 1 },
  { words: ['flows', 'export'], usage: 'npm run flows -- export', options: ['force'], operands: 2 },
  { words: ['tickets'], usage: 'npm run tickets', options: ['status', 'limit'], operands: 0 },
  {
    words: ['tickets', 'search'],
    usage: 'npm run tickets -- search',
    options: ['customer', 'id', 'text', 'status', 'from', 'to', 'limit', 'format'],
    operands: 0,
  },
  // The note as an operand (ID NOTE) or, as before issue 13, --note.
  {
    words: ['tickets', 'resolve'],
    usage: 'npm run tickets -- resolve',
    options: ['note', 'outcome', 'by'],
    operands: 2,
  },
  { words: ['unanswered'], usage: 'npm run unanswered', options: ['locale', 'sort', 'limit'], operands: 0 },
  { words: ['report'], usage: 'npm run report', options: ['month', 'from', 'to', 'json', 'csv', 'html'], operands: 0 },
  { words: ['customer', 'forget'], usage: 'npm run customer -- forget', options: [], operands: 1 },
  { words: ['admin'], usage: 'npm run admin', options: ['role'], operands: 2 },
];

/**
 * A command line the tools cannot run: what is wrong in one line, then the usage (of the command
 * the words name, when they name one: `npm run admin -- add …` gets the admin line, not the whole
 * list; found by the issue-17 trial); exit code 2.
 */
function usageError(problem: string, words: readonly string[] = []): number {
  process.stderr.write(`${problem}\n${usageOf(words)}\n`);
  return 2;
}

/** An argument that is no option: a command's word, an id, a value. */
const isWord = (arg: string): boolean => !arg.startsWith('-');

/** USAGE's entries (a line and the lines indented under it) for the command `words` name; all of it for none. */
function usageOf(words: readonly string[]): string {
  const named = COMMANDS.filter((c) => c.words.every((w, i) => words[i] === w)).sort(
    (a, b) => b.words.length - a.words.length,
  )[0];
  if (!named) return USAGE;
  const entries = USAGE.split('\n')
    .slice(1, -1)
    .reduce<string[][]>((all, line) => {
      if (/^ {2}\S/.test(line)) all.push([line]);
      else all.at(-1)?.push(line);
      return all;
    }, []);
  const own = entries.filter((e) => e[0]?.startsWith(`  ${named.usage}`));
  return own.length ? `Usage:\n${own.flat().join('\n')}` : USAGE;
}

/**
 * Entry point: parses arguments and environment once, then hands over to one command. Resolves
 * to the exit code: 2 for a command line it cannot run (with the usage, never a stack trace), 1
 * when the command failed, 0 otherwise. Rejects with a ServiceBotError on bad environment.
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  // Invisible characters (a zero-width space pasted after an id) are taken out of every argument (issue-17 trial).
  const parsed = parseCommandLine(argv.map(cleanText), OPTIONS, COMMANDS);
  // The usage of the command the words before the options name (tickets search --text).
  if ('problem' in parsed) return usageError(parsed.problem, argv.filter(isWord));
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.lang !== undefined && !isSupportedLocale(values.lang))
    return usageError(`--lang must be ${SUPPORTED_LOCALES_TEXT} (got "${values.lang}")`);
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
      const names = ['min-accuracy', 'max-wrong-topic', 'min-caught', 'max-false-alarms'] as const;
      const bad = names.find((name) => share(values[name], 0) === undefined) ?? names[0];
      return usageError(`--${bad} takes a share from 0 to 1, e.g. 0.95 (got "${values[bad]}")`);
    }
    const flowsDir = values.flows ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR;
    const { DEFAULT_CORPUS_DIR, flowsTest } = await import('./flows-test.js');
    return flowsTest(flowsDir, values.corpus ?? config.CORPUS_DIR ?? DEFAULT_CORPUS_DIR, config.DEFAULT_LOCALE, {
      minAccuracy,
      maxWrongTopic,
      minCaught,
      maxFalseAlarms,
    });
  }
  if (positionals[0] === 'flows' && positionals[1] === 'check') {
    const { flowsCheck } = await import('./flows-check.js');
    return flowsCheck(positionals[2] ?? values.flows ?? config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR, config.DEFAULT_LOCALE);
  }
  if (positionals[0] === 'flows') {
    const cmd = flowsCommandLine(positionals.slice(1), values);
    return 'problem' in cmd
      ? usageError(cmd.problem, positionals)
      : (await import('./flows-cli.js')).flowsCommand(config, cmd);
  }
  if (positionals[0] === 'tickets' && positionals[1] === 'resolve') {
    const id = positionals[2];
    if (!id)
      return usageError(
        'Which ticket? npm run tickets -- resolve T261123-ABCDEFGHIJ ["refunded by phone"] [--outcome "已为您办理退款"]',
      );
    if (positionals[3] !== undefined && values.note !== undefined)
      return usageError('Give the note once: as NOTE after the ticket id, or as --note');
    const { resolveTicket } = await import('./tickets.js');
    return resolveTicket(config, id, { note: positionals[3] ?? values.note, outcome: values.outcome, by: values.by });
  }
  if (positionals[0] === 'tickets' && positionals[1] === 'search') {
    const { customer, id, text, status, from, to, limit } = values;
    const { searchTickets } = await import('./tickets.js');
    const found = await searchTickets(config, { customer, id, text, status, from, to, limit }, values.format);
    return typeof found === 'number' ? found : usageError(found.problem, positionals);
  }
  if (positionals[0] === 'tickets' && positionals.length === 1) {
    const { listTickets, parseTicketQuery } = await import('./tickets.js');
    const query = parseTicketQuery(values.status, values.limit);
    if ('problem' in query) return usageError(query.problem, positionals);
    return listTickets(config, query);
  }
  if (positionals[0] === 'unanswered' && positionals.length === 1) {
    const { listUnanswered, parseUnansweredQuery } = await import('./unanswered.js');
    const query = parseUnansweredQuery({ locale: values.locale, limit: values.limit, sort: values.sort });
    if ('problem' in query) return usageError(query.problem, positionals);
    return listUnanswered(config, query);
  }
  if (positionals[0] === 'customer' && positionals[1] === 'forget') {
    const id = positionals[2];
    if (!id?.trim()) return usageError('npm run customer -- forget needs the customer id');
    const { forgetCustomer } = await import('./customer.js');
    return forgetCustomer(config, id.trim());
  }
  if (positionals[0] === 'report') {
    const { month, from, to, json, csv, html } = values;
    const { report } = await import('../report/cli.js');
    const done = await report(config, { month, from, to, json, csv, html });
    return typeof done === 'number' ? done : usageError(done.problem, positionals);
  }
  if (positionals[0] === 'admin') {
    const { admin } = await import('./admin.js');
    const done = await admin(config, { action: positionals[1], name: positionals[2], role: values.role });
    return typeof done === 'number' ? done : usageError(done.problem, positionals);
  }
  if (positionals.length > 0) return usageError(unknownCommand(positionals));
  if (config.TELEGRAM_BOT_TOKEN)
    return (await import('./serve.js')).serve(config, config.TELEGRAM_BOT_TOKEN, values.flows);
  let startAt: number | undefined;
  if (values.at !== undefined) {
    startAt = Date.parse(values.at);
    // Without its offset a time is read as UTC by Date.parse, not as the shop's time: say so.
    if (Number.isNaN(startAt) || !/(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(values.at.trim()))
      return usageError(
        `--at must be a date and time with its offset, e.g. 2026-10-01T09:30:00+08:00 (got "${values.at}")`,
      );
    // Date.parse takes 2026-02-30 as 2026-03-02 and years the record cannot date: refuse both.
    const [, y, m, d] = /^(\d{4})-(\d{2})-(\d{2})/.exec(values.at.trim()) ?? [];
    const day = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    if (y === undefined || day.getUTCMonth() !== Number(m) - 1 || day.getUTCDate() !== Number(d))
      return usageError(`--at must be a real date, as YYYY-MM-DDTHH:MM with its offset (got "${values.at}")`);
    // The instant's year, not the year as written (2099-12-31T23:30-08:00 is already 2100 in UTC).
    const year = new Date(startAt).getUTCFullYear();
    if (year < 2000 || year > 2099) return usageError(`--at must be a date between 2000 and 2099 (got "${values.at}")`);
  }
  const { playground } = await import('./playground.js');
  return playground(config, values.lang, values.flows, startAt);
}

/** How long the process may outlive its command (ms); an unreferenced timer: a process with nothing left ends at once. */
const EXIT_GRACE_MS = 500;

/** Whether this file is the program (`node --import tsx bots/app/main.ts`), not a module a test imports. */
function isProgram(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

/**
 * Runs the command line of this process (main with process.argv and process.env) and ends the
 * process: its exit code is main's, 1 with the message on an error, and whatever the command left
 * running (a send that never answers, abandoned by a bounded shutdown) does not keep it alive past
 * EXIT_GRACE_MS. What program.ts (the bundle's entry, dist/main.js) and this file as the program run.
 */
export function runProgram(): void {
  // Output piped into a reader that stopped (`npm start | head`): nobody is reading, so end quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  main(process.argv.slice(2), process.env)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (err: unknown) => {
        if (err instanceof ServiceBotError) process.stderr.write(`${err.message}\n`);
        else
          process.stderr.write(
            `Unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
          );
        process.exitCode = 1;
      },
    )
    .finally(() => setTimeout(() => process.exit(), EXIT_GRACE_MS).unref());
}

if (isProgram()) runProgram();

/** A share from 0 to 1 given on the command line, or the default; undefined when it is not one. */
function share(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? Number.NaN : Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 1 ? n : undefined;
}

/** `npm run flows -- …`'s command line (check and test are read above), or what is missing. */
function flowsCommandLine(
  words: string[],
  values: {
    message?: string | undefined;
    by?: string | undefined;
    limit?: string | undefined;
    corpus?: string | undefined;
    force?: boolean | undefined;
  },
): FlowsCommand | { problem: string } {
  const [sub, first, second] = words;
  if (sub === 'publish') {
    if (!first) return { problem: 'Which folder? npm run flows -- publish flows/definitions -m "what changed"' };
    if (!values.message?.trim()) return { problem: 'Say what changed: npm run flows -- publish DIR -m "what changed"' };
    return { command: 'publish', dir: first, message: values.message.trim(), by: values.by, corpus: values.corpus };
  }
  if (sub === 'history') {
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return { problem: `--limit takes a whole number from 1 to 1000 (got "${values.limit}")` };
    return { command: 'history', limit };
  }
  if (sub === 'diff')
    return first && second
      ? { command: 'diff', a: first, b: second }
      : { problem: 'Which versions? npm run flows -- diff 2 3 (or: diff 2 active)' };
  if (sub === 'rollback')
    return first
      ? { command: 'rollback', ref: first, by: values.by }
      : { problem: 'Which version? npm run flows -- rollback 2' };
  if (sub === 'export')
    return first && second
      ? { command: 'export', ref: first, dir: second, force: values.force === true }
      : { problem: 'Which version, and where? npm run flows -- export active my-flows' };
  return { problem: unknownCommand(['flows', ...words]) };
}

/**
 * What to say for a command line no command matches: the commands that begin with its first word
 * when there are any (`npm run customer` alone: "customer takes: forget"), else that it is unknown.
 */
function unknownCommand(words: readonly string[]): string {
  const [first, second] = words;
  const known = COMMANDS.filter((c) => c.words[0] === first && c.words.length > 1).map((c) => c.words[1]);
  if (known.length === 0) return `Unknown command: ${words.join(' ')}`;
  const what = second === undefined ? `${first} needs a command` : `Unknown command: ${first} ${second}`;
  return `${what}: ${first} ${known.join(' | ')} (npm run ${first} -- ${known[0]} …)`;
}
