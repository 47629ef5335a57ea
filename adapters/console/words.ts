import type { SupportedLocale } from '../../flows/locales.js';
import type { SearchFields } from '../../bots/ticket-search.js';
import { EN_CODES, ZH_CODES, type CodeWords } from './words-codes.js';
import { EN_PROBLEMS, ZH_PROBLEMS, type ProblemWords } from './words-problems.js';

/**
 * The console's words in its two languages (zh-CN by default, en), chosen per browser by a cookie
 * and switched from every page. Data (names, needs, transcripts) is shown as written.
 */
export interface ConsoleWords {
  lang: SupportedLocale;
  product: string;
  nav: { now: string; tickets: string; reports: string; flows: string; audit: string; account: string };
  switchTo: string;
  signIn: {
    title: string;
    name: string;
    password: string;
    submit: string;
    refused: string;
    tooMany: (minutes: number) => string;
  };
  signOut: string;
  signedInAs: (name: string, role: string) => string;
  roles: { admin: string; supervisor: string };
  account: {
    title: string;
    mustChange: string;
    current: string;
    next: string;
    repeat: string;
    submit: string;
    changed: string;
    wrongCurrent: string;
    mismatch: string;
    tooShort: (n: number) => string;
    tooSimple: string;
    tooLong: (n: number) => string;
    same: string;
  };
  forbidden: string;
  notFound: string;
  badRequest: string;
  /** A POST refused for its Origin or CSRF token (an old page, another site), or after the session ended. */
  csrf: { title: string; message: string };
  /** A request that failed on the server (the error is logged, not shown). */
  failed: string;
  /** What the record keeps as codes (ticket types, statuses, lifecycle events …), in words. */
  codes: CodeWords;
  /** What is wrong with a form's input (a search, a report's period). */
  problems: ProblemWords;
  tickets: {
    title: string;
    search: string;
    /** The search's fields, as its form labels them (`limit` only in a problem: the form has no such field). */
    fields: Record<keyof SearchFields, string>;
    any: string;
    none: string;
    columns: {
      id: string;
      created: string;
      type: string;
      status: string;
      customer: string;
      need: string;
      agent: string;
    };
    pending: string;
    deadline: string;
    overdue: string;
    noDeadline: string;
    lifecycle: string;
    transcript: string;
    noTranscript: string;
    facts: string;
    /** The photos and files on the ticket (references: kind, name, the customer's caption). */
    files: string;
    outcome: string;
    masked: string;
    event: string;
    by: string;
    detail: string;
    at: string;
    flowVersion: string;
  };
  now: {
    title: string;
    queue: string;
    queueEmpty: string;
    waiting: string;
    /** How long a conversation has waited, in whole minutes (0: under a minute). */
    waited: (minutes: number) => string;
    since: string;
    agents: string;
    agentsNone: string;
    holds: (n: number) => string;
    inProgress: string;
    inProgressNone: string;
    /** The column of a started conversation's pending ticket, if it has one. */
    pendingTicket: string;
    started: string;
    channel: string;
    averageWait: (s: number | undefined) => string;
    refreshed: string;
  };
  reports: {
    title: string;
    month: string;
    from: string;
    to: string;
    show: string;
    open: string;
    noDefinition: string;
  };
  audit: {
    title: string;
    actor: string;
    action: string;
    target: string;
    at: string;
    none: string;
    off: string;
    filter: string;
  };
  flows: { title: string; placeholder: string };
}

