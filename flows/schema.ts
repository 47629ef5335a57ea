import { z } from 'zod';
import { compileGuard, ForbiddenPhrase } from './guard.js';

/**
 * The shape of an admin-editable flow definition. Everything the bot says and every knob that
 * steers it lives here; the machines in this folder only name texts by key.
 */

/** A text, or several phrasings of it that the bot rotates through so it does not sound canned. */
export const Text = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
export type Text = z.infer<typeof Text>;

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day as HH:MM (00:00 to 24:00)');

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real calendar date');

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not an IANA time zone (e.g. Asia/Shanghai)');

const phrases = z.array(z.string().trim().min(1)).min(1);

/**
 * Every text key the conversation uses, with the placeholders it may contain. A definition that
 * uses a placeholder not listed here is rejected, so a typo shows up at validation, not in a chat.
 */
export const TEXT_PLACEHOLDERS = {
  opening: ['company', 'ask'],
  ask: [],
  confirmTopic: ['topic'],
  confirmVerbatim: ['need'],
  describeAgain: [],
  notSure: [],
  followUp: ['ticket', 'hours'],
  askMore: [],
  goOn: [],
  closing: [],
  closingRecorded: ['ticket'],
  surveyAsk: [],
  surveyRetry: [],
  surveyThanks: ['score'],
  idleClose: [],
  thanks: [],
  apology: [],
  suggestion: ['ticket'],
  unsupported: [],
  privateOnly: ['company'],
  help: ['company'],
} as const satisfies Record<string, readonly string[]>;
export type TextKey = keyof typeof TEXT_PLACEHOLDERS;

const GREETING_PLACEHOLDERS = ['opening', 'company', 'ask'] as const;
const ANSWER_PLACEHOLDERS = ['company'] as const;

/**
 * A text whose placeholders are checked where it stands, so a misspelt placeholder is reported
 * together with every other problem of the file (refinements on the whole object only run once
 * its shape is valid).
 */
function textWith(allowed: readonly string[]) {
  return Text.superRefine((text, ctx) => {
    const variants = typeof text === 'string' ? [text] : text;
    variants.forEach((variant, v) => {
      for (const m of variant.matchAll(/\{([^{}]*)\}/g)) {
        const name = m[1] ?? '';
        if (allowed.includes(name)) continue;
        const hint = allowed.length ? `allowed here: ${allowed.map((a) => `{${a}}`).join(', ')}` : 'this text takes no placeholders';
        ctx.addIssue({ code: 'custom', path: typeof text === 'string' ? [] : [v], message: `unknown placeholder {${name}} (${hint})` });
      }
    });
  });
}

const textsShape = Object.fromEntries(Object.entries(TEXT_PLACEHOLDERS).map(([k, allowed]) => [k, textWith(allowed)])) as Record<TextKey, ReturnType<typeof textWith>>;

export const CHOICE_IDS = ['yes', 'no', 'more', 'done', 'score1', 'score2', 'score3', 'score4', 'score5'] as const;
export type ChoiceId = (typeof CHOICE_IDS)[number];
const choicesShape = Object.fromEntries(CHOICE_IDS.map((k) => [k, z.string().min(1)])) as Record<ChoiceId, z.ZodString>;

export const INTENT_IDS = ['yes', 'no', 'more', 'done', 'thanks', 'apology', 'suggestion', 'greeting'] as const;
export type IntentId = (typeof INTENT_IDS)[number];
const intentsShape = Object.fromEntries(INTENT_IDS.map((k) => [k, phrases])) as Record<IntentId, typeof phrases>;

