import { z } from 'zod';
import { invisibleCharacters } from './text.js';
import { compileGuard, ForbiddenPhrase } from './guard.js';
import { labelWords, ratingKey, SCORE_CHOICES, type ScoreChoice } from './rating.js';
import { Complaints, customerPhrase, slug, triggers } from './schema-complaints.js';
import { FollowUpSettings, Handoff, hhmm, phrases } from './schema-handoff.js';
import {
  ANSWER_PLACEHOLDERS,
  botTexts,
  GREETING_PLACEHOLDERS,
  shortText,
  shownWords,
  Text,
  textsShape,
  textWith,
} from './schema-texts.js';

export { Text, TEXT_PLACEHOLDERS, type TextKey } from './schema-texts.js';
export {
  COMPLAINT_KINDS,
  ComplaintCategory,
  ComplaintKind,
  Complaints,
  type ComplaintKindId,
} from './schema-complaints.js';

/**
 * The shape of an admin-editable flow definition. Everything the bot says and every knob that
 * steers it lives here; the machines in this folder only name texts by key.
 */

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date as YYYY-MM-DD', abort: true })
  .refine(
    (s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    'is not a real calendar date',
  );

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not an IANA time zone (e.g. Asia/Shanghai)');

export const CHOICE_IDS = [
  'yes',
  'no',
  'more',
  'done',
  'human',
  'score1',
  'score2',
  'score3',
  'score4',
  'score5',
] as const;
export type ChoiceId = (typeof CHOICE_IDS)[number];
const choicesShape = Object.fromEntries(CHOICE_IDS.map((k) => [k, shownWords])) as Record<ChoiceId, typeof shownWords>;

export const INTENT_IDS = [
  'yes',
  /**
   * Agreement (好的, 行, OK): a yes where something is confirmed, but at "anything else?" the
   * customer is done. Optional: a definition written before it has these words under `yes`.
   */
  'okay',
  'no',
  'more',
  'done',
  'thanks',
  'apology',
  'praise',
  'slowReply',
  'suggestion',
  'greeting',
  'human',
  /**
   * Asking whether the bot is a person (你是真人吗, are you a bot): answered honestly, with a way to
   * a person (000 透明诚信; 智能与人工协同 transfers when a person is asked for explicitly). Optional:
   * a definition written before it has these words under `human`.
   */
  'botQuestion',
  /**
   * The answer just given did not help (没用, 还是不行, that didn't help): said to "anything else?"
   * right after a knowledge-base answer, a person takes the matter, as 转人工 there does (000
   * 智能与人工协同). Optional: a definition written before it restates such words as a need.
   */
  'notHelped',
  /**
   * How long the wait for a person is (还要等多久, how much longer): while queued, answered with the
   * customer's place in the queue. Elsewhere such words are restated (they may be about a delivery).
   * Optional: a definition written before it relays them to the agent only.
   */
  'waitQuestion',
] as const;
export type IntentId = (typeof INTENT_IDS)[number];
/** Intents added after definitions were first published: a definition may leave them out. */
const OPTIONAL_INTENTS: ReadonlySet<IntentId> = new Set(['okay', 'botQuestion', 'notHelped', 'waitQuestion']);
const intentsShape = Object.fromEntries(
  INTENT_IDS.map((k) => [k, OPTIONAL_INTENTS.has(k) ? phrases.default([]) : phrases]),
) as Record<IntentId, typeof phrases>;

export const FaqEntry = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  /** How the bot restates the need when it recognises this topic: "您的意思是想{topic},对吗?" */
  topic: shortText,
  /** How customers ask it, one phrasing each: the matcher ranks a message by its closest phrasing. */
  questions: phrases,
  /**
   * The words that name the topic (发货, 发票, refund): a message is taken as this entry only when
   * it has one of them, after synonyms; plain words or patterns (`钱…付`). Without keywords the
   * entry has no such check. Not ranked on their own: a short keyword would pull in every message
   * that shares it (包裹里少了一件 is not a tracking question).
   */
  keywords: z.array(customerPhrase).default([]),
  answer: textWith(ANSWER_PLACEHOLDERS),
  /**
   * The answer asks for the order number (请把订单号告诉我们，我们会为您加急处理): a number sent right
   * after it makes the matter a follow-up for a person, with a promised reply time (details.ts).
   */
  asksForOrder: z.boolean().optional(),
});
export type FaqEntry = z.infer<typeof FaqEntry>;

