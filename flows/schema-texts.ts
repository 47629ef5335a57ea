import { z } from 'zod';
import { parsePlurals } from './plural.js';

/**
 * What the bot says, in a definition: every text key with the placeholders it may contain, the
 * text shape (one phrasing or several), and the list of every customer-facing text with its path
 * (the service-phrase guard checks them all at validation).
 */

/**
 * The longest a phrasing may be, in characters: one Telegram message (4,096) with room for what
 * its placeholders add. A longer one is a paste gone wrong, and would reach every customer as a
 * flood of messages (found by the issue-15 trial: a 5 MB opening line was published).
 */
export const MAX_TEXT_CHARS = 4_000;
/** The longest name, topic or phrase that goes into a text ({company}, {topic}, a category's name), in characters. */
export const MAX_NAME_CHARS = 200;

/**
 * Whether a text shown to customers says something: a letter, digit or symbol, not only spaces,
 * punctuation or invisible characters (found by the issue-17 trials: blank replies and buttons).
 */
const saysSomething = (text: string) => /[\p{L}\p{N}\p{So}]/u.test(text);
export const BLANK = 'must say something (it is empty, or only spaces or punctuation)';

/** Words a customer reads (a button's label, a fact's name), not blank. */
export const shownWords = z.string().min(1).refine(saysSomething, BLANK);

/** A name, topic or phrase: put into texts, so short (a long one would flood the customer like a long text). */
export const shortText = shownWords.max(MAX_NAME_CHARS, `must be at most ${MAX_NAME_CHARS} characters`);

/** How many phrasings a text may have. */
export const MAX_PHRASINGS = 50;

/** Something a customer can read: not empty, not only spaces or invisible characters (a blank line sent as a reply). */
const phrasing = z
  .string('must be a text')
  .max(MAX_TEXT_CHARS, `must be at most ${MAX_TEXT_CHARS} characters (one message)`)
  .refine(saysSomething, BLANK);

const TEXT_SHAPE = 'must be a text, or a list of phrasings the bot rotates through';
/** `message` for a value of the wrong shape; a missing one keeps zod's own issue (reported as required). */
const shapeError = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? undefined : message),
});

