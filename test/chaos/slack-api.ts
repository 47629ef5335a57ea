import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ACTIONS, cardOfValue } from '../../adapters/slack/blocks.js';

/** A message Slack took (chat.postMessage answered ok). */
export interface SlackPost {
  channel: string;
  ts: string;
  /** The card's ts for a message in its thread. */
  threadTs?: string;
  text: string;
  at: number;
}

/** A handoff card: a top-level post with a Claim button, and what the button's value names. */
export interface Card {
  conversationId: string;
  channel: string;
  ts: string;
  /** The Claim button's value, as Slack sends it back when an agent presses it. */
  claimValue: string;
}

/** How Slack answers while it is failing: 500, or 429 with Retry-After (seconds). */
export type SlackFault = { status: 500 } | { status: 429; retryAfterSec: number };

/**
 * Slack's Web API for the replicas (SLACK_API_URL): answers what the desk calls (auth.test,
 * users.info, chat.postMessage with a fresh ts, chat.update, chat.postEphemeral) and records the
 * messages it took. While `fault` is set every call fails the way Slack fails in an outage
 * (500) or under rate limiting (429 with Retry-After), and is counted, not recorded as a post.
 */
export interface SlackApiStandIn {
  url: string;
  posts: SlackPost[];
  cards: Card[];
  /** Calls refused by status (500, 429). */
  refused: Map<number, number>;
  fault: SlackFault | undefined;
  close(): Promise<void>;
}

const NAMES: Readonly<Record<string, string>> = { UWANG: '小王', ULI: '小李' };

/** The form or JSON body of a Web API call, with `blocks` parsed. */
function bodyOf(req: IncomingMessage, raw: string): Record<string, unknown> {
  const json = (req.headers['content-type'] ?? '').includes('json');
  const body = (json ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw))) as Record<
    string,
    unknown
  >;
  if (typeof body.blocks === 'string') body.blocks = JSON.parse(body.blocks);
  return body;
}

/** The Claim button's value among a message's blocks, if it has one. */
function claimValueOf(blocks: unknown): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as Array<{ elements?: Array<{ action_id?: string; value?: string }> }>)
    for (const element of block.elements ?? []) if (element.action_id === ACTIONS.claim) return element.value;
  return undefined;
}

export async function slackApiStandIn(): Promise<SlackApiStandIn> {
  let seq = 0;
  const api: Omit<SlackApiStandIn, 'url' | 'close'> = { posts: [], cards: [], refused: new Map(), fault: undefined };
  const reply = (res: ServerResponse, status: number, body: Record<string, unknown>, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const method = (req.url ?? '').split('/').pop() ?? '';
    const fault = api.fault;
    if (fault) {
      api.refused.set(fault.status, (api.refused.get(fault.status) ?? 0) + 1);
      if (fault.status === 500) return reply(res, 500, { ok: false, error: 'internal_error' });
      return reply(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfterSec) });
    }
    const body = bodyOf(req, raw);
    switch (method) {
      case 'auth.test':
        return reply(res, 200, { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1' });
      case 'users.info': {
        const user = String(body.user);
        return reply(res, 200, { ok: true, user: { id: user, name: user, profile: { display_name: NAMES[user] } } });
      }
      case 'chat.postMessage': {
        const ts = `1795000000.${String(++seq).padStart(6, '0')}`;
        const channel = String(body.channel);
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        api.posts.push({
          channel,
          ts,
          ...(threadTs ? { threadTs } : {}),
          text: String(body.text ?? ''),
          at: Date.now(),
        });
        const claimValue = threadTs ? undefined : claimValueOf(body.blocks);
        const card = cardOfValue(claimValue);
        if (claimValue && card) api.cards.push({ conversationId: card.conversationId, channel, ts, claimValue });
        return reply(res, 200, { ok: true, channel, ts });
      }
      default:
        return reply(res, 200, { ok: true });
    }
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch (err) {
        reply(res, 400, { ok: false, error: `invalid_request: ${(err as Error).message}` });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}/api/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