/** A request beyond policy, answered with the sandwich (三明治法则): understanding, reason, alternative. */
export const Policy = z.strictObject({
  id: slug,
  triggers,
  understanding: Text,
  reason: Text,
  alternative: Text,
});

/**
 * The working-day calendar (工作日历). With `region: cn` (the default) China's public holidays and
 * make-up working days (调休: a Saturday or Sunday that is a working day) come from the
 * `chinese-days` package, which follows the State Council's yearly notice; `none` uses the weekly
 * business hours alone. Dates listed here override the package: `holidays` are closed all day
 * (company days off, or a public holiday the package does not know yet), `workdays` are open with
 * an ordinary weekday's hours (a make-up day, or a public holiday the company works). See
 * flows/calendar.ts for how "working day" and "business time" read it.
 */
export const Calendar = z.strictObject({
  region: z.enum(['cn', 'none'], 'must be cn (Chinese public holidays) or none (business hours alone)').default('cn'),
  holidays: z.array(day).default([]),
  workdays: z.array(day).default([]),
});
export type Calendar = z.infer<typeof Calendar>;

/** A date in both lists is a contradiction: closed all day and open with weekday hours. */
function checkCalendar(calendar: Calendar, ctx: z.RefinementCtx): void {
  const holidays = new Map(calendar.holidays.map((d, i) => [d, i]));
  calendar.workdays.forEach((d, i) => {
    const j = holidays.get(d);
    if (j !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['calendar', 'workdays', i],
        message: `${d} is also in calendar.holidays[${j}]: list a date as a holiday (closed) or a workday (open), not both`,
      });
  });
}

