import type { ConversationFlow, Effect, FlowInput } from '../flows/conversation.js';
import { ticketOfTimer } from '../flows/ticket.js';
import { DeliveryError, LeaseLostError } from './errors.js';
import type { Logger } from './log.js';
import { DROP_HEAD, InboundEvent, OUTBOX_PAGE, type AcceptResult, type Begun, type ConversationRecord, type DeskPort, type ChannelPort, type Lease, type OutboxItem, type ReceiveResult, type Store, type TranscriptEntry } from './ports.js';

/**
 * Runs one turn of one conversation, the same way for every channel:
 * claim the event once → serialise behind the conversation's lock → load → pure step →
 * commit state, transcript and outbox atomically → deliver the outbox.
 * Holds no conversation state in memory: any replica can run any turn.
 */

export interface EngineOptions {
  /** How long a worker may hold a conversation before another may take over. */
  lockTtlMs: number;
  /** Delivery attempts within one run before the item waits for the next sweep. */
  deliveryAttempts: number;
  /** Backoff before the n-th retry (ms). */
  backoffMs: (attempt: number) => number;
}

export interface EngineDeps {
  store: Store;
  /** The flow in force now; a reload swaps it between turns. */
  flow: () => ConversationFlow;
  channels: ReadonlyMap<string, ChannelPort>;
  /** Where handoffs go; without one, handoffs are recorded and the customer is told. */
  desk?: DeskPort | undefined;
  clock: () => number;
  log: Logger;
  /** Waits between delivery retries; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
  options?: Partial<EngineOptions>;
}

const DEFAULTS: EngineOptions = {
  lockTtlMs: 30_000,
  deliveryAttempts: 3,
  backoffMs: (n) => Math.min(5_000, 250 * 2 ** n),
};

export class Engine {
  private readonly options: EngineOptions;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly deps: EngineDeps) {
    this.options = { ...DEFAULTS, ...deps.options };
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Validates and durably accepts an event, then runs the conversation. Resolves once the event
   * is stored: when this worker got the lock, also once it has been processed and delivered.
   */
  async receive(raw: unknown): Promise<ReceiveResult> {
    const result = await this.accept(raw, { begin: true });
    if (result.status !== 'accepted') return result;
    await this.run(result.conversationId, result.begun);
    return { status: 'accepted', conversationId: result.conversationId };
  }

