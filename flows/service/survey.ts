import { and, assign, or } from 'xstate';
import { followUpAdoption } from './follow-ups.js';
import { say, type ServiceContext } from './setup.js';
import type { ChoiceId } from '../schema.js';
import type { StandardSetup, StandardShared } from './standard.js';

/** The close of the standard conversation: 结束语, the survey, and the comment after a low score. */

const SCORES: ChoiceId[] = ['score5', 'score4', 'score3', 'score2', 'score1'];

/** A score sent with a request for a person ("1分，转人工"): kept on the matters rated, then the handoff. */
export const rateAndHandOff = [
  { type: 'rate', params: { quiet: true } },
  { type: 'requestHandoff', params: { reason: 'asked' } },
] as const;

/**
 * 结束语 naming every ticket of the session (a list in the locale's words: "A、B和C", "A, B and
 * C"), thanking for the feedback when a complaint was among them (003 受理完客户投诉后的应答).
 */
const closingRecorded = {
  type: 'effect',
  params: ({ context }: { context: ServiceContext }) => ({
    type: 'say' as const,
    key: context.complained ? ('closingComplaint' as const) : ('closingRecorded' as const),
    vars: { ticket: listFormat(context.locale).format(context.sessionTickets) },
  }),
} as const;

/** One list format per locale: making an Intl.ListFormat costs more than the rest of a turn's close. */
const LIST_FORMATS = new Map<string, Intl.ListFormat>();
function listFormat(locale: string): Intl.ListFormat {
  let format = LIST_FORMATS.get(locale);
  if (!format) LIST_FORMATS.set(locale, (format = new Intl.ListFormat(locale, { type: 'conjunction' })));
  return format;
}

/** 结束语, then the survey when a matter was recorded (003 结束语, 000 满意度回访). */
export function closingStates(s: StandardSetup, shared: StandardShared) {
  const { interrupts, anyTime } = shared;
  return {
    closing: s.createStateConfig({
      always: [
        // The survey rates what was settled this session; a matter still pending is rated after
        // its resolution (the 回访), not before.
        {
          guard: 'hasRateableTickets',
          target: 'survey',
          actions: [closingRecorded, say('surveyAsk', { choices: SCORES }), 'rateSettledOnly', 'markSurveySent'],
        },
        { guard: 'hasSessionTickets', target: 'idle', actions: closingRecorded },
        { target: 'idle', actions: say('closing') },
      ],
    }),
    /** The survey was asked (after 结束语, or as the 回访 of a matter a person resolved): the next score rates it. */
    survey: s.createStateConfig({
      on: {
        ...followUpAdoption,
        // Already thanked and closed politely: a customer who does not rate is simply let go, and a
        // score they send later still counts (lateSurvey).
        'timer.idle': {
          target: 'idle',
          actions: assign({
            lateSurvey: ({ context, event }) => ({ tickets: context.sessionTickets, at: event.at, seq: context.seq }),
          }),
        },
        'user.message': [
          { guard: and(['hasRating', 'wantsPerson']), target: '#conversation.handingOff', actions: rateAndHandOff },
          { guard: 'asksComment', target: 'commenting', actions: 'rate' },
          { guard: 'hasRating', target: 'idle', actions: 'rate' },
          ...interrupts,
          ...anyTime,
          { guard: 'wantsToFinish', target: 'idle' },
          {
            guard: 'looksLikeNewNeed',
            target: 'confirming',
            actions: [assign({ sessionTickets: [] }), 'answerLead', 'captureNeed'],
          },
          { actions: say('surveyRetry', { choices: SCORES }) },
        ],
      },
    }),
    /** After a low score the customer was asked what went wrong: their answer is the comment (seed 001 评分和评论). */
    commenting: s.createStateConfig({
      on: {
        'timer.idle': { target: 'idle' },
        'user.message': [
          // What went wrong is said in complaint words (太差了, terrible): that is the comment asked
          // for, kept on the tickets, not a new complaint. Only a request for a person goes to one.
          {
            guard: 'wantsPerson',
            target: '#conversation.handingOff',
            actions: { type: 'requestHandoff', params: { reason: 'asked' } },
          },
          { guard: or(['wantsToFinish', 'nothingToAdd']), target: 'idle', actions: say('closing') },
          { target: 'idle', actions: 'keepComment' },
        ],
      },
    }),
  };
}
