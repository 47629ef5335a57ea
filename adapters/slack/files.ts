import type { webApi } from '@slack/bolt';
import { z } from 'zod';
import { DeliveryError } from '../../bots/errors.js';
import type { Logger } from '../../bots/log.js';
import type { DeskFiles, FileData, FileNotice } from '../../bots/ports.js';
import type { FileKind, FileRef } from '../../flows/files.js';
import type { DeskText } from '../desk/text.js';
import { download } from '../download.js';
import { escapeMrkdwn, safe } from './blocks.js';

/**
 * Photos and files in a card's thread: a customer's file is uploaded to the thread with Slack's
 * external upload flow (files.getUploadURLExternal, a POST of the bytes to the upload URL,
 * files.completeUploadExternal; @slack/web-api's filesUploadV2 does all three), and an agent's
 * file (a `file_share` message) is read from its `url_private_download` with the bot token
 * (scope files:read).
 */

export const SLACK_SOURCE = 'slack';

/** Slack takes uploads of up to 1 GB (docs.slack.dev: files.getUploadURLExternal, "Uploading files"). */
export const SLACK_UPLOAD_MAX = 1024 * 1024 * 1024;

/** A file object of a message event, as far as a transfer reads it (docs.slack.dev/reference/objects/file-object). */
const SlackFile = z.looseObject({
  id: z.string().min(1),
  name: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().int().nonnegative().optional(),
  url_private: z.string().optional(),
  url_private_download: z.string().optional(),
  /** `tombstone`: deleted; `hidden_by_limit`: beyond a free workspace's history. */
  mode: z.string().optional(),
});

function kindOf(mime: string | undefined): FileKind {
  const m = (mime ?? '').toLowerCase();
  if (m === 'image/gif') return 'animation';
  if (m.startsWith('image/')) return 'photo';
  if (m.startsWith('video/')) return 'video';
  if (m.startsWith('audio/')) return 'audio';
  return 'document';
}

/** The files an agent's message shares, as references (at most 10, as Slack allows per message); deleted ones are left out. */
export function slackFilesOf(event: object): FileRef[] {
  const files = 'files' in event && Array.isArray(event.files) ? (event.files as unknown[]) : [];
  return files.slice(0, 10).flatMap((raw) => {
    const parsed = SlackFile.safeParse(raw);
    if (!parsed.success || parsed.data.mode === 'tombstone') return [];
    const f = parsed.data;
    const url = f.url_private_download ?? f.url_private;
    return [
      {
        source: SLACK_SOURCE,
        id: f.id,
        kind: kindOf(f.mimetype),
        ...(url && url.length <= 2_000 ? { url } : {}),
        ...(f.name ? { name: f.name.slice(0, 255) } : {}),
        ...(f.mimetype ? { mime: f.mimetype.slice(0, 255) } : {}),
        ...(f.size !== undefined ? { size: f.size } : {}),
      },
    ];
  });
}

export interface SlackFilesOptions {
  client: webApi.WebClient;
  /** The card's thread of a conversation (desk.ts keeps it). */
  thread: (conversationId: string) => Promise<{ channel: string; ts: string } | undefined>;
  /** Maps Web API failures onto the engine's retry rules (desk.ts). */
  errorOf: (err: unknown, conversationId: string) => DeliveryError;
  text: DeskText;
  log: Logger;
}

/** The Slack desk's files. Failures throw DeliveryError, as every desk call does. */
export class SlackFiles implements DeskFiles {
  readonly postMax = SLACK_UPLOAD_MAX;

  constructor(private readonly o: SlackFilesOptions) {}

  private async call<T>(conversationId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw err instanceof DeliveryError ? err : this.o.errorOf(err, conversationId);
    }
  }

  async post(conversationId: string, file: FileRef, data: FileData, caption?: string): Promise<void> {
    const thread = await this.o.thread(conversationId);
    if (!thread) return this.o.log.warn('desk file without a card', { conversationId });
    const line = `:bust_in_silhouette: ${safe(this.o.text.files.customerFile(file.kind, caption))}`;
    await this.call(conversationId, () =>
      this.o.client.filesUploadV2({
        channel_id: thread.channel,
        thread_ts: thread.ts,
        file: data.bytes,
        filename: data.name,
        initial_comment: line,
      }),
    );
  }

  async fetch(file: FileRef, maxBytes: number): Promise<FileData> {
    if (file.source !== SLACK_SOURCE) throw new DeliveryError(`Not a Slack file: ${file.source}`, { retry: 'never' });
    let url = file.url;
    if (!url) {
      // Some events carry only the file's id (file_access: check_file_info): ask for the rest.
      const info = await this.call('', () => this.o.client.files.info({ file: file.id }));
      if (info.file?.is_external)
        throw new DeliveryError('it is a link to another service; paste the link as text', { retry: 'never' });
      url = info.file?.url_private_download ?? info.file?.url_private;
    }
    if (!url) throw new DeliveryError('Slack gives no address to download it', { retry: 'never' });
    if (!this.tokenMayGoTo(url))
      throw new DeliveryError('its address is not on Slack; the bot token is not sent there', { retry: 'never' });
    const token = this.o.client.token ?? '';
    const got = await download(url, { maxBytes, platform: 'Slack', headers: { Authorization: `Bearer ${token}` } });
    // Without files:read Slack answers with its sign-in page instead of the file.
    if (got.contentType?.startsWith('text/html') && !(file.mime ?? '').startsWith('text/html'))
      throw new DeliveryError(
        'Slack answered with a sign-in page instead of the file: the app needs the files:read scope (reinstall it)',
        { retry: 'never' },
      );
    return { bytes: got.bytes, name: file.name ?? `${file.kind}`, mime: file.mime ?? got.contentType };
  }

  /**
   * The bot token goes with a download only to Slack's own hosts (`slack.com` and its
   * subdomains, where url_private points), or to the host the Web API root names (a proxy,
   * SLACK_API_URL): never to an address a message merely claims.
   */
  private tokenMayGoTo(url: string): boolean {
    try {
      const host = new URL(url).hostname;
      return (
        host === 'slack.com' || host.endsWith('.slack.com') || host === new URL(this.o.client.slackApiUrl).hostname
      );
    } catch {
      return false;
    }
  }

  async refused(conversationId: string, notice: FileNotice): Promise<void> {
    const thread = await this.o.thread(conversationId);
    if (!thread) return this.o.log.warn('file notice without a card', { conversationId });
    const shown: FileNotice = {
      ...notice,
      file: { ...notice.file, ...(notice.file.name ? { name: escapeMrkdwn(notice.file.name) } : {}) },
      caption: notice.caption === undefined ? undefined : safe(notice.caption),
      problem:
        notice.problem.kind === 'refused'
          ? { ...notice.problem, reason: escapeMrkdwn(notice.problem.reason) }
          : notice.problem,
    };
    const who = notice.agentId ? `<@${notice.agentId}>` : this.o.text.someone;
    await this.call(conversationId, () =>
      this.o.client.chat.postMessage({
        channel: thread.channel,
        thread_ts: thread.ts,
        text: this.o.text.files.refused(shown, who),
      }),
    );
  }
}
