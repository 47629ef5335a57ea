import { createActor, type ActorScope, type ExecutableActionObject } from 'xstate';
import { z } from 'zod';
import { compileGuard, type PhraseGuard } from './guard.js';
import { localParts } from './hours.js';
import { compileMatcher, type Matcher, type Understanding } from './match.js';
import type { ChoiceId, FlowDefinition } from './schema.js';
import { AgentNotice, AgentRef, DeskAlert, DeskUpdate, HandoffCard } from './handoff.js';
import { createServiceMachine, type Escalation, type GreetParams, type SayParams, type ServiceEvent, type ServiceInput, type ServiceMachine, type UpdateTicketsParams } from './service.js';
import { detectLocale, pickVariant, render } from './text.js';
import { Customer, TicketChanges, Ticket, TicketStatus, ticketOfTimer } from './ticket.js';

/**
 * One step of one conversation, without I/O: the persisted record and an input in, the next
 * record and the effects to carry out (replies, ticket writes, timers) out. The engine owns
 * locking, persistence and delivery; this owns what the conversation means.
 */

export interface FlowLocale {
  definition: FlowDefinition;
  matcher: Matcher;
  /** The service-phrase guard: call `check(text)` before relaying an agent's reply. */
  guard: PhraseGuard;
}

/** The definitions in force, one per locale, compiled once when they are loaded. */
export interface FlowBundle {
  defaultLocale: string;
  locales: ReadonlyMap<string, FlowLocale>;
}

export function compileBundle(definitions: readonly FlowDefinition[], defaultLocale: string): FlowBundle {
  const locales = new Map<string, FlowLocale>();
  for (const definition of definitions) locales.set(definition.locale, { definition, matcher: compileMatcher(definition), guard: compileGuard(definition.forbidden) });
  if (!locales.has(defaultLocale)) throw new Error(`No flow definition for the default locale ${defaultLocale} (have: ${[...locales.keys()].join(', ') || 'none'})`);
  return { defaultLocale, locales };
}

export const FlowPayload = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string() }),
  z.object({ type: z.literal('choice'), choice: z.string() }),
  z.object({ type: z.literal('media'), media: z.string() }),
  /** start/help come from the customer; blocked (they blocked the bot) and group (a group chat the bot does not serve) from the channel. */
  z.object({ type: z.literal('command'), command: z.enum(['start', 'help', 'blocked', 'group', 'desk-unavailable']) }),
  /** The customer edited an earlier message: kept on the transcript, not answered. */
  z.object({ type: z.literal('edit'), text: z.string() }),
  /** Something an agent did on the desk (Slack, the playground's /agent). */
  z.object({
    type: z.literal('agent'),
    action: z.enum(['claim', 'reply', 'note', 'handback', 'close', 'release', 'transfer']),
    agent: z.object({ id: z.string().min(1), name: z.string().optional() }),
    text: z.string().optional(),
    /** Send a reply the service-phrase guard blocked, deliberately. */
    override: z.boolean().optional(),
    category: z.string().optional(),
  }),
  z.object({ type: z.literal('timer'), name: z.string(), dueAt: z.number() }),
]);
export type FlowPayload = z.infer<typeof FlowPayload>;

export interface FlowInput {
  conversationId: string;
  channel: string;
  /** Absent on events from the agent desk. */
  customer?: Customer | undefined;
  at: number;
  /** A locale the channel knows for the customer (Telegram's language_code, `--lang`). */
  localeHint?: string | undefined;
  payload: FlowPayload;
  /**
   * For a timer that concerns a ticket (a promised reply time, see `ticketOfTimer`): the ticket as
   * the store has it now, or undefined when it is gone. The engine reads it before the step.
   */
  ticket?: Ticket | undefined;
}

/** What is persisted per conversation: small, and the same size on turn 5 and turn 500. */
export const ConversationRecord = z.object({
  snapshot: z.unknown(),
  /** Deadlines this conversation is waiting for, by name; a timer event that does not match is stale. */
  timers: z.record(z.string(), z.number()),
  /** Counts replies, to rotate through the phrasings of a text. */
  turn: z.number().int(),
});
export type ConversationRecord = z.infer<typeof ConversationRecord>;