/** A text, or several phrasings of it that the bot rotates through so it does not sound canned. */
export const Text = z.union([phrasing, z.array(phrasing).min(1).max(MAX_PHRASINGS)], shapeError(TEXT_SHAPE));
export type Text = z.infer<typeof Text>;

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
  /** 遇到无法当场答复的客户咨询: a confirmed need with no knowledge-base answer is recorded, with the promised time. */
  followUp: ['ticket', 'hours', 'by'],
  askMore: [],
  goOn: [],
  closing: [],
  closingRecorded: ['ticket'],
  /** 结束语 after a session with a complaint: thanks for the feedback, not for the inquiry (003 受理完客户投诉后的应答). */
  closingComplaint: ['ticket'],
  surveyAsk: [],
  surveyRetry: [],
  /** A score between whole ones (4.5分): the survey's scores are whole, so it asks for one. */
  surveyWholeScore: [],
  surveyThanks: ['score'],
  /** A score at or below `followUp.commentBelowScore`: apologise and ask what went wrong (seed 001 评分和评论). */
  surveySorry: ['score'],
  /** The comment after a low score is kept. */
  surveyCommentThanks: [],
  /** A low score sent with what went wrong ("1分，太慢了"): apologise and say it is recorded, without asking again (001 评分和评论). */
  surveySorryNoted: ['score'],
  /** A low score said with a request (1分，转人工): the apology alone, before the request is taken up. */
  surveySorryBrief: ['score'],
  /**
   * A low score said with a problem (发错货了，差评！): apologise, say the comment is recorded, and
   * offer to log the problem for follow-up (yes / no). Optional: `confirmVerbatim` without it.
   */
  surveyOfferFollowUp: ['score', 'need'],
  /** The same offer after the bot asked what went wrong (it has apologised already). Optional: `confirmVerbatim` without it. */
  offerFollowUp: ['need'],
  /** 回访 (001 五.(二)): the survey of a matter a person resolved, naming it. */
  surveyFollowUp: ['ticket'],
  /** An agent takes up a pending matter with the customer (by name, or not: handoff.showAgentName). */
  followUpClaimed: ['agent', 'ticket'],
  followUpClaimedAnonymous: ['ticket'],
  followUpClaimedAsk: ['agent', 'ticket'],
  followUpClaimedAnonymousAsk: ['ticket'],
  /** A customer back while a matter is pending hears where it stands first: pending, with an agent, or past its promised time. */
  pendingStatus: ['ticket', 'by', 'need'],
  pendingStatusClaimed: ['ticket', 'by', 'agent', 'need'],
  /** A request for a person whose matter was never told (转人工 alone, after hours): asked to describe it. Optional. */
  pendingStatusUnstated: ['ticket', 'by', 'need'],
  pendingStatusOverdue: ['ticket', 'by', 'need'],
  /** An agent's words about a pending matter outside a live talk about it: framed with its ticket. */
  followUpMessage: ['ticket', 'text'],
  idleClose: [],
  thanks: [],
  apology: [],
  /** 客户提出表扬时: thanked modestly. */
  praise: [],
  /** 遇到客户投诉咨询回应慢时: apologise, thank for waiting, ask the need. */
  slowReply: [],
  /** 003's apology for slow replies without its question, said where a question is pending (a restatement, asked again after it). */
  slowReplyBrief: [],
  /** Asked whether it is a person (intents.botQuestion): says it is the bot, and how to reach a person. */
  botDisclosure: ['hours'],
  suggestion: ['ticket'],
  /**
   * What the customer added to a pending matter (an order number, words they confirmed, a photo)
   * is on its ticket and its card (000 三.(一)3 记录: the person following it up sees everything).
   */
  detailAdded: ['ticket'],
  /** Words sent right after a matter was recorded: do they add to it? (需求确认, 003) */
  confirmDetail: ['ticket', 'need'],
  /** Words sent right after the survey was answered: a comment on the service rated? (需求确认, 003) */
  confirmComment: ['ticket', 'need'],
  /** An order number given for the matter just answered (请把订单号告诉我们): recorded for a person, with the promised time. */
  detailFollowUp: ['order', 'ticket', 'hours', 'by'],
  unsupported: [],
  privateOnly: ['company'],
  complaintAcknowledge: [],
  complaintClarify: ['facts', 'missing'],
  complaintAskMissing: ['missing'],
  complaintConfirmFacts: ['facts'],
  /** 问题记录完毕询问顾客有无补充 (003): √请问您还有其他要补充的吗？ ×还有问题吗？ */
  complaintAnythingToAdd: [],
  /** What the customer added is on the record. */
  complaintNoted: [],
  complaintResolve: ['answer'],
  complaintResolved: ['ticket'],
  complaintPromise: ['ticket', 'hours', 'by'],
  complaintEscalate: ['ticket', 'hours', 'by'],
  /** Leaving the queue after the supervisors were told (handoffSupervisorNoted): when they will call, without the empathy said already. Optional. */
  supervisorWillContact: ['ticket', 'hours', 'by'],
  /**
   * 用户要求与上级沟通 (002 三.3) with agents connected: passed to them (the queue's line or the
   * after-hours line follows), with the latest time a supervisor will be in touch, not a new wait.
   */
  complaintEscalateLive: ['ticket', 'hours', 'by'],
  complaintResume: [],
  promiseOverdue: ['ticket'],
  handoffQueued: ['position', 'wait'],
  /** The same after the bot's answer did not help (没用): sorry first. Optional. */
  handoffQueuedNotHelped: ['position', 'wait'],
  /** A complaint while an agent has the conversation (我要投诉你): a supervisor was told. Optional. */
  handoffComplaintNoted: [],
  handoffClaimed: ['agent'],
  handoffClaimedAnonymous: [],
  /** The agent's greeting when the customer asked for a person and has said nothing of the matter yet: no "anything to add?". */
  handoffClaimedAsk: ['agent'],
  handoffClaimedAnonymousAsk: [],
  handoffStillWaiting: [],
  handoffReplyLate: [],
  handoffQueuePromise: ['ticket', 'hours', 'by'],
  /**
   * Queued, the customer complains of the wait (人呢, 怎么还没人回, 有人吗), or complains or asks for a
   * supervisor again: sorry, and where they are in the queue. `{wait}` is there too, but the estimate
   * comes from recent claims and reads oddly to someone who has waited past it.
   */
  handoffWaitUpdate: ['position', 'wait'],
  /** An agent put the conversation back in the queue (released it): the customer's place; what was said stays seen. */
  handoffRequeued: ['position', 'wait'],
  /** Queued, the customer complains (我要投诉, 耳机坏了太差了): sorry, marked urgent, supervisors told (002 三.2 道歉). */
  handoffUpsetNoted: [],
  /** Queued, the customer asks for a supervisor: understood, supervisors told, marked urgent (002 三.3). */
  handoffSupervisorNoted: [],
  handoffAfterHours: ['hours', 'back', 'ticket', 'promise', 'by'],
  /** After hours, for a bare request for a person (转人工, nothing said of the matter): recorded, and the customer asked to say what it is. */
  handoffAfterHoursDescribe: ['hours', 'back', 'ticket', 'promise', 'by'],
  handoffAfterHoursNotHelped: ['hours', 'back', 'ticket', 'promise', 'by'],
  /** After hours, for a matter already promised (an escalated complaint): when agents are back, no second promise. */
  handoffAfterHoursPromised: ['hours', 'back', 'ticket', 'by'],
  handoffBack: [],
  /** 转接与协助 (003): an agent moved the conversation to colleagues of another category; the customer waits again. */
  handoffTransferred: [],
  handoffUnavailable: ['ticket', 'hours', 'by'],
  help: ['company'],
} as const satisfies Record<string, readonly string[]>;
export type TextKey = keyof typeof TEXT_PLACEHOLDERS;

