import type { FileKind, FileRef } from '../flows/files.js';

/**
 * The contracts for photos and files between the customer's channel and the agent desk, which
 * bots/media.ts carries at delivery (re-exported by ports.ts, where ChannelPort, DeskPort and
 * Store take them). Adapters implement them; nothing here knows a platform.
 */

/**
 * Transfers of files that went through, remembered for the dedup window (`DEDUP_TTL_HOURS`) by
 * conversation and transfer id (the outbox item's id), so delivering the same item again (a
 * retry after the upload succeeded, another worker after a lost lease) does not send it twice.
 */
export interface TransferStore {
  done(conversationId: string, transferId: string): Promise<boolean>;
  markDone(conversationId: string, transferId: string): Promise<void>;
}

/** A file's bytes while a transfer carries it: read from one platform, handed to the other, never stored. */
export interface FileData {
  bytes: Buffer;
  /** File name for the receiving side (`waybill.png`). */
  name: string;
  mime?: string | undefined;
}

/** A file for a customer, as a channel adapter receives it. */
export interface OutboundFile {
  /** Stable per transfer (the outbox item's id). */
  id: string;
  conversationId: string;
  customerId: string;
  kind: FileKind;
  data: FileData;
  /** At most the channel's `captionMax` characters. */
  caption?: string | undefined;
}

/** Why a file did not cross, as the agents are told in the conversation's thread. */
export interface FileNotice {
  file: FileRef;
  /** `to-desk`: a customer's file could not reach the thread; `to-customer`: an agent's file was not sent. */
  direction: 'to-desk' | 'to-customer';
  /** The agent who shared it (`to-customer`), to be named in the warning. */
  agentId?: string | undefined;
  caption?: string | undefined;
  problem:
    | { kind: 'too-large'; limitBytes: number; size?: number | undefined }
    | { kind: 'refused'; reason: string }
    | { kind: 'unsupported' };
}

/** What a customer channel (Telegram, the playground) does with files. Failures throw DeliveryError. */
export interface ChannelFiles {
  /** Longest caption a file can carry, in characters (Telegram: 1,024); a longer text goes first as a message. */
  readonly captionMax: number;
  /** Largest file the bot can read from the channel, in bytes (Telegram's getFile: 20 MB). */
  readonly fetchMax: number;
  /** Largest file like this one the channel can send to a customer, in bytes (Telegram: 50 MB). */
  sendMax(file: FileRef): number;
  /** Reads a file a customer sent; FileTooLargeError when it is over `maxBytes`. */
  fetch(file: FileRef, maxBytes: number): Promise<FileData>;
  send(message: OutboundFile): Promise<void>;
}

/** What the agent desk (Slack, the playground) does with files. Failures throw DeliveryError. */
export interface DeskFiles {
  /** Largest file the desk accepts, in bytes (Slack: 1 GB). */
  readonly postMax: number;
  /** Shares a customer's file in the conversation's thread, with the caption they sent. */
  post(conversationId: string, file: FileRef, data: FileData, caption?: string): Promise<void>;
  /** Reads a file an agent shared; FileTooLargeError when it is over `maxBytes`. */
  fetch(file: FileRef, maxBytes: number): Promise<FileData>;
  /** Tells the agents in the conversation's thread that a file did not cross, and why. */
  refused(conversationId: string, notice: FileNotice): Promise<void>;
}
