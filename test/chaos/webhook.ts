import { sleep, type Chance } from './basics.js';

/** What became of one customer message: the update Telegram made of it and its deliveries. */
export interface Delivery {
  updateId: number;
  chatId: number;
  text: string;
  phase: string;
  /** When the customer sent it (epoch ms). */
  at: number;
  /** POSTs made for it: copies and redeliveries. */
  posts: number;
  /** When a replica first answered 2xx: from then on Telegram considers it delivered. */
  answeredAt?: number;
  /** The 2xx answers' bodies (accepted, duplicate, …): a storm gets several. */
  answers: string[];
}

export interface WebhookTarget {
  readonly url: string;
  readonly up: boolean;
}

interface Queued {
  delivery: Delivery;
  body: string;
  copies: number;
}

const WEBHOOK_PATH = '/telegram/webhook';

/**
 * Telegram's side of webhook mode: each customer message becomes an update POSTed (with the
 * secret header) to one replica behind the load balancer (one that passes its health check when
 * any does), and redelivered, to any replica, until one answers 2xx. A chat's updates go one at a
 * time in order, as Telegram sends them; chats go concurrently. With `copies`, the update is
 * first POSTed that many times at once, spread over every replica (a duplicate storm).
 */
export class TelegramDelivery {
  readonly deliveries: Delivery[] = [];
  /** POSTs no replica answered 2xx, by what happened instead: the status, `refused`, `timeout` or `reset`. */
  readonly refusals = new Map<string, number>();
  private readonly chats = new Map<number, { queue: Queued[]; running: boolean }>();
  private nextUpdateId = 1;
  private closed = false;

  constructor(private readonly options: { targets: readonly WebhookTarget[]; secret: string; chance: Chance }) {}

  /** The customer of private chat `chatId` writes `text`; resolves nothing: delivery runs in the chat's order. */
  send(chatId: number, text: string, phase: string, copies = 1): Delivery {
    const updateId = this.nextUpdateId++;
    const at = Date.now();
    const delivery: Delivery = { updateId, chatId, text, phase, at, posts: 0, answers: [] };
    this.deliveries.push(delivery);
    const person = { id: chatId, is_bot: false, first_name: '顾客' };
    const message = {
      message_id: updateId,
      date: Math.floor(at / 1000),
      chat: { id: chatId, type: 'private', first_name: '顾客' },
      from: person,
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.length }] } : {}),
    };
    const chat = this.chats.get(chatId) ?? { queue: [], running: false };
    this.chats.set(chatId, chat);
    chat.queue.push({ delivery, body: JSON.stringify({ update_id: updateId, message }), copies });
    void this.pump(chatId);
    return delivery;
  }

  /** Updates no replica has answered 2xx yet. */
  backlog(): number {
    let n = 0;
    for (const chat of this.chats.values()) n += chat.queue.length;
    return n;
  }

  /** Stops redelivering (the run is over): what is still queued stays unanswered. */
  close(): void {
    this.closed = true;
  }

  private async pump(chatId: number): Promise<void> {
    const chat = this.chats.get(chatId);
    if (!chat || chat.running) return;
    chat.running = true;
    for (let head = chat.queue[0]; head && !this.closed; head = chat.queue[0]) {
      await this.deliver(head);
      chat.queue.shift();
    }
    chat.running = false;
  }

  private async deliver({ delivery, body, copies }: Queued): Promise<void> {
    const { targets, chance } = this.options;
    if (copies > 1)
      await Promise.all(
        Array.from({ length: copies }, (_, i) => this.post(delivery, body, targets[i % targets.length])),
      );
    for (let attempt = 1; delivery.answeredAt === undefined && !this.closed; attempt++) {
      if (copies > 1 || attempt > 1) await sleep(Math.min(2_000, 100 * attempt));
      const healthy = targets.filter((t) => t.up);
      await this.post(delivery, body, chance.pick(healthy.length ? healthy : targets));
    }
  }

  private async post(delivery: Delivery, body: string, target: WebhookTarget | undefined): Promise<void> {
    if (!target) return;
    delivery.posts++;
    try {
      const res = await fetch(`${target.url}${WEBHOOK_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': this.options.secret },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const answer = await res.text();
      if (res.status < 200 || res.status > 299) return this.refused(String(res.status));
      delivery.answers.push(answer);
      delivery.answeredAt ??= Date.now();
    } catch (err) {
      // Refused, reset by a killed replica, or timed out: Telegram tries again.
      const code = (err as { cause?: { code?: string } }).cause?.code;
      const why = (err as Error).name === 'TimeoutError' ? 'timeout' : code === 'ECONNREFUSED' ? 'refused' : 'reset';
      this.refused(why);
    }
  }

  private refused(why: string): void {
    this.refusals.set(why, (this.refusals.get(why) ?? 0) + 1);
  }
}