export const Choice = z.object({ id: z.string(), label: z.string() });
export type Choice = z.infer<typeof Choice>;

export const Effect = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    text: z.string(),
    choices: z.array(Choice).optional(),
    /** Who the customer hears: the bot, or an agent whose words are relayed. */
    from: z.enum(['bot', 'agent']).optional(),
    /** {position} and {wait} are filled at delivery from the live queue. */
    fill: z.literal('queue').optional(),
  }),
  z.object({ type: z.literal('desk.open'), card: HandoffCard }),
  z.object({ type: z.literal('desk.post'), text: z.string(), from: z.enum(['customer', 'system']) }),
  z.object({ type: z.literal('desk.update'), status: DeskUpdate, agent: AgentRef.optional(), category: z.string().optional() }),
  z.object({ type: z.literal('desk.notify'), agentId: z.string(), notice: AgentNotice }),
  z.object({ type: z.literal('desk.ping'), level: DeskAlert }),
  z.object({ type: z.literal('queue.join'), at: z.number() }),
  z.object({ type: z.literal('queue.leave'), at: z.number(), claimed: z.boolean() }),
  /** A line for the transcript only (an internal note, a blocked reply); nothing is delivered. */
  z.object({ type: z.literal('transcript'), from: z.enum(['agent', 'system']), text: z.string() }),
  z.object({ type: z.literal('ticket.put'), ticket: Ticket }),
  z.object({ type: z.literal('ticket.update'), id: z.string(), changes: TicketChanges, at: z.number(), ifStatus: TicketStatus.optional() }),
  z.object({ type: z.literal('timer.set'), name: z.string(), dueAt: z.number() }),
  z.object({ type: z.literal('timer.cancel'), name: z.string() }),
]);
export type Effect = z.infer<typeof Effect>;

export interface StepResult {
  record: ConversationRecord;
  effects: Effect[];
  /** The machine's state after the step, for logs and tests. */
  state: string;
  locale: string;
  /** Set when the input had no effect on purpose (a stale timer), with the reason. */
  ignored?: string;
  /** Matters people must act on now (an escalated complaint, a missed promise). */
  escalations: Escalation[];
  /** The conversation's own channel and customer: replies go there, whoever caused the turn. */
  channel: string;
  customerId: string;
}

const IDLE_TIMER = 'idle';

export interface ConversationFlow {
  readonly bundle: FlowBundle;
  readonly machine: ServiceMachine;
  step(record: ConversationRecord | undefined, input: FlowInput): StepResult;
}

export interface FlowOptions {
  /** An agent desk is connected, so handoffs can reach people. */
  desk: boolean;
}

