import { ACTIONS } from '../../adapters/slack/blocks.js';
import { SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { slackSigned } from '../support/slack-api.js';
import { sleep, type Chance } from './basics.js';
import type { Card } from './slack-api.js';
import type { WebhookTarget } from './webhook.js';

/**
 * Agents on the desk: pressing a card's Claim button is a `block_actions` interaction that Slack
 * POSTs, signed with the app's signing secret (v0 HMAC-SHA256 of `v0:timestamp:body`), to the
 * events URL behind the load balancer. Pressed again until some replica answers 2xx, as an agent
 * presses again when Slack shows an error.
 */
export class Agents {
  private seq = 0;

  constructor(private readonly options: { targets: readonly WebhookTarget[]; signingSecret: string; chance: Chance }) {}

  /** `user` claims the card; resolves true once a replica took the press, false after `timeoutMs`. */
  async claim(card: Card, user: string, timeoutMs = 30_000): Promise<boolean> {
    const seq = ++this.seq;
    const payload = {
      type: 'block_actions',
      user: { id: user, name: user.toLowerCase() },
      team: { id: 'T1' },
      api_app_id: 'A1',
      token: 't',
      trigger_id: `tr-chaos-${seq}`,
      channel: { id: card.channel },
      container: { type: 'message', message_ts: card.ts, channel_id: card.channel },
      actions: [
        {
          type: 'button',
          action_id: ACTIONS.claim,
          block_id: 'b',
          value: card.claimValue,
          action_ts: `${Date.now()}.${seq}`,
        },
      ],
    };
    const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 1; Date.now() < deadline; attempt++) {
      if (await this.post(body)) return true;
      await sleep(Math.min(2_000, 200 * attempt));
    }
    return false;
  }

  private async post(body: string): Promise<boolean> {
    const { targets, chance, signingSecret } = this.options;
    const healthy = targets.filter((t) => t.up);
    const target = chance.pick(healthy.length ? healthy : targets);
    try {
      const res = await fetch(`${target.url}${SLACK_EVENTS_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...slackSigned(body, signingSecret) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      await res.arrayBuffer();
      return res.ok;
    } catch {
      return false;
    }
  }
}
