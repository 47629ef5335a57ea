import type { Effect, StepResult } from '../flows/contracts.js';
import { EDITED_MARK, INTERNAL_MARK, systemLineText } from '../flows/system-lines.js';
import { fileLabel } from '../flows/files.js';
import { render } from '../flows/text.js';
import type { ChannelPort, InboundEvent, OutboxItem, TranscriptEntry } from './ports.js';

/**
 * What one turn writes besides the state, as pure functions: the transcript lines agents will
 * read (the customer's message as they saw it, the replies) and the outbox items to deliver.
 */

/**
 * `{position}` and `{wait}` of a queue message, filled in (at delivery, or with "…" for the
 * transcript), plural forms included (`{wait, plural, one {# minute} other {# minutes}}`, by
 * `locale`'s rules; "…" takes the `other` form). Items stored before messages carried their
 * locale have no plural forms, so any locale reads them the same.
 */
export function fillQueueText(text: string, position: string, wait: string, locale = 'en'): string {
  return render(text, { position, wait }, locale);
}

/** Turns whose sent queue lines are kept until their archive is written, at most (bounds the memory when it never is). */
export const QUEUE_TURNS_KEPT = 1_000;

/**
 * The queue lines as the customer saw them, for the archive in the system of record. A queue
 * message is filled at delivery (its place changes while it waits), after the turn's transcript is
 * committed with "…" in place of `{position}` and `{wait}`; the turn's archive item is delivered
 * after its replies, so the courier notes each filled text by its turn (`sent`) and the archive
 * gets it in place of the "…" line (`archived`). The short transcript in Redis (the cards) keeps the
 * "…". In memory: an archive written by another process (after a crash between) keeps the "…" too.
 */
export class QueueLinesSent {
  private readonly byTurn = new Map<string, Array<{ unfilled: string; text: string }>>();

  /** A queue reply delivered as `text`: `effect` is the item's reply, its text still the template. */
  sent(item: OutboxItem, effect: { text: string; locale?: string | undefined }, text: string): void {
    const hash = item.id.lastIndexOf('#');
    if (hash < 0) return;
    const turn = `${item.conversationId}\u0000${item.id.slice(0, hash)}`;
    const lines = this.byTurn.get(turn) ?? [];
    lines.push({ unfilled: fillQueueText(effect.text, '…', '…', effect.locale), text });
    this.byTurn.set(turn, lines);
    const oldest = this.byTurn.keys().next().value;
    if (this.byTurn.size > QUEUE_TURNS_KEPT && oldest !== undefined) this.byTurn.delete(oldest);
  }

  /** `items` with each archive's queue lines as sent (in their order, once each); other items as they are. */
  archived<T extends OutboxItem | readonly OutboxItem[]>(items: T): T;
  archived(items: OutboxItem | readonly OutboxItem[]): OutboxItem | readonly OutboxItem[] {
    if (this.byTurn.size === 0) return items;
    return Array.isArray(items) ? items.map((item: OutboxItem) => this.filled(item)) : this.filled(items as OutboxItem);
  }

  private filled(item: OutboxItem): OutboxItem {
    const e = item.effect;
    if (e.type !== 'record.archive') return item;
    let changed = false;
    const entries = e.entries.map((entry) => {
      const turn = `${item.conversationId}\u0000${entry.eventId}`;
      const lines = entry.from === 'bot' ? this.byTurn.get(turn) : undefined;
      const at = lines?.findIndex((l) => l.unfilled === entry.text) ?? -1;
      if (!lines || at < 0) return entry;
      const [line] = lines.splice(at, 1);
      if (lines.length === 0) this.byTurn.delete(turn);
      changed = true;
      return { ...entry, text: line?.text ?? entry.text };
    });
    return changed ? { ...item, effect: { ...e, entries } } : item;
  }
}

/**
 * The transcript lines of a turn. A pressed button reads as the label the customer saw (是的,
 * 5 非常满意), from `labels` (the definition's choices in the conversation's locale).
 */
