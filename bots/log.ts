import { pino, type Logger as Pino } from 'pino';

/**
 * Structured logging to stderr, one JSON object a line (pino), so stdout stays the conversation.
 * A line: `{"level":"info","time":"2025-…Z","pid":…,"hostname":…,…bindings,…fields,"msg":…}`.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /**
   * A logger whose every line carries `bindings` too (the engine's per conversation:
   * `{ conversationId }`). A field a call repeats with the same value is written once.
   */
  child(bindings: Record<string, unknown>): Logger;
}

/** What a redacted value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Fields that carry personal data, by path (pino's redaction: `a.b`, `*.b` for any top-level
 * key's `b`), replaced with REDACTED in every line. What the code logs that matches:
 * - `entry`, `state`: an unreadable inbox entry or stored conversation state, as stored (the
 *   customer's name, phone and words are in them);
 * - `excerpt`: the start of a webhook body that is not JSON (an update cut short);
 * - `effect.*`: an outbox effect the record refused (its text, archived lines, ticket, card);
 * - `text`, `caption`, `name`, `phone`, `username`, `note` wherever they are, at the top or one
 *   level down (`customer.name`, `agent.name`, `payload.text`), and a ticket's `need`, `facts`,
 *   `outcome` and `comment`.
 * Ids (conversation, event, ticket, item, update, user) are not personal data here and are kept:
 * they are how a line is found again in the store or the record.
 */
export const REDACTED_PATHS: readonly string[] = [
  'entry',
  'state',
  'excerpt',
  ...['text', 'caption', 'name', 'phone', 'username', 'note'].flatMap((k) => [k, `*.${k}`]),
  ...['entries', 'card', 'ticket', 'changes', 'choices', 'file'].flatMap((k) => [`*.${k}`]),
  ...['need', 'facts', 'outcome', 'comment', 'customer'].flatMap((k) => [`ticket.${k}`, `*.ticket.${k}`]),
];

/** Keys pino writes itself: a field of the same name is written as `<key>_` so it cannot pass for them. */
const RESERVED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/**
 * The product's logger: pino, at `level`, to stderr (or to `write`, one line without its newline,
 * for tools and tests that want the lines), with personal data redacted by path (REDACTED_PATHS).
 */
export function createLogger(level: LogLevel, write?: (line: string) => void): Logger {
  const destination = write
    ? { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) }
    : pino.destination({ dest: 2, sync: true });
  const root = pino(
    {
      level,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACTED_PATHS], censor: REDACTED },
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => renameReserved(fields),
      },
    },
    destination,
  );
  return wrap(root, {});
}

function renameReserved(fields: Record<string, unknown>): Record<string, unknown> {
  if (!Object.keys(fields).some((k) => RESERVED.has(k))) return fields;
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [RESERVED.has(k) ? `${k}_` : k, v]));
}

/** Our interface over a pino logger: `(message, fields)` instead of pino's `(fields, message)`. */
function wrap(logger: Pino, bound: Readonly<Record<string, unknown>>): Logger {
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (!logger.isLevelEnabled(lvl)) return;
    if (fields) logger[lvl](unbound(fields, bound), message);
    else logger[lvl](message);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (bindings) => lazyChild(logger, bindings, bound),
  };
}

/**
 * A child logger made when it first writes a line: the engine makes one per conversation and turn,
 * and most write nothing at the level in force (pino's child costs a few µs and some garbage).
 */
function lazyChild(parent: Pino, bindings: Record<string, unknown>, bound: Readonly<Record<string, unknown>>): Logger {
  let made: Logger | undefined;
  const real = () => (made ??= wrap(parent.child(bindings), { ...bound, ...bindings }));
  const at = (lvl: 'debug' | 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    if (parent.isLevelEnabled(lvl)) real()[lvl](message, fields);
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => lazyChild(parent, { ...bindings, ...more }, bound),
  };
}

/** The fields without those the logger already binds to the same value (pino would write both). */
function unbound(fields: Record<string, unknown>, bound: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const keys = Object.keys(bound);
  if (keys.length === 0 || !keys.some((k) => k in fields && fields[k] === bound[k])) return fields;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) if (!(k in bound && bound[k] === v)) out[k] = v;
  return out;
}

export interface LogLine {
  level: string;
  message: string;
  fields?: Record<string, unknown>;
}

/**
 * For tests and tools that want the log lines as data (not redacted: tests read what was
 * logged). A child's lines go to the same list, its bindings first among the fields.
 */
export function memoryLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bound: Record<string, unknown> | undefined): Logger => {
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      const all = bound || fields ? { ...bound, ...fields } : undefined;
      lines.push({ level, message, ...(all ? { fields: all } : {}) });
    };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (bindings) => make({ ...bound, ...bindings }),
    };
  };
  return Object.assign(make(undefined), { lines });
}

/**
 * A JSON log line as one short line a person reads beside a conversation (the playground's
 * stderr): `log> warn: escalation (ticketId=T…, reason=supervisor)`. The line keeps pino's
 * redaction; time, pid and host are left out. A line that is not JSON is returned as it is.
 */
export function readableLogLine(line: string): string {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...rest } = fields;
  const shown = (v: unknown) => (typeof v === 'string' && !/[\s,()=]/.test(v) ? v : JSON.stringify(v));
  const extra = Object.entries(rest).map(([k, v]) => `${k}=${shown(v)}`);
  return `log> ${String(level)}: ${String(msg)}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}