  /**
   * Validates an event and stores it durably, without running the turn: a webhook answers the
   * platform as soon as this resolves and runs the conversation afterwards, with `run(id, begun)`.
   * With `begin`, the conversation's lock is taken in the same step when it is free: the caller
   * then holds it (in `begun`) and must call `run` with it, which releases it.
   */
  async accept(raw: unknown, { begin = false }: { begin?: boolean } = {}): Promise<AcceptResult> {
    const parsed = InboundEvent.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`);
      this.deps.log.warn('inbound event rejected', { problems });
      return { status: 'rejected', problems };
    }
    const event = parsed.data;
    const r = begin ? await this.deps.store.acceptAndBegin(event, this.options.lockTtlMs) : { duplicate: !(await this.deps.store.accept(event)), begun: undefined };
    if (r.duplicate) {
      this.deps.log.debug('duplicate event ignored', { conversationId: event.conversationId, eventId: event.id });
      return { status: 'duplicate' };
    }
    return { status: 'accepted', conversationId: event.conversationId, begun: r.begun };
  }

  /**
   * Processes everything waiting for a conversation, if no other worker is doing so (`begun`: the
   * lock is already held, from `accept`). Releasing the lock reports what arrived meanwhile, which
   * closes the window where an event arrives just as the holder finishes.
   */
  async run(conversationId: string, begun?: Begun): Promise<void> {
    const { store, log } = this.deps;
    for (let first = begun; ; first = undefined) {
      const held = first ?? (await store.begin(conversationId, this.options.lockTtlMs));
      if (!held) return;
      const { lease } = held;
      const stopBeat = this.heartbeat(lease);
      let stuck = false;
      let delivered: readonly string[] = [];
      let left = { inbox: 0, outbox: 0 };
      try {
        ({ stuck, delivered } = await this.drain(held));
      } catch (err) {
        // The work stays in the store; the next sweep (or the lock's next holder) picks it up.
        stuck = true;
        if (err instanceof LeaseLostError) log.warn(err.message, { conversationId });
        else log.error('turn failed; its event stays queued', { conversationId, error: String(err) });
      } finally {
        stopBeat();
        left = await store.unlock(lease, delivered).catch(() => ({ inbox: 0, outbox: 1 }));
      }
      // Stuck work waits for the recovery sweep; something that arrived meanwhile is run now.
      if (stuck || left.outbox > 0 || left.inbox === 0) return;
    }
  }

  /**
   * Picks up conversations left with work by a crashed or busy worker. Runs several at once: one
   * waiting on a slow channel (per-chat pacing, retry_after) must not hold up the rest.
   */
  async recover(limit = 100, concurrency = 32): Promise<number> {
    const ids = await this.deps.store.pending(limit);
    let i = 0;
    const worker = async () => {
      while (i < ids.length) await this.run(ids[i++] as string);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ids.length) }, worker));
    return ids.length;
  }

  /**
   * Delivers what is waiting, then runs the next event, until both are empty. `stuck` when
   * delivery keeps failing and the rest should wait for a later sweep; `delivered`: items sent
   * last and not acknowledged yet, which releasing the lock acknowledges in the same round trip.
   */
  private async drain(begun: Begun): Promise<{ stuck: boolean; delivered: readonly string[] }> {
    const { store } = this.deps;
    const { lease } = begun;
    const c = lease.conversationId;
    let items: readonly OutboxItem[] = begun.outbox;
    let next = begun.next;
    let knowNext = true;
    // While the lock is held nobody else writes the state: each turn's result is the next input.
    let state: { record: ConversationRecord | undefined } | undefined = { record: begun.record };
    for (;;) {
      if (items.length > 0) {
        const { stuck, delivered } = await this.deliver(lease, items);
        const more = items.length >= OUTBOX_PAGE;
        if (stuck || more || !knowNext || next !== undefined) await store.ackOutbox(lease, delivered);
        else return { stuck: false, delivered };
        if (stuck) {
          // Delivery keeps failing: still take the customer's next message so the conversation
          // keeps up; its replies queue behind the stuck ones, in order.
          const waiting = knowNext ? next : await store.peekInbox(c);
          if (waiting === undefined) return { stuck: true, delivered: [] };
          await this.turn(lease, waiting, state);
          state = undefined;
        }
        if (stuck || more) {
          [items, next] = await Promise.all([store.peekOutbox(c, OUTBOX_PAGE), store.peekInbox(c)]);
          knowNext = true;
          continue;
        }
        items = [];
      }
      if (!knowNext) next = await store.peekInbox(c);
      if (next === undefined) return { stuck: false, delivered: [] };
      const done = await this.turn(lease, next, state);
      items = done.outbox;
      state = { record: done.record };
      knowNext = done.waiting === 0;
      next = undefined;
    }
  }

  /**
   * Runs one event. `known` is the state when the caller has it (it holds the lock and wrote it
   * last); otherwise it is loaded.
   */
  private async turn(
    lease: Lease,
    next: InboundEvent | { corrupt: string },
    known: { record: ConversationRecord | undefined } | undefined,
  ): Promise<{ outbox: OutboxItem[]; record: ConversationRecord | undefined; waiting: number }> {
    const { store, log } = this.deps;
    if ('corrupt' in next) {
      // Unreadable entries are dropped with a trace rather than blocking the conversation forever.
      log.error('dropping unreadable inbox entry', { conversationId: lease.conversationId, entry: next.corrupt.slice(0, 500) });
      const waiting = await store.commit(lease, { eventId: DROP_HEAD, record: undefined, transcript: [], outbox: [] });
      return { outbox: [], record: known?.record, waiting };
    }
    const event = next;
    const flow = this.deps.flow();
    const record = known ? known.record : await store.load(event.conversationId);
    // A timer about a ticket (a promised reply time) is judged on the ticket as it is now: a
    // person may have resolved it meanwhile, outside this conversation.
    const concerns = event.payload.type === 'timer' ? ticketOfTimer(event.payload.name) : undefined;
    const input: FlowInput = {
      conversationId: event.conversationId,
      channel: event.channel,
      customer: event.customer,
      at: event.at,
      localeHint: event.localeHint,
      payload: event.payload,
      ...(concerns !== undefined ? { ticket: await store.tickets.get(concerns) } : {}),
    };
    let result;
    try {
      result = flow.step(record, input);
    } catch (err) {
      // A bug in a flow must not lose the message or wedge the conversation: keep a trace, apologise.
      log.error('flow step failed', { conversationId: event.conversationId, eventId: event.id, error: String(err) });
      result = { record: undefined, effects: [], state: 'error', locale: '', escalations: [], channel: event.channel, customerId: event.customer?.id ?? '' };
    }
    if (result.ignored) log.debug('event ignored', { conversationId: event.conversationId, reason: result.ignored });
    // Human handoff acts on these; until then they are on the ticket (priority, escalation) and in the log.
    for (const e of result.escalations ?? []) log.warn('escalation', { conversationId: event.conversationId, ...e });

    // Replies go to the conversation's own channel and customer, whoever caused the turn
    // (an agent on the desk, a timer).
    const channel = result.channel || event.channel;
    const customerId = result.customerId || event.customer?.id || '';
    const transcript: TranscriptEntry[] = [];
    // A pressed button reads as the label the customer saw (是的, 5 非常满意), in any desk language.
    const labels = flow.bundle.locales.get(result.locale)?.definition.choices as Readonly<Record<string, string>> | undefined;
    const heard = describeInbound(event, labels);
    if (heard !== undefined) transcript.push({ at: event.at, ...heard, eventId: event.id });
    const deliverable: Effect[] = [];
    for (const effect of result.effects) {
      if (effect.type === 'transcript') transcript.push({ at: event.at, from: effect.from, text: effect.text, eventId: event.id });
      else deliverable.push(effect);
      // A queue message is filled at delivery; agents reading the transcript need not see {position}.
      if (effect.type === 'reply') transcript.push({ at: event.at, from: effect.from ?? 'bot', text: effect.fill === 'queue' ? fillQueueText(effect.text, '…', '…') : effect.text, eventId: event.id });
    }
    const split = this.deps.channels.get(channel)?.split;
    const outbox: OutboxItem[] = deliverable.flatMap((effect, n) => {
      const item = (id: string, e: Effect): OutboxItem => ({ id, conversationId: event.conversationId, channel, customerId, effect: e });
      const parts = effect.type === 'reply' && split ? split(effect.text) : [];
      if (effect.type !== 'reply' || parts.length <= 1) return [item(`${event.id}#${n}`, effect)];
      // Choices go with the last part, where the customer answers.
      const { choices, ...plain } = effect;
      return parts.map((text, k) => item(k === 0 ? `${event.id}#${n}` : `${event.id}#${n}.${k}`, { ...(k === parts.length - 1 ? effect : plain), text }));
    });
    const waiting = await store.commit(lease, { eventId: event.id, record: result.record, transcript, outbox });
    log.debug('turn committed', { conversationId: event.conversationId, eventId: event.id, state: result.state, effects: result.effects.length });
    return { outbox, record: result.record ?? record, waiting };
  }

  /**
   * Delivers items in order. A reply is acknowledged as soon as it is sent when more items follow
   * (a retried run must not send it twice); the rest are returned for the caller to acknowledge
   * with its next write. `stuck` when an item is still failing after retries.
   */
  private async deliver(lease: Lease, items: readonly OutboxItem[]): Promise<{ stuck: boolean; delivered: string[] }> {
    const { store, log } = this.deps;
    let unacked: string[] = [];
    for (const [n, item] of items.entries()) {
      let delivered = false;
      for (let attempt = 0; attempt < this.options.deliveryAttempts && !delivered; attempt++) {
        try {
          await this.perform(item);
          delivered = true;
        } catch (err) {
          if (err instanceof DeliveryError && err.retry !== 'later') {
            log.warn('delivery impossible; dropping item', { conversationId: item.conversationId, item: item.id, error: err.message });
            if (err.retry === 'unreachable' && item.effect.type === 'reply') await this.feedBack(item, 'blocked');
            delivered = true;
            break;
          }
          const last = attempt + 1 >= this.options.deliveryAttempts;
          if (last && item.effect.type.startsWith('desk.')) {
            // The desk is down: the customer must not wait behind it. A card that cannot be
            // posted ends the handoff (the flow tells the customer); other desk posts are
            // dropped, and stay on the transcript.
            log.error('agent desk unreachable; dropping desk item', { conversationId: item.conversationId, item: item.id, effect: item.effect.type, error: String(err) });
            if (item.effect.type === 'desk.open') await this.feedBack(item, 'desk-unavailable');
            delivered = true;
            break;
          }
          log.warn(last ? 'delivery failed; will retry on the next sweep' : 'delivery failed; retrying', { conversationId: item.conversationId, item: item.id, attempt: attempt + 1, error: String(err) });
          if (last) return { stuck: true, delivered: unacked };
          const wait = err instanceof DeliveryError && err.retryAfterSec !== undefined ? err.retryAfterSec * 1000 : this.options.backoffMs(attempt);
          // Keep the conversation while waiting, so no other worker sends the same item meanwhile.
          if (!(await store.extend(lease, wait + this.options.lockTtlMs))) throw new LeaseLostError(lease.conversationId);
          await this.sleep(wait);
        }
      }
      unacked.push(item.id);
      if (item.effect.type === 'reply' && n < items.length - 1) {
        await store.ackOutbox(lease, unacked);
        unacked = [];
      }
    }
    return { stuck: false, delivered: unacked };
  }

  /**
   * Keeps the lease alive for as long as this worker holds the conversation: sends can wait long
   * in a channel's pacing queue, and a lease that lapsed meanwhile would let another worker send
   * the same items again. Returns the stop function.
   */
  private heartbeat(lease: Lease): () => void {
    const ttl = this.options.lockTtlMs;
    const beat = setInterval(() => void this.deps.store.extend(lease, ttl).catch(() => undefined), Math.max(1_000, ttl / 3));
    return () => clearInterval(beat);
  }

  /** Fills a queue message with the customer's live place and the expected wait (from recent claims). */
  private async fillQueue(conversationId: string, text: string): Promise<string> {
    const { queue } = this.deps.store;
    const position = (await queue.position(conversationId)) ?? 1;
    const average = (await queue.averageWaitSeconds()) ?? 60;
    const wait = Math.max(1, Math.ceil((position * average) / 60));
    return fillQueueText(text, String(position), String(wait));
  }

  /**
   * Tells the conversation what delivery found out (the customer blocked the bot, the desk is
   * unreachable), as an event of its own, once per item.
   */
  private async feedBack(item: OutboxItem, command: 'blocked' | 'desk-unavailable'): Promise<void> {
    await this.deps.store.accept({
      id: `${command}:${item.id}`,
      conversationId: item.conversationId,
      channel: item.channel,
      ...(item.customerId ? { customer: { id: item.customerId } } : {}),
      at: this.deps.clock(),
      payload: { type: 'command', command },
    });
  }

  private async perform(item: OutboxItem): Promise<void> {
    const { store, channels, desk } = this.deps;
    const e = item.effect;
    switch (e.type) {
      case 'reply': {
        const channel = channels.get(item.channel);
        if (!channel) throw new DeliveryError(`No channel adapter for "${item.channel}" is running`, { retry: 'never', conversationId: item.conversationId });
        const text = e.fill === 'queue' ? await this.fillQueue(item.conversationId, e.text) : e.text;
        await channel.send({ id: item.id, conversationId: item.conversationId, customerId: item.customerId, text, ...(e.choices ? { choices: e.choices } : {}) });
        return;
      }
      case 'desk.open':
        if (desk) await desk.open(item.conversationId, e.card, await store.transcript(item.conversationId, 10));
        return;
      case 'desk.post':
        if (desk) await desk.post(item.conversationId, e.text, e.from);
        return;
      case 'desk.update':
        if (desk) await desk.update(item.conversationId, e.status, e.agent, e.category);
        return;
      case 'desk.notify':
        if (desk) await desk.notify(item.conversationId, e.agentId, e.notice);
        return;
      case 'desk.ping':
        if (desk) await desk.ping(item.conversationId, e.level);
        return;
      case 'queue.join':
        await store.queue.join(item.conversationId, e.at);
        return;
      case 'queue.leave':
        await store.queue.leave(item.conversationId, e.at, e.claimed);
        return;
      case 'transcript':
        return;
      case 'ticket.put':
        await store.tickets.put(e.ticket);
        return;
      case 'ticket.update':
        await store.tickets.update(e.id, e.changes, e.at, e.ifStatus);
        return;
      case 'timer.set':
        await store.timers.schedule({ conversationId: item.conversationId, name: e.name, dueAt: e.dueAt, channel: item.channel, customerId: item.customerId });
        return;
      case 'timer.cancel':
        await store.timers.cancel(item.conversationId, e.name);
        return;
    }
  }
}

function fillQueueText(text: string, position: string, wait: string): string {
  return text.replaceAll('{position}', position).replaceAll('{wait}', wait);
}

/** How an inbound event reads in the transcript; undefined for events that say nothing to an agent. */
function describeInbound(event: InboundEvent, labels: Readonly<Record<string, string>> = {}): Pick<TranscriptEntry, 'from' | 'text'> | undefined {
  const p = event.payload;
  switch (p.type) {
    case 'text':
      return { from: 'customer', text: p.text };
    case 'choice':
      return { from: 'customer', text: labels[p.choice] ?? `[choice: ${p.choice}]` };
    case 'media':
      return { from: 'customer', text: `[${p.media}]` };
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