export const FaqEntry = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  /** How the bot restates the need when it recognises this topic: "您的意思是想{topic},对吗?" */
  topic: z.string().min(1),
  questions: phrases,
  keywords: z.array(z.string().trim().min(1)).default([]),
  answer: textWith(ANSWER_PLACEHOLDERS),
});
export type FaqEntry = z.infer<typeof FaqEntry>;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const FlowDefinition = z
  .object({
    schema: z.literal(1, 'must be 1 (the definition format this version reads)'),
    locale: z.string().regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, 'must be a language tag such as zh-CN or en'),
    name: z.string().min(1),
    company: z.string().min(1),
    timeZone,
    businessHours: z.array(z.object({ days: z.array(z.enum(WEEKDAYS)).min(1), open: hhmm, close: hhmm })).min(1),
    greetings: z.object({
      default: textWith(GREETING_PLACEHOLDERS),
      byTime: z.array(z.object({ from: hhmm, to: hhmm, text: textWith(GREETING_PLACEHOLDERS) })).default([]),
      holidays: z.array(z.object({ name: z.string().min(1), from: day, to: day, text: textWith(GREETING_PLACEHOLDERS) })).default([]),
    }),
    texts: z.object(textsShape),
    choices: z.object(choicesShape),
    intents: z.object(intentsShape),
    /** Particles that carry no meaning on their own ("的", "了", "吧"), ignored when judging a short reply. */
    fillers: z.array(z.string().min(1)).default([]),
    restate: z
      .object({
        /** Pronoun swaps applied when restating the customer's words ("我" → "您"). */
        swaps: z.array(z.tuple([z.string().min(1), z.string()])).default([]),
        /** When the need contains one of these, quote it verbatim instead of swapping pronouns. */
        quoteIf: z.array(z.string().min(1)).default([]),
      })
      .default({ swaps: [], quoteIf: [] }),
    faq: z.array(FaqEntry).min(1),
    thresholds: z.object({
      faqMinScore: z.number().min(0).max(1),
      intentCoverage: z.number().gt(0).max(1),
      failuresBeforeHandoff: z.number().int().min(1),
      followUpHours: z.number().int().min(1),
    }),
    timers: z.object({ idleCloseMinutes: z.number().positive() }),
    /** 服务忌语: phrases no text to a customer may contain, with the reason and the standard phrasing. */
    forbidden: z.array(ForbiddenPhrase).default([]),
  })
  .superRefine((def, ctx) => {
    // The bot must not say what its own standards forbid.
    const guard = compileGuard(def.forbidden);
    for (const { path, text } of botTexts(def)) {
      const verdict = guard.check(text);
      if (verdict.allowed) continue;
      for (const m of verdict.matches) {
        ctx.addIssue({ code: 'custom', path, message: `contains the forbidden service phrase "${m.phrase}" (${m.reason}); say instead: ${m.suggestion}` });
      }
    }
    const seen = new Map<string, number>();
    def.faq.forEach((entry, i) => {
      const first = seen.get(entry.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['faq', i, 'id'], message: `duplicate id "${entry.id}" (also faq[${first}])` });
      else seen.set(entry.id, i);
    });
    def.greetings.byTime.forEach((slot, i) => {
      if (slot.from >= slot.to) ctx.addIssue({ code: 'custom', path: ['greetings', 'byTime', i, 'to'], message: `must be later than from (${slot.from})` });
    });
    def.greetings.holidays.forEach((h, i) => {
      if (h.from > h.to) ctx.addIssue({ code: 'custom', path: ['greetings', 'holidays', i, 'to'], message: `must not be before from (${h.from})` });
    });
    def.businessHours.forEach((b, i) => {
      if (b.open >= b.close) ctx.addIssue({ code: 'custom', path: ['businessHours', i, 'close'], message: `must be later than open (${b.open})` });
    });
  });
export type FlowDefinition = z.infer<typeof FlowDefinition>;
export type FlowDefinitionInput = z.input<typeof FlowDefinition>;

type DefinitionShape = {
  texts: Record<string, Text>;
  greetings: { default: Text; byTime: Array<{ text: Text }>; holidays: Array<{ text: Text }> };
  faq: Array<{ topic: string; answer: Text }>;
  choices: Record<string, string>;
};

/** Every text the bot can say to a customer, with its path in the file. */
export function botTexts(def: DefinitionShape): Array<{ path: (string | number)[]; text: string }> {
  const out: Array<{ path: (string | number)[]; text: string }> = [];
  const add = (path: (string | number)[], text: Text) => {
    if (typeof text === 'string') out.push({ path, text });
    else text.forEach((t, i) => out.push({ path: [...path, i], text: t }));
  };
  for (const [key, text] of Object.entries(def.texts)) add(['texts', key], text);
  add(['greetings', 'default'], def.greetings.default);
  def.greetings.byTime.forEach((g, i) => add(['greetings', 'byTime', i, 'text'], g.text));
  def.greetings.holidays.forEach((g, i) => add(['greetings', 'holidays', i, 'text'], g.text));
  def.faq.forEach((f, i) => {
    add(['faq', i, 'topic'], f.topic);
    add(['faq', i, 'answer'], f.answer);
  });
  for (const [key, label] of Object.entries(def.choices)) add(['choices', key], label);
  return out;
}
