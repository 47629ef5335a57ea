import { and, assign, not, raise } from 'xstate';
import { followUpAdoption, followUpSurveyNow } from './follow-ups.js';
import { askWholeScore, rateProblem, rateThenTakeRequest } from './survey.js';
import { effect, say } from './setup.js';
import type { StandardSetup } from './standard.js';

/** A customer back with a question about a pending matter: greeted, then told where it stands. */
const statusFirst = ['adoptLocale', effect({ type: 'greet', withAsk: false }), 'tellPendingStatus'] as const;

/**
 * The conversation's rest (no visit under way) and how the next message opens one: a late survey
 * answer or a score again for the matters just rated, another language, an awaited order number,
 * a pending matter's status, a complaint, a person, or a need after the greeting (003 开头语).
 */
/** No conversation in progress: the next message opens one with a greeting. */
export function idleState(s: StandardSetup) {
  return s.createStateConfig({
    tags: ['idle'],
    entry: assign({
      need: undefined,
      faqId: undefined,
      facts: [],
      failures: 0,
      sessionTickets: [],
      complained: false,
      files: [],
      filesOnTickets: [],
      statusTold: false,
      commentFor: undefined,
      answered: undefined,
      detail: undefined,
    }),
    on: {
      'timer.idle': {},
      ...followUpAdoption,
      ...followUpSurveyNow,
      'user.media': {
        target: 'awaitingNeed',
        actions: ['adoptLocale', effect({ type: 'greet', withAsk: false }), say('unsupported'), 'keepFile'],
      },
      'user.message': [
        // A score for the survey left unanswered when the session closed: it rates those matters.
        { guard: and(['lateSurveyOpen', 'ratedWithRequest']), actions: ['takeLateSurvey', ...rateThenTakeRequest] },
        {
          guard: and(['lateSurveyOpen', 'ratedWithProblem']),
          target: 'offeringFollowUp',
          actions: ['takeLateSurvey', ...rateProblem],
        },
        {
          guard: and(['lateSurveyOpen', 'asksComment']),
          target: 'commenting',
          actions: ['takeLateSurvey', 'rate'],
        },
        {
          guard: and(['lateSurveyOpen', 'hasRating']),
          target: 'idle',
          reenter: true,
          actions: ['takeLateSurvey', 'rate'],
        },
        // 4.5分 for it: the survey is open again and asks for a whole score.
        {
          guard: and(['lateSurveyOpen', 'givesFractionalScore']),
          target: 'survey',
          actions: ['takeLateSurvey', askWholeScore],
        },
        // The survey was just answered and a score comes again, bare or with a comment (sent twice, or a
        // changed mind): those matters' score, not a new visit.
        { guard: and(['ratesRatedAgain', 'rerateAsksComment']), target: 'commenting', actions: 'rerate' },
        { guard: 'ratesRatedAgain', target: 'idle', reenter: true, actions: 'rerate' },
        // 4.5分 for them: the survey asks again for a whole score (as for a late one).
        { guard: and(['ratedOpen', 'givesFractionalScore']), target: 'survey', actions: ['takeRated', askWholeScore] },
        // 1分，转人工 for them: rated again, then the request is taken up.
        { guard: and(['ratedOpen', 'ratedWithRequest']), actions: ['takeRated', ...rateThenTakeRequest] },
        { guard: 'speaksAnotherLocale', actions: ['adoptLocale', raise(({ event }) => event)] },
        // Back with the order number an answer asked for before they went quiet: taken for that matter.
        {
          guard: 'givesOrderForAwaited',
          target: 'awaitingNeed',
          actions: [
            'adoptLocale',
            effect({ type: 'greet', withAsk: false }),
            'resumeAwaitedMatter',
            raise(({ event }) => event),
          ],
        },
        // Back while a matter is pending: where it stands comes first, then the message is taken
        // (a message that only asks where it stands is answered by that).
        {
          guard: and(['asksStatus', not('wantsPerson'), not('tellsUndescribedMatter'), 'saysMoreAfterStatus']),
          // Not via "anything else?": the words after the question are taken up at once.
          target: 'awaitingNeed',
          actions: [...statusFirst, 'takeRestAfterStatus'],
        },
        {
          guard: and(['asksStatus', not('wantsPerson'), not('tellsUndescribedMatter')]),
          target: 'askMore',
          actions: statusFirst,
        },
        { guard: 'hasFollowUpsToTell', actions: ['tellPendingStatus', raise(({ event }) => event)] },
        // An angry first message gets no cheerful greeting: listen first.
        {
          guard: 'startsComplaint',
          target: '#conversation.complaint',
          actions: { type: 'startComplaint', params: { fromIdle: true, resumesNeed: false } },
        },
        {
          guard: 'wantsPerson',
          target: '#conversation.handingOff',
          actions: ['adoptLocale', { type: 'requestHandoff', params: { reason: 'asked' } }],
        },
        // Words that tell right after the survey was answered (太慢了, way too slow): a comment on it? (survey.ts)
        { guard: 'commentsOnRated', target: 'confirmingComment', actions: 'holdComment' },
        // Kept waiting: 003's apology, which ends by asking the need, so no greeting before it.
        { guard: 'complainsOfWaiting', target: 'awaitingNeed', actions: ['adoptLocale', say('slowReply')] },
        { guard: 'isPraise', actions: say('praise') },
        { guard: 'isThanks', actions: say('thanks') },
        { guard: 'isApology', actions: say('apology') },
        {
          guard: 'isGreetingOnly',
          target: 'awaitingNeed',
          actions: ['adoptLocale', effect({ type: 'greet', withAsk: true })],
        },
        // The first message already says what they need: greet briefly (not again right after the survey), then handle it.
        { target: 'awaitingNeed', actions: ['adoptLocale', 'greetUnlessJustSeen', raise(({ event }) => event)] },
      ],
    },
  });
}