export function createConversationFlow(bundle: FlowBundle, options: FlowOptions = { desk: false }): ConversationFlow {
  const localeOf = (locale: string): FlowLocale => bundle.locales.get(locale) ?? (bundle.locales.get(bundle.defaultLocale) as FlowLocale);
  const machine = createServiceMachine((locale) => localeOf(locale).definition, { desk: options.desk, guardFor: (locale) => localeOf(locale).guard });
  const { initial, transition } = pureTransitions(machine);

  function restore(record: ConversationRecord | undefined, input: FlowInput) {
    if (record) {
      try {
        const persisted = record.snapshot as Parameters<typeof machine.resolveState>[0] & { historyValue?: Record<string, Array<{ id: string }>> };
        // resolveState() keeps history entries as the plain {id} objects JSON left; entering a
        // history state needs the state nodes themselves (XState's restoreSnapshot revives them,
        // the pure path does not). Ids the machine no longer has are dropped.
        const historyValue: Record<string, unknown[]> = {};
        for (const [key, nodes] of Object.entries(persisted.historyValue ?? {})) {
          const revived = nodes.flatMap((n) => {
            try {
              return [machine.getStateNodeById(n.id)];
            } catch {
              return [];
            }
          });
          if (revived.length) historyValue[key] = revived;
        }
        return machine.resolveState({ ...persisted, historyValue } as Parameters<typeof machine.resolveState>[0]);
      } catch {
        // A snapshot from an incompatible version of the machine: start over rather than fail.
      }
    }
    return initial({ locale: bundle.defaultLocale, conversationId: input.conversationId, channel: input.channel, customer: input.customer ?? { id: '' } });
  }

  /** The locale for a new session: the channel's hint, else the customer's own words, else the last one used. */
  function chooseLocale(current: string, input: FlowInput): string {
    if (input.localeHint && bundle.locales.has(input.localeHint)) return input.localeHint;
    const base = input.localeHint?.split('-')[0];
    const byBase = base ? [...bundle.locales.keys()].find((l) => l.split('-')[0] === base) : undefined;
    if (byBase) return byBase;
    if (input.payload.type === 'text') {
      const detected = detectLocale(input.payload.text);
      if (detected && bundle.locales.has(detected)) return detected;
    }
    return bundle.locales.has(current) ? current : bundle.defaultLocale;
  }

  function toEvent(input: FlowInput, locale: string): ServiceEvent | undefined {
    const { payload, at } = input;
    switch (payload.type) {
      case 'text':
        return { type: 'user.message', text: payload.text, u: localeOf(locale).matcher.understand(payload.text), locale, at };
      case 'choice': {
        const def = localeOf(locale).definition;
        const id = payload.choice as ChoiceId;
        const label = def.choices[id] ?? payload.choice;
        return { type: 'user.message', text: label, u: understandChoice(id), locale, at };
      }
      case 'media':
        return { type: 'user.media', media: payload.media, locale, at };
      case 'command':
        switch (payload.command) {
          case 'start':
            return { type: 'user.start', locale, at };
          case 'help':
            return { type: 'user.help', at };
          case 'blocked':
            return { type: 'user.blocked', at };
          case 'group':
            return { type: 'user.group', locale, at };
          case 'desk-unavailable':
            return { type: 'desk.unavailable', at };
        }
        return undefined;
      case 'edit':
        return undefined;
      case 'timer': {
        const ticketId = ticketOfTimer(payload.name);
        if (ticketId !== undefined) return { type: 'timer.promise', ticketId, status: input.ticket?.id === ticketId ? input.ticket.status : undefined, at };
        // idle, listen, claimSla, supervisorSla: each becomes timer.<name>.
        return { type: `timer.${payload.name}`, at } as ServiceEvent;
      }
      case 'agent': {
        const agent = { id: payload.agent.id, ...(payload.agent.name ? { name: payload.agent.name } : {}) };
        switch (payload.action) {
          case 'reply':
            return { type: 'agent.reply', agent, text: payload.text ?? '', override: payload.override === true, at };
          case 'note':
            return { type: 'agent.note', agent, text: payload.text ?? '', at };
          case 'transfer':
            return { type: 'agent.transfer', agent, category: payload.category ?? '', at };
          default:
            return { type: `agent.${payload.action}`, agent, at } as ServiceEvent;
        }
      }
    }
  }

  function step(record: ConversationRecord | undefined, input: FlowInput): StepResult {
    const before = restore(record, input);
    const timers = { ...(record?.timers ?? {}) };
    let turn = record?.turn ?? 0;
    const unchanged = (ignored: string): StepResult => ({
      record: record ?? { snapshot: machine.getPersistedSnapshot(before), timers, turn },
      effects: [],
      state: stateName(before.value),
      locale: before.context.locale,
      ignored,
      escalations: [],
      channel: before.context.channel,
      customerId: before.context.customer.id,
    });

    if (input.payload.type === 'timer') {
      if (timers[input.payload.name] !== input.payload.dueAt) return unchanged(`stale timer ${input.payload.name}`);
      delete timers[input.payload.name];
    }
    const startsSession = stateName(before.value) === 'idle' || (input.payload.type === 'command' && input.payload.command === 'start');
    const locale = startsSession ? chooseLocale(before.context.locale, input) : before.context.locale;
    const event = toEvent(input, locale);
    if (!event) return unchanged(`nothing to answer for ${input.payload.type}`);

    const [after, actions] = transition(before, event);
    const flow = localeOf(after.context.locale);
    const def = flow.definition;
    const effects: Effect[] = [];
    const escalations: Escalation[] = [];
    const say = (text: string, choices?: ChoiceId[]) => {
      effects.push({ type: 'reply', text, ...(choices?.length ? { choices: choices.map((id) => ({ id, label: def.choices[id] })) } : {}) });
      turn++;
    };
    for (const action of actions) {
      switch (action.type) {
        case 'say': {
          const p = action.params as SayParams;
          say(render(pickVariant(def.texts[p.key], turn), { company: def.company, ...p.vars }), p.choices);
          if (p.queue) {
            const last = effects.at(-1);
            if (last?.type === 'reply') last.fill = 'queue';
          }
          break;
        }
        case 'relay':
          effects.push({ type: 'reply', text: (action.params as { text: string }).text, from: 'agent' });
          break;
        case 'note': {
          const p = action.params as { from: 'agent' | 'system'; text: string };
          effects.push({ type: 'transcript', from: p.from, text: p.text });
          break;
        }
        case 'cancelTimer': {
          const p = action.params as { name: string };
          if (timers[p.name] !== undefined) {
            delete timers[p.name];
            effects.push({ type: 'timer.cancel', name: p.name });
          }
          break;
        }
        case 'deskOpen':
          effects.push({ type: 'desk.open', card: action.params as HandoffCard });
          break;
        case 'deskPost':
          effects.push({ type: 'desk.post', ...(action.params as { text: string; from: 'customer' | 'system' }) });
          break;
        case 'deskUpdate':
          effects.push({ type: 'desk.update', ...(action.params as { status: DeskUpdate; agent?: AgentRef; category?: string }) });
          break;
        case 'deskNotify':
          effects.push({ type: 'desk.notify', ...(action.params as { agentId: string; notice: AgentNotice }) });
          break;
        case 'deskPing':
          effects.push({ type: 'desk.ping', ...(action.params as { level: DeskAlert }) });
          break;
        case 'queueJoin':
          effects.push({ type: 'queue.join', ...(action.params as { at: number }) });
          break;
        case 'queueLeave':
          effects.push({ type: 'queue.leave', ...(action.params as { at: number; claimed: boolean }) });
          break;
        case 'greet': {
          const p = action.params as GreetParams;
          const vars = { company: def.company, ask: p.withAsk ? pickVariant(def.texts.ask, turn) : '', opening: pickVariant(def.texts.opening, turn) };
          say(render(pickVariant(greetingFor(def, p.at), turn), vars).trim());
          break;
        }
        case 'answer': {
          const entry = def.faq.find((f) => f.id === (action.params as { faqId: string }).faqId);
          if (entry) say(render(pickVariant(entry.answer, turn), { company: def.company }));
          break;
        }
        case 'putTicket':
          effects.push({ type: 'ticket.put', ticket: (action.params as { ticket: Ticket }).ticket });
          break;
        case 'updateTickets': {
          const p = action.params as UpdateTicketsParams;
          for (const id of p.ids) effects.push({ type: 'ticket.update', id, changes: p.changes, at: p.at, ...(p.ifStatus ? { ifStatus: p.ifStatus } : {}) });
          break;
        }
        case 'setTimer': {
          const p = action.params as { name: string; ms: number };
          timers[p.name] = input.at + p.ms;
          effects.push({ type: 'timer.set', name: p.name, dueAt: input.at + p.ms });
          break;
        }
        case 'escalate':
          escalations.push(action.params as Escalation);
          break;
        case 'sayPolicy': {
          // 三明治法则: understanding, the reason from policy, an alternative — one message.
          const policy = def.policies.find((x) => x.id === (action.params as { policyId: string }).policyId);
          if (policy) {
            const parts = [policy.understanding, policy.reason, policy.alternative].map((t) => render(pickVariant(t, turn), { company: def.company }));
            say(parts.reduce((all, part) => (all === '' ? part : /[.!?]$/.test(all) ? `${all} ${part}` : `${all}${part}`), ''));
          }
          break;
        }
        default:
          // xstate.* bookkeeping (raise, assign) and actions with no outside effect.
          break;
      }
    }

    // The idle timer is data, not an XState `after`: it survives restarts and fires once.
    const state = stateName(after.value);
    // People decide when a handed-over conversation ends: no idle close while it is with them.
    const idles = state !== 'idle' && !state.startsWith('handoff');
    if (idles) {
      // Rounded up to the minute: messages within the same minute need not move the timer again.
      const dueAt = Math.ceil((input.at + def.timers.idleCloseMinutes * 60_000) / 60_000) * 60_000;
      if (timers[IDLE_TIMER] !== dueAt) effects.push({ type: 'timer.set', name: IDLE_TIMER, dueAt });
      timers[IDLE_TIMER] = dueAt;
    } else if (timers[IDLE_TIMER] !== undefined) {
      // (A fired idle timer was already taken out above, so this one is still scheduled.)
      delete timers[IDLE_TIMER];
      effects.push({ type: 'timer.cancel', name: IDLE_TIMER });
    }

    return {
      record: { snapshot: machine.getPersistedSnapshot(after), timers, turn },
      effects,
      state,
      locale: after.context.locale,
      escalations,
      channel: after.context.channel,
      customerId: after.context.customer.id,
    };
  }

  return { bundle, machine, step };
}

