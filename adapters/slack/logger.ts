import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../bots/log.js';

/** How many distinct warnings of the Slack SDK are remembered as already written at warn. */
const WARNINGS_REMEMBERED = 200;

const SEVERITY: Record<LogLevel, number> = {
  [LogLevel.DEBUG]: 0,
  [LogLevel.INFO]: 1,
  [LogLevel.WARN]: 2,
  [LogLevel.ERROR]: 3,
};

/** What the Web API client says when a call fails at the HTTP level; the caller reports the failure itself. */
const REQUEST_FAILED = 'http request failed';

/** One line of text from a Slack SDK call's arguments (strings as they are, errors by their message). */
function textOf(args: readonly unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a;
      if (a instanceof Error) return String(a);
      try {
        return JSON.stringify(a) ?? String(a);
      } catch {
        return String(a);
      }
    })
    .join(' ');
}

/**
 * The Slack SDK's logger (Bolt's App and receivers, the Web API client, Socket Mode: @slack/logger's
 * `Logger`) over ours, so what Slack's libraries say is JSON lines with the rest (pino, redaction)
 * and nothing plain reaches stderr. Each line carries `component` (`slack:<name>`; `setName` changes it).
 * - debug: not written. Slack's debug lines carry request and response bodies (messages, names)
 *   inside their text, where redaction by field cannot reach.
 * - info, error: written at the same level.
 * - warn: the first time a text is seen; the same text again is written at debug. The Web API
 *   client's per-call "http request failed" is written at debug as `Slack API request failed` with
 *   the reason in `error`: the desk's own code logs each failed call with what it was for.
 * `setLevel` drops lines below its level (Bolt sets it from its `logLevel`); the default is info.
 */
export function slackLogger(log: Logger, name: string): SlackLogger {
  let level = LogLevel.INFO;
  let component = `slack:${name}`;
  const warned = new Set<string>();
  const enabled = (at: LogLevel) => SEVERITY[at] >= SEVERITY[level];
  return {
    debug: () => undefined,
    info: (...args: unknown[]) => {
      if (enabled(LogLevel.INFO)) log.info(textOf(args), { component });
    },
    warn: (...args: unknown[]) => {
      if (!enabled(LogLevel.WARN)) return;
      if (args[0] === REQUEST_FAILED)
        return log.debug('Slack API request failed', { component, error: textOf(args.slice(1)) });
      const text = textOf(args);
      if (warned.has(text)) return log.debug(text, { component, repeated: true });
      if (warned.size >= WARNINGS_REMEMBERED) warned.clear();
      warned.add(text);
      log.warn(text, { component });
    },
    error: (...args: unknown[]) => {
      if (enabled(LogLevel.ERROR)) log.error(textOf(args), { component });
    },
    setLevel: (to: LogLevel) => void (level = to),
    getLevel: () => level,
    setName: (to: string) => void (component = `slack:${to}`),
  };
}
