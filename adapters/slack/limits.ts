import { CARD_LINE_CHARS } from '../../bots/ports.js';
import { clipText, surrogateSafeCut } from '../../flows/text.js';

/**
 * Slack's limits on what the desk posts, and the two ways the desk keeps under them: clipping a
 * text with "…" and splitting it into several messages. Sources: Block Kit's reference
 * (docs.slack.dev/reference/block-kit: section text 3,000, section fields 10 × 2,000, header
 * 150, button text 75, value 2,000, action_id 255, 50 blocks a message) and chat.postMessage
 * (text over 40,000 characters is refused with msg_too_long or truncated). Lengths are counted
 * in UTF-16 code units (JavaScript's `length`), never fewer than Slack's characters.
 */
export const SLACK_LIMITS = {
  /** A message's `text` (chat.postMessage, chat.update, chat.postEphemeral). */
  messageText: 40_000,
  /** Blocks in one message. */
  blocks: 50,
  /** A section's text. */
  sectionText: 3_000,
  /** Fields in a section, and each field's text. */
  sectionFields: 10,
  fieldText: 2_000,
  /** A header's plain text. */
  headerText: 150,
  /** A button's label, value and action id. */
  buttonText: 75,
  buttonValue: 2_000,
  actionId: 255,
  /**
   * All the text in one message's blocks together. Not documented: Slack refuses long block
   * messages with msg_blocks_too_long from about 13,000 characters (slackapi/bolt-js#2509).
   */
  blocksTotal: 12_000,
} as const;

/**
 * What the desk itself allows, well inside Slack's limits, so a card stays readable and a
 * message of the customer's stays one screen: the thread carries the rest.
 */
export const DESK_BUDGET = {
  /** A card field's value (the customer's name, a category). */
  field: 300,
  /** The customer's need on the card. */
  need: 1_200,
  /** One fact, and one line of the last messages (the store keeps its lines as long). */
  line: CARD_LINE_CHARS,
  /** One thread message: Slack advises 4,000 characters at most for readable messages. */
  message: 4_000,
} as const;

/** Where a cut may not fall: inside an HTML entity of escaped mrkdwn (&amp; &lt; &gt;) or a surrogate pair. */
function safeCut(text: string, at: number): number {
  let cut = Math.max(0, Math.min(at, text.length));
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && amp >= cut - 5 && !text.slice(amp, cut).includes(';') && /^&(amp|lt|gt);/.test(text.slice(amp)))
    cut = amp;
  return surrogateSafeCut(text, cut);
}

/** The text, or its first `max - 1` units and "…" when longer (clipText). Never cuts an entity or a surrogate pair. */
export function clip(text: string, max: number): string {
  return clipText(text, max, safeCut);
}

/**
 * Splits a text into parts of at most `max` units, preferring line breaks, then spaces (a
 * break in the second half of the window), else cutting where `clip` may. Empty parts are dropped.
 */
export function split(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf('\n');
    if (cut < max / 2) cut = window.lastIndexOf(' ');
    if (cut < max / 2) cut = safeCut(rest, max);
    if (cut <= 0) cut = max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  parts.push(rest);
  return parts.filter((p) => p.trim() !== '');
}
