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
  // The resolved machine state of each state value (and status) met, for `restore`: a machine has few.
  const resolved = new Map<string, ServiceSnapshot>();
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
    restore: (persisted) => restoreSnapshot(collecting, persisted, defaults, resolved),
    persist: (snapshot) =>
      hasEntries(snapshot.children)
        ? compact(collecting.getPersistedSnapshot(snapshot), defaults)
        : compactLive(snapshot, defaults),
  };
}

function hasEntries(record: object | undefined): boolean {
  for (const _ in record) return true;
  return false;
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
  return {
    ...rest,
    ...(status !== 'active' ? { status } : {}),
    ...(hasEntries(children as object | undefined) ? { children } : {}),
    ...(hasEntries(historyValue as object | undefined) ? { historyValue } : {}),
    context: nonDefault(context, defaults),
  };
}

/** The context's fields not at their starting values (`defaults`). */
function nonDefault(context: unknown, defaults: ReadonlyMap<string, Default>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  const fields = (context ?? {}) as Record<string, unknown>;
  for (const k in fields) {
    const v = fields[k];
    const d = defaults.get(k);
    if (d === undefined || !isDefault(v, d)) kept[k] = v;
  }
  return kept;
}

/**
 * `compact` of a live snapshot without children, straight from its fields: XState's
 * getPersistedSnapshot copies the snapshot and walks the whole context for actor references, and
 * this machine has no children and keeps no actors in its context. The same object `compact`
 * makes of XState's persisted snapshot (history entries as their ids, as XState writes them).
 */
function compactLive(snapshot: ServiceSnapshot, defaults: ReadonlyMap<string, Default>): unknown {
  const persisted: Record<string, unknown> = {};
  if (snapshot.status !== 'active') persisted.status = snapshot.status;
  if (snapshot.output !== undefined) persisted.output = snapshot.output;
  if (snapshot.error !== undefined) persisted.error = snapshot.error;
  persisted.value = snapshot.value;
  const history = snapshot.historyValue as Record<string, ReadonlyArray<{ id: string }>> | undefined;
  if (hasEntries(history)) {
    const ids: Record<string, Array<{ id: string }>> = {};
    for (const key in history) {
      const nodes = history[key];
      if (Array.isArray(nodes)) ids[key] = nodes.map((n) => ({ id: n.id }));
    }
    if (hasEntries(ids)) persisted.historyValue = ids;
  }
  persisted.context = nonDefault(snapshot.context, defaults);
  return persisted;
}

/** A stored context as XState reads it: what `compact` left out put back, fresh (no two conversations share a list). */
function expandContext(stored: unknown, defaults: ReadonlyMap<string, Default>): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const [k, d] of defaults) context[k] = d === 'list' ? [] : d === 'record' ? {} : d.value;
  if (typeof stored === 'object' && stored !== null) Object.assign(context, stored);
  return context;
}

type Persisted = {
  value: unknown;
  status?: string;
  output?: unknown;
  error?: unknown;
  context?: unknown;
  historyValue?: Record<string, Array<{ id: string }>>;
};

/**
 * A stored snapshot (compact, or stored whole) back to a live one. What XState's `resolveState()`
 * computes of a state value (its state nodes, tags, status) is resolved once per state value and
 * status and kept in `resolved`; each restore then only puts its own context and history in.
 * History entries are revived from the plain {id} objects JSON left (entering a history state
 * needs the state nodes themselves); ids the machine no longer has are dropped. A snapshot the
 * machine cannot resolve at all (a state that no longer exists) is reported, so the caller can log
 * it instead of resetting silently.
 */
function restoreSnapshot(
  machine: ServiceMachine,
  stored: unknown,
  defaults: ReadonlyMap<string, Default>,
  resolved: Map<string, ServiceSnapshot>,
): { snapshot: ServiceSnapshot } | { reset: string } {
  if (typeof stored !== 'object' || stored === null || !('value' in stored))
    return { reset: 'the stored snapshot is not a machine snapshot' };
  const persisted = stored as Persisted;
  try {
    const status = persisted.status ?? 'active';
    const key = `${status}\u0000${JSON.stringify(persisted.value)}`;
    let state = resolved.get(key);
    if (!state) {
      state = machine.resolveState({ value: persisted.value, status, context: {} } as Parameters<
        ServiceMachine['resolveState']
      >[0]);
      resolved.set(key, state);
    }
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
    // The snapshot resolveState() makes, with this conversation's parts (the nodes, tags and value are never changed).
    const snapshot = {
      ...state,
      output: persisted.output,
      error: persisted.error,
      context: expandContext(persisted.context, defaults),
      historyValue,
    } as unknown as ServiceSnapshot;
    return { snapshot };
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
