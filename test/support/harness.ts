import { Engine, type EngineOptions } from '../../bots/engine.js';
import { DeliveryError } from '../../bots/errors.js';
import { memoryLogger } from '../../bots/log.js';
import type {
  CardAddress,
  ChannelPort,
  DeskPort,
  InboundEvent,
  OutboundMessage,
  Store,
  TranscriptEntry,
} from '../../bots/ports.js';
import type { AgentNotice, AgentRef, DeskAlert, DeskUpdate, HandoffCard } from '../../flows/contracts.js';
import { TimerPoller } from '../../bots/timers.js';
import type { FlowPayload } from '../../flows/contracts.js';
import type { ConversationFlow } from '../../flows/step.js';
import { defaultFlow, shanghai } from './flows.js';

/** A channel that records what customers would see, and can be told to fail. */
export class RecordingChannel implements ChannelPort {
  readonly sent: OutboundMessage[] = [];
  /** Failures to throw, in order, before sends succeed again. */
  readonly failures: Error[] = [];
  attempts = 0;

  private waiting: Array<(message: OutboundMessage) => void> = [];

  async send(message: OutboundMessage): Promise<void> {
    this.attempts++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    this.sent.push(message);
    for (const resolve of this.waiting.splice(0)) resolve(message);
  }

  /** Resolves with the next message a customer is sent (for work that runs in the background). */
  next(): Promise<OutboundMessage> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  texts(conversationId?: string): string[] {
    return this.sent.filter((m) => !conversationId || m.conversationId === conversationId).map((m) => m.text);
  }
}

/**
 * A desk that records what agents would see. `posts`, `updates`, `notices` and `pings` name the
 * conversation only (as before cards were addressed by ticket); `calls` has every call with the
 * card it was addressed to.
 */
export class RecordingDesk implements DeskPort {
  readonly calls: Array<{ method: 'post' | 'update' | 'need' | 'notify' | 'ping'; to: CardAddress; args: unknown[] }> =
    [];
  readonly cards: Array<{ conversationId: string; card: HandoffCard; transcript: TranscriptEntry[] }> = [];
  readonly posts: Array<{ conversationId: string; text: string; from: string }> = [];
  readonly updates: Array<{
    conversationId: string;
    status: DeskUpdate;
    agent?: AgentRef | undefined;
    category?: string | undefined;
  }> = [];
  readonly notices: Array<{ conversationId: string; agentId: string; notice: AgentNotice }> = [];
  readonly pings: Array<{ conversationId: string; level: string }> = [];

  async open(conversationId: string, card: HandoffCard, transcript: TranscriptEntry[]): Promise<void> {
    this.cards.push({ conversationId, card, transcript });
  }
  async post(to: CardAddress, text: string, from: 'customer' | 'system'): Promise<void> {
    this.calls.push({ method: 'post', to, args: [text, from] });
    this.posts.push({ conversationId: to.conversationId, text, from });
  }
  async update(to: CardAddress, status: DeskUpdate, agent?: AgentRef, category?: string): Promise<void> {
    this.calls.push({ method: 'update', to, args: [status, agent, category] });
    this.updates.push({ conversationId: to.conversationId, status, agent, category });
  }
  async need(to: CardAddress, need: string): Promise<void> {
    this.calls.push({ method: 'need', to, args: [need] });
  }
  async notify(to: CardAddress, agentId: string, notice: AgentNotice): Promise<void> {
    this.calls.push({ method: 'notify', to, args: [agentId, notice] });
    this.notices.push({ conversationId: to.conversationId, agentId, notice });
  }
  async ping(to: CardAddress, level: DeskAlert, agent?: AgentRef): Promise<void> {
    this.calls.push({ method: 'ping', to, args: [level, agent] });
    this.pings.push({ conversationId: to.conversationId, level });
  }
}

export function transient(message = 'HTTP 502 from the platform', retryAfterSec?: number): DeliveryError {
  return new DeliveryError(message, { retry: 'later', retryAfterSec });
}
export function permanent(message = 'Bad Request: message is too long'): DeliveryError {
  return new DeliveryError(message, { retry: 'never' });
}
export function blocked(message = 'Forbidden: bot was blocked by the user'): DeliveryError {
  return new DeliveryError(message, { retry: 'unreachable' });
}

export class TestClock {
  constructor(public t = shanghai('2026-11-23T15:00:00')) {}
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Harness {
  engine: Engine;
  poller: TimerPoller;
  channel: RecordingChannel;
  clock: TestClock;
  store: Store;
  log: ReturnType<typeof memoryLogger>;
  slept: number[];
  /** Sends a customer line of conversation `conv` with a fresh event id. */
  say(conv: string, text: string | FlowPayload, id?: string): ReturnType<Engine['receive']>;
  /** An agent action on a conversation, as the desk sends it (no customer, the desk's channel). */
  agent(
    conv: string,
    action: string,
    agent: AgentRef,
    extra?: Record<string, unknown>,
    id?: string,
  ): ReturnType<Engine['receive']>;
  event(conv: string, payload: FlowPayload, id?: string): InboundEvent;
}

let seq = 0;

export function harness(
  store: Store,
  options: {
    flow?: ConversationFlow;
    clock?: TestClock;
    engine?: Partial<EngineOptions>;
    desk?: DeskPort;
    channel?: RecordingChannel;
  } = {},
): Harness {
  const clock = options.clock ?? new TestClock();
  const channel = options.channel ?? new RecordingChannel();
  const log = memoryLogger();
  const slept: number[] = [];
  const flow = options.flow ?? defaultFlow();
  const engine = new Engine({
    store,
    flow: () => flow,
    channels: new Map([['test', channel]]),
    desk: options.desk,
    clock: clock.now,
    log,
    sleep: async (ms) => void slept.push(ms),
    ...(options.engine ? { options: options.engine } : {}),
  });
  const poller = new TimerPoller({ timers: store.timers, engine, clock: clock.now, log });
  const event = (conv: string, payload: FlowPayload, id?: string): InboundEvent => ({
    id: id ?? `ev-${++seq}`,
    conversationId: conv,
    channel: 'test',
    customer: { id: `cust-${conv}`, name: 'Li' },
    at: clock.now(),
    payload,
  });
  return {
    engine,
    poller,
    channel,
    clock,
    store,
    log,
    slept,
    event,
    say: (conv, text, id) => engine.receive(event(conv, typeof text === 'string' ? { type: 'text', text } : text, id)),
    agent: (conv, action, agent, extra = {}, id) =>
      engine.receive({
        id: id ?? `desk-${++seq}`,
        conversationId: conv,
        channel: 'desk',
        at: clock.now(),
        payload: { type: 'agent', action, agent, ...extra },
      }),
  };
}