const zh: ConsoleWords = {
  lang: 'zh-CN',
  product: '客服控制台',
  nav: { now: '实时', tickets: '工单', reports: '报表', flows: '流程', audit: '审计日志', account: '账户' },
  switchTo: 'English',
  signIn: {
    title: '登录',
    name: '账户名',
    password: '密码',
    submit: '登录',
    refused: '账户名或密码不正确。',
    tooMany: (m) => `尝试次数过多，请 ${m} 分钟后再试。`,
  },
  signOut: '退出登录',
  signedInAs: (name, role) => `${name}（${role}）`,
  roles: { admin: '管理员', supervisor: '主管' },
  account: {
    title: '修改密码',
    mustChange: '这是一次性密码：请先设置新密码。',
    current: '当前密码',
    next: '新密码',
    repeat: '再次输入新密码',
    submit: '修改密码',
    changed: '密码已修改。',
    wrongCurrent: '当前密码不正确。',
    mismatch: '两次输入的新密码不一致。',
    tooShort: (n) => `新密码至少 ${n} 个字符。`,
    tooSimple: '新密码不能全是空格或同一个字符。',
    tooLong: (n) => `新密码最多 ${n} 个字符。`,
    same: '新密码不能与当前密码相同。',
  },
  forbidden: '您的角色无权访问此页面。',
  notFound: '找不到此页面。',
  badRequest: '请求有误：',
  csrf: { title: '表单已失效', message: '表单已过期，或来自其他网站：请刷新页面后重试。' },
  failed: '出错了（已记录），请稍后重试。',
  codes: ZH_CODES,
  problems: ZH_PROBLEMS,
  tickets: {
    title: '工单',
    search: '搜索',
    fields: {
      customer: '客户 ID',
      id: '工单号',
      text: '关键词',
      status: '状态',
      from: '起始日期',
      to: '截止日期',
      limit: '显示数量',
    },
    any: '全部',
    none: '没有符合条件的工单。',
    columns: {
      id: '工单号',
      created: '创建时间',
      type: '类型',
      status: '状态',
      customer: '客户',
      need: '诉求',
      agent: '处理人',
    },
    pending: '待跟进事项（按截止时间）',
    deadline: '承诺时间',
    overdue: '已超时',
    noDeadline: '未承诺',
    lifecycle: '处理过程',
    transcript: '对话记录',
    noTranscript: '没有存档的对话记录。',
    facts: '补充信息',
    files: '附件',
    outcome: '结果',
    masked: '个人信息已按主管权限隐藏。',
    event: '事件',
    by: '操作人',
    detail: '说明',
    at: '时间',
    flowVersion: '流程版本',
  },
  now: {
    title: '实时',
    queue: '排队等待人工',
    queueEmpty: '当前无人排队。',
    waiting: '已等待',
    waited: (m) =>
      m < 1 ? '不到 1 分钟' : m < 60 ? `${m} 分钟` : `${Math.floor(m / 60)} 小时${m % 60 ? ` ${m % 60} 分钟` : ''}`,
    since: '加入时间',
    agents: '正在接待的客服',
    agentsNone: '当前没有客服在接待。',
    holds: (n) => `${n} 个会话`,
    inProgress: '近一小时开始的会话',
    inProgressNone: '近一小时没有新会话。',
    pendingTicket: '待处理工单',
    started: '开始时间',
    channel: '渠道',
    averageWait: (s) => (s === undefined ? '近期平均等待：暂无' : `近期平均等待：${s} 秒`),
    refreshed: '每 10 秒自动刷新',
  },
  reports: {
    title: '服务质量报表',
    month: '月份',
    from: '起始日期',
    to: '截止日期（含）',
    show: '查看',
    open: '在新窗口打开（可打印）',
    noDefinition: '流程定义不可用，无法生成报表。',
  },
  audit: {
    title: '审计日志',
    actor: '操作人',
    action: '操作',
    target: '对象',
    at: '时间',
    none: '没有记录。',
    off: '审计日志尚不可用。',
    filter: '筛选',
  },
  flows: { title: '流程', placeholder: '流程编辑器即将上线。' },
};

