import type { SupportedLocale } from '../../flows/locales.js';
import { FILES_EN, FILES_ZH, type FileText } from './files-text.js';
import type { AgentNotice, DeskAlert, DeskUpdate, HandoffCard, HandoffReason } from '../../flows/contracts.js';
import type { TicketStatus } from '../../flows/ticket.js';

/**
 * What agents read on the desk (Slack, the playground), in the desk's language. The customer's
 * language is the conversation's; the agents' is the deployment's (`DESK_LANGUAGE`), so a
 * Chinese team can take an English-speaking customer and still read its own tools.
 */
type DeskLanguage = SupportedLocale;

export interface DeskText {
  handoff: (card: Pick<HandoffCard, 'afterHours' | 'reason' | 'priority'>) => string;
  reasons: Record<HandoffReason, string>;
  priorities: Record<HandoffCard['priority'], string>;
  /** Between a label and its value. */
  colon: string;
  fields: {
    customer: string;
    channel: string;
    language: string;
    priority: string;
    category: string;
    ticket: string;
    need: string;
    tickets: string;
    lastMessages: string;
  };
  from: Record<'customer' | 'bot' | 'agent' | 'system', string>;
  claim: string;
  claimedBy: (who: string) => string;
  /** How to work in the thread; `prefix` keeps a message internal. */
  threadHelp: (prefix: string) => string;
  buttons: { handback: string; close: string; release: string };
  someone: string;
  updates: Record<DeskUpdate, (who: string) => string>;
  transferredTo: (category: string, who: string) => string;
  /** A complaint category's name (from the definition in the desk's language), by id. */
  category: (id: string) => string;
  alerts: Record<DeskAlert, string>;
  notice: (notice: AgentNotice) => string;
  /** A message only one agent sees (Slack shows these as ephemeral). */
  onlyFor: (agent: string) => string;
  /** Playground only: what to type to take a card, and the after-hours hint. */
  claimHint: string;
  afterHoursHint: string;
  /** On a card that shortened long texts: the full texts follow in its thread. */
  shortened: string;
  /**
   * Why an agent's message in a card's thread did not reach the customer, told to that agent
   * (Slack's message subtypes: an edit, a deletion, anything else with its subtype).
   */
  notSent: { edited: string; deleted: string; other: (subtype: string) => string };
  /** Photos and files: the line they are shared with, and why one did not cross (files-text.ts). */
  files: FileText;
  /** The ticket search (`/tickets QUERY` in Slack, issue 13), answered to the agent who typed it. */
  search: SearchText;
}

/** The words of the desk's ticket search. */
export interface SearchText {
  /** How to search (an empty query, or one that cannot be read, gets this after the problem). */
  usage: (command: string) => string;
  /** Asked outside the desk's channels. */
  notHere: string;
  /** A query that cannot be read; `problem` names the word (English: bots/ticket-search.ts). */
  problem: (problem: string) => string;
  /** Above the results: how many are shown of how many found (`total` is a lower bound when `atLeast`). */
  found: (shown: number, total: number, atLeast: boolean) => string;
  none: string;
  /** Under the results, when more matched than are shown. */
  more: (n: number, atLeast: boolean) => string;
  failed: string;
  statuses: Record<TicketStatus, string>;
  /** A ticket not rated yet. */
  unrated: string;
}

const who = (agent: { id: string; name?: string | undefined }) => agent.name ?? agent.id;

