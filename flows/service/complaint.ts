import { assign } from 'xstate';
import { classify, describeFacts, describeMissing, extractFacts, mergeFacts, missingFacts } from '../facts.js';
import { pickVariant } from '../text.js';
import type { HandoffSetup } from './handoff.js';
import { categoryOf, withComplaintRecords, type ComplaintRecordsSetup } from './complaint-records.js';
import {
  effect,
  localeOf,
  say,
  SECOND_MS,
  textOf,
  understood,
  upset,
  type MachineDeps,
  type ServiceContext,
  collect,
} from './setup.js';

/**
 * Complaints (002 客户抱怨与投诉 核心步骤, 003 客户抱怨与投诉的应答规范): listen, acknowledge in
 * the words 003 gives for the complaint's kind, clarify, then resolve from the knowledge base, or
 * register the matter with the category's promised reply time, or escalate.
 * The standard conversation is suspended meanwhile and resumed through its history state. How the
 * outcome is recorded is in complaint-records.ts.
 */

/** The complaint's words so far with one more message, bounded. */
function joined(text: string, more: string): string {
  return [text, more].filter(Boolean).join(' ').slice(0, 500);
}

/** Listening, apologising, clarifying: what the complaint holds while the customer talks. */
function withComplaintSteps(records: ComplaintRecordsSetup, deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  return records.extend({
    actions: {
      startComplaint: collect(({ context, event, enqueue }, params: { fromIdle: boolean }) => {
        const locale = localeOf(event, context.locale);
        const complaints = deps.definitions(locale).complaints;
        const text = textOf(event);
        const { kind, category } = classify(complaints, text);
        enqueue.assign({
          locale: params.fromIdle ? locale : context.locale,
          complaint: {
            text,
            facts: extractFacts(complaints, text),
            category,
            kind: kind?.id,
            supervisor: understood(event)?.complaint.supervisor ?? false,
            angryTurns: 0,
            rounds: 0,
            fromIdle: params.fromIdle,
          },
        });
        enqueue(effect({ type: 'timer.set', name: 'listen', dueAt: event.at + complaints.listenSeconds * SECOND_MS }));
      }),
      // Let the customer finish: every message joins the complaint (its facts, kind and category).
      absorbComplaint: collect(({ context, event, enqueue }) => {
        const c = context.complaint;
        if (!c || event.type !== 'user.message') return;
        const complaints = defOf(context).complaints;
        const text = joined(c.text, textOf(event));
        const facts = mergeFacts(c.facts, extractFacts(complaints, textOf(event)), complaints.facts.detailSeparator);
        const { kind, category } = classify(complaints, text);
        enqueue.assign({
          complaint: {
            ...c,
            text,
            facts,
            category,
            kind: kind?.id,
            supervisor: c.supervisor || event.understanding.complaint.supervisor,
          },
        });
      }),
      // An answer to the offered solution: kept with the complaint's words, not taken as a new fact.
      noteComplaint: assign({
        complaint: ({ context, event }) =>
          context.complaint ? { ...context.complaint, text: joined(context.complaint.text, textOf(event)) } : undefined,
      }),
      // The listen window: messages in quick succession are taken together, answered once.
      armListen: collect(({ context, event, enqueue }) =>
        enqueue(
          effect({
            type: 'timer.set',
            name: 'listen',
            dueAt: event.at + defOf(context).complaints.listenSeconds * SECOND_MS,
          }),
        ),
      ),
      // 道歉: 003's words for this kind of complaint (an agent's attitude or mistake, cursing, a rude question), else the general ones.
      acknowledgeComplaint: collect(({ context, enqueue }) =>
        enqueue(effect({ type: 'acknowledge', kind: context.complaint?.kind })),
      ),
      countAnger: assign({
        complaint: ({ context, event }) =>
          context.complaint && upset(event)
            ? { ...context.complaint, angryTurns: context.complaint.angryTurns + 1 }
            : context.complaint,
      }),
      nextRound: assign({
        complaint: ({ context }) =>
          context.complaint ? { ...context.complaint, rounds: context.complaint.rounds + 1 } : undefined,
      }),
      // 澄清: restate what is known, ask for what is missing.
      askForFacts: collect(({ context, enqueue }) => {
        const c = context.complaint;
        if (!c) return;
        const complaints = defOf(context).complaints;
        const missing = missingFacts(c.facts);
        const facts = describeFacts(complaints, c.facts);
        if (missing.length === 0 || c.rounds >= complaints.clarifyRounds) {
          if (facts) enqueue(say('complaintConfirmFacts', { vars: { facts } }));
          return;
        }
        const ask = describeMissing(complaints, missing);
        if (facts) enqueue(say('complaintClarify', { vars: { facts, missing: ask } }));
        else enqueue(say('complaintAskMissing', { vars: { missing: ask } }));
      }),
      offerAnswer: collect(({ context, enqueue }) => {
        const entry = defOf(context).faq.find((f) => f.id === categoryOf(deps, context)?.faqId);
        if (entry)
          enqueue(
            say('complaintResolve', {
              vars: { answer: pickVariant(entry.answer, context.seq) },
              choices: ['yes', 'no'],
            }),
          );
      }),
      clearComplaint: assign({ complaint: undefined }),
    },
    guards: {
      complaintNeedsPerson: ({ context }) =>
        context.complaint?.supervisor === true || categoryOf(deps, context)?.alwaysHuman === true,
      stillAngryTooLong: ({ context, event }) =>
        upset(event) &&
        (context.complaint?.angryTurns ?? 0) + 1 >= defOf(context).complaints.angryTurnsBeforeEscalation,
      readyToResolve: ({ context }) => {
        const c = context.complaint;
        return !c || missingFacts(c.facts).length === 0 || c.rounds >= defOf(context).complaints.clarifyRounds;
      },
      hasComplaintAnswer: ({ context }) => {
        const faqId = categoryOf(deps, context)?.faqId;
        return faqId !== undefined && defOf(context).faq.some((f) => f.id === faqId);
      },
      complaintFromIdle: ({ context }) => context.complaint?.fromIdle === true,
    },
  });
}

