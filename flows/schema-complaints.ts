import { z } from 'zod';
import { customerPattern, FACT_KEYS } from './facts.js';
import { shortText, shownWords, textWith } from './schema-texts.js';

/**
 * The complaint part of a flow definition (003 客户抱怨与投诉的应答规范), and the phrase types
 * the definition shares: phrases customers write, matched as patterns.
 */

/**
 * A phrase customers write: plain words, or a pattern in the guard's syntax (`[optional]`,
 * `(a|b)`, `…` a gap of up to 8 characters), e.g. `(买了|签收)[都](十|半个月)……(退|无理由)`.
 * Used by trigger lists, keywords and complaint kinds alike.
 */
export const customerPhrase = z
  .string()
  .trim()
  .min(1)
  .refine(
    (p) => customerPattern(p) !== undefined,
    'is not a valid pattern: check that every [ ] and ( ) is closed and that a word outside [ ] is left',
  );
/** A non-empty list of customer phrases: complaint triggers, anger, supervisor requests, policy triggers. */
export const triggers = z.array(customerPhrase).min(1);

const pattern = z.string().refine((p) => {
  try {
    new RegExp(p, 'iu');
    return true;
  } catch {
    return false;
  }
}, 'is not a valid regular expression');

export const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes');

export const ComplaintCategory = z.strictObject({
  id: slug,
  name: shortText,
  keywords: z.array(shortText).default([]),
  /** Reply time promised for this kind of complaint (投诉类型规定回复时间). */
  promiseHours: z.number().positive(),
  /** Knowledge-base entry offered as the resolution, when there is one. */
  faqId: z.string().optional(),
  priority: z.enum(['normal', 'high']).default('normal'),
  /** Always handled by a person: the complaint is escalated once it is understood. */
  alwaysHuman: z.boolean().default(false),
});

/**
 * The situations of 003 客户抱怨与投诉的应答规范 that have their own answer. A complaint that is
 * none of them is a general one (texts.complaintAcknowledge).
 */
export const COMPLAINT_KINDS = ['agent-attitude', 'agent-mistake', 'cursing', 'rude-question'] as const;
export type ComplaintKindId = (typeof COMPLAINT_KINDS)[number];

/**
 * One kind of complaint: how it is recognised, 003's acknowledgement for it, where it is filed.
 * Kinds are tried in the order listed; the first that matches decides.
 */
export const ComplaintKind = z.strictObject({
  /** agent-attitude: 投诉其他客户服务员态度不好; agent-mistake: 投诉其他客户服务员工作出差错; cursing: 破口大骂; rude-question: 粗暴问题 (什么破公司…有存在的必要吗). */
  id: z.enum(COMPLAINT_KINDS),
  /** Who the complaint is about (那个客服, 工号, the agent): when listed, one of them must occur too. */
  about: z.array(customerPhrase).default([]),
  /** What makes it this kind (态度, 乱说, 他妈的, 有存在的必要); one must occur. */
  words: z.array(customerPhrase).min(1),
  /** 003's acknowledgement for this kind, said instead of texts.complaintAcknowledge. */
  acknowledge: textWith(['company']),
  /** The category it is filed in whatever else it mentions (service-attitude); else by the categories' keywords. */
  category: z.string().optional(),
  /** The facts asked for before it is handled (an agent complaint may have no order number); all three by default. */
  needs: z
    .array(z.enum(FACT_KEYS))
    .min(1)
    .default([...FACT_KEYS]),
});
export type ComplaintKind = z.infer<typeof ComplaintKind>;

const factSpec = z.strictObject({
  /** How the fact is named when restating it ("订单号"). */
  label: shownWords,
  /** How the bot asks for it when it is missing ("您的订单号"). */
  ask: shownWords,
});

export const Complaints = z.strictObject({
  /** Words that mean "I want to complain" (投诉, 差评, complaint). */
  triggers,
  /** Signals of anger (太差了, 骗子, scam); anger also starts the complaint flow. */
  anger: triggers,
  /** Asking for someone higher up (找你们领导, manager): escalates. */
  supervisor: triggers,
  /** Saying no supervisor is wanted (不用叫主管了, no need for a manager): no request, whatever `supervisor` finds. */
  notSupervisor: z.array(z.string().min(1)).default([]),
  /**
   * Complaining of the one serving the customer, said to them (我要投诉你, I'm reporting you): during
   * a live handoff, a complaint of that agent whatever kind it is (issue 17); `notOfAgent` rules it
   * out (投诉你们 is of the shop).
   */
  ofAgent: z.array(z.string().min(1)).default([]),
  notOfAgent: z.array(z.string().min(1)).default([]),
  /** A run of this many exclamation marks counts as anger in a customer already complaining. */
  exclamations: z.number().int().min(2).default(2),
  /** Messages sent within this many seconds of each other are taken together (让客户把话说完). */
  listenSeconds: z.number().positive().max(120),
  /** Escalate when the customer is still angry after this many de-escalation turns. */
  angryTurnsBeforeEscalation: z.number().int().min(1),
  /** How many times to ask for missing facts before going ahead with what is known. */
  clarifyRounds: z.number().int().min(0),
  facts: z.strictObject({
    separator: z.string(),
    labelSeparator: z.string(),
    askSeparator: z.string(),
    /** Joins further details of what happened, told in later messages. */
    detailSeparator: z.string(),
    order: factSpec.extend({
      patterns: z.array(pattern).min(1),
      /**
       * What is never the order number, taken out of the message before `patterns` run (with its
       * label, so it is not in what happened either): a phone number, 电话13812345678.
       */
      notOrder: z.array(pattern).default([]),
    }),
    when: factSpec.extend({ patterns: z.array(pattern).min(1) }),
    what: factSpec.extend({
      minLength: z.number().int().min(1),
      ignore: z.array(z.string().min(1)).default([]),
      /** What separates clauses besides punctuation ("\\s+and\\s+"), as patterns: a clause that only vents is left out of the facts. */
      clauseBreaks: z.array(pattern).default([]),
      /**
       * Words that say nothing of what happened: how the goods came (收到, 下单, it, arrived), a request
       * for a person, a greeting or a question to the bot (亲, 你好, 你是真人吗, hi, are you a bot): a
       * clause of nothing else, once the order number and the time are taken out, is not what happened
       * ("it arrived yesterday", 亲，耳机坏了).
       */
      context: z.array(z.string().min(1)).default([]),
      /**
       * Complaint words that also tell what happened (没人理, 不理我, nobody answered): they start a
       * complaint, and stay in its facts (问了三遍没人理) instead of being taken out as venting.
       */
      tell: z.array(z.string().min(1)).default([]),
    }),
  }),
  /** 003's kinds of complaint with their own answers, tried in order (cursing, agent complaints, 粗暴问题). */
  kinds: z.array(ComplaintKind).default([]),
  /** 问题记录完毕询问顾客有无补充: besides a plain no, what says there is nothing to add (没有要补充的, nothing to add). */
  nothingToAdd: z.array(customerPhrase).default([]),
  categories: z.array(ComplaintCategory).min(1),
  defaultCategory: z.string(),
});