const EN: DeskText = {
  handoff: (card) => `${card.afterHours ? 'After-hours handoff' : 'Handoff'}: ${EN.reasons[card.reason]}`,
  reasons: { asked: 'the customer asked for a person', failures: 'the bot could not answer', complaint: 'complaint' },
  priorities: { normal: 'normal', high: 'high' },
  colon: ': ',
  fields: {
    customer: 'Customer',
    channel: 'Channel',
    language: 'Language',
    priority: 'Priority',
    category: 'Category',
    ticket: 'Ticket',
    need: 'Need',
    tickets: 'Tickets',
    lastMessages: 'Last messages',
  },
  from: { customer: 'customer', bot: 'bot', agent: 'agent', system: 'system' },
  claim: 'Claim',
  claimedBy: (w) => `Claimed by ${w}`,
  threadHelp: (prefix) =>
    `Reply in this thread to talk to the customer. \`${prefix}\` at the start keeps a message internal; \`!override …\` sends a reply the phrase guard blocked.`,
  buttons: { handback: 'Hand back to bot', close: 'Close', release: 'Release' },
  someone: 'someone',
  updates: {
    claimed: (w) => `${w} has the conversation.`,
    released: (w) => `${w} released the conversation: it is waiting for an agent again.`,
    transferred: (w) => `Transferred by ${w}.`,
    'handed-back': (w) => `${w} handed the conversation back to the bot.`,
    closed: (w) => `${w} closed the conversation.`,
    'closed-by-customer': () => 'The customer ended the conversation.',
    'customer-restarted': () =>
      'The customer started over with the bot (/start): this handoff is over and can no longer be claimed.',
    'customer-left': () =>
      'The customer blocked the bot or can no longer be reached: this handoff is over and can no longer be claimed.',
  },
  transferredTo: (category, w) => `Transferred to ${category} by ${w}.`,
  category: (id) => id,
  alerts: {
    sla: 'This customer is still waiting for an agent. Please claim the conversation.',
    supervisor: 'Unclaimed for too long: please assign someone now.',
    overdue: 'The reply time promised to this customer has passed: the matter is now high priority.',
  },
  notice: (notice) => {
    switch (notice.kind) {
      case 'already-claimed':
        return 'you already have this conversation';
      case 'not-yours':
        return `${who(notice.by)} has this conversation; your message stays internal`;
      case 'not-claimed':
        return 'claim the conversation first';
      case 'no-handoff':
        return 'this handoff is over (the customer left or is back with the bot, or it was closed); nothing was sent to the customer';
      case 'unknown-category':
        return `${notice.category ? `there is no category "${notice.category}"` : 'transfer to which category?'}; the categories are: ${notice.known.join(', ')}. Nothing was changed`;
      case 'guard-blocked':
        return `not sent: ${notice.matches.map((m) => `"${m.phrase}" (${m.reason}); say instead: ${m.suggestion}`).join(' | ')} — to send it anyway, use override`;
    }
  },
  onlyFor: (agent) => `only ${agent} sees this`,
  claimHint: 'type "/agent claim" to take it',
  afterHoursHint: '(outside business hours: pick it up when agents are back)',
  shortened: 'Long texts are shortened on this card; the full text is in the thread.',
  notSent: {
    edited: 'Edits do not reach the customer: they still have the first version. Send the correction as a new reply.',
    deleted: 'Deleting a message here does not take it back from the customer: if it was sent, they still have it.',
    other: (subtype) =>
      `Not sent to the customer: Slack's "${subtype}" messages do not reach customers. Reply in this thread with text.`,
  },
  files: FILES_EN,
  search: {
    usage: (command) =>
      `Search tickets: \`${command} T261130-4KQ9ZC1A7X\` (a ticket), \`${command} customer:ID\`, \`status:pending\`, \`from:2026-11-01\` \`to:2026-11-30\` (dates in the bot's time zone, both days included); other words are searched for in the need, facts, outcome and comment. Combine them: \`${command} customer:42 status:pending 退款\`.`,
    notHere: 'Ticket search works in the desk channels only, where handoff cards are posted.',
    problem: (problem) => `Cannot search: ${problem}.`,
    found: (shown, total, atLeast) =>
      shown === total
        ? `${total} ticket${total === 1 ? '' : 's'}, newest first:`
        : `Newest ${shown} of ${atLeast ? 'over ' : ''}${total} tickets:`,
    none: 'No ticket matches.',
    more: (n, atLeast) =>
      `…and ${atLeast ? 'more than ' : ''}${n} more: narrow the search (customer:, status:, from:, to:) or use \`npm run tickets -- search\`.`,
    failed: 'The search failed (the ticket store did not answer). Try again in a moment.',
    statuses: {
      answered: 'answered',
      pending: 'pending',
      unresolved: 'unresolved',
      recorded: 'recorded',
      resolved: 'resolved',
    },
    unrated: 'not rated',
  },
};

