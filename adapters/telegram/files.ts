import { posix } from 'node:path';
import { GrammyError, InputFile, type Api } from 'grammy';
import { z } from 'zod';
import { DeliveryError, FileTooLargeError } from '../../bots/errors.js';
import type { ChannelFiles, FileData, OutboundFile } from '../../bots/ports.js';
import type { FileKind, FileRef } from '../../flows/files.js';
import { download } from '../download.js';
import { deliveryErrorOf } from './channel.js';
import { chatIdOf } from './updates.js';

/**
 * Photos and files on Telegram: what a customer's message carries (a reference to it, with its
 * caption), reading it with getFile, and sending an agent's file with sendPhoto or sendDocument.
 */

const MB = 1024 * 1024;

/** The Bot API's limits on files (core.telegram.org/bots/api). */
export const TELEGRAM_FILE_LIMITS = {
  /** getFile: "bots can download files of up to 20MB in size". */
  fetchMax: 20 * MB,
  /** sendPhoto: "The photo must be at most 10 MB in size"; a larger image goes as a document. */
  photoMax: 10 * MB,
  /** Sending files by multipart/form-data: "50 MB max size for other files". */
  uploadMax: 50 * MB,
  /** Captions of sendPhoto and sendDocument: "0-1024 characters after entities parsing". */
  captionMax: 1024,
} as const;

export const TELEGRAM_SOURCE = 'telegram';

const Sized = { file_id: z.string(), file_size: z.number().int().optional() };
const Named = { ...Sized, file_name: z.string().optional(), mime_type: z.string().optional() };
const PhotoSizes = z.array(z.looseObject(Sized));
const NamedFile = z.looseObject(Named);

/** The message fields that carry a file, with the kind each is, as Telegram puts them. */
const FILE_FIELDS: ReadonlyArray<[field: string, kind: FileKind]> = [
  ['document', 'document'],
  ['voice', 'voice'],
  ['audio', 'audio'],
  ['video', 'video'],
  ['video_note', 'video'],
  ['animation', 'animation'],
];

/**
 * The file a message carries, as a reference: the largest size of a photo that bots may
 * download, or the document, voice note, audio, video or animation. Stickers, locations and
 * contacts carry none the desk needs. Undefined when there is none or it is malformed.
 */
export function telegramFileOf(message: Record<string, unknown>): FileRef | undefined {
  const photo = PhotoSizes.safeParse(message.photo);
  if (photo.success && photo.data.length > 0) {
    const fits = photo.data.filter((p) => (p.file_size ?? 0) <= TELEGRAM_FILE_LIMITS.fetchMax);
    const best = fits.at(-1) ?? photo.data.at(-1);
    if (best)
      return {
        source: TELEGRAM_SOURCE,
        id: best.file_id,
        kind: 'photo',
        mime: 'image/jpeg',
        ...(best.file_size !== undefined ? { size: best.file_size } : {}),
      };
  }
  for (const [field, kind] of FILE_FIELDS) {
    const parsed = NamedFile.safeParse(message[field]);
    if (!parsed.success) continue;
    const f = parsed.data;
    return {
      source: TELEGRAM_SOURCE,
      id: f.file_id,
      kind,
      ...(f.file_name ? { name: f.file_name.slice(0, 255) } : {}),
      ...(f.mime_type ? { mime: f.mime_type.slice(0, 255) } : field === 'video_note' ? { mime: 'video/mp4' } : {}),
      ...(f.file_size !== undefined ? { size: f.file_size } : {}),
    };
  }
  return undefined;
}

/** The caption a media message was sent with, if any. */
export function captionOf(message: Record<string, unknown>): string | undefined {
  return typeof message.caption === 'string' && message.caption.trim() ? message.caption : undefined;
}

/** Images Telegram shows as a photo (sendPhoto); anything else is sent as a document. */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * Files of the Telegram channel: read with getFile and downloaded from the Bot API's file
 * endpoint (the token is in the path, as Telegram defines it), sent with sendPhoto or
 * sendDocument as plain captions (no parse mode, like every reply).
 */
export class TelegramFiles implements ChannelFiles {
  readonly captionMax = TELEGRAM_FILE_LIMITS.captionMax;
  readonly fetchMax = TELEGRAM_FILE_LIMITS.fetchMax;

  constructor(private readonly api: Api) {}

  sendMax(): number {
    return TELEGRAM_FILE_LIMITS.uploadMax;
  }

  async fetch(file: FileRef, maxBytes: number): Promise<FileData> {
    if (file.source !== TELEGRAM_SOURCE)
      throw new DeliveryError(`Not a Telegram file: ${file.source}`, { retry: 'never' });
    const limit = Math.min(maxBytes, this.fetchMax);
    let path: string | undefined;
    try {
      const info = await this.api.getFile(file.id);
      if (info.file_size !== undefined && info.file_size > limit) throw new FileTooLargeError(limit, info.file_size);
      path = info.file_path;
    } catch (err) {
      if (err instanceof FileTooLargeError) throw err;
      if (err instanceof GrammyError && /too big/i.test(err.description)) throw new FileTooLargeError(limit, file.size);
      throw deliveryErrorOf(err, '');
    }
    if (!path) throw new DeliveryError('Telegram gave no path for the file', { retry: 'later' });
    const root = (this.api.options?.apiRoot ?? 'https://api.telegram.org').replace(/\/+$/, '');
    const url = `${root}/file/bot${this.api.token}/${path}`;
    const got = await download(url, { maxBytes: limit, platform: 'Telegram', fetch: this.api.options?.fetch });
    const name = file.name ?? (posix.basename(path) || `${file.kind}`);
    return { bytes: got.bytes, name, mime: file.mime ?? got.contentType };
  }

  async send(message: OutboundFile): Promise<void> {
    const chatId = chatIdOf(message.conversationId);
    if (chatId === undefined)
      throw new DeliveryError(`Not a Telegram conversation: ${message.conversationId}`, {
        retry: 'never',
        conversationId: message.conversationId,
      });
    const { data } = message;
    if (data.bytes.length > TELEGRAM_FILE_LIMITS.uploadMax)
      throw new FileTooLargeError(TELEGRAM_FILE_LIMITS.uploadMax, data.bytes.length);
    const other = message.caption ? { caption: message.caption } : {};
    const asPhoto =
      message.kind === 'photo' &&
      PHOTO_TYPES.has((data.mime ?? '').toLowerCase()) &&
      data.bytes.length <= TELEGRAM_FILE_LIMITS.photoMax;
    try {
      if (asPhoto) {
        try {
          await this.api.sendPhoto(chatId, new InputFile(data.bytes, data.name), other);
          return;
        } catch (err) {
          // An image Telegram will not show as a photo (dimensions, format) still goes, as a document.
          if (!(err instanceof GrammyError && err.error_code === 400 && /PHOTO|IMAGE/i.test(err.description)))
            throw err;
        }
      }
      await this.api.sendDocument(chatId, new InputFile(data.bytes, data.name), other);
    } catch (err) {
      throw deliveryErrorOf(err, message.conversationId);
    }
  }
}
