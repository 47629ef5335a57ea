import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Slack's Web API over HTTP (give Bolt `apiUrl: url`): answers like Slack
 * for what the desk calls (auth.test, users.info, chat.postMessage / update / postEphemeral) and
 * records each call with its fields (`blocks` parsed). The first message posted is the card.
 */
export interface SlackCall {
  method: string;
  body: Record<string, any>;
}

export interface SlackApiStandIn {
  /** The Web API root, ending in `/api/`. */
  url: string;
  calls: SlackCall[];
  of(method: string): SlackCall[];
  close(): Promise<void>;
}

export const CARD_TS = '1795000000.000100';
/** How long the desk keeps a card's links in tests: STATE_TTL_DAYS' default, 30 days (ms). */
export const LINK_TTL_MS = 30 * 86_400_000;
/** Display names users.info gives. */
export const AGENT_NAMES: Readonly<Record<string, string>> = { UWANG: '小王', ULI: '小李' };

export async function slackApiStandIn(): Promise<SlackApiStandIn> {
  const calls: SlackCall[] = [];
  let posted = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      const raw = Buffer.concat(chunks).toString('utf8');
      const body: Record<string, any> = (req.headers['content-type'] ?? '').includes('json')
        ? JSON.parse(raw || '{}')
        : Object.fromEntries(new URLSearchParams(raw));
      for (const key of ['blocks', 'attachments']) if (typeof body[key] === 'string') body[key] = JSON.parse(body[key]);
      calls.push({ method, body });
      const reply = (result: Record<string, unknown>) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, ...result }));
      };
      switch (method) {
        case 'auth.test':
          return reply({ user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
        case 'users.info':
          return reply({ user: { id: body.user, name: body.user, profile: { display_name: AGENT_NAMES[body.user] } } });
        case 'chat.postMessage':
          return reply({ channel: body.channel, ts: posted++ === 0 ? CARD_TS : `1795000000.0002${posted}` });
        default:
          return reply({});
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    of: (method) => calls.filter((c) => c.method === method),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Headers Slack signs a request with (v0, HMAC-SHA256 of `v0:timestamp:body`), at the real time Bolt checks. */
export function slackSigned(body: string, secret: string): Record<string, string> {
  const at = Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac('sha256', secret).update(`v0:${at}:${body}`).digest('hex')}`;
  return { 'x-slack-signature': sig, 'x-slack-request-timestamp': String(at) };
}

/**
 * What Slack posts to the events URL when `user` presses a desk button carrying `value` on the card
 * in `channel` (the card posted at `ts`, CARD_TS unless given; `press` tells repeated presses apart).
 */
export function buttonPress(
  actionId: string,
  user: string,
  value: string,
  channel: string,
  { ts = CARD_TS, press = user }: { ts?: string; press?: string } = {},
): string {
  const payload = {
    type: 'block_actions',
    user: { id: user, name: user.toLowerCase() },
    team: { id: 'T1' },
    api_app_id: 'A1',
    token: 't',
    trigger_id: `tr-${actionId}-${press}`,
    channel: { id: channel },
    container: { type: 'message', message_ts: ts, channel_id: channel },
    actions: [{ type: 'button', action_id: actionId, value, action_ts: `${Date.now()}.${press}` }],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

let eventSeq = 0;

/** What Slack posts to the events URL when `user` writes `text` in the card's thread. */
export function threadReply(user: string, text: string, channel: string): string {
  eventSeq++;
  return JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    token: 't',
    event_id: `EvThread${eventSeq}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'message', channel, user, text, ts: `1795000001.${eventSeq}`, thread_ts: CARD_TS },
  });
}
