import { z } from 'zod';
import { customerPhrase } from './schema-complaints.js';
import { MAX_NAME_CHARS } from './schema-texts.js';

/**
 * The definition's settings for handing conversations to people and following up pending matters
 * (flows/schema.ts puts them in FlowDefinition), with the field shapes the rest of it shares.
 */

/** A time of day, HH:MM (24:00 is the end of a day). */
export const hhmm = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time of day as HH:MM (00:00 to 24:00)');

/** A non-empty list of plain phrases (intent phrases, end words), each at most MAX_NAME_CHARS characters. */
export const phrases = z
  .array(z.string().trim().min(1).max(MAX_NAME_CHARS, `must be at most ${MAX_NAME_CHARS} characters`))
  .min(1);

/** Handing a conversation to people (智能与人工协同). */
export const Handoff = z.strictObject({
  /** An unclaimed handoff is re-announced after this long (claim SLA); 001 says 30 s. */
  claimSlaSeconds: z.number().positive(),
  /** Still unclaimed after this long: a supervisor is alerted. */
  supervisorSlaSeconds: z.number().positive(),
  /**
   * Still queued after this long: the matter is registered with a reply time (`thresholds.followUpHours`)
   * the customer is told, kept even if nobody joins today, while they may go on waiting.
   */
  queuePromiseSeconds: z.number().positive().default(600),
  /**
   * Claimed, and the customer's message (or the claim: the first response) unanswered by the agent
   * this long: the agent is reminded. The report holds a person's first response to 30 minutes (001 四.(一) 3).
   */
  replySlaSeconds: z.number().positive().default(180),
  /** Still unanswered after this long: the supervisors are alerted and the customer told so. */
  replySupervisorSeconds: z.number().positive().default(600),
  /** Tell the customer the agent's name ("客服 小王 为您服务"), or only that a person joined. */
  showAgentName: z.boolean().default(true),
  /** What the customer says to end a conversation with an agent (结束, end). */
  endWords: phrases,
  /**
   * What, said with a request for a person, brings no matter of its own: how people ask (帮我, 给我,
   * let me, speak to) and words that point back at the matter under way (还是不行, still not working).
   * A request with nothing else besides intent phrases and fillers keeps the matter under way as
   * the card's need (还是不行，转人工); any other words are the need (坏了，转人工). Matched as
   * fillers are: Latin phrases as whole words, Chinese anywhere (flows/match.ts `ownWords`).
   */
  sameMatter: z.array(z.string().trim().min(1)).default([]),
  /**
   * What says the customer does NOT want a person (不要转人工, 别转人工, "I do not want a human"): a
   * message with one of these is no request for a person, whatever else it says (found by the
   * issue-17 trial: 不要转人工，我就问下发票怎么开 was queued for an agent). Matched as statusWords are.
   */
  notPerson: z.array(customerPhrase).default([]),
  /**
   * What takes back a request for a person made in the same message, when said after it as a short
   * part of its own (转人工，算了，不用了; "human please, actually never mind"): read as `notPerson`
   * (found by the issue-17 trial: the customer was queued). Said before the request (算了，转人工),
   * the request stands. Matched as notPerson is.
   */
  withdraw: z.array(customerPhrase).default([]),
  /** Agent channel per complaint category; others go to the default agent channel. */
  categoryChannels: z.record(z.string(), z.string()).default({}),
});

/**
 * Following up pending matters (issue 13; 003 需严格按照承诺时间回复客户, 001 五.(二) 复杂问题超过3个工作日
 * 未解决自动触发高级别客服介入, 处理完成后24小时内进行满意度回访).
 */
export const FollowUpSettings = z.strictObject({
  /** The agent who claimed a matter (or the channel) is reminded this long before its promised time. */
  remindBeforeMinutes: z.number().int().min(1).default(60),
  /** A matter still unresolved this many working days after it was recorded goes to supervisors at high priority (001: 3). */
  escalateAfterWorkingDays: z.number().int().min(1).default(3),
  /**
   * The follow-up survey (回访) of a matter a person resolved outside the chat goes this long after
   * the resolution, moved out of `quietHours`, and always within 24 hours (001).
   */
  surveyDelayMinutes: z.number().int().min(0).max(1_200).default(60),
  /** No follow-up survey in these local hours (the definition's time zone): from → to, past midnight allowed. */
  quietHours: z.strictObject({ from: hhmm, to: hhmm }).default({ from: '21:00', to: '09:00' }),
  /**
   * What a customer says to ask where their pending matter stands (进度, 处理得怎么样了, any update):
   * with a matter pending, they are told its status instead of starting a new one.
   */
  statusWords: z.array(customerPhrase).default([]),
  /** Scores at or below this are asked what went wrong; the answer is kept as the ticket's comment. */
  commentBelowScore: z.number().int().min(0).max(5).default(2),
  /**
   * What an opinion of the service says (慢, 一般, 态度, slow, rude): words right after the survey was
   * answered that tell with one of these are asked about as a comment on it; any others are a new
   * need (退款还没到账). Empty: none is asked about.
   */
  commentWords: z.array(customerPhrase).default([]),
});
export type FollowUpSettings = z.infer<typeof FollowUpSettings>;
