import type { TranscriptEntry } from '../../bots/ports.js';
import type { EscalationReason, HandoffReason } from '../../flows/contracts.js';
import type { Ticket, TicketEventType, TicketStatus } from '../../flows/ticket.js';

/**
 * The console's words for what the record keeps as codes: a ticket's type and status, its
 * lifecycle events, why it was handed off or escalated, and who spoke in a transcript. Each page
 * shows the word and keeps the code in the element's title (the CLI and Slack search by codes:
 * `status:pending`). Types, reasons and escalations read as in the report (bots/report/words.ts),
 * statuses and speakers as on the desk (adapters/desk/text.ts).
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
  types: { inquiry: '咨询', complaint: '投诉', suggestion: '建议' },
  statuses: { answered: '已解答', pending: '待处理', unresolved: '未解决', recorded: '已记录', resolved: '已办结' },
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
  handoffReasons: { asked: '客户要求人工服务', failures: '机器人无法解答', complaint: '投诉' },
  escalationReasons: {
    supervisor: '客户要求主管',
    asked: '客户要求人工服务',
    'still-angry': '客户情绪未平复',
    'always-human': '须人工处理的类别',
    'promise-overdue': '承诺时间已过',
    'working-days': '超过规定工作日未解决',
  },
  afterHours: (reason) => `${reason}（非工作时间）`,
  speakers: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
};

export const EN_CODES: CodeWords = {
  types: { inquiry: 'inquiry', complaint: 'complaint', suggestion: 'suggestion' },
  statuses: {
    answered: 'answered',
    pending: 'pending',
    unresolved: 'unresolved',
    recorded: 'recorded',
    resolved: 'resolved',
  },
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
  handoffReasons: {
    asked: 'the customer asked for a person',
    failures: 'the bot could not answer',
    complaint: 'complaint',
  },
  escalationReasons: {
    supervisor: 'asked for a supervisor',
    asked: 'asked for a person',
    'still-angry': 'still upset',
    'always-human': 'a category people handle',
    'promise-overdue': 'promised time passed',
    'working-days': 'unresolved after the working days allowed',
  },
  afterHours: (reason) => `${reason}, after hours`,
  speakers: { customer: 'customer', bot: 'bot', agent: 'agent', system: 'system' },
};
