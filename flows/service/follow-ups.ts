import { and, not } from 'xstate';
import type { AgentNotice } from '../contracts.js';
import { formatLocalTime, localParts } from '../hours.js';
import type { ChoiceId, FlowDefinition } from '../schema.js';
import { saysAnyOf } from '../facts.js';
import { quoted } from '../text.js';
import { ticketTimer, type TicketChanges } from '../ticket.js';
import { keptByReply, ticketTimerAction } from './deadlines.js';
import { justSeen } from './states.js';
import { asksAboutWait, besidesStatus } from './unstated-need.js';
import {
  claimedUpdate,
  internalLine,
  keepResolveNote,
  notifyBlocked,
  relayAgentReply,
  releasedUpdate,
  repliedUpdate,
} from './agent-replies.js';
import type { HandoffEndSetup } from './agents.js';
import { followUpOf, resolveMatter, withFollowUp, withTicket } from './records.js';
import {
  collect,
  effect,
  MINUTE_MS,
  say,
  type Enqueue,
  type FollowUp,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * Pending matters that people follow up (issue 13; 003 需严格按照承诺时间回复客户, 000 三.(一)4–5
 * 执行与跟进、确认与闭环, 001 五.(二) 处理完成后24小时内进行满意度回访). Each is a card on the desk
 * (records.ts `followUp` posts it with its timers). Agents act on it at any time, whether or not
 * the customer is chatting: claim it (a conversation with nothing under way is then theirs, as a
 * handoff on that card), write to the customer through the phrase guard, resolve it with the
 * outcome the customer receives, then the satisfaction survey. A customer who comes back while a
 * matter is pending hears its status first.
 */

type FollowUpEvent = Extract<ServiceEvent, { type: `followup.${string}` }>;

function isFollowUpEvent(event: ServiceEvent): event is FollowUpEvent {
  return event.type.startsWith('followup.');
}

/**
 * The follow-up an event is about: the one the conversation keeps, or, for a ticket of this
 * conversation the store still has pending (one recorded before issue 13, or dropped from the
 * bounded list), one rebuilt from the ticket.
 */
function followUpFor(context: ServiceContext, event: ServiceEvent): FollowUp | undefined {
  if (!isFollowUpEvent(event)) return undefined;
  const kept = followUpOf(context, event.ticketId);
  if (kept) return event.status === undefined || event.status === 'pending' ? kept : undefined;
  if (event.status !== 'pending') return undefined;
  return { ticketId: event.ticketId, promisedBy: event.promisedBy ?? event.at, type: 'inquiry' };
}

/** Whether local time `hhmm` falls in quiet hours from → to (past midnight when `to` is not after `from`). */
function isQuiet(def: FlowDefinition, at: number): boolean {
  const { from, to } = def.followUp.quietHours;
  const { time } = localParts(def.timeZone, at);
  return from < to ? from <= time && time < to : time >= from || time < to;
}

/**
 * When the follow-up survey (回访) of a matter resolved at `at` goes: `surveyDelayMinutes` later,
 * moved to the end of the quiet hours when that falls at night (never at night, 001), and always
 * within 24 hours of the resolution. Epoch ms, rounded to the minute.
 */
export function surveyTime(def: FlowDefinition, at: number): number {
  const start = Math.ceil((at + def.followUp.surveyDelayMinutes * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  const last = at + 24 * 60 * MINUTE_MS;
  const step = 15 * MINUTE_MS;
  for (let t = start; t < last; t += step) {
    if (isQuiet(def, t)) continue;
    // The quiet hours end on a whole minute: refine the 15-minute step back to it.
    let lo = Math.max(start, t - step);
    while (lo < t && isQuiet(def, lo)) lo += MINUTE_MS;
    return lo;
  }
  return start;
}

/** Sends the survey of a matter a person resolved, naming it; the survey state rates it. */
function askSurvey(enqueue: Enqueue, ticketId: string, at: number): void {
  enqueue(say('surveyFollowUp', { vars: { ticket: ticketId }, choices: SCORES }));
  const changes: TicketChanges = { events: [{ type: 'survey-sent', at }] };
  enqueue(effect({ type: 'ticket.update', id: ticketId, changes, at }));
  enqueue.assign({ sessionTickets: [ticketId] });
}

const SCORES: ChoiceId[] = ['score5', 'score4', 'score3', 'score2', 'score1'];

/** The conversation follows at least one pending matter (a promised reply time). */
const hasPending = (context: ServiceContext) => (context.followUps?.length ?? 0) > 0;

/** What the follow-up desk asks about an event: whose matter it is, whether it may go ahead. */
function followUpGuards(deps: MachineDeps) {
  return {
    followUpKnown: ({ context, event }) => followUpFor(context, event) !== undefined,
    // The agent the customer complained of, on that matter's card (FollowUp.complainedOf).
    byAgentComplainedOf: ({ context, event }) => {
      const of = followUpFor(context, event)?.complainedOf;
      return of !== undefined && isFollowUpEvent(event) && event.agent.id === of;
    },
    followUpClaimedByOther: ({ context, event }) => {
      const agent = followUpFor(context, event)?.agent;
      return agent !== undefined && 'agent' in event && agent.id !== event.agent.id;
    },
    isFollowUpClaimer: ({ context, event }) => {
      const agent = followUpFor(context, event)?.agent;
      return agent !== undefined && 'agent' in event && agent.id === event.agent.id;
    },
    // An outcome goes to the customer only in words the standards allow (or deliberately overridden).
    outcomeAllowed: ({ event }) =>
      (event.type === 'agent.resolve' || event.type === 'followup.resolve') &&
      (event.text === '' || event.override || deps.agentGuard.check(event.text).allowed),
    hasOutcomeText: ({ event }) => event.type === 'followup.resolve' && event.text !== '',
    // The 回访 of a resolved matter the customer has not rated.
    surveyDue: ({ event }) =>
      event.type === 'timer.ticket' && event.kind === 'survey' && event.status === 'resolved' && !event.rated,
    isSurveyTimer: ({ event }) => event.type === 'timer.ticket' && event.kind === 'survey',
    // Not again to a customer back within JUST_CLOSED_MS of the visit that told it (found by the issue-17 trial).
    hasFollowUpsToTell: ({ context, event }) =>
      hasPending(context) && context.statusTold !== true && !justSeen(context, event.at),
    hasPendingMatters: ({ context }) => hasPending(context),
    // 我的投诉处理得怎么样了: with a matter pending, a question about it is answered with its status.
    // A question about the wait (还要等多久, how much longer) asks it too (found by the issue-17 trial).
    asksStatus: ({ context, event }) =>
      hasPending(context) &&
      event.type === 'user.message' &&
      (saysAnyOf(deps.definitions(context.locale).followUp.statusWords, event.text) || asksAboutWait(event)),
    // 还要等多久？耳机也坏了: the question about the wait asks the status, and the words after it say
    // more (found by the issue-17 trial: they were lost). Not when they only ask the status again.
    saysMoreAfterStatus: ({ context, event }) => {
      const rest = besidesStatus(event)?.text;
      return rest !== undefined && !saysAnyOf(deps.definitions(context.locale).followUp.statusWords, rest);
    },
    // The 回访 is never sent at night (001): a resolution in the quiet hours gets it in the morning.
    quietNow: ({ context, event }) => isQuiet(deps.definitions(context.locale), event.at),
    isAdopted: ({ context }) => context.handoff?.adopted === true,
  } satisfies Record<string, (args: { context: ServiceContext; event: ServiceEvent }) => boolean>;
}

/** Telling an agent why nothing happened, on the card they acted on. */
function notify(enqueue: Enqueue, event: FollowUpEvent, notice: AgentNotice): void {
  enqueue(effect({ type: 'desk.notify', agentId: event.agent.id, notice, ticketId: event.ticketId }));
}

/** Claiming, releasing and writing to the customer about a pending matter. */
function claimActions(deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return {
    notifyNotPending: collect(({ event, enqueue }) => {
      if (isFollowUpEvent(event)) notify(enqueue, event, { kind: 'not-pending', ticketId: event.ticketId });
    }),
    notifyComplainedOf: collect(({ context, event, enqueue }) => {
      if (!isFollowUpEvent(event)) return;
      const asked = followUpFor(context, event)?.supervisorAsked ? { asked: true as const } : {};
      notify(enqueue, event, { kind: 'complained-of', ticketId: event.ticketId, ...asked });
    }),
    notifyFollowUpNotYours: collect(({ context, event, enqueue }) => {
      const by = followUpFor(context, event)?.agent;
      if (!isFollowUpEvent(event) || !by) return;
      notify(enqueue, event, { kind: by.id === event.agent.id ? 'already-claimed' : 'not-yours', by });
    }),
    notifyFollowUpNotClaimed: collect(({ event, enqueue }) => {
      if (isFollowUpEvent(event)) notify(enqueue, event, { kind: 'not-claimed' });
    }),
    notifyNoHandoff: collect(({ event, enqueue }) => {
      if (isFollowUpEvent(event)) notify(enqueue, event, { kind: 'no-handoff' });
    }),
    // The agent has the matter now: on the card, on the record, and for the reminder.
    claimFollowUp: collect(({ context, event, enqueue }) => {
      const f = followUpFor(context, event);
      if (!f || event.type !== 'followup.claim') return;
      enqueue(effect({ type: 'desk.update', status: 'claimed', agent: event.agent, ticketId: f.ticketId }));
      enqueue(effect(claimedUpdate(f.ticketId, event.agent, event.at)));
      enqueue.assign({ followUps: withFollowUp(context.followUps, { ...f, agent: event.agent }) });
    }),
    // A conversation with nothing under way becomes the agent's, on the follow-up's card: what
    // the customer writes now reaches them, and the survey at the end rates this matter.
    adoptFollowUp: collect(({ context, event, enqueue }) => {
      const f = followUpFor(context, event);
      if (!f || event.type !== 'followup.claim') return;
      enqueue.assign({
        handoff: {
          reason: 'asked',
          priority: 'normal',
          category: undefined,
          ticketId: f.ticketId,
          queuedAt: event.at,
          agent: event.agent,
          replied: f.replied,
          adopted: true,
          // Still undescribed (转人工 after hours, nothing said since): what the customer tells is its need.
          ...(f.needUnstated ? { needUnstated: true } : {}),
        },
        complaint: undefined,
        need: undefined,
        faqId: undefined,
        facts: [],
        sessionTickets: withTicket([], f.ticketId),
      });
      const vars = { ticket: f.ticketId, agent: quoted(event.agent.name ?? '') };
      // Nothing told of it yet: the agent asks what it is (found by the issue-17 trial: the customer was not asked).
      const ask = f.needUnstated === true;
      if (defOf(context).handoff.showAgentName && event.agent.name)
        enqueue(say(ask ? 'followUpClaimedAsk' : 'followUpClaimed', { vars }));
      else
        enqueue(
          say(ask ? 'followUpClaimedAnonymousAsk' : 'followUpClaimedAnonymous', { vars: { ticket: f.ticketId } }),
        );
    }),
    // An agent lets go of a matter they had taken up with the customer: the conversation is the
    // bot's again, and the card waits unclaimed (transferred: in its category's channel).
    releaseAdopted: collect(({ context, event, enqueue }, params: { status: 'released' | 'transferred' }) => {
      const h = context.handoff;
      if (!h || (event.type !== 'agent.release' && event.type !== 'agent.transfer')) return;
      const category = event.type === 'agent.transfer' ? { category: event.category } : {};
      const update = { type: 'desk.update', status: params.status, agent: event.agent, ticketId: h.ticketId } as const;
      enqueue(effect({ ...update, ...category }));
      enqueue(effect(releasedUpdate(h.ticketId, event.agent, event.at)));
      const f = followUpOf(context, h.ticketId);
      const followUps = f ? withFollowUp(context.followUps, { ...f, agent: undefined, replied: h.replied }) : undefined;
      enqueue.assign({ handoff: undefined, ...(followUps ? { followUps } : {}) });
    }),
    releaseFollowUp: collect(({ context, event, enqueue }) => {
      const f = followUpFor(context, event);
      if (!f || event.type !== 'followup.release') return;
      enqueue(effect({ type: 'desk.update', status: 'released', agent: event.agent, ticketId: f.ticketId }));
      enqueue(effect(releasedUpdate(f.ticketId, event.agent, event.at)));
      enqueue.assign({ followUps: withFollowUp(context.followUps, { ...f, agent: undefined }) });
    }),
    // The agent who has the matter writes to the customer, wherever the conversation is.
    followUpReply: collect(({ context, event, enqueue }) => {
      const f = followUpFor(context, event);
      if (!f || event.type !== 'followup.reply') return;
      if (!relayAgentReply(enqueue, deps, event, f.ticketId, true)) return;
      if (!f.replied) enqueue(effect(repliedUpdate(f.ticketId, event.agent, event.at)));
      const kept = keptByReply(enqueue, f, event.at);
      if (!f.replied || kept !== f)
        enqueue.assign({ followUps: withFollowUp(context.followUps, { ...kept, replied: true }) });
    }),
    followUpInternal: collect(({ event, enqueue }) => {
      if (event.type === 'followup.reply' || event.type === 'followup.note')
        enqueue(effect(internalLine(event.agent, event.text, 'files' in event ? event.files : [])));
    }),
  };
}

/** Settling a pending matter, the survey that follows it, and the status a returning customer hears. */
function outcomeActions(deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return {
    // Settled: the customer receives the outcome (when there is one), the card and the record say
    // so. The survey follows at once in a conversation with nothing under way (`askFollowUpSurvey`),
    // or as the 回访 within 24 hours (`scheduleFollowUpSurvey`).
    resolveFollowUp: collect(({ context, event, enqueue }) => {
      const f = followUpFor(context, event);
      if (!f || event.type !== 'followup.resolve') return;
      if (event.text && relayAgentReply(enqueue, deps, { ...event, override: true }, f.ticketId, true) && !f.replied)
        enqueue(effect(repliedUpdate(f.ticketId, event.agent, event.at)));
      keepResolveNote(enqueue, event);
      enqueue(effect({ type: 'desk.update', status: 'resolved', agent: event.agent, ticketId: f.ticketId }));
      const outcome = event.text || event.note || '';
      resolveMatter(enqueue, context, { ticketId: f.ticketId, agent: event.agent, at: event.at, outcome });
    }),
    scheduleFollowUpSurvey: collect(({ context, event, enqueue }) => {
      if (event.type !== 'followup.resolve') return;
      const dueAt = surveyTime(defOf(context), event.at);
      enqueue(effect({ type: 'timer.set', name: ticketTimer('survey', event.ticketId), dueAt }));
    }),
    askFollowUpSurvey: collect(({ event, enqueue }) => {
      if (event.type === 'followup.resolve' || event.type === 'timer.ticket')
        askSurvey(enqueue, event.ticketId, event.at);
    }),
    // The 回访 came while the customer is busy with something else: it is asked with the survey
    // that closes what they are doing now.
    surveyWithSession: collect(({ context, event, enqueue }) => {
      if (event.type !== 'timer.ticket' || event.status !== 'resolved' || event.rated) return;
      enqueue.assign({ sessionTickets: withTicket(context.sessionTickets, event.ticketId) });
    }),
    // A customer back while matters are pending hears where they stand first (the latest two).
    tellPendingStatus: collect(({ context, event, enqueue }) => {
      const told: string[] = [];
      for (const f of (context.followUps ?? []).slice(-2)) {
        enqueue(statusLine(defOf(context), f, event.at));
        if (pastItsTime(f, event.at)) told.push(f.ticketId);
      }
      // A deadline already told as passed is not told again when its timer fires late.
      const followUps = (context.followUps ?? []).map((f) =>
        told.includes(f.ticketId) ? { ...f, toldOverdue: true } : f,
      );
      enqueue.assign({ statusTold: true, followUps });
    }),
    // The outcome the agent wrote did not pass the service-phrase guard: nothing is settled yet.
    blockOutcome: collect(({ context, event, enqueue }) => {
      if (event.type !== 'agent.resolve' && event.type !== 'followup.resolve') return;
      const ticketId = event.type === 'followup.resolve' ? event.ticketId : context.handoff?.ticketId;
      const verdict = deps.agentGuard.check(event.text);
      if (!verdict.allowed) notifyBlocked(enqueue, event.agent, event.text, verdict.matches, ticketId);
    }),
  };
}

/** The follow-up desk, on top of the handoff's agent layers. */
export function withFollowUpDesk(desk: HandoffEndSetup, deps: MachineDeps) {
  return desk.extend({
    guards: followUpGuards(deps),
    actions: { ...claimActions(deps), ...outcomeActions(deps), onTicketTimer: ticketTimerAction(deps) },
  });
}
export type FollowUpDeskSetup = ReturnType<typeof withFollowUpDesk>;

/**
 * What every state does with a follow-up card's actions and a pending matter's timers (the root
 * of the machine): states with nothing under way add adopting the conversation on a claim, and
 * asking the survey at once (`followUpAdoption`, `followUpSurveyNow`).
 */
export const followUpEvents = {
  'timer.ticket': [{ guard: 'isSurveyTimer', actions: 'surveyWithSession' }, { actions: 'onTicketTimer' }],
  'followup.claim': [
    { guard: 'byAgentComplainedOf', actions: 'notifyComplainedOf' },
    { guard: 'followUpClaimedByOther', actions: 'notifyFollowUpNotYours' },
    { guard: 'followUpKnown', actions: 'claimFollowUp' },
    { actions: 'notifyNotPending' },
  ],
  'followup.release': [
    { guard: 'isFollowUpClaimer', actions: 'releaseFollowUp' },
    { guard: 'followUpClaimedByOther', actions: 'notifyFollowUpNotYours' },
    { guard: 'followUpKnown', actions: 'notifyFollowUpNotClaimed' },
    { actions: 'notifyNotPending' },
  ],
  'followup.reply': [
    { guard: 'isFollowUpClaimer', actions: 'followUpReply' },
    // Someone else's matter: kept as an internal line, as in a handoff's thread.
    { guard: 'followUpClaimedByOther', actions: 'followUpInternal' },
    { guard: 'followUpKnown', actions: 'notifyFollowUpNotClaimed' },
    { actions: 'notifyNotPending' },
  ],
  // Anyone at the desk may settle a pending matter (a supervisor, staff at the CLI).
  'followup.resolve': [
    { guard: 'byAgentComplainedOf', actions: 'notifyComplainedOf' },
    { guard: and(['followUpKnown', not('outcomeAllowed')]), actions: 'blockOutcome' },
    { guard: 'followUpKnown', actions: ['resolveFollowUp', 'scheduleFollowUpSurvey'] },
    { actions: 'notifyNotPending' },
  ],
  'followup.note': { actions: 'followUpInternal' },
  'followup.other': { actions: 'notifyNoHandoff' },
} as const;

/** In a state with nothing under way, a claim makes the conversation the agent's (see `adoptFollowUp`). */
export const followUpAdoption = {
  'followup.claim': {
    guard: and(['followUpKnown', not('followUpClaimedByOther'), not('byAgentComplainedOf')]),
    target: '#conversation.handoff.claimed',
    actions: ['claimFollowUp', 'adoptFollowUp'],
  },
} as const;

/** With no conversation in progress, the outcome is followed by the survey at once, and a 回访 due is asked. */
export const followUpSurveyNow = {
  'followup.resolve': {
    guard: and(['followUpKnown', 'outcomeAllowed', 'hasOutcomeText', not('quietNow'), not('byAgentComplainedOf')]),
    target: '#conversation.service.survey',
    actions: ['resolveFollowUp', 'askFollowUpSurvey'],
  },
  'timer.ticket': { guard: 'surveyDue', target: '#conversation.service.survey', actions: 'askFollowUpSurvey' },
} as const;

/**
 * Where a pending matter stands, as the customer hears it: pending with its promised time, taken by
 * an agent, or past its time (a deadline that fired late counts too: never a date already gone).
 */
export function statusLine(def: FlowDefinition, f: FollowUp, at: number) {
  const vars = { ticket: f.ticketId, by: formatLocalTime(def, f.promisedBy), need: quoted(f.need || '…') };
  if (pastItsTime(f, at)) return say('pendingStatusOverdue', { vars });
  // 转人工 and nothing more (after hours): no need to quote, the customer is asked for it (found by the issue-17 trial).
  if (f.needUnstated) return say('pendingStatusUnstated', { vars });
  if (f.agent?.name) return say('pendingStatusClaimed', { vars: { ...vars, agent: quoted(f.agent.name) } });
  return say('pendingStatus', { vars });
}

const pastItsTime = (f: FollowUp, at: number) => f.overdue === true || f.promisedBy <= at;
