import type { ChannelPort, OutboundMessage } from '../../bots/ports.js';
import type { Choice } from '../../flows/contracts.js';
import { PlaygroundChannelFiles } from './files.js';

/**
 * The local channel: you are the customer, typing lines; the real engine and flows answer.
 * Replies are printed as `bot>` lines, with the offered choices under them, so the whole
 * product can be tried without any account.
 */

export const PLAYGROUND_CHANNEL = 'playground';

export class PlaygroundChannel implements ChannelPort {
  /** Choices offered by the last reply: typing one of their labels sends that choice. */
  lastChoices: Choice[] = [];

  /** Agents' files, printed with their captions (files.ts). */
  readonly files: PlaygroundChannelFiles;

  constructor(private readonly print: (line: string) => void) {
    this.files = new PlaygroundChannelFiles(print);
  }

  async send(message: OutboundMessage): Promise<void> {
    this.print(`bot> ${message.text}`);
    if (message.choices?.length) this.print(`     ${message.choices.map((c) => `[${c.label}]`).join(' ')}`);
    this.lastChoices = message.choices ?? [];
  }
}
