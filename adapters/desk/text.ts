import type { SupportedLocale } from '../../flows/locales.js';
import { FILES_EN, FILES_ZH } from './files-text.js';
import { SEARCH_EN, SEARCH_ZH, type SearchText } from './search-text.js';
import { TRANSCRIPT_EN, TRANSCRIPT_ZH } from './transcript-text.js';
import type { HandoffCard } from '../../flows/contracts.js';
import type { DeskText } from './desk-text.js';

/**
 * What agents read on the desk (Slack, the playground), in the desk's language. The customer's
 * language is the conversation's; the agents' is the deployment's (`DESK_LANGUAGE`), so a
 * Chinese team can take an English-speaking customer and still read its own tools.
 */
type DeskLanguage = SupportedLocale;

export type { SearchText };

export type { DeskText };

const who = (agent: { id: string; name?: string | undefined }) => agent.name ?? agent.id;

/** Intl formatters are costly to build: one per language, time zone and style. */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
function formatted(locale: string, timeZone: string, style: 'time' | 'date', at: number): string {
  const key = `${locale}|${timeZone}|${style}`;
  let f = FORMATTERS.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(
      locale,
      style === 'time'
        ? {
            timeZone,
            weekday: 'short',
            month: 'short',
            day: 'numeric',
            hour: '2-digit',
            minute: '2-digit',
            hourCycle: 'h23',
          }
        : { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' },
    );
    FORMATTERS.set(key, f);
  }
  return f.format(at);
}

/** "2026-11-20" in a time zone, whatever the language: short, and it sorts. */
const day = (at: number, timeZone: string) => formatted('en-CA', timeZone, 'date', at);

/** Why a pending matter waits for a person, read from its card (see DeskText.followUp). */
type Pending =
  | 'complaint'
  | 'escalated'
  | 'unanswered'
  | 'details'
  | 'not-helped'
  | 'after-hours'
  | 'desk-down'
  | 'returned'
  | 'supervisor-asked'
  | 'supervisor-complained';
function pendingOf(card: Pick<HandoffCard, 'afterHours' | 'reason' | 'priority' | 'returned' | 'supervisor'>): Pending {
  // Waiting for a supervisor says so, whoever had it (found by the issue-17 trial: 客服接待后交回 after a complaint of that agent).
  if (card.supervisor) return `supervisor-${card.supervisor}`;
  if (card.returned) return 'returned';
  if (card.reason === 'complaint') return card.priority === 'high' ? 'escalated' : 'complaint';
  if (card.reason === 'failures') return 'unanswered';
  if (card.reason === 'details') return 'details';
  // Not "asked for a person": the customer said the answer did not help (found by the issue-17 trial).
  if (card.reason === 'not-helped') return 'not-helped';
  return card.afterHours ? 'after-hours' : 'desk-down';
}