/** A rating word is one score's: not another button's words, not listed under two scores. */
function checkRatingWords(
  def: { choices: Record<ChoiceId, string>; ratingWords: Partial<Record<ScoreChoice, string[]>> },
  ctx: z.RefinementCtx,
): void {
  const owner = new Map<string, string>();
  for (const id of SCORE_CHOICES) owner.set(ratingKey(labelWords(def.choices[id])), `choices.${id}`);
  for (const id of SCORE_CHOICES)
    (def.ratingWords[id] ?? []).forEach((word, i) => {
      const first = owner.get(ratingKey(word));
      if (first !== undefined && first !== `choices.${id}` && first !== `ratingWords.${id}`)
        ctx.addIssue({
          code: 'custom',
          path: ['ratingWords', id, i],
          message: `"${word}" is already a score's words (${first}): a word rates one score`,
        });
      else if (first === undefined) owner.set(ratingKey(word), `ratingWords.${id}`);
    });
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const FlowDefinition = z
  .strictObject({
    schema: z.literal(1, 'must be 1 (the definition format this version reads)'),
    locale: z.string().regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, 'must be a language tag such as zh-CN or en'),
    name: shortText,
    company: shortText,
    timeZone,
    businessHours: z.array(z.strictObject({ days: z.array(z.enum(WEEKDAYS)).min(1), open: hhmm, close: hhmm })).min(1),
    calendar: Calendar.default({ region: 'cn', holidays: [], workdays: [] }),
    greetings: z.strictObject({
      default: textWith(GREETING_PLACEHOLDERS),
      byTime: z.array(z.strictObject({ from: hhmm, to: hhmm, text: textWith(GREETING_PLACEHOLDERS) })).default([]),
      holidays: z
        .array(z.strictObject({ name: z.string().min(1), from: day, to: day, text: textWith(GREETING_PLACEHOLDERS) }))
        .default([]),
    }),
    texts: z.strictObject(textsShape),
    choices: z.strictObject(choicesShape),
    /**
     * Survey answers in words besides the score buttons' labels, whose words count already without
     * the digit (非常满意 … 非常不满意): a message that is wholly one of these, punctuation and fillers
     * aside, is that score at the survey (差评: 1). Only whole answers that plainly rate.
     */
    ratingWords: z.partialRecord(z.enum(SCORE_CHOICES), z.array(z.string().trim().min(1))).default({}),
    intents: z.strictObject(intentsShape),
    /** Particles that carry no meaning on their own ("的", "了", "吧"), ignored when judging a short reply. */
    fillers: z.array(z.string().min(1)).default([]),
    restate: z
      .strictObject({
        /** Pronoun swaps applied when restating the customer's words ("我" → "您"). */
        swaps: z.array(z.tuple([z.string().min(1), z.string()])).default([]),
        /** When the need contains one of these, quote it verbatim instead of swapping pronouns. */
        quoteIf: z.array(z.string().min(1)).default([]),
        /**
         * Words that join a social opening to the need (谢谢，另外发票怎么开; thanks, and how do I …):
         * left out with the opening, so the need is restated without them. List only words that
         * cannot begin a need themselves (另外, not 还有: 还有货吗 is a need).
         */
        connectors: z.array(z.string().min(1)).default([]),
      })
      .default({ swaps: [], quoteIf: [], connectors: [] }),
    faq: z.array(FaqEntry).min(1),
    /**
     * Questions customers ask that the knowledge base does not answer (out of scope, as Rasa calls
     * it): a message closer to one of these than to any entry is restated in the customer's own
     * words, never as an entry's topic. Admins add what `npm run flows:test` shows going to a wrong topic.
     */
    outOfScope: z.array(z.string().trim().min(1)).default([]),
    /**
     * Words that mean the same to the knowledge base, canonical first ([付款, 支付, 付钱]): each
     * later word is read as the first before matching, in questions, keywords and messages alike.
     */
    synonyms: z.array(z.array(z.string().trim().min(1)).min(2)).default([]),
    thresholds: z.strictObject({
      faqMinScore: z.number().min(0).max(1),
      /**
       * How far ahead of the runner-up (another entry or an out-of-scope question) the best entry
       * must score to be taken as the topic (0–1, score points); closer than that, the need is
       * restated in the customer's own words (issue 11: "when the runner-up is close").
       */
      faqMargin: z.number().min(0).max(1).default(0.1),
      intentCoverage: z.number().gt(0).max(1),
      /**
       * How many restatements in a row the customer may say are not what they meant (不是) before a
       * person takes the matter; with no agent desk it is recorded with `followUpHours` instead.
       * (A need that is confirmed but has no knowledge-base answer is recorded at once.)
       */
      failuresBeforeHandoff: z.number().int().min(1),
      /** Hours promised for a reply when the bot cannot answer on the spot (无法当场答复). */
      followUpHours: z.number().int().min(1),
    }),
    timers: z.strictObject({ idleCloseMinutes: z.number().positive() }),
    /** 服务忌语: phrases no text to a customer may contain, with the reason and the standard phrasing. */
    forbidden: z.array(ForbiddenPhrase).default([]),
    complaints: Complaints,
    policies: z.array(Policy).default([]),
    handoff: Handoff,
    followUp: FollowUpSettings.default({
      remindBeforeMinutes: 60,
      escalateAfterWorkingDays: 3,
      surveyDelayMinutes: 60,
      quietHours: { from: '21:00', to: '09:00' },
      statusWords: [],
      commentBelowScore: 2,
      commentWords: [],
    }),
  })
  .superRefine((def, ctx) => {
    checkCalendar(def.calendar, ctx);
    for (const { path, code } of invisibleCharacters(def))
      ctx.addIssue({ code: 'custom', path, message: `has an invisible character (${code}): remove it` });
    // The bot must not say what its own standards forbid.
    const guard = compileGuard(def.forbidden);
    for (const { path, text } of botTexts(def)) {
      const verdict = guard.check(text);
      if (verdict.allowed) continue;
      for (const m of verdict.matches) {
        ctx.addIssue({
          code: 'custom',
          path,
          message: `contains the forbidden service phrase "${m.phrase}" (${m.reason}); say instead: ${m.suggestion}`,
        });
      }
    }
    checkRatingWords(def, ctx);
    const seen = new Map<string, number>();
    def.faq.forEach((entry, i) => {
      const first = seen.get(entry.id);
      if (first !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['faq', i, 'id'],
          message: `duplicate id "${entry.id}" (also faq[${first}])`,
        });
      else seen.set(entry.id, i);
    });
    const faqIds = new Set(def.faq.map((f) => f.id));
    const categoryIds = new Set<string>();
    def.complaints.categories.forEach((c, i) => {
      if (categoryIds.has(c.id))
        ctx.addIssue({
          code: 'custom',
          path: ['complaints', 'categories', i, 'id'],
          message: `duplicate category "${c.id}"`,
        });
      categoryIds.add(c.id);
      if (c.faqId !== undefined && !faqIds.has(c.faqId))
        ctx.addIssue({
          code: 'custom',
          path: ['complaints', 'categories', i, 'faqId'],
          message: `no faq entry has id "${c.faqId}"`,
        });
    });
    const kindIds = new Set<string>();
    def.complaints.kinds.forEach((k, i) => {
      if (kindIds.has(k.id))
        ctx.addIssue({ code: 'custom', path: ['complaints', 'kinds', i, 'id'], message: `duplicate kind "${k.id}"` });
      kindIds.add(k.id);
      if (k.category !== undefined && !categoryIds.has(k.category))
        ctx.addIssue({
          code: 'custom',
          path: ['complaints', 'kinds', i, 'category'],
          message: `no complaint category has id "${k.category}"`,
        });
    });
    for (const id of Object.keys(def.handoff.categoryChannels)) {
      if (!categoryIds.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['handoff', 'categoryChannels', id],
          message: `no complaint category has id "${id}"`,
        });
    }
    if (def.handoff.supervisorSlaSeconds <= def.handoff.claimSlaSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['handoff', 'supervisorSlaSeconds'],
        message: `must be later than claimSlaSeconds (${def.handoff.claimSlaSeconds})`,
      });
    }
    if (def.handoff.replySupervisorSeconds <= def.handoff.replySlaSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['handoff', 'replySupervisorSeconds'],
        message: `must be later than replySlaSeconds (${def.handoff.replySlaSeconds})`,
      });
    }
    if (!categoryIds.has(def.complaints.defaultCategory)) {
      ctx.addIssue({
        code: 'custom',
        path: ['complaints', 'defaultCategory'],
        message: `must be one of the categories (${[...categoryIds].join(', ')})`,
      });
    }
    def.greetings.byTime.forEach((slot, i) => {
      if (slot.from >= slot.to)
        ctx.addIssue({
          code: 'custom',
          path: ['greetings', 'byTime', i, 'to'],
          message: `must be later than from (${slot.from})`,
        });
    });
    def.greetings.holidays.forEach((h, i) => {
      if (h.from > h.to)
        ctx.addIssue({
          code: 'custom',
          path: ['greetings', 'holidays', i, 'to'],
          message: `must not be before from (${h.from})`,
        });
    });
    // A range that closes before it opens runs past midnight (21:00-02:00: until 02:00 the next day).
    def.businessHours.forEach((b, i) => {
      if (b.open === '24:00')
        ctx.addIssue({
          code: 'custom',
          path: ['businessHours', i, 'open'],
          message: 'must be before 24:00 (a range that opens at midnight opens at 00:00)',
        });
      else if (b.open === b.close)
        ctx.addIssue({
          code: 'custom',
          path: ['businessHours', i, 'close'],
          message: `must differ from open (${b.open}); all day is 00:00-24:00, and a close before the open runs past midnight (21:00-02:00)`,
        });
    });
  });
export type FlowDefinition = z.infer<typeof FlowDefinition>;
