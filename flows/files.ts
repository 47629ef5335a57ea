import { z } from 'zod';

/**
 * Files that cross between the customer and the agents (a photo of a crushed box, a waybill
 * screenshot), as references: the platform's own id and, where the platform needs one, its
 * download address. The bytes are never stored; they are fetched from one platform and handed to
 * the other when the transfer is delivered (bots/media.ts).
 */

/** What kind of file it is, as the customer's platform names it; a desk shows it with this word. */
export const FileKind = z.enum(['photo', 'document', 'voice', 'audio', 'video', 'animation', 'sticker']);
export type FileKind = z.infer<typeof FileKind>;

export const FileRef = z.object({
  /** The platform that holds the file and can read it back: `telegram`, `slack`, `playground`. */
  source: z.string().min(1).max(40),
  /** The platform's id for it: Telegram's `file_id`, Slack's file id (`F0123…`). */
  id: z.string().min(1).max(500),
  kind: FileKind,
  /** Where to download it, when the platform gives an address (Slack's `url_private_download`, bot token required). */
  url: z.string().max(2_000).optional(),
  /** The file name shown to the other side (`photo-AgADBAAD.jpg`, `waybill.png`). */
  name: z.string().max(255).optional(),
  /** MIME type, when the platform says (`image/jpeg`, `application/pdf`). */
  mime: z.string().max(255).optional(),
  /** Size in bytes, when the platform says; a transfer checks it against the receiving side's limits before downloading. */
  size: z.number().int().nonnegative().optional(),
  /** What the customer wrote with it, on a file kept for later (shown with it when a person takes the matter). */
  caption: z.string().max(4_096).optional(),
});
export type FileRef = z.infer<typeof FileRef>;

/** Files of a matter kept for the agent (a photo sent before the matter went to a person): at most this many. */
export const MAX_KEPT_FILES = 5;

/** A file's identity across platforms: its source and the platform's id. */
export const fileKey = (file: Pick<FileRef, 'source' | 'id'>): string => `${file.source}:${file.id}`;

/** The files kept so far with one more, oldest dropped beyond MAX_KEPT_FILES; the same file (by id) is kept once. */
export function keepFile(kept: readonly FileRef[] | undefined, file: FileRef | undefined): FileRef[] {
  const list = [...(kept ?? [])];
  if (file && !list.some((f) => f.source === file.source && f.id === file.id)) list.push(file);
  return list.slice(-MAX_KEPT_FILES);
}

/** How a file reads in a transcript line or a plain-text fallback: `[photo waybill.png]`, `[voice]`. */
export function fileLabel(file: Pick<FileRef, 'kind' | 'name'>): string {
  return file.name ? `[${file.kind} ${file.name}]` : `[${file.kind}]`;
}