const EN: DeskText = {
  handoff: (card) => `${card.afterHours ? 'After-hours handoff' : 'Handoff'}: ${EN.reasons[card.reason]}`,
  followUp: (card) =>
    `Follow-up: ${
      {
        complaint: 'complaint registered',
        escalated: 'complaint escalated, a supervisor to reply',
        unanswered: 'a question the bot could not answer',
        details: 'the customer gave the order number the answer asked for',
        'not-helped': "the bot's answer did not help",
        'after-hours': 'asked for a person after hours',
        'desk-down': 'asked for a person, nobody could take it',
        'supervisor-asked': 'the customer asked for a supervisor, a supervisor to follow up',
        'supervisor-complained': 'the customer complained of the agent serving them, a supervisor to follow up',
        returned: 'a person took it and let go of it unsettled',
      }[pendingOf(card)]
    }`,
  reasons: {
    asked: 'the customer asked for a person',
    failures: 'the bot could not answer',
    complaint: 'complaint',
    details: 'details for a person to act on',
    'not-helped': "the bot's answer did not help",
  },
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
    promisedBy: 'Reply promised by',
    history: 'Earlier tickets (90 days)',
  },
  time: (at, timeZone) => formatted('en', timeZone, 'time', at),
  historyLine: (s, timeZone) =>
    [
      day(s.createdAt, timeZone),
      s.type === 'complaint' && s.status === 'pending' ? 'OPEN COMPLAINT' : EN.types[s.type],
      s.category ? EN.category(s.category) : undefined,
      EN.statuses[s.status],
      s.satisfaction !== undefined ? `score ${s.satisfaction}/5` : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
  types: { inquiry: 'inquiry', suggestion: 'suggestion', complaint: 'complaint' },
  statuses: {
    answered: 'answered',
    pending: 'pending',
    unresolved: 'unresolved',
    recorded: 'recorded',
    resolved: 'resolved',
  },
  from: { customer: 'customer', bot: 'bot', agent: 'agent', system: 'system' },
  claim: 'Claim',
  claimedBy: (w) => `Claimed by ${w}`,
  threadHelp: (prefix) =>
    `Reply in this thread to talk to the customer. \`${prefix}\` at the start keeps a message internal; \`!override …\` sends a reply the phrase guard blocked.`,
  resolveHelp: '`!resolve OUTCOME` tells the customer the outcome and resolves the matter (a survey follows).',
  followUpHelp: (prefix) =>
    `Reply in this thread to write to the customer, whether or not they are chatting now. \`!resolve OUTCOME\` tells them the outcome and resolves the matter (a survey follows); \`!resolve\` alone resolves it without a message, and \`!resolve ${prefix}NOTE\` does too, keeping the note internal. \`${prefix}\` at the start keeps a message internal.`,
  buttons: { handback: 'Hand back to bot', close: 'Close', release: 'Release' },
  someone: 'someone',
  updates: {
    claimed: (w) => `${w} has the conversation.`,
    released: (w) => `${w} released the conversation: it is waiting for an agent again.`,
    resolved: (w) => `${w} resolved the matter.`,
    transferred: (w) => `Transferred by ${w}.`,
    'handed-back': (w) => `${w} handed the conversation back to the bot.`,
    closed: (w) => `${w} closed the conversation.`,
    'closed-by-customer': () => 'The customer ended the conversation.',
    'customer-restarted': () =>
      'The customer started over with the bot (/start): this handoff is over and can no longer be claimed.',
    'customer-left': () =>
      'The customer blocked the bot or can no longer be reached: this handoff is over and can no longer be claimed.',
    'desk-closed': () =>
      'Working hours ended before anyone took this or answered the customer: they were told when agents are back, and the matter waits on a follow-up card.',
  },
  transferredTo: (category, w) => `Transferred to ${category} by ${w}.`,
  category: (id) => id,
  alerts: {
    sla: 'This customer is still waiting for an agent. Please claim the conversation.',
    supervisor: 'Unclaimed for too long: please assign someone now.',
    overdue:
      'The reply time promised to this customer has passed and the matter is still unresolved: it is now high priority. Please reply to the customer now.',
    reminder: 'The reply time promised to this customer is near: please reply or resolve the matter before it passes.',
    escalated:
      'This matter is still unresolved after the working days allowed: escalated to supervisors, high priority.',
    'asked-supervisor': 'The customer asks for a supervisor: now high priority, please take this up.',
    'upset-waiting': 'The customer complains while waiting in the queue: now high priority, please take this up now.',
    'complained-live':
      'The customer complains during the conversation with an agent: now high priority, a supervisor should follow it up.',
    'reply-late': 'The customer has been waiting a few minutes for your reply: please answer them now.',
    'reply-supervisor':
      'The customer has waited too long for a reply from the agent who has the conversation: please follow up now.',
  },
  delayed: (since) =>
    `⏱ Delivered late: this conversation's messages since ${since} were held up on the way to the desk. Mind the times.`,
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
      case 'not-pending':
        return `ticket ${notice.ticketId} is no longer pending (it was resolved meanwhile); nothing was sent to the customer`;
      case 'complained-of':
        return `the customer ${notice.asked ? 'asked for a supervisor while you had' : 'complained of you in'} this matter (ticket ${notice.ticketId}): a supervisor or another agent takes it up; nothing was done`;
    }
  },
  onlyFor: (agent) => `only ${agent} sees this`,
  claimHint: 'type "/agent claim" to take it',
  afterHoursHint: '(outside business hours: pick it up when agents are back)',
  followUpHint: 'type "/agent claim" to take it, then "/agent resolve OUTCOME" to give the customer the outcome',
  unprintedCard: (ticketId) =>
    `This desk has printed no card of ticket ${ticketId} (it was posted before a restart, or the id is mistyped); the action goes to this conversation under that ticket, and the conversation decides what it applies to.`,
  shortened: 'Long texts are shortened on this card; the full text is in the thread.',
  notSent: {
    edited: 'Edits do not reach the customer: they still have the first version. Send the correction as a new reply.',
    deleted: 'Deleting a message here does not take it back from the customer: if it was sent, they still have it.',
    other: (subtype) =>
      `Not sent to the customer: Slack's "${subtype}" messages do not reach customers. Reply in this thread with text.`,
  },
  files: FILES_EN,
  search: SEARCH_EN,
  transcript: TRANSCRIPT_EN,
  refused: {
    channel: 'The desk works only in its own channels: nothing was done, and nothing was sent to the customer.',
    member:
      "Only members of the agents' user group can work on the desk: nothing was done, and nothing was sent to the customer. Ask an admin to add you to the group.",
    unchecked:
      "Your membership of the agents' user group could not be checked just now (Slack did not answer): nothing was done. Try again in a moment.",
    card: 'This button belongs to no card of the desk (the conversation is unknown, or its card has expired): nothing was done.',
    action: 'The desk does not know this button (a card of an older version, perhaps): nothing was done.',
  },
};

