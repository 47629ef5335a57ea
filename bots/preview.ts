import { compileBundle, createConversationFlow, type ConversationFlow } from '../flows/step.js';
import { Engine } from './engine.js';
import type { PreviewInput, PreviewPort, PreviewResult } from './console-flows/ports.js';
import { flowFilesHash, validateFlowFiles } from './flow-files.js';
import type { FlowFiles } from './flow-versions-port.js';
import type { Logger } from './log.js';
import type { ChannelPort, OutboundMessage, Store } from './ports.js';
import { TimerPoller } from './timers.js';

/**
 * The console's preview chat (issue 15): the real engine on an admin's draft, with the same turn
 * cycle as production (claim, load, step, commit, deliver) on an in-memory store of its own, and a
 * channel that captures what the customer would see. One conversation per console session, kept
 * for a while between messages; a bounded number of them live at once.
 */

export const PREVIEW_CHANNEL = 'preview';

export type { PreviewInput, PreviewReply, PreviewResult } from './console-flows/ports.js';

export interface PreviewOptions {
  defaultLocale: string;
  /** A new in-memory store on the given clock (the composition root passes `(clock) => new MemoryStore(clock)`). */
  newStore: (clock: () => number) => Store;
  clock: () => number;
  log: Logger;
  /** Live preview conversations at most; the least recently used goes first (50). */
  maxSessions?: number;
  /** A preview untouched this long is dropped (ms, 30 min). */
  idleMs?: number;
  /**
   * After each message, how much conversation time is let pass so that short waits happen at once
   * (a complaint's listen window, at most 120 s in the schema): ms, 120 000.
   */
  settleMs?: number;
}

interface Session {
  engine: Engine;
  poller: TimerPoller;
  store: Store;
  /** Replies captured since the current call began. */
  captured: OutboundMessage[];
  flow: ConversationFlow;
  /** How far the preview's clock is ahead of the real one (ms): settling moves it on. */
  offset: number;
  lastUsed: number;
  seq: number;
  conversationId: string;
}

const SETTLE_STEP_MS = 10_000;

/** Preview conversations by console session; `say` runs one customer message through the engine on the draft. */
export class PreviewChats implements PreviewPort {
  private readonly sessions = new Map<string, Session>();
  private readonly flows = new Map<string, ConversationFlow>();
  private readonly running = new Map<string, Promise<void>>();
  private generation = 0;

  constructor(private readonly options: PreviewOptions) {}

  /** How many preview conversations are live. */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Sends `input` as the customer of this console session's preview conversation, run on `files`
   * (the draft; a draft edited since the last message applies from this one), and resolves with
   * what the bot answered. Invalid files answer their problems instead, and nothing runs.
   */
  say(sessionKey: string, files: FlowFiles, input: PreviewInput, localeHint?: string): Promise<PreviewResult> {
    // One message at a time per preview: the replies of each are its own.
    const before = this.running.get(sessionKey) ?? Promise.resolve();
    const run = before.then(() => this.turn(sessionKey, files, input, localeHint));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(sessionKey, settled);
    void settled.then(() => {
      if (this.running.get(sessionKey) === settled) this.running.delete(sessionKey);
    });
    return run;
  }

  private async turn(
    sessionKey: string,
    files: FlowFiles,
    input: PreviewInput,
    localeHint: string | undefined,
  ): Promise<PreviewResult> {
    const compiled = this.compile(files);
    if (!compiled.ok) return compiled;
    this.sweep();
    const session = this.sessions.get(sessionKey) ?? this.open(sessionKey, compiled.flow);
    this.sessions.delete(sessionKey);
    this.sessions.set(sessionKey, session); // most recently used last
    session.flow = compiled.flow;
    session.lastUsed = this.options.clock();
    session.captured = [];
    const payload =
      input.type === 'start'
        ? { type: 'command' as const, command: 'start' as const }
        : input.type === 'choice'
          ? { type: 'choice' as const, choice: input.choice }
          : { type: 'text' as const, text: input.text };
    const at = this.options.clock() + session.offset;
    await session.engine.receive({
      id: `preview-${++session.seq}`,
      conversationId: session.conversationId,
      channel: PREVIEW_CHANNEL,
      customer: { id: 'preview-customer', name: 'Preview' },
      at,
      ...(localeHint ? { localeHint } : {}),
      payload,
    });
    await this.settle(session);
    return { ok: true, replies: session.captured.map((m) => ({ text: m.text, choices: m.choices ?? [] })) };
  }

  /** Forgets this console session's preview conversation: the next message starts a new one. */
  async reset(sessionKey: string): Promise<void> {
    const session = this.sessions.get(sessionKey);
    this.sessions.delete(sessionKey);
    await session?.store.close();
  }

  /** Lets short waits pass (SETTLE_STEP_MS at a time), firing the timers that come due, as the server's poller would. */
  private async settle(session: Session): Promise<void> {
    const total = this.options.settleMs ?? 120_000;
    for (let passed = 0; passed < total; passed += SETTLE_STEP_MS) {
      session.offset += SETTLE_STEP_MS;
      while ((await session.poller.tick()) > 0) {
        // A fired timer can set a shorter one: keep going until quiet.
      }
    }
  }

  private open(sessionKey: string, flow: ConversationFlow): Session {
    const max = this.options.maxSessions ?? 50;
    while (this.sessions.size >= max) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      void this.reset(oldest);
    }
    const captured: OutboundMessage[] = [];
    const channel: ChannelPort = { send: async (m) => void session.captured.push(m) };
    const clock = () => this.options.clock() + session.offset;
    const store = this.options.newStore(clock);
    const engine = new Engine({
      store,
      flow: () => session.flow,
      channels: new Map([[PREVIEW_CHANNEL, channel]]),
      clock,
      log: this.options.log,
      sleep: async () => {},
    });
    const session: Session = {
      engine,
      poller: new TimerPoller({ timers: store.timers, engine, clock, log: this.options.log }),
      store,
      captured,
      flow,
      offset: 0,
      lastUsed: this.options.clock(),
      seq: 0,
      conversationId: `preview:${++this.generation}`,
    };
    return session;
  }

  /** Drops previews idle past `idleMs`. */
  private sweep(): void {
    const cutoff = this.options.clock() - (this.options.idleMs ?? 30 * 60_000);
    for (const [key, s] of this.sessions) if (s.lastUsed < cutoff) void this.reset(key);
  }

  /** The draft's files compiled into a flow (kept for the last few drafts), or their problems. */
  private compile(files: FlowFiles): { ok: true; flow: ConversationFlow } | Extract<PreviewResult, { ok: false }> {
    const version = `preview-${flowFilesHash(files)}`;
    const cached = this.flows.get(version);
    if (cached) return { ok: true, flow: cached };
    // The same check as flows:check and publishing (file names, the schema, one file a locale, the default locale's).
    const checked = validateFlowFiles(files, this.options.defaultLocale, '(draft)');
    if (!checked.ok) return { ok: false, problems: checked.problems };
    const flow = createConversationFlow(compileBundle(checked.definitions, this.options.defaultLocale), {
      desk: false,
      version,
    });
    if (this.flows.size >= 4) this.flows.delete(this.flows.keys().next().value ?? '');
    this.flows.set(version, flow);
    return { ok: true, flow };
  }
}
