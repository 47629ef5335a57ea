import type { ReportData } from '../../../bots/report/compute.js';
import type { ConversationSummary, UnansweredAsking } from '../../../bots/record-port.js';
import type { AgentRef, Ticket, TicketEvent } from '../../../flows/ticket.js';
import { shanghai as sh } from '../../support/flows.js';

/**
 * A seeded month, November 2026 in Shanghai (the default definition: Mon–Fri 09:00–21:00, Sat–Sun
 * 10:00–18:00, claim SLA 30 s), whose figures are computed by hand in the test that reads it.
 * Customers A–H on telegram (G on the playground, in English); agents 王 (W) and 赵 (Z).
 */

export const WANG: AgentRef = { id: 'U-W', name: '王' };
export const ZHAO: AgentRef = { id: 'U-Z', name: '赵' };

export function ticket(id: string, customer: string, createdAt: string, extra: Partial<Ticket> = {}): Ticket {
  const at = sh(createdAt);
  return {
    id,
    type: 'inquiry',
    status: 'answered',
    conversationId: `telegram:${customer}`,
    channel: 'telegram',
    customer: { id: customer },
    locale: 'zh-CN',
    need: `need of ${id}`,
    facts: [],
    outcome: '',
    createdAt: at,
    updatedAt: at,
    ...extra,
    events: [{ type: 'created', at }, ...(extra.events ?? [])],
  };
}

/** An event at a Shanghai time. */
export const ev = (type: TicketEvent['type'], at: string, extra: Partial<TicketEvent> = {}): TicketEvent => ({
  type,
  at: sh(at),
  ...extra,
});

export const T = {
  // A: answered by the bot, rated 5; A asks again (T2) within 7 days: not resolved at first contact.
  // A's comment with the 5 is praise: in CSAT, not among what customers said of the service.
  T1: ticket('T1', 'A', '2026-11-02T10:00:00', {
    comment: '回答很清楚',
    events: [
      ev('survey-sent', '2026-11-02T10:05:00'),
      ev('survey-answered', '2026-11-02T10:06:00', { score: 5 }),
      ev('commented', '2026-11-02T10:06:00', { detail: '回答很清楚' }),
    ],
  }),
  T2: ticket('T2', 'A', '2026-11-05T10:00:00'),
  // B: a complaint resolved from the knowledge base, rated 4; B's next complaint (T4) is of another category.
  T3: ticket('T3', 'B', '2026-11-03T11:00:00', {
    type: 'complaint',
    category: 'quality',
    status: 'resolved',
    events: [ev('survey-sent', '2026-11-03T11:05:00'), ev('survey-answered', '2026-11-03T11:06:00', { score: 4 })],
  }),
  // B: handed to 王 at Wed 09:00, claimed after 20 s, first reply after 2 min, resolved, surveyed a minute later, rated 3.
  T4: ticket('T4', 'B', '2026-11-04T09:00:00', {
    type: 'complaint',
    category: 'delivery',
    status: 'resolved',
    claimedBy: WANG,
    resolvedBy: WANG,
    events: [
      ev('handed-off', '2026-11-04T09:00:00', { detail: 'complaint' }),
      ev('queued', '2026-11-04T09:00:00'),
      ev('claimed', '2026-11-04T09:00:20', { by: WANG }),
      ev('agent-replied', '2026-11-04T09:02:00', { by: WANG }),
      ev('resolved', '2026-11-04T09:30:00', { by: WANG }),
      ev('survey-sent', '2026-11-04T09:31:00'),
      ev('survey-answered', '2026-11-04T09:32:00', { score: 3 }),
      ev('commented', '2026-11-04T09:33:00', { detail: '等了好久才有人回复' }),
    ],
    comment: '等了好久才有人回复',
  }),
  // C: asked for a person Tue 20:50; 赵 claimed after 60 s (a breach), replied Wed 09:10: 10 + 10
  // business minutes. Still pending: its promise was broken and it was escalated.
  T5: ticket('T5', 'C', '2026-11-10T20:50:00', {
    status: 'pending',
    claimedBy: ZHAO,
    events: [
      ev('handed-off', '2026-11-10T20:50:00', { detail: 'asked' }),
      ev('queued', '2026-11-10T20:50:00'),
      ev('claimed', '2026-11-10T20:51:00', { by: ZHAO }),
      ev('promised', '2026-11-10T20:52:00', { promisedBy: sh('2026-11-11T20:52:00') }),
      ev('agent-replied', '2026-11-11T09:10:00', { by: ZHAO }),
      ev('promise-broken', '2026-11-11T20:52:00'),
      ev('escalated', '2026-11-11T20:52:00', { detail: 'promise-overdue' }),
    ],
  }),
  // D: the bot failed, queued and never claimed (a breach); D left.
  T6: ticket('T6', 'D', '2026-11-12T10:00:00', {
    status: 'unresolved',
    events: [ev('handed-off', '2026-11-12T10:00:00', { detail: 'failures' }), ev('queued', '2026-11-12T10:00:00')],
  }),
  // E: a suggestion, recorded (in volume, and among what customers said).
  T7: ticket('T7', 'E', '2026-11-15T12:00:00', {
    type: 'suggestion',
    status: 'recorded',
    need: '建议晚上也安排人工客服',
  }),
  // F: an angry complaint Fri 22:00, after hours (no queue); 王 claimed Sat 10:05, replied 10:15
  // (15 business minutes: Sat opens at 10:00), resolved 11:00 keeping the promise, surveyed 22 h later, rated 5.
  T8: ticket('T8', 'F', '2026-11-20T22:00:00', {
    type: 'complaint',
    category: 'refund',
    status: 'resolved',
    claimedBy: WANG,
    resolvedBy: WANG,
    events: [
      ev('escalated', '2026-11-20T22:00:00', { detail: 'still-angry' }),
      ev('handed-off', '2026-11-20T22:00:00', { detail: 'complaint, after hours' }),
      ev('promised', '2026-11-20T22:00:00', { promisedBy: sh('2026-11-22T10:00:00') }),
      ev('claimed', '2026-11-21T10:05:00', { by: WANG }),
      ev('agent-replied', '2026-11-21T10:15:00', { by: WANG }),
      ev('resolved', '2026-11-21T11:00:00', { by: WANG }),
      ev('promise-kept', '2026-11-21T11:00:00'),
      ev('survey-sent', '2026-11-22T09:00:00'),
      ev('survey-answered', '2026-11-22T09:01:00', { score: 5 }),
    ],
  }),
  // G: in English on the playground, answered, scored 4 before issue 13 (no survey events);
  // G asks again on 1 Dec (T10, after the month): not resolved at first contact.
  T9: {
    ...ticket('T9', 'G', '2026-11-25T10:00:00', { channel: 'playground', locale: 'en', satisfaction: 4 }),
    conversationId: 'playground:G',
  },
  // H: handed to 赵 Thu 10:00, claimed after 10 s, replied after 1 min, resolved; the survey went 2 days later.
  T12: ticket('T12', 'H', '2026-11-26T10:00:00', {
    type: 'complaint',
    category: 'quality',
    status: 'resolved',
    claimedBy: ZHAO,
    resolvedBy: ZHAO,
    events: [
      ev('handed-off', '2026-11-26T10:00:00', { detail: 'complaint' }),
      ev('queued', '2026-11-26T10:00:00'),
      ev('claimed', '2026-11-26T10:00:10', { by: ZHAO }),
      ev('agent-replied', '2026-11-26T10:01:00', { by: ZHAO }),
      ev('resolved', '2026-11-26T10:30:00', { by: ZHAO }),
      ev('survey-sent', '2026-11-28T10:00:00'),
    ],
  }),
  // After the month: G again within 7 days of T9; A again, but 45 days after T2.
  T10: {
    ...ticket('T10', 'G', '2026-12-01T09:00:00', { channel: 'playground', locale: 'en' }),
    conversationId: 'playground:G',
  },
  T11: ticket('T11', 'A', '2026-12-20T10:00:00'),
};

