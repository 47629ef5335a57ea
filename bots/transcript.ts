import type { Effect, StepResult } from '../flows/contracts.js';
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
      return { from: 'customer', text: `[edited] ${p.text}` };
    case 'command':
      if (p.command === 'blocked') return { from: 'system', text: 'the customer blocked the bot' };
      if (p.command === 'group') return undefined;
      if (p.command === 'desk-unavailable') return { from: 'system', text: 'the agent desk could not be reached' };
      return { from: 'customer', text: `/${p.command}` };
    case 'agent': {
      const who = p.agent.name ?? p.agent.id;
      if (p.action === 'note') return { from: 'agent', text: `[internal] ${who}: ${p.text ?? ''}` };
      // A reply is recorded by the turn: relayed, blocked, or internal (the flow decides which).
      if (p.action === 'reply') return undefined;
      return { from: 'system', text: `agent ${who}: ${p.action}${p.category ? ` ${p.category}` : ''}` };
    }
    case 'timer':
      return undefined;
  }
}
