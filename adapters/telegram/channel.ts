import { GrammyError, HttpError, type Api } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { DeliveryError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { ChannelFiles, ChannelPort, OutboundMessage } from '../../bots/ports.js';
import type { Choice } from '../../flows/contracts.js';
import { chatIdOf } from './updates.js';

/** Telegram's limit on one message's text. */
export const MAX_MESSAGE_LENGTH = 4096;

/**
 * Splits a long reply on line boundaries (then on spaces, then anywhere) so that no part
 * exceeds the limit. Counts UTF-16 code units, as Telegram does.
 */
export function splitMessage(text: string, limit = MAX_MESSAGE_LENGTH): string[] {
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    let cut = window.lastIndexOf('\n');
    if (cut <= 0) cut = window.lastIndexOf(' ');
    if (cut <= 0) cut = limit;
    // Never split a surrogate pair.
    if (cut === limit && /[\ud800-\udbff]/.test(rest.charAt(cut - 1))) cut--;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^\n/, '');
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}

/** Two choices side by side (是的 / 不是); longer lists one per row, so labels stay readable. */
export function keyboardOf(choices: readonly Choice[]): InlineKeyboardButton[][] {
  const buttons = choices.map((c) => ({ text: c.label, callback_data: c.id }));
  return buttons.length <= 2 ? [buttons] : buttons.map((b) => [b]);
}

/** Maps Bot API failures onto the engine's retry rules. */
export function deliveryErrorOf(err: unknown, conversationId: string): DeliveryError {
  if (err instanceof GrammyError) {
    const code = err.error_code;
    // The status goes with the error for the operator's counts of sends by result.
    const where = { conversationId, status: code };
    if (code === 429)
      return new DeliveryError(`Telegram rate limit: ${err.description}`, {
        retry: 'later',
        ...where,
        retryAfterSec: err.parameters.retry_after ?? 1,
      });
    if (code === 403)
      return new DeliveryError(`Telegram refused: ${err.description}`, { retry: 'unreachable', ...where });
    if (code === 400 && /chat not found|user is deactivated|bot was kicked/i.test(err.description)) {
      return new DeliveryError(`Telegram refused: ${err.description}`, { retry: 'unreachable', ...where });
    }
    if (code >= 500)
      return new DeliveryError(`Telegram server error ${code}: ${err.description}`, { retry: 'later', ...where });
    return new DeliveryError(`Telegram rejected the message (${code}): ${err.description}`, {
      retry: 'never',
      ...where,
    });
  }
  if (err instanceof HttpError)
    return new DeliveryError(`Cannot reach the Telegram Bot API: ${err.message}`, { retry: 'later', conversationId });
  return new DeliveryError(`Telegram delivery failed: ${String(err)}`, { retry: 'later', conversationId });
}

/**
 * Sends replies as plain text (no parse_mode), so nothing a customer wrote, quoted back to
 * them, can ever be read as markup. Choices become an inline keyboard.
 */
export class TelegramChannel implements ChannelPort {
  constructor(
    private readonly api: Api,
    private readonly log: Logger,
    /** Photos and files (files.ts): read with getFile, sent with sendPhoto or sendDocument. */
    readonly files?: ChannelFiles,
  ) {}

  split(text: string): string[] {
    return splitMessage(text);
  }

  async send(message: OutboundMessage): Promise<void> {
    const chatId = chatIdOf(message.conversationId);
    if (chatId === undefined)
      throw new DeliveryError(`Not a Telegram conversation: ${message.conversationId}`, {
        retry: 'never',
        conversationId: message.conversationId,
      });
    // One part: the engine has already split a long reply (with `split`) into outbox items of its own.
    try {
      await this.api.sendMessage(chatId, message.text, {
        link_preview_options: { is_disabled: true },
        ...(message.choices?.length ? { reply_markup: { inline_keyboard: keyboardOf(message.choices) } } : {}),
      });
    } catch (err) {
      throw deliveryErrorOf(err, message.conversationId);
    }
  }

  /**
   * Answers a button press (so the client stops its spinner) and removes that message's
   * keyboard, so the same choice cannot be made twice. Failures here are logged, not fatal:
   * the choice itself is already safely accepted.
   */
  async acknowledge(callback: { id: string; chatId: number; messageId?: number }): Promise<void> {
    await this.api
      .answerCallbackQuery(callback.id)
      .catch((err: unknown) => this.log.warn('answerCallbackQuery failed', { error: String(err) }));
    if (callback.messageId === undefined) return;
    await this.api
      .editMessageReplyMarkup(callback.chatId, callback.messageId, { reply_markup: { inline_keyboard: [] } })
      .catch((err: unknown) => this.log.debug('keyboard already gone', { error: String(err) }));
  }
}
