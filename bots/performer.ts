import type { HandoffCard, TicketSummary } from '../flows/contracts.js';
import { DeliveryError } from './errors.js';
import type { Logger } from './log.js';
import type {
  CardAddress,
  ChannelPort,
  DeskPort,
  OutboxEffect,
  OutboxEffectType,
  OutboxItem,
  Store,
  TranscriptEntry,
} from './ports.js';
import type { RecordGate } from './record-writes.js';
import { createMediaHandlers } from './media.js';
import { fillQueueText, type QueueLinesSent } from './transcript.js';

/**
 * How each kind of outbox item is carried out against its port (a channel, the desk, the store,
 * the record): one handler per effect type. Retries and giving up are the courier's (delivery.ts).
 */
export interface PerformerDeps {
  store: Store;
  channels: ReadonlyMap<string, ChannelPort>;
  /** Without a desk, desk effects are no-ops (the flow does not emit them then). */
  desk?: DeskPort | undefined;
  log?: Logger | undefined;
  /** Epoch ms now: the customer's history on a card is the last HISTORY_DAYS before it. */
  clock?: (() => number) | undefined;
  /**
   * The system of record (issue 14): tickets, their lifecycle, the archive and unanswered askings
   * are written there, through the gate that defers them while the database is down. Without it,
   * tickets go to the store's ticket store and nothing is archived.
   */
  records?: Pick<RecordGate, 'write'> | undefined;
  /** Where a queue reply's filled text is noted for its turn's archive (with `records` only). */
  queueLines?: QueueLinesSent | undefined;
}

/** How far back a card lists the customer's earlier tickets (issue 13, requirement 6). */
export const HISTORY_DAYS = 90;
/** How many earlier tickets a card lists at most, and how many are read to choose them. */
export const HISTORY_SHOWN = 5;
const HISTORY_READ = 20;
const DAY_MS = 86_400_000;

/**
 * The customer's earlier tickets for a card, read at delivery (issue 13: agents see the history):
 * the same customer on the same channel, created in the last HISTORY_DAYS, the card's own ticket
 * left out; open complaints (complaint, pending) first, then newest first; at most HISTORY_SHOWN.
 * The store is asked for that customer and period, and its answer is filtered again, so a store
 * that ignores part of the query still gives the right list.
 */
export async function historyFor(store: Store, card: HandoffCard, now: number): Promise<TicketSummary[]> {
  const from = now - HISTORY_DAYS * DAY_MS;
  const tickets = await store.tickets.list({ customerId: card.customer.id, from, limit: HISTORY_READ });
  const open = (t: { type: string; status: string }) => (t.type === 'complaint' && t.status === 'pending' ? 0 : 1);
  return tickets
    .filter(
      (t) =>
        t.id !== card.ticketId &&
        t.customer.id === card.customer.id &&
        t.channel === card.channel &&
        t.createdAt >= from &&
        t.createdAt <= now,
    )
    .sort((a, b) => open(a) - open(b) || b.createdAt - a.createdAt)
    .slice(0, HISTORY_SHOWN)
    .map((t) => ({
      id: t.id,
      createdAt: t.createdAt,
      type: t.type,
      status: t.status,
      ...(t.category !== undefined ? { category: t.category } : {}),
      ...(t.satisfaction !== undefined ? { satisfaction: t.satisfaction } : {}),
    }));
}

/**
 * The recent lines a card shows: those up to the end of the turn that opened it (its item id is
 * the turn's event id, `#` and the effect's place). A card delivered late (the desk was down) would
 * otherwise show what the customer said after it too, and those lines then reach the agent a
 * second time, relayed behind the card (found by the issue-17 trial).
 */
export function upToTurn(lines: TranscriptEntry[], itemId: string): TranscriptEntry[] {
  const hash = itemId.lastIndexOf('#');
  if (hash < 0) return lines;
  const eventId = itemId.slice(0, hash);
  const last = lines.findLastIndex((l) => l.eventId === eventId);
  return last < 0 ? lines : lines.slice(0, last + 1);
}

type Handlers = {
  [T in OutboxEffectType]: (item: OutboxItem, effect: Extract<OutboxEffect, { type: T }>) => Promise<void>;
};

/**
 * Carries out one outbox item against its port. Throws DeliveryError (or whatever the port throws)
 * when it cannot; the caller decides about retries.
 */