function complaintStates(s: ReturnType<typeof withComplaintSteps>) {
  /** A complaint that ends without the customer (idle, blocked, restarted) is still registered with its promise. */
  const registered = ['recordComplaintPromise', 'clearComplaint'] as const;

  /** 投诉处理: listen, apologise, clarify, then resolve or give the feedback path. */
  const complaint = s.createStateConfig({
    initial: 'listening',
    on: {
      // Gone quiet mid-complaint: it is still registered, with its promised reply time.
      'timer.idle': { target: '#conversation.service.idle', actions: [...registered, say('idleClose')] },
      'user.blocked': { target: '#conversation.service.idle', actions: [...registered] },
      'user.start': {
        target: '#conversation.service.awaitingNeed',
        actions: [...registered, 'adoptLocale', effect({ type: 'greet', withAsk: true })],
      },
    },
    states: {
      /** 倾听: let the customer finish; messages in quick succession are answered once. */
      listening: {
        on: {
          'user.message': { actions: ['absorbComplaint', 'armListen'] },
          'user.media': { actions: 'armListen' },
          'timer.listen': { target: 'acknowledging' },
        },
      },
      /** 道歉: 003's answer for the kind of complaint, even when the fault is not ours. */
      acknowledging: {
        always: [
          { guard: 'complaintNeedsPerson', target: 'escalating', actions: 'acknowledgeComplaint' },
          { target: 'clarifying', actions: 'acknowledgeComplaint' },
        ],
      },
      /** 澄清: restate the key facts and ask for what is missing. */
      clarifying: {
        entry: 'askForFacts',
        always: { guard: 'readyToResolve', target: 'resolving' },
        on: {
          'user.message': [
            { guard: 'asksSupervisor', target: 'escalating', actions: 'absorbComplaint' },
            { guard: 'stillAngryTooLong', target: 'escalating', actions: ['absorbComplaint', 'countAnger'] },
            { guard: 'asksBeyondPolicy', actions: 'answerPolicy' },
            { target: 'clarifying', reenter: true, actions: ['absorbComplaint', 'countAnger', 'nextRound'] },
          ],
        },
      },
      /** 解决: the category's knowledge-base answer when it has one, else the feedback path. */
      resolving: {
        always: [{ guard: 'hasComplaintAnswer', target: 'checking', actions: 'offerAnswer' }, { target: 'promising' }],
      },
      checking: {
        on: {
          'user.message': [
            { guard: 'asksSupervisor', target: 'escalating', actions: 'absorbComplaint' },
            { guard: 'isYes', target: 'done', actions: 'recordComplaintResolved' },
            { guard: 'stillAngryTooLong', target: 'escalating', actions: 'countAnger' },
            { guard: 'asksBeyondPolicy', actions: 'answerPolicy' },
            // "No", or anything else: the solution does not settle it, so give the feedback path.
            { target: 'promising', actions: 'noteComplaint' },
          ],
        },
      },
      /** 反馈: registered, with the reply time promised for its category. */
      promising: { always: { target: 'done', actions: 'recordComplaintPromise' } },
      /** 升级: with people at the desk the escalation goes to them now (priority high); otherwise a supervisor's reply time is promised. */
      escalating: {
        always: [
          {
            guard: 'deskConnected',
            target: '#conversation.handingOff',
            actions: [
              { type: 'recordComplaintEscalation', params: { announce: false } },
              { type: 'requestHandoff', params: { reason: 'complaint' } },
              'adoptComplaintTicket',
              'clearComplaint',
            ],
          },
          { target: 'done', actions: { type: 'recordComplaintEscalation', params: { announce: true } } },
        ],
      },
      /** Back to where the customer was, or on to "anything else?" if the complaint came first. */
      done: {
        always: [
          { guard: 'complaintFromIdle', target: '#conversation.service.askMore', actions: 'clearComplaint' },
          { target: '#conversation.service.hist', actions: ['clearComplaint', say('complaintResume')] },
        ],
      },
    },
  });

  return { complaint };
}

export function withComplaint(handoff: HandoffSetup, deps: MachineDeps) {
  const s = withComplaintSteps(withComplaintRecords(handoff, deps), deps);
  return { setup: s, states: complaintStates(s) };
}
export type ComplaintSetup = ReturnType<typeof withComplaint>['setup'];
