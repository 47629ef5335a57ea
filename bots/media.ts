import type { Effect } from '../flows/contracts.js';
import { fileLabel, type FileRef } from '../flows/files.js';
import { DeliveryError, FileTooLargeError } from './errors.js';
import type { Logger } from './log.js';
import type { ChannelFiles, ChannelPort, DeskPort, FileData, FileNotice, OutboxItem, Store } from './ports.js';

/**
 * Carrying photos and files between the customer's channel and the agent desk, at delivery: the
 * outbox item holds references (Telegram's file_id, Slack's file id and URL), and the handler
 * downloads from one platform and uploads to the other, so no file is ever kept in the store.
 *
 * Each transfer is an outbox item, retried like any other. It is done once: when it goes
 * through (or ends in a warning to the agents) it is marked done under its item id, and a second
 * delivery of that item (a retry after the upload succeeded, another worker after a lost lease)
 * does nothing. A file either crosses whole, with its caption, or the agents are told why not in
 * the thread (too large for the receiving side, refused by it): never silence.
 */

export interface MediaDeps {
  store: Store;
  channels: ReadonlyMap<string, ChannelPort>;
  desk?: DeskPort | undefined;
  log?: Logger | undefined;
}

type Handler<T extends 'desk.file' | 'reply.file'> = (
  item: OutboxItem,
  effect: Extract<Effect, { type: T }>,
) => Promise<void>;

/** Failures that end a transfer with a warning to the agents instead of a retry; undefined for the rest (rethrown). */
function problemOf(err: unknown): FileNotice['problem'] | undefined {
  if (err instanceof FileTooLargeError) return { kind: 'too-large', limitBytes: err.limitBytes, size: err.size };
  if (err instanceof DeliveryError && err.retry === 'never') return { kind: 'refused', reason: err.message };
  return undefined;
}

/** The handlers of `desk.file` (customer → thread) and `reply.file` (agent → customer). */
export function createMediaHandlers(deps: MediaDeps): {
  'desk.file': Handler<'desk.file'>;
  'reply.file': Handler<'reply.file'>;
} {
  const { store, channels, desk } = deps;
  /** Runs a transfer once per item: skipped when done before, marked done when it ends (sent or warned about). */
  const once = async (item: OutboxItem, work: () => Promise<void>): Promise<void> => {
    if (await store.transfers.done(item.conversationId, item.id)) return;
    await work();
    await store.transfers.markDone(item.conversationId, item.id);
  };
  const warn = async (conversationId: string, notice: FileNotice): Promise<void> => {
    deps.log?.warn('a file did not cross; the agents are told', {
      conversationId,
      direction: notice.direction,
      problem: notice.problem.kind,
    });
    await (desk?.files
      ? desk.files.refused(conversationId, notice)
      : desk?.post({ conversationId }, `${fileLabel(notice.file)} ${notice.problem.kind}`, 'system'));
  };

  const toDesk: Handler<'desk.file'> = (item, e) =>
    once(item, async () => {
      if (!desk) return;
      const from = channels.get(item.channel)?.files;
      // A desk or channel without files: the agents still learn what was sent, and its caption.
      if (!desk.files || !from)
        return desk.post(
          { conversationId: item.conversationId, ticketId: e.ticketId },
          [fileLabel(e.file), e.caption].filter(Boolean).join(' '),
          'customer',
        );
      const notice = { file: e.file, direction: 'to-desk' as const, caption: e.caption };
      const limit = Math.min(from.fetchMax, desk.files.postMax);
      try {
        if (e.file.size !== undefined && e.file.size > limit) throw new FileTooLargeError(limit, e.file.size);
        const data = await from.fetch(e.file, limit);
        await desk.files.post(item.conversationId, e.file, data, e.caption);
      } catch (err) {
        const problem = problemOf(err);
        if (!problem) throw err;
        await warn(item.conversationId, { ...notice, problem });
      }
    });

  const toCustomer: Handler<'reply.file'> = (item, e) =>
    once(item, async () => {
      const channel = channels.get(item.channel);
      if (!channel)
        throw new DeliveryError(`No channel adapter for "${item.channel}" is running`, {
          retry: 'never',
          conversationId: item.conversationId,
        });
      const notice = { file: e.file, direction: 'to-customer' as const, agentId: e.agentId, caption: e.caption };
      // A file that cannot cross does not take the agent's words with it: they go on their own.
      const notCrossing = async (problem: FileNotice['problem']) => {
        if (e.caption) await sendText(item, channel, e.caption, store);
        await warn(item.conversationId, { ...notice, problem });
      };
      const to = channel.files;
      if (!to || !desk?.files) return notCrossing({ kind: 'unsupported' });
      try {
        const limit = to.sendMax(e.file);
        if (e.file.size !== undefined && e.file.size > limit) throw new FileTooLargeError(limit, e.file.size);
        const data = await desk.files.fetch(e.file, limit);
        await sendToCustomer(item, channel, to, e, data, store);
      } catch (err) {
        const problem = problemOf(err);
        if (!problem) throw err;
        await notCrossing(problem);
      }
    });

  return { 'desk.file': toDesk, 'reply.file': toCustomer };
}

/**
 * Sends the file with its caption. A caption longer than the channel allows on a file goes
 * first as a message of its own (split like any reply), each part marked done so a retry of the
 * file does not repeat the text.
 */
async function sendToCustomer(
  item: OutboxItem,
  channel: ChannelPort,
  to: ChannelFiles,
  e: { file: FileRef; caption?: string | undefined },
  data: FileData,
  store: Store,
): Promise<void> {
  const base = { conversationId: item.conversationId, customerId: item.customerId };
  let caption = e.caption;
  if (caption && caption.length > to.captionMax) {
    await sendText(item, channel, caption, store);
    caption = undefined;
  }
  await to.send({ id: item.id, ...base, kind: e.file.kind, data, ...(caption ? { caption } : {}) });
}

/** The agent's words as messages of their own (split like any reply), each part sent once however often the item is retried. */
async function sendText(item: OutboxItem, channel: ChannelPort, text: string, store: Store): Promise<void> {
  const base = { conversationId: item.conversationId, customerId: item.customerId };
  const parts = channel.split ? channel.split(text) : [text];
  for (const [k, part] of parts.entries()) {
    const id = `${item.id}/text.${k}`;
    if (await store.transfers.done(item.conversationId, id)) continue;
    await channel.send({ id, ...base, text: part });
    await store.transfers.markDone(item.conversationId, id);
  }
}
