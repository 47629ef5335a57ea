import type { ConversationRecord, Effect, Escalation, FlowInput, StepResult } from './contracts.js';
import { chooseLocale, toEvent, type CardsInForce, type EventLocale } from './events.js';
import { combineGuards, compileGuard, type PhraseGuard } from './guard.js';
import { compileMatcher, type Matcher } from './match.js';
import { pureTransitions, stateName } from './pure-transition.js';
import { FROM_CUSTOMER, notOffered, offeredAfter } from './offered.js';
import { renderReply } from './render.js';
import type { FlowDefinition } from './schema.js';
import { createServiceMachine, type ServiceMachine } from './service/machine.js';
import type { ServiceContext, ServiceTag } from './service/setup.js';

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

/** Compiles definitions for use; throws a RangeError when the default locale has none. */
export function compileBundle(definitions: readonly FlowDefinition[], defaultLocale: string): FlowBundle {
  const locales = new Map<string, FlowLocale>();
  for (const definition of definitions)
    locales.set(definition.locale, {
      definition,
      matcher: compileMatcher(definition),
      guard: compileGuard(definition.forbidden),
    });
  if (!locales.has(defaultLocale))
    throw new RangeError(
      `No flow definition for the default locale ${defaultLocale} (have: ${[...locales.keys()].join(', ') || 'none'})`,
    );
  return { defaultLocale, locales };
}

export interface ConversationFlow {
  readonly bundle: FlowBundle;
  readonly machine: ServiceMachine;
  step(record: ConversationRecord | undefined, input: FlowInput): StepResult;
}

export interface FlowOptions {
  /** An agent desk is connected, so handoffs can reach people. */
  desk: boolean;
  /** The definitions' version (their content hash), recorded on every ticket they serve. */
  version?: string | undefined;
}

const IDLE_TIMER = 'idle';
const MINUTE_MS = 60_000;
/** How long a timer whose ticket cannot be read (FlowInput.ticketUnread) waits before it fires again (ms). */
export const TICKET_RETRY_MS = MINUTE_MS;

/**
 * What an input means for the session. The language is chosen when a session starts, and again by
 * the first words of one that has no matter under way yet (a greeting or /start, then "do you have
 * a loyalty program"). The customer opens a session (what the report counts as a conversation)
 * by anything they send while the bot has none open (their first words ever, or after it closed
 * the last one), or by /start.
 */
function sessionOf(
  before: { context: ServiceContext; hasTag(tag: ServiceTag): boolean },
  input: FlowInput,
): { choosesLocale: boolean; opensSession: boolean } {
  const noMatterYet =
    input.payload.type === 'text' &&
    before.context.need === undefined &&
    before.context.sessionTickets.length === 0 &&
    !before.hasTag('with-people');
  const restart = input.payload.type === 'command' && input.payload.command === 'start';
  const fromCustomer = FROM_CUSTOMER.has(input.payload.type);
  return {
    // Between matters ("anything else?"), the next question may come in another language.
    choosesLocale:
      before.hasTag('idle') ||
      noMatterYet ||
      restart ||
      (input.payload.type === 'text' && before.hasTag('between-matters')),
    opensSession: fromCustomer && (before.hasTag('idle') || restart),
  };
}

/**
 * What `toEvent` reads of each locale, made once per bundle (a step is hot: an object spread per
 * message showed as about 3 µs of the step in a profile): its definition and matcher, and the other locales'.
 */
function eventLocales(bundle: FlowBundle, fallback: FlowLocale): (locale: string) => EventLocale {
  const made = new Map([...bundle.locales].map(([id, l]) => [id, { ...l, others: bundle.locales }] as const));
  const fallbackEvents = { ...fallback, others: bundle.locales };
  return (locale) => made.get(locale) ?? fallbackEvents;
}

/** The cards an agent action may be about, as the conversation stands (events.ts CardsInForce). */
function cardsInForce(before: { context: ServiceContext }): CardsInForce {
  return {
    handoffTicket: before.context.handoff?.ticketId || undefined,
    followUps: (before.context.followUps ?? []).map((f) => f.ticketId),
  };
}

