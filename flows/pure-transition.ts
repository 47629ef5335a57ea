import { createActor, type ActorScope } from 'xstate';
import type { Directive } from './contracts.js';
import type { ServiceEvent, ServiceInput } from './service/setup.js';
import type { ServiceMachine } from './service/machine.js';

type ServiceSnapshot = ReturnType<ServiceMachine['transition']>;

export interface PureTransitions {
  /** The snapshot a new conversation starts in, and the directives its entry emits. */
  initial(input: ServiceInput): ServiceSnapshot;
  /** The next snapshot and every directive the machine emitted on the way, in order. */
  transition(snapshot: ServiceSnapshot, event: ServiceEvent): [ServiceSnapshot, Directive[]];
  /** A persisted snapshot back to a live one, or the reason it cannot be. */
  restore(persisted: unknown): { snapshot: ServiceSnapshot } | { reset: string };
  persist(snapshot: ServiceSnapshot): unknown;
}

/**
 * XState's `transition()` without its per-call cost: it builds a throwaway actor, and with it an
 * initial snapshot, on every call (a fifth of a turn's CPU in the benchmark). The machine has no
 * children or delays, so one inert scope serves every call. The machine's one placeholder,
 * `effect`, is provided here to collect its directives, typed; no other action has an outside effect.
 */
export function pureTransitions(machine: ServiceMachine): PureTransitions {
  let collected: Directive[] = [];
  const collecting = machine.provide({ actions: { effect: (_, directive) => void collected.push(directive) } });
  // Never started: it only gives the scope a `self` and a system, as XState's own inert scope does.
  const self = createActor(collecting, {
    input: { locale: '', conversationId: '', channel: '', customer: { id: '' } },
  });
  const scope: ActorScope<ServiceSnapshot, ServiceEvent> = {
    self,
    id: '',
    sessionId: '',
    system: self.system,
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    stopChild: () => undefined,
    actionExecutor: (action) => {
      if (action.type === 'effect') action.exec?.(action.info, action.params);
    },
  };
  const initial = (input: ServiceInput) => collecting.getInitialSnapshot(scope, input);
  const defaults = contextDefaults(
    initial({ locale: 'a', conversationId: 'a', channel: 'a', customer: { id: 'a' }, since: 1 }).context,
    initial({ locale: 'b', conversationId: 'b', channel: 'b', customer: { id: 'b' }, since: 2 }).context,
  );
  return {
    initial,
    transition: (snapshot, event) => {
      collected = [];
      const next = collecting.transition(snapshot, event, scope);
      return [next, collected];
    },
    restore: (persisted) => restoreSnapshot(collecting, expand(persisted, defaults)),
    persist: (snapshot) => compact(collecting.getPersistedSnapshot(snapshot), defaults),
  };
}

/** A context field's starting value that a persisted snapshot leaves out: a primitive, or an empty list or record. */
type Default = { value: string | number | boolean | null } | 'list' | 'record';

function defaultOf(value: unknown): Default | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return { value };
  if (Array.isArray(value)) return value.length === 0 ? 'list' : undefined;
  if (typeof value === 'object' && Object.keys(value as object).length === 0) return 'record';
  return undefined;
}

/** Whether `value` is the default `d` (cheap: no JSON). */
function isDefault(value: unknown, d: Default): boolean {
  if (d === 'list') return Array.isArray(value) && value.length === 0;
  if (d === 'record')
    return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
  return value === d.value;
}

/**
 * The context fields every conversation starts with whatever its input (no facts, no failures…):
 * two initial contexts from different inputs, the fields they agree on (primitives and empty lists
 * or records only).
 */
function contextDefaults(a: object, b: object): ReadonlyMap<string, Default> {
  const other = new Map(Object.entries(b));
  const same = new Map<string, Default>();
  for (const [k, v] of Object.entries(a)) {
    const d = defaultOf(v);
    if (d !== undefined && isDefault(other.get(k), d)) same.set(k, d);
  }
  return same;
}

/**
 * The persisted snapshot without what restoring puts back (issue 17: Redis holds one per
 * conversation): XState's status while active, no children, no history, and context fields still
 * at their starting values. Smaller in Redis and less JSON each turn.
 */
function compact(persisted: unknown, defaults: ReadonlyMap<string, Default>): unknown {
  if (typeof persisted !== 'object' || persisted === null) return persisted;
  const { status, children, historyValue, context, ...rest } = persisted as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries((context ?? {}) as Record<string, unknown>)) {
    const d = defaults.get(k);
    if (d === undefined || !isDefault(v, d)) kept[k] = v;
  }
  return {
    ...rest,
    ...(status !== 'active' ? { status } : {}),
    ...(children && Object.keys(children).length > 0 ? { children } : {}),
    ...(historyValue && Object.keys(historyValue).length > 0 ? { historyValue } : {}),
    context: kept,
  };
}

/** A stored snapshot as XState reads it: what `compact` left out, put back (a snapshot stored whole is read as it is). */
function expand(stored: unknown, defaults: ReadonlyMap<string, Default>): unknown {
  if (typeof stored !== 'object' || stored === null || !('value' in stored)) return stored;
  const s = stored as Record<string, unknown>;
  const context: Record<string, unknown> = {};
  // Fresh lists and records: no two conversations share one.
  for (const [k, d] of defaults) context[k] = d === 'list' ? [] : d === 'record' ? {} : d.value;
  return { status: 'active', children: {}, historyValue: {}, ...s, context: { ...context, ...(s.context as object) } };
}

type Persisted = Parameters<ServiceMachine['resolveState']>[0] & {
  historyValue?: Record<string, Array<{ id: string }>>;
};

/**
 * `resolveState()` keeps history entries as the plain {id} objects JSON left; entering a history
 * state needs the state nodes themselves (XState's restoreSnapshot revives them, the pure path does
 * not). Ids the machine no longer has are dropped. A snapshot the machine cannot resolve at all (a
 * state that no longer exists) is reported, so the caller can log it instead of resetting silently.
 */
function restoreSnapshot(machine: ServiceMachine, value: unknown): { snapshot: ServiceSnapshot } | { reset: string } {
  if (typeof value !== 'object' || value === null || !('value' in value))
    return { reset: 'the stored snapshot is not a machine snapshot' };
  const persisted = value as Persisted;
  try {
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
    return { snapshot: machine.resolveState({ ...persisted, historyValue } as Persisted) };
  } catch (err) {
    return {
      reset: `the stored snapshot does not fit this version of the machine: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

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
