import type { TranscriptEntry } from '../../bots/ports.js';
import type { EscalationReason, HandoffReason } from '../../flows/contracts.js';
import type { Ticket, TicketEventType, TicketStatus } from '../../flows/ticket.js';
import { REPORT_WORDS } from '../../bots/report/words.js';
import { deskText } from '../desk/text.js';

/**
 * The console's words for what the record keeps as codes: a ticket's type and status, its
 * lifecycle events, why it was handed off or escalated, and who spoke in a transcript. Each page
 * shows the word and keeps the code in the element's title (the CLI and Slack search by codes:
 * `status:pending`). Types, reasons and escalations are the report's words (bots/report/words.ts),
 * statuses the desk's (adapters/desk/text.ts), so one matter reads the same everywhere.
 */
export interface CodeWords {
  types: Record<Ticket['type'], string>;
  statuses: Record<TicketStatus, string>;
  events: Record<TicketEventType, string>;
  handoffReasons: Record<HandoffReason, string>;
  escalationReasons: Record<EscalationReason, string>;
  /** A handoff's reason when it came after business hours. */
  afterHours: (reason: string) => string;
  speakers: Record<TranscriptEntry['from'], string>;
}

export const ZH_CODES: CodeWords = {
  types: REPORT_WORDS['zh-CN'].types,
  statuses: deskText('zh-CN').statuses,
  events: {
    created: '创建',
    'handed-off': '转人工',
    queued: '排队等待人工',
    claimed: '客服接入',
    released: '放回队列',
    'agent-replied': '客服首次回复',
    promised: '承诺答复时间',
    reminded: '到期前提醒',
    'promise-kept': '按时答复',
    'promise-broken': '承诺超时',
    escalated: '升级',
    resolved: '办结',
    'survey-sent': '发送满意度回访',
    'survey-answered': '客户评分',
    commented: '客户评价',
  },
  handoffReasons: REPORT_WORDS['zh-CN'].reasons,
  escalationReasons: REPORT_WORDS['zh-CN'].escalations,
  afterHours: (reason) => `${reason}（非工作时间）`,
  speakers: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
};

export const EN_CODES: CodeWords = {
  types: REPORT_WORDS.en.types,
  statuses: deskText('en').statuses,
  events: {
    created: 'created',
    'handed-off': 'handed to people',
    queued: 'queued for an agent',
    claimed: 'claimed',
    released: 'released to the queue',
    'agent-replied': 'first agent reply',
    promised: 'reply time promised',
    reminded: 'desk reminded',
    'promise-kept': 'promise kept',
    'promise-broken': 'promise broken',
    escalated: 'escalated',
    resolved: 'resolved',
    'survey-sent': 'survey sent',
    'survey-answered': 'survey answered',
    commented: 'commented',
  },
  handoffReasons: REPORT_WORDS.en.reasons,
  escalationReasons: REPORT_WORDS.en.escalations,
  afterHours: (reason) => `${reason}, after hours`,
  speakers: { customer: 'customer', bot: 'bot', agent: 'agent', system: 'system' },
};
