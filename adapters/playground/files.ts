import type { ChannelFiles, DeskFiles, FileData, FileNotice, InboundEvent, OutboundFile } from '../../bots/ports.js';
import { fileLabel, type FileKind, type FileRef } from '../../flows/files.js';
import { formatBytes } from '../desk/files-text.js';
import { maskPII } from '../desk/pii.js';
import type { DeskText } from '../desk/text.js';

/**
 * Files in the playground, without any platform: `/send photo 快递盒压坏了` sends a stand-in photo
 * with its caption, `/agent file 物流单.png 请查收` an agent's file. The bytes are a short
 * placeholder; everything else (references, transfers through the outbox, the desk's lines) is
 * what production does.
 */

export const PLAYGROUND_SOURCE = 'playground';

/** Kinds `/send` accepts that carry a file, and the name a stand-in gets. */
const FILE_KINDS: ReadonlyMap<string, { kind: FileKind; name: (n: number) => string }> = new Map([
  ['photo', { kind: 'photo', name: (n) => `photo-${n}.jpg` }],
  ['document', { kind: 'document', name: (n) => `document-${n}.pdf` }],
  ['voice', { kind: 'voice', name: (n) => `voice-${n}.ogg` }],
  ['video', { kind: 'video', name: (n) => `video-${n}.mp4` }],
]);

const MIME: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  pdf: 'application/pdf',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

function mimeOf(name: string): string {
  return MIME[name.split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** The placeholder bytes of a stand-in file. */
function bytesOf(file: Pick<FileRef, 'kind' | 'name'>): Buffer {
  return Buffer.from(`playground ${file.kind} ${file.name ?? ''}`.trim());
}

/** A stand-in file, numbered `n` in the session. */
export function playgroundFile(kind: FileKind, name: string, n: number): FileRef {
  return {
    source: PLAYGROUND_SOURCE,
    id: `pg-file-${n}`,
    kind,
    name,
    mime: mimeOf(name),
    size: bytesOf({ kind, name }).length,
  };
}

/** An agent's file by its name: an image is a photo, anything else a document. */
export function agentFile(name: string, n: number): FileRef {
  const mime = mimeOf(name);
  return playgroundFile(mime.startsWith('image/') && mime !== 'image/gif' ? 'photo' : 'document', name, n);
}

/**
 * What `/send KIND …` sends: a photo, voice note or video with the rest of the line as its caption;
 * a document named by the first word (`/send document 发票.pdf 请看附件`); other kinds (sticker,
 * location, contact) carry no file and no caption, as on Telegram.
 */
export function playgroundMedia(media: string, args: readonly string[], n: number): InboundEvent['payload'] {
  const spec = FILE_KINDS.get(media);
  if (!spec) return { type: 'media', media };
  const named = media === 'document' && args.length > 0;
  const file = playgroundFile(spec.kind, named ? (args[0] ?? '') : spec.name(n), n);
  const caption = (named ? args.slice(1) : args).join(' ');
  return { type: 'media', media, file, ...(caption ? { caption } : {}) };
}

/** Reads a stand-in file back (its placeholder bytes); a file of another platform cannot be read here. */
async function read(file: FileRef): Promise<FileData> {
  return { bytes: bytesOf(file), name: file.name ?? file.kind, mime: file.mime };
}

/** The customer's side: an agent's file is printed as a `bot>` line with its caption. */
export class PlaygroundChannelFiles implements ChannelFiles {
  readonly captionMax = 1024;
  readonly fetchMax = 20 * 1024 * 1024;

  constructor(private readonly print: (line: string) => void) {}

  sendMax(): number {
    return 50 * 1024 * 1024;
  }
  fetch(file: FileRef): Promise<FileData> {
    return read(file);
  }
  async send(message: OutboundFile): Promise<void> {
    const label = fileLabel({ kind: message.kind, name: message.data.name });
    this.print(`bot> ${label}${message.caption ? ` ${message.caption}` : ''}`);
  }
}

/** The desk's side: a customer's file is printed as a `desk>` line, what it is, its name and size, and the caption. */
export class PlaygroundDeskFiles implements DeskFiles {
  readonly postMax = 1024 * 1024 * 1024;

  constructor(
    private readonly print: (line: string) => void,
    private readonly t: DeskText,
  ) {}

  async post(_conversationId: string, file: FileRef, data: FileData, caption?: string): Promise<void> {
    const { t } = this;
    const what = `📎 ${t.files.kinds[file.kind]} ${data.name} (${formatBytes(data.bytes.length)})`;
    this.print(`desk> [${t.from.customer}] ${what}${caption ? `${t.colon}${maskPII(caption)}` : ''}`);
  }
  fetch(file: FileRef): Promise<FileData> {
    return read(file);
  }
  async refused(_conversationId: string, notice: FileNotice): Promise<void> {
    const who = notice.agentId?.replace(/^pg:/, '') ?? this.t.someone;
    this.print(`desk> ${this.t.files.refused(notice, who).replace(/^:warning: /, '⚠️ ')}`);
  }
}
