import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { deskText } from '../../adapters/desk/text.js';
import { createSlack, SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { createTelegram, TELEGRAM_CHANNEL } from '../../adapters/telegram/index.js';
import { Engine } from '../../bots/engine.js';
import { memoryLogger } from '../../bots/log.js';
import type { Inbox, Store } from '../../bots/ports.js';
import { TimerPoller } from '../../bots/timers.js';
import { defaultFlow } from './flows.js';
import { TestClock } from './harness.js';
import { pollingOptions, TOKEN } from './telegram.js';
import { LINK_TTL_MS } from './slack-api.js';

/**
 * The desk end to end, for issue 12's Slack side: the engine with the real Slack adapter (HTTP
 * events, signed like Slack signs them) and the real Telegram adapter, against stand-ins of both
 * HTTP APIs (nock). The Slack stand-in refuses what Slack refuses (limits.ts' limits), so every
 * post of every test is checked against them; the Telegram stand-in can hold its answers.
 */

export const SECRET = 'slack-signing-secret-for-tests';
export const AGENTS = 'CAGENTS';
export const CHAT = 42;
export const CONVERSATION = `${TELEGRAM_CHANNEL}:${CHAT}`;

export interface ApiCall {
  method: string;
  body: Record<string, any>;
  /** The error Slack answered with, when it refused the call. */
  error?: string;
}

type Block = Record<string, any>;

/** Slack's answer to blocks it would not take (the limits of limits.ts), or undefined. */
function blocksRefusal(blocks: Block[]): string | undefined {
  const plain = (o: Block | undefined) => String(o?.text ?? '');
  let total = 0;
  if (blocks.length > 50) return 'invalid_blocks';
  for (const b of blocks) {
    const texts = [
      plain(b.text),
      ...((b.fields ?? []) as Block[]).map(plain),
      ...((b.elements ?? []) as Block[]).map(plain),
    ];
    total += texts.reduce((n, t) => n + t.length, 0);
    if (b.type === 'header' && plain(b.text).length > 150) return 'invalid_blocks';
    if (b.type === 'section' && (plain(b.text).length > 3000 || (b.fields ?? []).length > 10)) return 'invalid_blocks';
    if (((b.fields ?? []) as Block[]).some((f) => plain(f).length > 2000)) return 'invalid_blocks';
    for (const e of (b.elements ?? []) as Block[])
      if (
        e.type === 'button' &&
        (plain(e.text).length > 75 || String(e.value).length > 2000 || e.action_id.length > 255)
      )
        return 'invalid_blocks';
  }
  return total > 12_000 ? 'msg_blocks_too_long' : undefined;
}

/**
 * Slack's Web API: records every call, answers like Slack (a `ts` per message), refuses what
 * breaks Slack's limits, and refuses the next calls of a method on request.
 */
export function slackApi(root = 'https://slack.com') {
  const calls: ApiCall[] = [];
  const refusals = new Map<string, string[]>();
  /** While set, every call gets this HTTP answer (an outage: 500, or 429 with Retry-After seconds). */
  let outage: { status: number; retryAfter?: number } | undefined;
  /** User groups' members, as usergroups.users.list answers them. */
  const groups = new Map<string, string[]>();
  /** What was posted to interactions' response_url (ephemeral answers to the person who pressed). */
  const responses: Array<Record<string, any>> = [];
  let seq = 0;
  let card = '';
  nock('https://hooks.slack.com')
    .persist()
    .post(/^\/actions\//)
    .reply((_uri, body) => {
      responses.push((typeof body === 'string' ? JSON.parse(body) : body) as Record<string, any>);
      return [200, 'ok'];
    });
  nock(root)
    .persist()
    .post(/^\/api\/[\w.]+$/)
    .reply((uri, body) => {
      const method = uri.split('/').pop() ?? '';
      const data = (typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body) as Block;
      if (typeof data.blocks === 'string') data.blocks = JSON.parse(data.blocks);
      if (outage) {
        calls.push({ method, body: data, error: `http_${outage.status}` });
        const headers: Record<string, string> =
          outage.retryAfter !== undefined ? { 'retry-after': String(outage.retryAfter) } : {};
        return [outage.status, outage.status === 429 ? { ok: false, error: 'ratelimited' } : 'down', headers];
      }
      calls.push({ method, body: data });
      const refused =
        refusals.get(method)?.shift() ??
        (String(data.text ?? '').length > 40_000 ? 'msg_too_long' : undefined) ??
        (Array.isArray(data.blocks) ? blocksRefusal(data.blocks) : undefined);
      if (refused) {
        calls[calls.length - 1] = { method, body: data, error: refused };
        return [200, { ok: false, error: refused }];
      }
      switch (method) {
        case 'auth.test':
          return [200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' }];
        case 'users.info':
          return [
            200,
            { ok: true, user: { id: data.user, profile: { display_name: data.user === 'UWANG' ? '小王' : '小李' } } },
          ];
        case 'usergroups.users.list': {
          const users = groups.get(String(data.usergroup));
          return [200, users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' }];
        }
        case 'chat.postMessage': {
          const ts = `1795000000.${String(++seq).padStart(6, '0')}`;
          if (!data.thread_ts) card = ts;
          return [200, { ok: true, channel: data.channel, ts }];
        }
        default:
          return [200, { ok: true }];
      }
    });
  return {
    calls,
    groups,
    responses,
    /** The calls of one method that Slack took. */
    of: (method: string) => calls.filter((c) => c.method === method && !c.error),
    /** The calls Slack refused. */
    refused: () => calls.filter((c) => c.error),
    /** The ts of the last message posted outside a thread (a card). */
    card: () => card,
    /** Makes the next calls of `method` fail with Slack's error code. */
    refuse: (method: string, ...errors: string[]) => refusals.set(method, [...(refusals.get(method) ?? []), ...errors]),
    /** Answers every call with `status` (500: down; 429: rate limited, with Retry-After) until `end`. */
    outage: (status: number, retryAfter?: number) =>
      void (outage = { status, ...(retryAfter !== undefined ? { retryAfter } : {}) }),
    /** Slack answers again. */
    end: () => void (outage = undefined),
  };
}

/**
 * The Telegram Bot API: records sendMessage, and while held, leaves its answers waiting until
 * `release` (deterministic slowness: a send in progress for as long as the test wants).
 */
export function telegramApi(root = 'https://api.telegram.org') {
  const calls: ApiCall[] = [];
  let held: Array<() => void> | undefined;
  let messageId = 1000;
  let answered = 0;
  nock(root)
    .persist()
    .post(new RegExp(`^/bot${TOKEN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(\\w+)$`))
    .reply((uri, body, callback) => {
      const method = uri.split('/').pop() ?? '';
      const payload = (typeof body === 'string' ? JSON.parse(body || '{}') : body) as Block;
      calls.push({ method, body: payload });
      const result =
        method === 'sendMessage'
          ? {
              message_id: ++messageId,
              date: 1_795_000_000,
              chat: { id: payload.chat_id, type: 'private' },
              text: payload.text,
            }
          : true;
      const answer = () => {
        callback(null, [200, { ok: true, result }]);
        if (method !== 'sendMessage') return;
        answered++;
        for (const w of waiters.filter((w) => answered >= w.count)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      };
      if (held && method === 'sendMessage') held.push(answer);
      else answer();
    });
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    calls,
    /** Resolves once `count` messages have been answered (delivered) in all. */
    delivered: (count: number) =>
      new Promise<void>((resolve) => (answered >= count ? resolve() : waiters.push({ count, resolve }))),
    /** Texts sent with sendMessage (asked for, whether answered yet or not). */
    sent: () => calls.filter((c) => c.method === 'sendMessage').map((c) => String(c.body.text)),
    hold: () => void (held ??= []),
    release: () => {
      const waiting = held ?? [];
      held = undefined;
      for (const answer of waiting) answer();
    },
  };
}

/** Compiled once for every test (compiling the definitions takes a while). */
const flow = defaultFlow(undefined, { desk: true });

let server: Server | undefined;
/** Closes what `deskUnderTest` opened; for afterEach. */
export async function closeDesk(): Promise<void> {
  nock.cleanAll();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
}

function signed(body: string): Record<string, string> {
  const at = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', SECRET).update(`v0:${at}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(at) };
}

let tsSeq = 0;
/** A fresh message ts, as Slack gives each message. */
export const nextTs = () => `1795000500.${String(++tsSeq).padStart(6, '0')}`;

export interface DeskOptions {
  store?: Store;
  /** Telegram's pacing (grammY's throttler: about one message a second per chat). */
  pacing?: boolean;
  deskLanguage?: string;
  internalPrefix?: string;
  /** A supervisors' user group (`S…`); `<!channel>` otherwise. */
  supervisorGroup?: string;
  /** The agents' user group (`S…`): only its members (and the supervisors') may act. */
  agentGroup?: string;
  /** How long a card's links live after their last use (ms); LINK_TTL_MS (30 days) unless given. */
  linkTtlMs?: number;
}

/** The engine with the real Slack and Telegram adapters, served on a local port. */
export async function deskUnderTest(options: DeskOptions = {}) {
  const slack = slackApi();
  const telegram = telegramApi();
  const clock = new TestClock();
  const store = options.store ?? new MemoryStore(clock.now);
  const log = memoryLogger();
  /** The engine's waits between delivery attempts (ms), instant here. */
  const slept: number[] = [];
  const tg = createTelegram(pollingOptions({ throttle: options.pacing ?? false }), { log, clock: clock.now });
  const desk = createSlack(
    {
      botToken: 'xoxb-test',
      signingSecret: SECRET,
      agentChannel: AGENTS,
      categoryChannels: () => ({ quality: 'CQUALITY' }),
      internalPrefix: options.internalPrefix ?? '//',
      deskText: deskText(options.deskLanguage ?? 'zh-CN'),
      linkTtlMs: options.linkTtlMs ?? LINK_TTL_MS,
      supervisorGroup: options.supervisorGroup,
      agentGroup: options.agentGroup,
      // The default definition's time zone, as the app wires it.
      timeZone: () => flow.bundle.locales.get(flow.bundle.defaultLocale)?.definition.timeZone ?? 'UTC',
    },
    { links: store.links, tickets: store.tickets, log, clock: clock.now },
  );
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([[TELEGRAM_CHANNEL, tg.channel]]),
    desk: desk.desk,
    clock: clock.now,
    log,
    sleep: async (ms) => void slept.push(ms),
  });
  const poller = new TimerPoller({ timers: store.timers, engine, clock: clock.now, log });
  // The events the receiver hands the engine, as it hands them (then the engine runs them as ever).
  const received: Array<Record<string, any>> = [];
  const inbox: Inbox = {
    accept: (raw, o) => (received.push(raw as Record<string, any>), engine.accept(raw, o)),
    run: (id, begun) => engine.run(id, begun),
    receive: (raw) => (received.push(raw as Record<string, any>), engine.receive(raw)),
  };
  const receiver = desk.receiver(inbox);
  const route = receiver.routes?.find((r) => r.path === SLACK_EVENTS_PATH);
  server = createServer((req, res) => route?.handle(req, res));
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${SLACK_EVENTS_PATH}`;
  const post = async (body: string, type: string, headers: Record<string, string> = {}) =>
    (await fetch(url, { method: 'POST', headers: { 'content-type': type, ...signed(body), ...headers }, body })).status;
  let seq = 0;
  return {
    engine,
    store,
    /** The Slack desk itself, for desk calls no flow makes yet. */
    desk: desk.desk,
    /** Every event the Slack receiver handed the engine (agent actions, with their payloads). */
    received,
    slack,
    telegram,
    clock,
    log,
    slept,
    poller,
    receiver,
    /** A customer's message on Telegram, run to the end of its turn. */
    says: (text: string) =>
      engine.receive({
        id: `tg:${++seq}`,
        conversationId: CONVERSATION,
        channel: TELEGRAM_CHANNEL,
        customer: { id: String(CHAT), name: 'Li Lei' },
        at: clock.now(),
        payload: { type: 'text', text },
      }),
    /**
     * Presses a desk button; resolves with Slack's HTTP answer (the turn may still be running).
     * `value`: the button's value (a card's buttons name their card); the conversation's id
     * unless given, as on cards posted before issue 13. `message`: the card's ts.
     */
    press: (
      actionId: string,
      user: string,
      value: string = CONVERSATION,
      message: string = slack.card(),
      channel: string = AGENTS,
    ) => {
      const payload = {
        type: 'block_actions',
        user: { id: user },
        team: { id: 'T1' },
        api_app_id: 'A1',
        token: 't',
        trigger_id: `tr-${++seq}`,
        response_url: `https://hooks.slack.com/actions/T1/${seq}/response`,
        channel: { id: channel },
        container: { type: 'message', message_ts: message, channel_id: channel },
        actions: [{ type: 'button', action_id: actionId, value, action_ts: nextTs(), block_id: 'b' }],
      };
      return post(`payload=${encodeURIComponent(JSON.stringify(payload))}`, 'application/x-www-form-urlencoded');
    },
    /** Delivers a `message` event (Events API); resolves with Slack's HTTP answer. */
    event: (event: Record<string, unknown>, envelope: { eventId?: string; retry?: number } = {}) => {
      const body = JSON.stringify({
        type: 'event_callback',
        team_id: 'T1',
        api_app_id: 'A1',
        token: 't',
        event_id: envelope.eventId ?? `Ev${++seq}`,
        event_time: 1_795_000_000,
        event: { type: 'message', channel: AGENTS, ...event },
      });
      const retry: Record<string, string> = envelope.retry
        ? { 'x-slack-retry-num': String(envelope.retry), 'x-slack-retry-reason': 'http_timeout' }
        : {};
      return post(body, 'application/json', retry);
    },
    /** Types a slash command (`/tickets`) in a channel; resolves with Slack's HTTP answer and its JSON body. */
    command: async (command: string, text: string, user: string, channel: string = AGENTS) => {
      const body = new URLSearchParams({
        token: 't',
        team_id: 'T1',
        channel_id: channel,
        user_id: user,
        command,
        text,
        api_app_id: 'A1',
        trigger_id: `tr-${++seq}`,
        response_url: `https://hooks.slack.com/commands/T1/${seq}/response`,
      }).toString();
      const type = 'application/x-www-form-urlencoded';
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': type, ...signed(body) }, body });
      const answer = await res.text();
      return { status: res.status, body: (answer.startsWith('{') ? JSON.parse(answer) : {}) as Record<string, any> };
    },
    /** A plain reply in the card's thread, as Slack sends it. */
    reply: (user: string, text: string, extra: Record<string, unknown> = {}) => ({
      user,
      text,
      ts: nextTs(),
      thread_ts: slack.card(),
      ...extra,
    }),
    /** Posts `body` signed as Slack signs it (`headers` may replace the signature); resolves with the HTTP status. */
    post,
    /** Waits for the turns and notices the receiver started after answering Slack. */
    settled: () => receiver.idle(),
  };
}
export type Desk = Awaited<ReturnType<typeof deskUnderTest>>;
