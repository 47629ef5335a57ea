import { deskText } from '../../adapters/desk/text.js';
import { createSlack, SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createTelegram } from '../../adapters/telegram/index.js';
import { createHttpServer } from '../../bots/app/http.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { Inbox, Store } from '../../bots/ports.js';
import { botApiStandIn, type BotApiStandIn } from './bot-api.js';
import { defaultFlow } from './flows.js';
import { TestClock } from './harness.js';
import {
  buttonPress,
  LINK_TTL_MS,
  slackApiStandIn,
  slackSigned,
  threadReply,
  type SlackApiStandIn,
} from './slack-api.js';
import { BOT_INFO, TOKEN } from './telegram.js';

/**
 * The product as deployed with both platforms, in this process: the engine with the real
 * Telegram adapter (webhook mode) and the real Slack desk (HTTP events), on one HTTP server,
 * against local stand-ins of both platforms' HTTP APIs. Customers and agents act the way the
 * platforms would deliver it; each call returns once the turns it caused are done.
 */
export interface Service {
  telegram: BotApiStandIn;
  slack: SlackApiStandIn;
  store: Store;
  clock: TestClock;
  log: ReturnType<typeof memoryLogger>;
  /** Telegram delivers an update to the webhook; resolves with the HTTP status once its turn ran. */
  customer(update: unknown): Promise<number>;
  /** An agent presses a desk button (desk_claim, desk_close, …) on the conversation's card. */
  press(actionId: string, user: string, conversationId: string): Promise<number>;
  /** An agent writes in the card's thread. */
  reply(user: string, text: string): Promise<number>;
  stop(): Promise<void>;
}

const SECRET = 'telegram-secret-0123456789abcdef';
const SIGNING = 'slack-signing-secret-for-tests';
export const AGENT_CHANNEL = 'CAGENTS';

export async function startService(options: { store?: Store; deskLanguage?: string } = {}): Promise<Service> {
  const [telegram, slack] = await Promise.all([botApiStandIn(), slackApiStandIn()]);
  const clock = new TestClock();
  const log = memoryLogger();
  const store = options.store ?? new MemoryStore(clock.now);
  const tg = createTelegram(
    {
      token: TOKEN,
      apiRoot: telegram.url,
      mode: { kind: 'webhook', publicUrl: 'https://bot.example.com', secret: SECRET },
      allowGroups: false,
      throttle: false,
      botInfo: BOT_INFO,
    },
    { log, clock: clock.now },
  );
  const desk = createSlack(
    {
      botToken: 'xoxb-test',
      signingSecret: SIGNING,
      apiUrl: slack.url,
      agentChannel: AGENT_CHANNEL,
      categoryChannels: () => ({}),
      internalPrefix: '//',
      deskText: deskText(options.deskLanguage ?? 'zh-CN'),
      linkTtlMs: LINK_TTL_MS,
    },
    { links: store.links, log, clock: clock.now },
  );
  const flow = defaultFlow(undefined, { desk: true });
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['telegram', tg.channel]]),
    desk: desk.desk,
    clock: clock.now,
    log,
    sleep: async () => {},
  });
  // The receivers feed the engine through this: the same calls, counted, so a test can wait until
  // every turn it caused is done, whenever each receiver answers its platform.
  const work = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    work.add(p);
    void p.finally(() => work.delete(p)).catch(() => {});
    return p;
  };
  const inbox: Inbox = {
    accept: (raw, o) => track(engine.accept(raw, o)),
    run: (id, begun) => track(engine.run(id, begun)),
    receive: (raw) => track(engine.receive(raw)),
  };
  const receivers = [tg.receiver(inbox), desk.receiver(inbox)];
  const http = createHttpServer({ routes: receivers.flatMap((r) => r.routes ?? []), log });
  const port = await http.listen(0, '127.0.0.1');
  await Promise.all(receivers.map((r) => r.start()));
  const post = async (path: string, body: string, headers: Record<string, string>) =>
    (await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body })).status;
  const settle = async <T>(status: T): Promise<T> => {
    while (work.size > 0) await Promise.allSettled([...work]);
    return status;
  };
  return {
    telegram,
    slack,
    store,
    clock,
    log,
    customer: async (update) =>
      settle(
        await post('/telegram/webhook', JSON.stringify(update), {
          'content-type': 'application/json',
          'x-telegram-bot-api-secret-token': SECRET,
        }),
      ),
    press: async (actionId, user, conversationId) => {
      const body = buttonPress(actionId, user, conversationId, AGENT_CHANNEL);
      const headers = { 'content-type': 'application/x-www-form-urlencoded', ...slackSigned(body, SIGNING) };
      return settle(await post(SLACK_EVENTS_PATH, body, headers));
    },
    reply: async (user, text) => {
      const body = threadReply(user, text, AGENT_CHANNEL);
      return settle(
        await post(SLACK_EVENTS_PATH, body, { 'content-type': 'application/json', ...slackSigned(body, SIGNING) }),
      );
    },
    stop: async () => {
      await http.close();
      await Promise.all(receivers.map((r) => r.stop()));
      await Promise.all([telegram.close(), slack.close()]);
    },
  };
}