export function createPerformer(deps: PerformerDeps): (item: OutboxItem) => Promise<void> {
  const { store, channels, desk, records } = deps;
  const now = deps.clock ?? Date.now;
  /** The card with the customer's earlier tickets; without them when the store cannot say (the card matters more). */
  const withHistory = async (item: OutboxItem, card: HandoffCard): Promise<HandoffCard> => {
    try {
      return { ...card, history: await historyFor(store, card, now()) };
    } catch (err) {
      deps.log?.warn("the customer's earlier tickets could not be read; the card goes without them", {
        conversationId: item.conversationId,
        ticketId: card.ticketId,
        error: String(err),
      });
      return card;
    }
  };
  /** The card a desk effect is about: its ticket's (absent on items stored before issue 13: the latest card). */
  const cardOf = (item: OutboxItem, ticketId: string | undefined): CardAddress => ({
    conversationId: item.conversationId,
    ...(ticketId ? { ticketId } : {}),
  });
  /** Fills a queue message with the customer's live place and the expected wait (from recent claims). */
  const fillQueue = async (conversationId: string, text: string, locale?: string): Promise<string> => {
    const position = (await store.queue.position(conversationId)) ?? 1;
    const average = (await store.queue.averageWaitSeconds()) ?? 60;
    return fillQueueText(text, String(position), String(Math.max(1, Math.ceil((position * average) / 60))), locale);
  };
  const handlers: Handlers = {
    reply: async (item, e) => {
      const channel = channels.get(item.channel);
      if (!channel)
        throw new DeliveryError(`No channel adapter for "${item.channel}" is running`, {
          retry: 'never',
          conversationId: item.conversationId,
        });
      const text = e.fill === 'queue' ? await fillQueue(item.conversationId, e.text, e.locale) : e.text;
      if (e.fill === 'queue' && records) deps.queueLines?.sent(item, e, text);
      await channel.send({
        id: item.id,
        conversationId: item.conversationId,
        customerId: item.customerId,
        text,
        ...(e.choices ? { choices: e.choices } : {}),
      });
    },
    // Files are carried between the platforms at delivery, once per item (bots/media.ts).
    ...createMediaHandlers(deps),
    'desk.open': async (item, e) => {
      if (!desk) return;
      const transcript = upToTurn(await store.transcript(item.conversationId, 10), item.id);
      await desk.open(item.conversationId, await withHistory(item, e.card), transcript);
    },
    'desk.post': async (item, e) => desk?.post(cardOf(item, e.ticketId), e.text, e.from),
    'desk.update': async (item, e) => desk?.update(cardOf(item, e.ticketId), e.status, e.agent, e.category),
    'desk.need': async (item, e) => desk?.need(cardOf(item, e.ticketId), e.need),
    'desk.notify': async (item, e) => desk?.notify(cardOf(item, e.ticketId), e.agentId, e.notice),
    'desk.ping': async (item, e) => desk?.ping(cardOf(item, e.ticketId), e.level, e.agent),
    'queue.join': (item, e) => store.queue.join(item.conversationId, e.at),
    'queue.leave': async (item, e) => void (await store.queue.leave(item.conversationId, e.at, e.claimed)),
    transcript: async () => {},
    'ticket.put': (item, e) => (records ? records.write(item) : store.tickets.put(e.ticket)),
    'ticket.update': async (item, e) =>
      records ? records.write(item) : void (await store.tickets.update(e.id, e.changes, e.at, e.ifStatus)),
    // Counted once per outbox item (item ids are per conversation), however often it is retried: in
    // the hot list admins review (`npm run unanswered`), and on the record for the monthly report.
    'unanswered.record': async (item, e) => {
      await store.unanswered.record(
        { text: e.text, locale: e.locale, at: e.at },
        `${item.conversationId}\u0000${item.id}`,
      );
      await records?.write(item);
    },
    'record.archive': async (item) => records?.write(item),
    'timer.set': (item, e) =>
      store.timers.schedule({
        conversationId: item.conversationId,
        name: e.name,
        dueAt: e.dueAt,
        channel: item.channel,
        customerId: item.customerId,
      }),
    'timer.cancel': (item, e) => store.timers.cancel(item.conversationId, e.name),
  };
  return (item) => perform(handlers, item, item.effect);
}

/** Dispatches on the effect's type, keeping the handler and its effect's type together. */
function perform<T extends OutboxEffectType>(
  handlers: Handlers,
  item: OutboxItem,
  effect: Extract<OutboxEffect, { type: T }>,
): Promise<void> {
  const handler: (item: OutboxItem, effect: Extract<OutboxEffect, { type: T }>) => Promise<void> =
    handlers[effect.type as T];
  return handler(item, effect);
}