const ZH: DeskText = {
  handoff: (card) => `${card.afterHours ? '非工作时间转人工' : '转人工'}：${ZH.reasons[card.reason]}`,
  reasons: { asked: '客户要求人工服务', failures: '机器人无法解答', complaint: '投诉' },
  priorities: { normal: '普通', high: '紧急' },
  colon: '：',
  fields: {
    customer: '客户',
    channel: '渠道',
    language: '语言',
    priority: '优先级',
    category: '类别',
    ticket: '工单',
    need: '客户诉求',
    tickets: '相关工单',
    lastMessages: '最近消息',
  },
  from: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
  claim: '接入',
  claimedBy: (w) => `已由 ${w} 接入`,
  threadHelp: (prefix) =>
    `在本话题中回复即可与客户对话。以 \`${prefix}\` 开头的消息仅内部可见；\`!override …\` 可发送被服务忌语检查拦下的回复。`,
  buttons: { handback: '交还机器人', close: '结束会话', release: '放回队列' },
  someone: '有人',
  updates: {
    claimed: (w) => `${w} 已接入会话。`,
    released: (w) => `${w} 已放回会话，正在等待其他客服接入。`,
    transferred: (w) => `${w} 已转交会话。`,
    'handed-back': (w) => `${w} 已将会话交还机器人。`,
    closed: (w) => `${w} 已结束会话。`,
    'closed-by-customer': () => '客户已结束会话。',
    'customer-restarted': () => '客户已重新开始与机器人对话（/start），本次转人工已结束，无法再接入。',
    'customer-left': () => '客户已屏蔽机器人或无法再联系，本次转人工已结束，无法再接入。',
  },
  transferredTo: (category, w) => `${w} 已将会话转交给「${category}」。`,
  category: (id) => id,
  alerts: {
    sla: '这位客户还在等待人工客服，请尽快接入。',
    supervisor: '会话长时间无人接入，请主管立即安排。',
    overdue: '承诺给客户的答复时间已过，该事项已升级为紧急。',
  },
  notice: (notice) => {
    switch (notice.kind) {
      case 'already-claimed':
        return '您已经接入了这个会话';
      case 'not-yours':
        return `该会话由 ${who(notice.by)} 负责，您的消息仅内部可见`;
      case 'not-claimed':
        return '请先接入会话';
      case 'no-handoff':
        return '本次转人工已结束（客户已离开或已回到机器人服务，或会话已结束），未向客户发送任何消息';
      case 'unknown-category':
        return `${notice.category ? `没有「${notice.category}」这个类别` : '请指明转交的类别'}，可用的类别：${notice.known.join('、')}。会话未作任何变更`;
      case 'guard-blocked':
        return `未发送：${notice.matches.map((m) => `“${m.phrase}”（${m.reason}），建议改为：${m.suggestion}`).join('；')} —— 如仍要发送，请使用 override`;
    }
  },
  onlyFor: (agent) => `仅 ${agent} 可见`,
  claimHint: '输入 "/agent claim" 接入',
  afterHoursHint: '（非工作时间：请客服上班后处理）',
  shortened: '卡片上的长文本已截短，完整内容见本话题。',
  notSent: {
    edited: '编辑后的内容不会发送给客户，客户看到的仍是原来的版本。如需更正，请发送一条新回复。',
    deleted: '在这里删除消息不会撤回客户已收到的内容：如果消息已发出，客户仍能看到。',
    other: (subtype) => `未发送给客户：Slack 的「${subtype}」类消息不会转给客户。请在本话题中用文字回复。`,
  },
  files: FILES_ZH,
  search: {
    usage: (command) =>
      `工单查询：\`${command} T261130-4KQ9ZC1A7X\`（工单号）、\`${command} customer:客户ID\`、\`status:pending\`、\`from:2026-11-01\` \`to:2026-11-30\`（按机器人所在时区的日期，含首尾两天）；其余词语在诉求、事实、处理结果和评价中查找。可组合使用：\`${command} customer:42 status:pending 退款\`。`,
    notHere: '工单查询只能在客服频道（转人工卡片所在的频道）中使用。',
    problem: (problem) => `无法查询：${problem}。`,
    found: (shown, total, atLeast) =>
      shown === total
        ? `共 ${total} 张工单，最新的在前：`
        : `找到${atLeast ? '超过 ' : ' '}${total} 张工单，显示最新的 ${shown} 张：`,
    none: '没有符合条件的工单。',
    more: (n, atLeast) =>
      `……还有${atLeast ? '超过 ' : ' '}${n} 张：请缩小范围（customer:、status:、from:、to:），或使用 \`npm run tickets -- search\`。`,
    failed: '查询失败（工单库没有响应），请稍后再试。',
    statuses: {
      answered: '已解答',
      pending: '待处理',
      unresolved: '未解决',
      recorded: '已记录',
      resolved: '已解决',
    },
    unrated: '未评分',
  },
};

const TEXTS: Record<DeskLanguage, DeskText> = { 'zh-CN': ZH, en: EN };

/**
 * The desk's words in a language; anything but Chinese reads English. `categoryName` names a
 * complaint category (from the definition in that language); without it the id is shown.
 */
export function deskText(language: string, categoryName?: (id: string) => string | undefined): DeskText {
  const t = language.toLowerCase().startsWith('zh') ? TEXTS['zh-CN'] : TEXTS.en;
  return categoryName ? { ...t, category: (id) => categoryName(id) ?? id } : t;
}