const en: ConsoleWords = {
  lang: 'en',
  product: 'Service console',
  nav: { now: 'Now', tickets: 'Tickets', reports: 'Reports', flows: 'Flows', audit: 'Audit log', account: 'Account' },
  switchTo: '中文',
  signIn: {
    title: 'Sign in',
    name: 'Account name',
    password: 'Password',
    submit: 'Sign in',
    refused: 'Wrong account name or password.',
    tooMany: (m) => `Too many attempts. Try again in ${m} minutes.`,
  },
  signOut: 'Sign out',
  signedInAs: (name, role) => `${name} (${role})`,
  roles: { admin: 'admin', supervisor: 'supervisor' },
  account: {
    title: 'Change password',
    mustChange: 'This is a one-time password: choose a new one first.',
    current: 'Current password',
    next: 'New password',
    repeat: 'New password again',
    submit: 'Change password',
    changed: 'Password changed.',
    wrongCurrent: 'The current password is wrong.',
    mismatch: 'The two new passwords differ.',
    tooShort: (n) => `The new password needs at least ${n} characters.`,
    tooSimple: 'The new password cannot be only spaces or one character repeated.',
    tooLong: (n) => `The new password can have at most ${n} characters.`,
    same: 'The new password must differ from the current one.',
  },
  forbidden: 'Your role cannot open this page.',
  notFound: 'No such page.',
  badRequest: 'Cannot do that: ',
  csrf: {
    title: 'Form expired',
    message: 'The form has expired or came from another site: reload the page and try again.',
  },
  failed: 'Something went wrong (it is logged). Try again shortly.',
  codes: EN_CODES,
  problems: EN_PROBLEMS,
  tickets: {
    title: 'Tickets',
    search: 'Search',
    fields: {
      customer: 'Customer id',
      id: 'Ticket',
      text: 'Words',
      status: 'Status',
      from: 'From',
      to: 'To',
      limit: 'Limit',
    },
    any: 'any',
    none: 'No tickets match.',
    columns: {
      id: 'Ticket',
      created: 'Created',
      type: 'Type',
      status: 'Status',
      customer: 'Customer',
      need: 'Need',
      agent: 'Agent',
    },
    pending: 'Pending matters by deadline',
    deadline: 'Promised by',
    overdue: 'overdue',
    noDeadline: 'no promise',
    lifecycle: 'Lifecycle',
    transcript: 'Transcript',
    noTranscript: 'No archived transcript.',
    facts: 'Facts',
    files: 'Files',
    outcome: 'Outcome',
    masked: 'Personal data is masked for supervisors.',
    event: 'Event',
    by: 'By',
    detail: 'Detail',
    at: 'When',
    flowVersion: 'Flow version',
  },
  now: {
    title: 'Now',
    queue: 'Waiting for an agent',
    queueEmpty: 'Nobody is waiting.',
    waiting: 'Waiting',
    waited: (m) =>
      m < 1 ? 'under a minute' : m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`,
    since: 'Since',
    agents: 'Agents holding conversations',
    agentsNone: 'No agent holds a conversation.',
    holds: (n) => `${n} conversation${n === 1 ? '' : 's'}`,
    inProgress: 'Conversations started in the last hour',
    inProgressNone: 'No conversation started in the last hour.',
    pendingTicket: 'Pending ticket',
    started: 'Started',
    channel: 'Channel',
    averageWait: (s) => (s === undefined ? 'Recent average wait: none yet' : `Recent average wait: ${s} s`),
    refreshed: 'Refreshes every 10 seconds',
  },
  reports: {
    title: 'Service-quality report',
    month: 'Month',
    from: 'From',
    to: 'To (included)',
    show: 'Show',
    open: 'Open on its own (printable)',
    noDefinition: 'The flow definitions are not available: no report.',
  },
  audit: {
    title: 'Audit log',
    actor: 'Who',
    action: 'What',
    target: 'On',
    at: 'When',
    none: 'Nothing recorded.',
    off: 'The audit log is not available yet.',
    filter: 'Filter',
  },
  flows: { title: 'Flows', placeholder: 'The flow editor is coming.' },
};

export const CONSOLE_WORDS: Readonly<Record<SupportedLocale, ConsoleWords>> = { 'zh-CN': zh, en };