/** Five conversations: four with a bot reply (1.2 s, 0.8 s, 3 s, 45 s), one without. */
const conversation = (id: string, start: string, replyMs?: number): ConversationSummary => ({
  conversationId: id,
  channel: 'telegram',
  customerId: id,
  startedAt: sh(start),
  firstCustomerAt: sh(start),
  ...(replyMs === undefined ? {} : { firstBotReplyAt: sh(start) + replyMs }),
});

export const CONVERSATIONS: ConversationSummary[] = [
  conversation('c1', '2026-11-02T09:59:58', 1_200),
  conversation('c2', '2026-11-03T10:59:00', 800),
  conversation('c3', '2026-11-04T08:59:00', 3_000),
  conversation('c4', '2026-11-12T09:59:00'),
  conversation('c5', '2026-11-25T09:59:00', 45_000),
];

const asked = (text: string, locale: string, at: string): UnansweredAsking => ({ text, locale, at: sh(at) });

export const UNANSWERED: UnansweredAsking[] = [
  asked('积分怎么用', 'zh-CN', '2026-11-08T10:00:00'),
  asked('怎么开专票', 'zh-CN', '2026-11-03T10:00:00'),
  asked('Do you ship to Canada?', 'en', '2026-11-10T10:00:00'),
  asked('怎么开专票', 'zh-CN', '2026-11-05T10:00:00'),
  asked('积分怎么用', 'zh-CN', '2026-11-09T10:00:00'),
  asked('怎么开专票', 'zh-CN', '2026-11-07T10:00:00'),
];

export const NOVEMBER = { from: sh('2026-11-01T00:00:00'), to: sh('2026-12-01T00:00:00'), label: '2026-11' };
/** Made on 1 Dec 09:00 Shanghai. */
export const GENERATED_AT = sh('2026-12-01T09:00:00');

export const MONTH: ReportData = {
  tickets: [T.T1, T.T2, T.T3, T.T4, T.T5, T.T6, T.T7, T.T8, T.T9, T.T12],
  ticketsAfter: [T.T10, T.T11],
  conversations: CONVERSATIONS,
  unanswered: UNANSWERED,
};

/** The charts the HTML report of the seeded month draws, in page order (its id: `data-chart`). */
export const MONTH_CHARTS = [
  'volume-type',
  'volume-category',
  'bot-person',
  'bot-reasons',
  'speed-bot',
  'speed-person',
  'speed-claim',
  'outcome-rates',
  'satisfaction-scores',
  'csat-agent',
  'csat-category',
];
