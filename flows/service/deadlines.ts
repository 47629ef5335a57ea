import { addWorkingDays } from '../calendar.js';
import { systemLineText } from '../system-lines.js';
import { atWork } from '../hours.js';
import { ticketTimer, type TicketChanges } from '../ticket.js';
import { endFollowUp, followUpOf, withFollowUp } from './records.js';
import { collect, effect, say, type Enqueue, type MachineDeps } from './setup.js';
import { keepsPromise, type FollowUp } from './states.js';

/**
 * The deadlines of a pending matter (records.ts `followUp` sets them), as its ticket stands when
 * they come: 003 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，也需回复客户; 001 五.(二)
 * 复杂问题超过3个工作日未解决，自动触发高级别客服介入.
 */

/**
 * A pending matter's timer (`followUp`): its ticket as stored now decides. Reminded shortly before
 * the promised time; at it, still pending, flagged, escalated, supervisors alerted and the customer
 * told honestly (003); after the working days allowed, escalated to supervisors (001 五.(二)), and
 * alerted again each working day after while it stays pending.
 */
export function ticketTimerAction(deps: MachineDeps) {
  return collect(({ context, event, enqueue }) => {
    if (event.type !== 'timer.ticket' || event.kind === 'survey') return;
    const { ticketId: id, at } = event;
    const f = followUpOf(context, id);
    if (event.status !== 'pending') {
      enqueue(
        effect({
          type: 'transcript',
          from: 'system',
          text: systemLineText({
            kind: 'nothing-to-chase',
            timer: event.kind,
            ticket: id,
            status: event.status ?? 'gone',
          }),
        }),
      );
      if (f) endFollowUp(enqueue, context, id, 'survey');
      return;
    }
    const onLiveCard = context.handoff?.ticketId === id;
    // A reminder that comes only after the promised time (the bot was down) has nothing left to remind of,
    // nor one of a promise a person's reply kept (keptByReply).
    if (event.kind === 'remind' && f && (at >= f.promisedBy || f.answered)) return;
    if (event.kind === 'remind') {
      // Shortly before the promised time: the agent who has it, or the channel, is reminded.
      enqueue(effect({ type: 'desk.ping', level: 'reminder', ticketId: id, ...(f?.agent ? { agent: f.agent } : {}) }));
      enqueue(effect({ type: 'ticket.update', id, changes: { events: [{ type: 'reminded', at }] }, at }));
      return;
    }
    if (event.kind === 'escalate') {
      // Still unresolved after that: the supervisors again every working day until someone settles
      // it (found by the fifteenth issue-17 session's trial: one alert, then nothing for ever).
      const def = deps.definitions(context.locale);
      const next = atWork(def, addWorkingDays(def, at, 1));
      enqueue(effect({ type: 'timer.set', name: ticketTimer('escalate', id), dueAt: next }));
      if (f?.escalated) return void enqueue(effect({ type: 'desk.ping', level: 'escalated', ticketId: id }));
      if (f) enqueue.assign({ followUps: withFollowUp(context.followUps, { ...f, escalated: true }) });
      // 001 五.(二): a complex matter unresolved after the working days allowed goes to supervisors.
      const changes: TicketChanges = {
        priority: 'high',
        escalation: { reason: 'working-days', at },
        events: [{ type: 'escalated', at, detail: 'working-days' }],
      };
      enqueue(effect({ type: 'ticket.update', id, changes, at, ifStatus: 'pending' }));
      enqueue(effect({ type: 'desk.ping', level: 'escalated', ticketId: id }));
      enqueue(effect({ type: 'escalate', escalation: { ticketId: id, reason: 'working-days', priority: 'high' } }));
      return;
    }
    if (event.kind === 'promise' && f?.answered) {
      const text = systemLineText({ kind: 'replied-in-time', ticket: id });
      return void enqueue(effect({ type: 'transcript', from: 'system', text }));
    }
    // The promised time passed with the matter pending: flagged, escalated, the supervisors
    // alerted at channel level, and the customer told honestly (unless an agent is talking
    // with them about it right now).
    // Broken when it was due, even if the bot only notices later (for the report).
    const due = f?.promisedBy ?? at;
    const changes: TicketChanges = {
      overdueAt: due,
      priority: 'high',
      escalation: { reason: 'promise-overdue', at },
      events: [
        { type: 'promise-broken', at: due },
        { type: 'escalated', at, detail: 'promise-overdue' },
      ],
    };
    enqueue(effect({ type: 'ticket.update', id, changes, at, ifStatus: 'pending' }));
    enqueue(effect({ type: 'escalate', escalation: { ticketId: id, reason: 'promise-overdue', priority: 'high' } }));
    enqueue(effect({ type: 'desk.ping', level: 'overdue', ticketId: id }));
    if (!onLiveCard && !f?.toldOverdue) enqueue(say('promiseOverdue', { vars: { ticket: id } }));
    if (f) enqueue.assign({ followUps: withFollowUp(context.followUps, { ...f, overdue: true }) });
  });
}

/**
 * A person's reply reached the customer on a pending matter. A reply by the promised time is what
 * was promised (003 需严格按照承诺时间回复客户，即使在指定时间未有处理结果，也需回复客户), so the first
 * one before it keeps the promise (`promise-kept` on the record), and at its deadline the matter is
 * not flagged broken nor the customer apologised to; it stays pending and its escalation still runs
 * (found by the fifteenth issue-17 session's trial: 已超过承诺的答复时间 after the agent had replied).
 * Returns the follow-up as it is now.
 */
export function keptByReply(enqueue: Enqueue, f: FollowUp, at: number): FollowUp {
  if (!keepsPromise(f, at)) return f;
  enqueue(effect({ type: 'ticket.update', id: f.ticketId, changes: { events: [{ type: 'promise-kept', at }] }, at }));
  return { ...f, answered: true };
}
