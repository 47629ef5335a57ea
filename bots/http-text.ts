import type { ServerResponse } from 'node:http';

/**
 * A plain-text HTTP answer, as every route of the one server gives it (the app's `/healthz` and
 * 404, the Telegram webhook, the Slack events route): the body says what happened or what to do.
 */
export function replyText(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}