/**
 * XState's `transition()` without its per-call cost: it builds a throwaway actor, and with it an
 * initial snapshot, on every call (a fifth of a turn's CPU in the benchmark). The machine has no
 * children or delays, so one inert scope can serve every call; actions are collected, never run.
 */
function pureTransitions(machine: ServiceMachine): {
  initial: (input: ServiceInput) => ServiceSnapshot;
  transition: (snapshot: ServiceSnapshot, event: ServiceEvent) => [ServiceSnapshot, ExecutableActionObject[]];
} {
  let collected: ExecutableActionObject[] = [];
  // Never started: it only gives the scope a `self` and a system, as XState's own inert scope does.
  const self = createActor(machine, { input: { locale: '', conversationId: '', channel: '', customer: { id: '' } } });
  const scope: ActorScope<ServiceSnapshot, ServiceEvent> = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    stopChild: () => undefined,
    actionExecutor: (action) => void collected.push(action),
  };
  return {
    initial: (input) => machine.getInitialSnapshot(scope, input),
    transition: (snapshot, event) => {
      collected = [];
      const next = machine.transition(snapshot, event, scope);
      return [next, collected];
    },
  };
}

type ServiceSnapshot = ReturnType<ServiceMachine['transition']>;

/**
 * A readable name for a machine state: the standard conversation's states by their own name
 * ("confirming"), others by their path ("complaint.listening").
 */