const ZH: DeskText = {
  handoff: (card) => `${card.afterHours ? '非工作时间转人工' : '转人工'}：${ZH.reasons[card.reason]}`,
  followUp: (card) =>
    `待跟进：${
      {
        complaint: '已登记投诉',
        escalated: '投诉已升级，需主管答复',
        unanswered: '机器人未能解答的问题',
        details: '客户按答复提供了订单号，需人工处理',
        'not-helped': '客户表示机器人的答复没有帮助',
        'after-hours': '非工作时间的人工请求',
        'desk-down': '客户要求人工，当时无人接待',
        'supervisor-asked': '客户要求主管处理，需主管跟进',
        'supervisor-complained': '客户投诉接待的客服，需主管跟进',
        returned: '客服接待后交回，仍待处理',
      }[pendingOf(card)]
    }`,
  reasons: {
    asked: '客户要求人工服务',
    failures: '机器人无法解答',
    complaint: '投诉',
    details: '客户提供的信息需人工处理',
    'not-helped': '客户表示机器人的答复没有帮助',
  },
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
    promisedBy: '承诺答复时间',
    history: '近90天工单',
  },
  time: (at, timeZone) => formatted('zh-CN', timeZone, 'time', at),
  historyLine: (s, timeZone) =>
    [
      day(s.createdAt, timeZone),
      s.type === 'complaint' && s.status === 'pending' ? '未结投诉' : ZH.types[s.type],
      s.category ? ZH.category(s.category) : undefined,
      ZH.statuses[s.status],
      s.satisfaction !== undefined ? `评分 ${s.satisfaction}/5` : undefined,
    ]
      .filter(Boolean)
      .join(' · '),
  types: { inquiry: '咨询', suggestion: '建议', complaint: '投诉' },
  statuses: { answered: '已解答', pending: '待处理', unresolved: '未解决', recorded: '已记录', resolved: '已办结' },
  from: { customer: '客户', bot: '机器人', agent: '客服', system: '系统' },
  claim: '接入',
  claimedBy: (w) => `已由 ${w} 接入`,
  threadHelp: (prefix) =>
    `在本话题中回复即可与客户对话。以 \`${prefix}\` 开头的消息仅内部可见；\`!override …\` 可发送被服务忌语检查拦下的回复。`,
  resolveHelp: '`!resolve 处理结果` 将处理结果告知客户并办结该事项（随后发送满意度回访）。',
  followUpHelp: (prefix) =>
    `在本话题中回复即可给客户发消息，无论客户此刻是否在线。\`!resolve 处理结果\` 将处理结果告知客户并办结（随后发送满意度回访）；只发 \`!resolve\` 或 \`!resolve ${prefix}备注\` 则办结而不发消息（备注仅内部可见）。以 \`${prefix}\` 开头的消息仅内部可见。`,
  buttons: { handback: '交还机器人', close: '结束会话', release: '放回队列' },
  someone: '有人',
  updates: {
    claimed: (w) => `${w} 已接入会话。`,
    released: (w) => `${w} 已放回会话，正在等待其他客服接入。`,
    resolved: (w) => `${w} 已办结该事项。`,
    transferred: (w) => `${w} 已转交会话。`,
    'handed-back': (w) => `${w} 已将会话交还机器人。`,
    closed: (w) => `${w} 已结束会话。`,
    'closed-by-customer': () => '客户已结束会话。',
    'customer-restarted': () => '客户已重新开始与机器人对话（/start），本次转人工已结束，无法再接入。',
    'customer-left': () => '客户已屏蔽机器人或无法再联系，本次转人工已结束，无法再接入。',
    'desk-closed': () => '下班前无人接入或未回复客户：已告知客户上班时间，该事项转为待跟进卡片。',
  },
  transferredTo: (category, w) => `${w} 已将会话转交给「${category}」。`,
  category: (id) => id,
  alerts: {
    sla: '这位客户还在等待人工客服，请尽快接入。',
    supervisor: '会话长时间无人接入，请主管立即安排。',
    overdue: '承诺给客户的答复时间已过，该事项仍未解决，已升级为紧急，请立即答复客户。',
    reminder: '承诺给客户的答复时间即将到期，请在到期前答复客户或办结。',
    escalated: '该事项超过规定的工作日仍未解决，已升级至主管处理（紧急）。',
    'asked-supervisor': '客户要求主管处理，已升级为紧急，请主管跟进。',
    'upset-waiting': '客户在排队等待中投诉，已升级为紧急，请立即安排接入。',
    'complained-live': '客户在人工接待中投诉，已升级为紧急，请主管关注跟进。',
    'reply-late': '客户已等待您的回复数分钟，请尽快回复客户。',
    'reply-supervisor': '客户长时间未得到接待客服的回复，请主管立即跟进。',
  },
  delayed: (since) => `⏱ 消息延迟送达：本会话自 ${since} 起的消息未能及时送到客服台，请留意各条消息的时间。`,
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
      case 'not-pending':
        return `工单 ${notice.ticketId} 已不在待处理状态（已被办结），未向客户发送任何消息`;
      case 'complained-of':
        return `客户在该事项中${notice.asked ? '要求主管处理' : '投诉了您'}（工单 ${notice.ticketId}），需由主管或其他同事跟进，未作任何操作`;
    }
  },
  onlyFor: (agent) => `仅 ${agent} 可见`,
  claimHint: '输入 "/agent claim" 接入',
  afterHoursHint: '（非工作时间：请客服上班后处理）',
  followUpHint: '输入 "/agent claim" 接入，再用 "/agent resolve 处理结果" 将结果告知客户',
  unprintedCard: (ticketId) =>
    `本桌面没有显示过工单 ${ticketId} 的卡片（可能是重启前发出的，或工单号有误）；操作仍按该工单号发给本会话，由会话判断它对应哪件事项。`,
  shortened: '卡片上的长文本已截短，完整内容见本话题。',
  notSent: {
    edited: '编辑后的内容不会发送给客户，客户看到的仍是原来的版本。如需更正，请发送一条新回复。',
    deleted: '在这里删除消息不会撤回客户已收到的内容：如果消息已发出，客户仍能看到。',
    other: (subtype) => `未发送给客户：Slack 的「${subtype}」类消息不会转给客户。请在本话题中用文字回复。`,
  },
  files: FILES_ZH,
  search: SEARCH_ZH,
  transcript: TRANSCRIPT_ZH,
  refused: {
    channel: '客服桌面只处理客服频道中的操作：本次操作未执行，也未向客户发送任何内容。',
    member:
      '只有客服用户组的成员才能在客服桌面上操作：本次操作未执行，也未向客户发送任何内容。如需权限，请联系管理员将您加入该用户组。',
    unchecked: '暂时无法确认您是否属于客服用户组（Slack 未响应）：本次操作未执行。请稍后再试。',
    card: '此按钮不属于客服桌面的任何卡片（会话不存在，或卡片已过期）：本次操作未执行。',
    action: '客服桌面不认识此按钮（可能是旧版本卡片上的按钮）：本次操作未执行。',
  },
};

const TEXTS: Record<DeskLanguage, DeskText> = { 'zh-CN': ZH, en: EN };

/**
 * The desk's words in a language; anything but Chinese reads English. `categoryName` names a
 * complaint category (from the definition in that language); without it the id is shown.
 */
export function deskText(language: string, categoryName?: (id: string) => string | undefined): DeskText {
  const t = language.toLowerCase().startsWith('zh') ? TEXTS['zh-CN'] : TEXTS.en;
  if (!categoryName) return t;
  const category = (id: string) => categoryName(id) ?? id;
  // The card's earlier tickets name their category too (found by the issue-17 trial: 近90天工单 showed `quality`).
  return {
    ...t,
    category,
    historyLine: (s, timeZone) => t.historyLine(s.category ? { ...s, category: category(s.category) } : s, timeZone),
  };
}
