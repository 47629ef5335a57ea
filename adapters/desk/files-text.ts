import type { FileNotice } from '../../bots/ports.js';
import type { FileKind } from '../../flows/files.js';

/**
 * What agents read about files on the desk (Slack, the playground), in the desk's language: the
 * line a customer's file is shared with, and why a file did not cross. The limits come with the
 * notice (the receiving side's, in bytes), so the words hold for any channel.
 */
export interface FileText {
  kinds: Record<FileKind, string>;
  /** The line a customer's file is shared with: the caption they sent, or what it is. */
  customerFile: (kind: FileKind, caption: string | undefined) => string;
  /** Why a file did not cross; `who` names the agent who shared it (a Slack mention, a name). */
  refused: (notice: FileNotice, who: string) => string;
}

/** 1,234,567 bytes → "1.2 MB"; under 1 KB → "512 B". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}

const sizeOf = (problem: FileNotice['problem']) =>
  problem.kind === 'too-large' && problem.size !== undefined ? formatBytes(problem.size) : undefined;

const EN_KINDS: Record<FileKind, string> = {
  photo: 'photo',
  document: 'file',
  voice: 'voice message',
  audio: 'audio file',
  video: 'video',
  animation: 'animation',
  sticker: 'sticker',
};

export const FILES_EN: FileText = {
  kinds: EN_KINDS,
  customerFile: (kind, caption) => caption ?? `(${EN_KINDS[kind]})`,
  refused: ({ file, direction, problem, caption }, who) => {
    const what = `${EN_KINDS[file.kind]}${file.name ? ` "${file.name}"` : ''}`;
    const size = sizeOf(problem);
    const said = caption ? ` Its caption: ${caption}` : '';
    if (direction === 'to-desk') {
      if (problem.kind === 'too-large')
        return `:warning: The customer sent a ${what}${size ? ` (${size})` : ''} too large for the bot to fetch: their channel lets bots fetch at most ${formatBytes(problem.limitBytes)}. Ask them for a smaller one or another way to send it.${said}`;
      if (problem.kind === 'refused')
        return `:warning: The customer's ${what} could not be brought here: ${problem.reason}${said}`;
      return `:warning: The customer sent a ${what}, which cannot be shown here.${said}`;
    }
    if (problem.kind === 'too-large')
      return `:warning: ${who}, your ${what}${size ? ` (${size})` : ''} was not sent to the customer: their channel takes files of at most ${formatBytes(problem.limitBytes)}. Share a smaller file or a link.`;
    if (problem.kind === 'refused')
      return `:warning: ${who}, your ${what} was not sent to the customer: ${problem.reason}`;
    return `:warning: ${who}, your ${what} was not sent: the customer's channel cannot take files. Write it in words instead.`;
  },
};

const ZH_KINDS: Record<FileKind, string> = {
  photo: '图片',
  document: '文件',
  voice: '语音',
  audio: '音频',
  video: '视频',
  animation: '动图',
  sticker: '表情',
};

export const FILES_ZH: FileText = {
  kinds: ZH_KINDS,
  customerFile: (kind, caption) => caption ?? `（${ZH_KINDS[kind]}）`,
  refused: ({ file, direction, problem, caption }, who) => {
    const what = `${ZH_KINDS[file.kind]}${file.name ? `「${file.name}」` : ''}`;
    const size = sizeOf(problem);
    const said = caption ? `客户附言：${caption}` : '';
    if (direction === 'to-desk') {
      if (problem.kind === 'too-large')
        return `:warning: 客户发送的${what}${size ? `（${size}）` : ''}过大，机器人无法取回：客户所在渠道只允许机器人取回 ${formatBytes(problem.limitBytes)} 以内的文件。请让客户压缩后重发或换其他方式发送。${said}`;
      if (problem.kind === 'refused') return `:warning: 客户发送的${what}未能转到这里：${problem.reason}。${said}`;
      return `:warning: 客户发送了${what}，这里无法显示。${said}`;
    }
    if (problem.kind === 'too-large')
      return `:warning: ${who}，您的${what}${size ? `（${size}）` : ''}未发送给客户：客户所在渠道只接收 ${formatBytes(problem.limitBytes)} 以内的文件。请发送较小的文件或链接。`;
    if (problem.kind === 'refused') return `:warning: ${who}，您的${what}未发送给客户：${problem.reason}`;
    return `:warning: ${who}，您的${what}未发送：客户所在渠道不支持文件，请改用文字说明。`;
  },
};

/** The file words in the desk's language; anything but Chinese reads English (as deskText). */
export function fileText(language: string): FileText {
  return language.toLowerCase().startsWith('zh') ? FILES_ZH : FILES_EN;
}