export function stateName(value: unknown): string {
  const parts: string[] = [];
  let v = value;
  while (v && typeof v === 'object') {
    const [key, inner] = Object.entries(v as Record<string, unknown>)[0] ?? [];
    if (key === undefined) break;
    parts.push(key);
    v = inner;
  }
  if (typeof v === 'string') parts.push(v);
  if (parts[0] === 'service') parts.shift();
  return parts.join('.');
}

function understandChoice(id: ChoiceId): Understanding {
  const score = /^score([1-5])$/.exec(id);
  const calm = { complaint: { triggered: false, angry: false, exclaimed: false, supervisor: false }, policy: undefined, wantsPerson: id === 'human', empty: false };
  if (score) return { intents: {}, whole: undefined, faq: undefined, rating: Number(score[1]), ...calm };
  const intent = id === 'yes' || id === 'no' || id === 'more' || id === 'done' || id === 'human' ? id : undefined;
  return { intents: intent ? { [intent]: 1 } : {}, whole: intent, faq: undefined, rating: undefined, ...calm };
}

/** 开头语: the holiday greeting on a configured holiday, else the one for the time of day. */
export function greetingFor(def: FlowDefinition, at: number): FlowDefinition['greetings']['default'] {
  const { date, time } = localParts(def.timeZone, at);
  const holiday = def.greetings.holidays.find((h) => h.from <= date && date <= h.to);
  if (holiday) return holiday.text;
  const slot = def.greetings.byTime.find((s) => s.from <= time && time < s.to);
  return slot ? slot.text : def.greetings.default;
}
