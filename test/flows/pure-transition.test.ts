import { initialTransition, transition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { toEvent } from '../../flows/events.js';
import { pureTransitions } from '../../flows/pure-transition.js';
import type { FlowPayload } from '../../flows/contracts.js';
import { defaultFlow, shanghai } from '../support/flows.js';

/**
 * The step's fast path re-implements XState's pure `transition()` with one inert scope (for
 * speed). Pinned here to XState's own: the same next state, the same context, and the same
 * directives, over a conversation that visits the standard flow, a complaint and a handoff.
 */
describe('pure transition', () => {
  const flow = defaultFlow(undefined, { desk: true });
  const zh = flow.bundle.locales.get('zh-CN');
  const start = shanghai('2026-11-23T15:00:00');
  const script: FlowPayload[] = [
    { type: 'text', text: '你好' },
    { type: 'text', text: '我的订单还没发货' },
    { type: 'choice', choice: 'yes' },
    { type: 'text', text: '你们什么破公司！我要投诉！！' },
    { type: 'timer', name: 'listen', dueAt: 0 },
    { type: 'text', text: '订单号 20261120001，昨天收到的，耳机坏了' },
    // Nothing to add, the offered solution declined: the complaint is registered, then a person.
    { type: 'text', text: '没有了' },
    { type: 'choice', choice: 'no' },
    { type: 'text', text: '转人工' },
    { type: 'agent', action: 'claim', agent: { id: 'U1', name: '小王' } },
    { type: 'agent', action: 'reply', agent: { id: 'U1', name: '小王' }, text: '您好，我来处理' },
    { type: 'agent', action: 'close', agent: { id: 'U1', name: '小王' } },
    { type: 'choice', choice: 'score5' },
  ];

  it('matches xstate.transition step by step, state, context and directives', () => {
    if (!zh) throw new Error('no zh-CN definition');
    const input = { locale: 'zh-CN', conversationId: 't:1', channel: 'test', customer: { id: 'c1' } };
    const pure = pureTransitions(flow.machine);
    let ours = pure.initial(input);
    let theirs = initialTransition(flow.machine, input)[0];
    let visited = 0;
    script.forEach((payload, i) => {
      const event = toEvent({ conversationId: 't:1', channel: 'test', at: start + i * 60_000, payload }, 'zh-CN', zh);
      if (!event) throw new Error(`no event for ${JSON.stringify(payload)}`);
      const [nextOurs, directives] = pure.transition(ours, event);
      const [nextTheirs, actions] = transition(flow.machine, theirs, event);
      expect(nextOurs.value).toEqual(nextTheirs.value);
      expect(nextOurs.context).toEqual(nextTheirs.context);
      expect(directives).toEqual(actions.filter((a) => a.type === 'effect').map((a) => a.params));
      if (directives.length > 0) visited++;
      ours = nextOurs;
      theirs = nextTheirs;
    });
    // The script really went through the machine: most steps emitted something, and it ended rated.
    expect(visited).toBeGreaterThanOrEqual(9);
    expect(ours.hasTag('idle')).toBe(true);
  });

  it('restores what it persisted, and reports what it cannot restore instead of starting over in silence', () => {
    const pure = pureTransitions(flow.machine);
    const first = pure.initial({ locale: 'zh-CN', conversationId: 't:2', channel: 'test', customer: { id: 'c2' } });
    const restored = pure.restore(JSON.parse(JSON.stringify(pure.persist(first))));
    expect('snapshot' in restored && restored.snapshot.value).toEqual(first.value);
    expect(pure.restore({ value: { service: 'no-such-state' }, context: first.context, status: 'active' })).toEqual({
      reset: expect.stringMatching(/does not fit this version/),
    });
    expect(pure.restore('garbage')).toEqual({ reset: 'the stored snapshot is not a machine snapshot' });
  });

  it('persists only what restoring needs, through the whole script, and still reads a snapshot stored whole', () => {
    if (!zh) throw new Error('no zh-CN definition');
    const input = { locale: 'zh-CN', conversationId: 't:3', channel: 'test', customer: { id: 'c3' } };
    const pure = pureTransitions(flow.machine);
    let ours = pure.initial(input);
    script.forEach((payload, i) => {
      const event = toEvent({ conversationId: 't:3', channel: 'test', at: start + i * 60_000, payload }, 'zh-CN', zh);
      if (!event) throw new Error(`no event for ${JSON.stringify(payload)}`);
      const stored = JSON.stringify(pure.persist(ours));
      const whole = JSON.stringify(flow.machine.getPersistedSnapshot(ours));
      // Neither XState's defaults (status, children, an empty history) nor context fields at their start.
      expect(stored.length).toBeLessThan(whole.length);
      expect(stored).not.toMatch(/"status":"active"|"children":\{\}|"historyValue":\{\}|"failures":0/);
      // What it restores goes on the same way as the live snapshot; so does a snapshot stored before (whole).
      for (const json of [stored, whole]) {
        const restored = pure.restore(JSON.parse(json));
        if (!('snapshot' in restored)) throw new Error(restored.reset);
        expect(restored.snapshot.value).toEqual(ours.value);
        expect(restored.snapshot.context).toEqual(ours.context);
        const [fromStored, said] = pure.transition(restored.snapshot, event);
        const [live, expected] = pure.transition(ours, event);
        expect([fromStored.value, fromStored.context, said]).toEqual([live.value, live.context, expected]);
      }
      ours = pure.transition(ours, event)[0];
    });
  });
});