/**
 * Texts added after definitions were first published, each with the text said in its place when a
 * definition has none of its own: a definition stored or exported before still validates and says
 * what it said before. A fallback's placeholders are among its text's own (checked below), so the
 * same values render either.
 */
export const TEXT_FALLBACKS = {
  surveySorryNoted: 'surveyCommentThanks',
  complaintEscalateLive: 'complaintEscalate',
  closingComplaint: 'closingRecorded',
  detailAdded: 'complaintNoted',
  confirmDetail: 'confirmVerbatim',
  confirmComment: 'confirmVerbatim',
  surveyOfferFollowUp: 'confirmVerbatim',
  offerFollowUp: 'confirmVerbatim',
  detailFollowUp: 'followUp',
  surveyWholeScore: 'surveyRetry',
  botDisclosure: 'ask',
  surveySorryBrief: 'surveySorryNoted',
  handoffWaitUpdate: 'handoffStillWaiting',
  slowReplyBrief: 'slowReply',
  handoffRequeued: 'handoffStillWaiting',
  handoffUpsetNoted: 'handoffStillWaiting',
  handoffSupervisorNoted: 'handoffStillWaiting',
  handoffAfterHoursDescribe: 'handoffAfterHours',
  handoffAfterHoursNotHelped: 'handoffAfterHours',
  followUpClaimedAsk: 'followUpClaimed',
  followUpClaimedAnonymousAsk: 'followUpClaimedAnonymous',
  handoffClaimedAsk: 'handoffClaimed',
  handoffClaimedAnonymousAsk: 'handoffClaimedAnonymous',
  pendingStatusUnstated: 'pendingStatus',
  supervisorWillContact: 'complaintEscalate',
  handoffQueuedNotHelped: 'handoffQueued',
  handoffComplaintNoted: 'handoffSupervisorNoted',
  handoffReplyLate: 'handoffStillWaiting',
  handoffQueuePromise: 'handoffUnavailable',
} as const satisfies Partial<Record<TextKey, TextKey>>;
export type OptionalTextKey = keyof typeof TEXT_FALLBACKS;

type PlaceholderOf<K extends TextKey> = (typeof TEXT_PLACEHOLDERS)[K][number];
/** Fails to compile when a fallback uses a placeholder its text does not get. */
const fallbacksFit: {
  [K in OptionalTextKey]: [PlaceholderOf<(typeof TEXT_FALLBACKS)[K]>] extends [PlaceholderOf<K>] ? true : never;
} = {
  surveySorryNoted: true,
  complaintEscalateLive: true,
  closingComplaint: true,
  detailAdded: true,
  confirmDetail: true,
  confirmComment: true,
  surveyOfferFollowUp: true,
  offerFollowUp: true,
  detailFollowUp: true,
  surveyWholeScore: true,
  botDisclosure: true,
  surveySorryBrief: true,
  handoffWaitUpdate: true,
  slowReplyBrief: true,
  handoffRequeued: true,
  handoffUpsetNoted: true,
  handoffSupervisorNoted: true,
  handoffAfterHoursDescribe: true,
  handoffAfterHoursNotHelped: true,
  followUpClaimedAsk: true,
  followUpClaimedAnonymousAsk: true,
  handoffClaimedAsk: true,
  handoffClaimedAnonymousAsk: true,
  pendingStatusUnstated: true,
  supervisorWillContact: true,
  handoffQueuedNotHelped: true,
  handoffComplaintNoted: true,
  handoffReplyLate: true,
  handoffQueuePromise: true,
};
void fallbacksFit;

/** The text a definition says for `key`: its own, or its fallback's when it has none (TEXT_FALLBACKS). */
export function textFor(texts: Partial<Record<TextKey, Text>>, key: TextKey): Text {
  const own = texts[key];
  if (own !== undefined) return own;
  const fallback = (TEXT_FALLBACKS as Partial<Record<TextKey, TextKey>>)[key];
  const instead = fallback === undefined ? undefined : texts[fallback];
  if (instead === undefined) throw new RangeError(`The definition has no text ${key}`);
  return instead;
}

