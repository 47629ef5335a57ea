import { App, HTTPReceiver, LogLevel, SocketModeReceiver, type Receiver, type ReceiverEvent } from '@slack/bolt';
import { SetupError } from '../../bots/errors.js';

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

/**
 * The Bolt app with its transport: Socket Mode when an app token is given, HTTP events
 * otherwise (Bolt's HTTP receiver checks every request's signature and timestamp). Either way
 * Slack gets its answer when the listeners return, which is once the event is stored: the
 * listeners leave the conversation's turn to run afterwards (SlackReceiver).
 */
export function createBoltApp(options: BoltOptions): { app: App; http: HTTPReceiver | undefined } {
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
      logLevel: LogLevel.WARN,
    });
    return {
      app: new App({
        token: options.botToken,
        receiver: ackWhenHandled(receiver),
        clientOptions,
        logLevel: LogLevel.WARN,
        deferInitialization: true,
      }),
      http: undefined,
    };
  }
  if (!options.signingSecret)
    throw new SetupError('Slack needs SLACK_SIGNING_SECRET (HTTP events) or SLACK_APP_TOKEN (Socket Mode)');
  const http = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: [SLACK_EVENTS_PATH],
    // The answer waits for the listeners, which return once the event is stored.
    processBeforeResponse: true,
    logLevel: LogLevel.WARN,
  });
  // Initialised by the receiver (auth.test), not in the constructor: an unreachable Slack at
  // start-up must not crash the bot (Bolt's own start-up check rejects with nobody listening).
  const app = new App({
    token: options.botToken,
    receiver: http,
    clientOptions,
    logLevel: LogLevel.WARN,
    deferInitialization: true,
  });
  return { app, http };
}
