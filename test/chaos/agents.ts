import { ACTIONS } from '../../adapters/slack/blocks.js';
import { SLACK_EVENTS_PATH } from '../../adapters/slack/index.js';
import { buttonPress, slackSigned } from '../support/slack-api.js';
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
    const press = `chaos-${++this.seq}`;
    const body = buttonPress(ACTIONS.claim, user, card.claimValue, card.channel, { ts: card.ts, press });
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
