import type { IncomingMessage } from 'node:http';
import {
  App,
  ErrorCode,
  HTTPReceiver,
  SocketModeReceiver,
  type CodedError,
  type Receiver,
  type ReceiverEvent,
  type ReceiverProcessEventErrorHandlerArgs,
  type SocketModeReceiverProcessEventErrorHandlerArgs,
} from '@slack/bolt';
import { SetupError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import { slackLogger } from './logger.js';

export const SLACK_EVENTS_PATH = '/slack/events';

export interface BoltOptions {
  botToken: string;
  /** HTTP mode: Slack posts events to SLACK_EVENTS_PATH on the app's server. */
  signingSecret?: string | undefined;
  /** Socket Mode: the app connects out to Slack instead. */
  appToken?: string | undefined;
  /** Bolt's clientOptions.slackApiUrl (a proxy or a stand-in in tests). */
  apiUrl?: string | undefined;
}

/**
 * Socket Mode acknowledged like HTTP mode with `processBeforeResponse`: once the listeners have
 * returned, with what they passed to `ack`, and not at all when they threw (Slack then sends the
 * envelope again). Bolt itself acknowledges an Events API envelope before its listeners run,
 * which would confirm an event to Slack before it is stored.
 */
function ackWhenHandled(inner: SocketModeReceiver): Receiver {
  return {
    init: (app) => {
      const deferring = {
        processEvent: async (event: ReceiverEvent) => {
          let response: unknown;
          await app.processEvent({ ...event, ack: async (body?: unknown) => void (response = body) });
          await event.ack(response);
        },
      };
      // The receiver only ever calls processEvent on the app it is given.
      inner.init(deferring as unknown as App);
    },
    start: () => inner.start(),
    stop: () => inner.stop(),
  };
}

/** What a failed event's line says about the error: its message, and Bolt's code when it is not Bolt's catch-all. */
function errorFields(error: Error | CodedError): Record<string, unknown> {
  const code = 'code' in error && error.code !== ErrorCode.UnknownError ? { code: error.code } : {};
  return { error: String('original' in error && error.original instanceof Error ? error.original : error), ...code };
}

/**
 * An event whose listeners threw (the store unreachable, say), HTTP mode: one line with the
 * error, and 500 so that Slack sends the event again; 401 for a request Bolt could not
 * authorize. Bolt's own handler logs "An unhandled error occurred" without the error.
 */
function httpEventFailed(log: Logger) {
  return async ({ error, response }: ReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    if (response.headersSent) {
      log.error('Slack event failed after Slack had its answer', errorFields(error));
      return false;
    }
    const refused = 'code' in error && error.code === ErrorCode.AuthorizationError;
    log.error(`Slack event failed; answered ${refused ? 401 : 500}`, errorFields(error));
    response.writeHead(refused ? 401 : 500);
    response.end();
    return refused;
  };
}

/** The same in Socket Mode: not acknowledged (Slack sends the envelope again), unless unauthorized. */
function socketEventFailed(log: Logger) {
  return async ({ error, event }: SocketModeReceiverProcessEventErrorHandlerArgs): Promise<boolean> => {
    const type = (event.body as { type?: unknown } | undefined)?.type;
    log.error('Slack event failed; not acknowledged', { ...errorFields(error), type });
    return 'code' in error && error.code === ErrorCode.AuthorizationError;
  };
}

/**
 * The Bolt app with its transport: Socket Mode when an app token is given, HTTP events
 * otherwise (Bolt's HTTP receiver checks every request's signature and timestamp). Either way
 * Slack gets its answer when the listeners return, which is once the event is stored: the
 * listeners leave the conversation's turn to run afterwards (SlackReceiver).
 */
export function createBoltApp(options: BoltOptions, log: Logger): { app: App; http: HTTPReceiver | undefined } {
  // Bolt gives the app's logger to its Web API clients as well.
  const logger = slackLogger(log, 'bolt');
  const receiverLogger = slackLogger(log, 'receiver');
  const clientOptions = {
    ...(options.apiUrl ? { slackApiUrl: options.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
  if (options.appToken) {
    // The receiver's own Web API client opens the connection (apps.connections.open): it must
    // use the same API root as the app's.
    const receiver = new SocketModeReceiver({
      appToken: options.appToken,
      installerOptions: { clientOptions },
      logger: receiverLogger,
      processEventErrorHandler: socketEventFailed(log),
    });
    const app = new App({
      token: options.botToken,
      receiver: ackWhenHandled(receiver),
      clientOptions,
      logger,
      deferInitialization: true,
    });
    return { app: rethrowing(app), http: undefined };
  }
  if (!options.signingSecret)
    throw new SetupError('Slack needs SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)');
  const http = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    // The answer waits for the listeners, which return once the event is stored.
    processBeforeResponse: true,
    logger: receiverLogger,
    processEventErrorHandler: httpEventFailed(log),
  });
  // Initialised by the receiver (auth.test), not in the constructor: an unreachable Slack at
  // start-up must not crash the bot (Bolt's own start-up check rejects with nobody listening).
  const app = new App({
    token: options.botToken,
    receiver: http,
    clientOptions,
    logger,
    deferInitialization: true,
  });
  return { app: rethrowing(app), http };
}

/**
 * Errors of listeners go on to the receiver, which logs them once with their message and answers
 * Slack (above). Bolt's default handler would log each a second time, as an object.
 */
function rethrowing(app: App): App {
  app.error(async (err) => {
    throw err;
  });
  return app;
}

/** The largest request body Slack's events and interactions are read up to (bytes). */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;
/** How far a request's timestamp may be from now, either way (Slack's own rule is five minutes back). */
export const SLACK_MAX_SKEW_MS = 5 * 60_000;

/**
 * A request refused on its headers: no length or a length over SLACK_MAX_BODY_BYTES (Slack always
 * sends one), or a timestamp missing, not a number, or more than five minutes from `now` (ms),
 * ahead as well as behind. Undefined when the body may be read and its signature checked.
 */
export function refuseByHeaders(req: IncomingMessage, now: number): { status: number; why: string } | undefined {
  const length = Number(req.headers['content-length']);
  if (req.headers['content-length'] === undefined || !Number.isFinite(length))
    return { status: 411, why: 'a Content-Length is required' };
  if (length > SLACK_MAX_BODY_BYTES) return { status: 413, why: 'request body too large' };
  const ts = Number(req.headers['x-slack-request-timestamp']);
  if (!Number.isFinite(ts) || Math.abs(now - ts * 1000) > SLACK_MAX_SKEW_MS)
    return { status: 401, why: 'stale, future or missing request timestamp' };
  return undefined;
}