/** Whether a definition may leave `key` out (it has a fallback). */
export const isOptionalText = (key: string): key is OptionalTextKey => Object.hasOwn(TEXT_FALLBACKS, key);

export const GREETING_PLACEHOLDERS = ['opening', 'company', 'ask'] as const;
/** A knowledge-base answer may name the company and the desk's business hours (`{hours}`: 周一至周五 09:00-21:00…). */
export const ANSWER_PLACEHOLDERS = ['company', 'hours'] as const;

/**
 * The placeholder names a text uses, and what is wrong with its plural forms: `{name}` anywhere,
 * including inside a plural form, and the number of each `{name, plural, …}` (see plural.ts).
 */
function placeholdersOf(text: string): { names: string[]; problems: string[] } {
  const { spans, problems } = parsePlurals(text);
  const names = spans.map((s) => s.name);
  // A plural form that does not parse is its one problem: its braces and words are not placeholders.
  if (problems.length) return { names, problems };
  // What is left outside the plural constructs, and each form's own text ("#" is the number).
  let rest = text;
  for (const span of [...spans].reverse()) rest = rest.slice(0, span.start) + rest.slice(span.end);
  for (const piece of [rest, ...spans.flatMap((s) => [...s.forms.values()])]) {
    for (const m of piece.matchAll(/\{([^{}]*)\}/g)) names.push(m[1] ?? '');
    // A brace left over is a placeholder half typed, which customers would see as written (found by the
    // sixteenth issue-17 session's console trial: "{ask" was published and sent).
    const stray = /[{}]/.exec(piece.replace(/\{[^{}]*\}/g, ''));
    if (stray) problems.push(`"${stray[0]}" without its pair: write a placeholder as {name}`);
  }
  return { names, problems };
}

/**
 * A text whose placeholders (and plural forms) are checked where it stands, so a misspelt
 * placeholder is reported together with every other problem of the file (refinements on the
 * whole object only run once its shape is valid).
 */
export function textWith(allowed: readonly string[], fallback?: TextKey) {
  // An optional text set to nothing (`surveySorryNoted:` or "") is told how to leave it out.
  const shape = fallback ? `${TEXT_SHAPE} (or leave the key out to say ${fallback} instead)` : TEXT_SHAPE;
  const text = fallback ? z.union([phrasing, z.array(phrasing).min(1).max(MAX_PHRASINGS)], shapeError(shape)) : Text;
  return text.superRefine((text, ctx) => {
    const variants = typeof text === 'string' ? [text] : text;
    variants.forEach((variant, v) => {
      const path = typeof text === 'string' ? [] : [v];
      const { names, problems } = placeholdersOf(variant);
      for (const message of problems) ctx.addIssue({ code: 'custom', path, message });
      for (const name of names) {
        if (allowed.includes(name)) continue;
        const hint = allowed.length
          ? `allowed here: ${allowed.map((a) => `{${a}}`).join(', ')}`
          : 'this text takes no placeholders';
        ctx.addIssue({ code: 'custom', path, message: `unknown placeholder {${name}} (${hint})` });
      }
    });
  });
}

type TextSchema = ReturnType<typeof textWith>;
export const textsShape = Object.fromEntries(
  Object.entries(TEXT_PLACEHOLDERS).map(([k, allowed]) => [
    k,
    isOptionalText(k) ? textWith(allowed, TEXT_FALLBACKS[k]).optional() : textWith(allowed),
  ]),
) as { [K in Exclude<TextKey, OptionalTextKey>]: TextSchema } & {
  [K in OptionalTextKey]: z.ZodOptional<TextSchema>;
};

type DefinitionShape = {
  texts: Record<string, Text>;
  greetings: { default: Text; byTime: Array<{ text: Text }>; holidays: Array<{ text: Text }> };
  faq: Array<{ topic: string; answer: Text }>;
  choices: Record<string, string>;
  complaints: {
    facts: Record<'order' | 'when' | 'what', { label: string; ask: string }>;
    kinds?: Array<{ acknowledge: Text }>;
  };
  policies: Array<{ understanding: Text; reason: Text; alternative: Text }>;
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
  for (const key of ['order', 'when', 'what'] as const) {
    add(['complaints', 'facts', key, 'label'], def.complaints.facts[key].label);
    add(['complaints', 'facts', key, 'ask'], def.complaints.facts[key].ask);
  }
  def.complaints.kinds?.forEach((k, i) => add(['complaints', 'kinds', i, 'acknowledge'], k.acknowledge));
  def.policies.forEach((p, i) => {
    add(['policies', i, 'understanding'], p.understanding);
    add(['policies', i, 'reason'], p.reason);
    add(['policies', i, 'alternative'], p.alternative);
  });
  return out;
}