export function transcriptOf(
  event: InboundEvent,
  effects: readonly Effect[],
  labels: Readonly<Record<string, string>>,
): TranscriptEntry[] {
  const lines: TranscriptEntry[] = [];
  const heard = describeInbound(event, labels);
  if (heard !== undefined) lines.push({ at: event.at, ...heard, eventId: event.id });
  for (const effect of effects) {
    if (effect.type === 'transcript')
      lines.push({ at: event.at, from: effect.from, text: effect.text, eventId: event.id });
    // A queue message is filled at delivery; agents reading the transcript need not see {position}.
    if (effect.type === 'reply')
      lines.push({
        at: event.at,
        from: effect.from ?? 'bot',
        text: effect.fill === 'queue' ? fillQueueText(effect.text, '…', '…', effect.locale) : effect.text,
        eventId: event.id,
      });
    // An agent's file as the customer gets it: the file, with the text as its caption.
    if (effect.type === 'reply.file')
      lines.push({
        at: event.at,
        from: 'agent',
        text: [fileLabel(effect.file), effect.caption].filter(Boolean).join(' '),
        eventId: event.id,
        file: effect.file,
      });
  }
  return lines;
}

/**
 * The outbox items of a turn, in order, addressed to the conversation's own channel and customer
 * (whoever caused the turn: an agent on the desk, a timer). A reply too long for one platform
 * message becomes one item per part, so a part that fails is retried alone; choices go with the
 * last part, where the customer answers. Item ids derive from the event id: a retried turn writes
 * the same ids.
 */
export function outboxOf(
  event: InboundEvent,
  result: Pick<StepResult, 'effects' | 'channel' | 'customerId'>,
  split: ChannelPort['split'],
  at?: number,
): OutboxItem[] {
  const channel = result.channel || event.channel;
  const customerId = result.customerId || event.customer?.id || '';
  const item = (id: string, effect: Effect): OutboxItem => ({
    id,
    conversationId: event.conversationId,
    channel,
    customerId,
    effect,
    ...(at !== undefined ? { at } : {}),
  });
  return result.effects
    .filter((effect) => effect.type !== 'transcript')
    .flatMap((effect, n) => {
      const parts = effect.type === 'reply' && split ? split(effect.text) : [];
      if (effect.type !== 'reply' || parts.length <= 1) return [item(`${event.id}#${n}`, effect)];
      const { choices: _choices, ...plain } = effect;
      return parts.map((text, k) =>
        item(k === 0 ? `${event.id}#${n}` : `${event.id}#${n}.${k}`, {
          ...(k === parts.length - 1 ? effect : plain),
          text,
        }),
      );
    });
}

/** How an inbound event reads in the transcript; undefined for events that say nothing to an agent. */
export function describeInbound(
  event: InboundEvent,
  labels: Readonly<Record<string, string>>,
): Pick<TranscriptEntry, 'from' | 'text' | 'file'> | undefined {
  const p = event.payload;
  switch (p.type) {
    case 'text':
      return { from: 'customer', text: p.text };
    case 'choice':
      return {
        from: 'customer',
        text: Object.hasOwn(labels, p.choice) ? (labels[p.choice] ?? p.choice) : `[choice: ${p.choice}]`,
      };
    case 'media': {
      // The file is referenced on the line, so whoever reads the transcript later can still fetch it.
      const label = p.file ? fileLabel(p.file) : `[${p.media}]`;
      return {
        from: 'customer',
        text: p.caption ? `${label} ${p.caption}` : label,
        ...(p.file ? { file: p.file } : {}),
      };
    }
    case 'edit':
      return { from: 'customer', text: `${EDITED_MARK}${p.text}` };
    case 'command':
      if (p.command === 'blocked') return { from: 'system', text: systemLineText({ kind: 'blocked' }) };
      if (p.command === 'group') return undefined;
      if (p.command === 'desk-unavailable')
        return { from: 'system', text: systemLineText({ kind: 'desk-unavailable' }) };
      return { from: 'customer', text: `/${p.command}` };
    case 'agent': {
      const who = p.agent.name ?? p.agent.id;
      if (p.action === 'note') return { from: 'agent', text: `${INTERNAL_MARK}${who}: ${p.text ?? ''}` };
      // A reply is recorded by the turn: relayed, blocked, or internal (the flow decides which).
      if (p.action === 'reply') return undefined;
      return { from: 'system', text: systemLineText({ kind: 'agent', who, action: p.action, category: p.category }) };
    }
    case 'timer':
      return undefined;
  }
}