export function createConversationFlow(bundle: FlowBundle, options: FlowOptions = { desk: false }): ConversationFlow {
  const fallback = bundle.locales.get(bundle.defaultLocale);
  if (!fallback) throw new RangeError(`No flow definition for the default locale ${bundle.defaultLocale}`);
  const localeOf = (locale: string): FlowLocale => bundle.locales.get(locale) ?? fallback;
  const eventLocaleOf = eventLocales(bundle, fallback);
  const machine = createServiceMachine({
    definitions: (locale) => localeOf(locale).definition,
    desk: options.desk,
    version: options.version,
    agentGuard: combineGuards([...bundle.locales.values()].map((l) => l.guard)),
  });
  const pure = pureTransitions(machine);

  function step(record: ConversationRecord | undefined, input: FlowInput): StepResult {
    const restored = record ? pure.restore(record.snapshot) : undefined;
    const reset = restored && 'reset' in restored ? restored.reset : undefined;
    const before =
      restored && 'snapshot' in restored
        ? restored.snapshot
        : pure.initial({
            locale: bundle.defaultLocale,
            conversationId: input.conversationId,
            channel: input.channel,
            customer: input.customer ?? { id: '' },
            since: input.at,
          });
    const timers = { ...(record?.timers ?? {}) };
    let turn = record?.turn ?? 0;
    let offered = record ? record.offered : [];
    const result = (
      snapshot: typeof before,
      effects: Effect[],
      escalations: Escalation[],
      ignored?: string,
    ): StepResult => ({
      record: { snapshot: pure.persist(snapshot), timers, turn, ...(offered ? { offered } : {}) },
      effects,
      state: stateName(snapshot.value),
      locale: snapshot.context.locale,
      ...(ignored ? { ignored } : {}),
      ...(reset ? { reset } : {}),
      escalations,
      channel: snapshot.context.channel,
      customerId: snapshot.context.customer.id,
    });

    if (input.payload.type === 'timer') {
      // A timer the conversation no longer waits for (moved or cancelled since): the record stays as stored.
      if (timers[input.payload.name] !== input.payload.dueAt) {
        const stale = result(before, [], [], `stale timer ${input.payload.name}`);
        return record ? { ...stale, record } : stale;
      }
      // Its ticket cannot be read now (the record is down): the same timer again a minute later, nothing judged.
      if (input.ticketUnread) {
        const dueAt = input.at + TICKET_RETRY_MS;
        timers[input.payload.name] = dueAt;
        const again = `its ticket cannot be read; timer ${input.payload.name} again at ${new Date(dueAt).toISOString()}`;
        return result(before, [{ type: 'timer.set', name: input.payload.name, dueAt }], [], again);
      }
      delete timers[input.payload.name];
    }
    if (notOffered(record, input, before.hasTag('with-people')))
      return result(before, [], [], `a button not offered now: ${JSON.stringify(input.payload)}`);
    const { choosesLocale, opensSession } = sessionOf(before, input);
    const locale = choosesLocale
      ? chooseLocale(bundle.locales, bundle.defaultLocale, before.context.locale, input, record === undefined)
      : before.context.locale;
    const event = toEvent(input, locale, eventLocaleOf(locale), cardsInForce(before));
    if (!event) return result(before, [], [], `nothing to answer for ${input.payload.type}`);

    const [after, directives] = pure.transition(before, event);
    const def = localeOf(after.context.locale).definition;
    const effects: Effect[] = [];
    const escalations: Escalation[] = [];
    for (const d of directives) {
      switch (d.type) {
        case 'say':
        case 'greet':
        case 'answer':
        case 'policy':
        case 'acknowledge': {
          const reply = renderReply(def, d, turn, input.at);
          if (reply) {
            effects.push(reply);
            turn++;
          }
          break;
        }
        case 'escalate':
          escalations.push(d.escalation);
          break;
        case 'timer.set':
          timers[d.name] = d.dueAt;
          effects.push(d);
          break;
        case 'timer.cancel':
          // Only a timer this conversation is waiting for needs cancelling.
          if (timers[d.name] !== undefined) {
            delete timers[d.name];
            effects.push(d);
          }
          break;
        default:
          effects.push(d);
      }
    }
    offered = offeredAfter(offered, effects, input);
    moveIdleTimer(
      timers,
      effects,
      after.hasTag('idle') || after.hasTag('with-people')
        ? undefined
        : input.at + def.timers.idleCloseMinutes * MINUTE_MS,
    );
    const done = result(after, effects, escalations);
    return opensSession && !addsToLastSession(before.context, after.context) ? { ...done, opensSession: true } : done;
  }

  return { bundle, machine, step };
}

/**
 * The turn belongs to the session before, though the bot had closed it: a score for the survey left
 * unanswered at its close rates it (`lateSurvey` taken), or a comment sent again on the matters it
 * just rated goes on them (`rated` moved on). Such a turn opens no session.
 */
function addsToLastSession(before: ServiceContext, after: ServiceContext): boolean {
  const ratedLate = before.lateSurvey !== undefined && after.lateSurvey === undefined;
  return ratedLate || (after.rated !== undefined && after.rated.at !== before.rated?.at);
}

/**
 * The idle close is a timer in the record, not an XState `after`: it survives restarts and fires
 * once. It runs while the bot is talking with the customer (not when idle, and not while people
 * have the conversation: they decide when it ends). `dueAt` (epoch ms) is rounded up to the
 * minute, so messages within the same minute need not move it again.
 */
function moveIdleTimer(timers: Record<string, number>, effects: Effect[], dueAt: number | undefined): void {
  if (dueAt !== undefined) {
    const rounded = Math.ceil(dueAt / MINUTE_MS) * MINUTE_MS;
    if (timers[IDLE_TIMER] !== rounded) effects.push({ type: 'timer.set', name: IDLE_TIMER, dueAt: rounded });
    timers[IDLE_TIMER] = rounded;
  } else if (timers[IDLE_TIMER] !== undefined) {
    // (A fired idle timer was already taken out, so this one is still scheduled.)
    delete timers[IDLE_TIMER];
    effects.push({ type: 'timer.cancel', name: IDLE_TIMER });
  }
}
