import { pause, type Chance } from './basics.js';
import type { Delivery, TelegramDelivery } from './webhook.js';

/** One standard conversation, looping (as the benchmark's): greeting → need → confirm → answer → another → close → survey. */
export const SCRIPT = ['你好', '我的订单还没发货', '是的', '还有问题', '怎么开发票', '是的', '没有了', '5'];

/** How customers talk in a phase. */
export interface Talk {
  phase: string;
  /** The pause between two messages of one customer: [min, max] ms. */
  thinkMs: readonly [number, number];
  /** True once the phase is over. */
  done: () => boolean;
  /** Copies of each update POSTed at once (a duplicate storm); 1 otherwise. */
  copies?: number;
  /** Stop after this many messages in all (the storm's budget). */
  budget?: number;
  /** The words of a chat's next message; the script by default. */
  words?: (chatId: number) => string;
}

/**
 * The customers of the run's private chats (ids from 10001 up): each talks through the script
 * at their own pace, starting at a place of their own, without waiting for the bot's replies (a
 * customer writes when they like; Telegram keeps each chat's updates in order).
 */
export class Customers {
  readonly chats: number[];
  private readonly place = new Map<number, number>();

  constructor(
    count: number,
    private readonly telegram: TelegramDelivery,
    private readonly chance: Chance,
  ) {
    this.chats = Array.from({ length: count }, (_, i) => 10_001 + i);
    for (const chat of this.chats) this.place.set(chat, chance.between(0, SCRIPT.length - 1));
  }

  /** The chat's next line of the script. */
  next(chatId: number): string {
    const at = this.place.get(chatId) ?? 0;
    this.place.set(chatId, at + 1);
    return SCRIPT[at % SCRIPT.length] ?? SCRIPT[0]!;
  }

  /** One message now, delivered in the chat's order. */
  say(chatId: number, text: string, phase: string, copies = 1): Delivery {
    return this.telegram.send(chatId, text, phase, copies);
  }

  /** The customers of `chats` talk until the phase is over (or its budget is spent); resolves when all have stopped. */
  async talk(chats: readonly number[], talk: Talk): Promise<void> {
    let left = talk.budget ?? Infinity;
    const [min, max] = talk.thinkMs;
    await Promise.all(
      chats.map(async (chat) => {
        // Spread over the first pause, so not every customer writes at the same moment.
        await pause(this.chance.between(0, max), talk.done);
        while (!talk.done() && left > 0) {
          left--;
          this.say(chat, talk.words?.(chat) ?? this.next(chat), talk.phase, talk.copies ?? 1);
          await pause(this.chance.between(min, max), talk.done);
        }
      }),
    );
  }
}
