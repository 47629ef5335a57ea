import type { EditProblem } from '../../../bots/console-flows/yaml-edit.js';

/**
 * The flows pages' words in the console's two languages (zh-CN by default, en). Field names of
 * the definition stay as the file spells them in the YAML editor; the forms give them names.
 */

export type FlowsLang = 'zh-CN' | 'en';

const zh = {
  title: '流程',
  active: '当前生效版本',
  none: '尚未发布任何版本',
  draft: '我的草稿',
  draftFresh: '草稿与当前生效版本相同，尚未修改。',
  draftBasedOn: (v: string, at: string) => `基于 ${v}，最后修改于 ${at}。`,
  draftBehind: (v: string) => `草稿开始后，${v} 成为了当前生效版本（发布或回滚）：发布草稿会替换 ${v} 的内容。`,
  replaceNewer: (v: string) => `我已查看与 ${v} 的对比，确认用草稿替换 ${v} 的改动`,
  discard: '放弃草稿',
  problems: '问题',
  noProblems: '没有问题。',
  blocked: '有问题未解决，不能发布。',
  figures: '理解测试 (flows:test)',
  figuresDraft: '草稿',
  figuresActive: '当前版本',
  figuresLoading: '正在计算…',
  figuresNone: '无',
  accuracy: '理解正确率',
  wrongTopic: '误判主题',
  guard: '忌语拦截 / 误拦',
  heldOut: '留出集（不设门槛）',
  met: '达标',
  notMet: '未达标',
  forms: '表单编辑',
  texts: '话术',
  sections: {
    faq: '知识库',
    categories: '投诉类别与承诺时限',
    forbidden: '服务忌语',
    hours: '工作时间',
    holidays: '节日问候',
  } as Record<string, string>,
  calendar: '工作日历（休息日与调休上班日）',
  yaml: 'YAML 编辑',
  preview: '预览对话',
  diff: '与生效版本对比',
  history: '版本历史',
  publish: '发布',
  publishMessage: '发布说明',
  published: (v: string) => `已发布 ${v}，所有副本将在 5 秒内切换。`,
  unchanged: '草稿与当前生效版本相同，没有发布新版本。',
  rollback: '回滚到此版本',
  rolledBack: (v: string) => `已回滚到 ${v}。`,
  rollbackCheck: (v: string) =>
    `回滚到 ${v}：以下是与当前生效版本相比客户将看到的变化。确认后所有副本将在 5 秒内切换。`,
  rollbackConfirm: (v: string) => `确认回滚到 ${v}`,
  alreadyActive: (v: string) => `${v} 已是当前生效版本，无需回滚。`,
  cancel: '取消',
  save: '保存',
  add: '添加',
  remove: '删除',
  saved: '已保存到草稿。',
  addPhrasing: '另一种说法（可留空）',
  placeholders: (p: string) => (p ? `可用占位符：${p}` : '不可使用占位符'),
  optionalText: (fallback: string) => `可留空：留空时机器人说 ${fallback} 的内容。`,
  onePerLine: '每行一条',
  file: '文件',
  version: '版本',
  author: '发布人',
  message: '说明',
  time: '时间',
  current: '生效中',
  send: '发送',
  restart: '重新开始',
  typeHere: '以客户身份输入…',
  previewNote: '预览在草稿上运行真实的对话引擎（内存存储，不会产生真实工单）。',
  noChanges: '没有差异。',
  compare: '对比',
  added: '新增',
  removed: '删除',
  yamlNote: '输入时即时检查；问题在出错位置标出。',
  messageMissing: '请填写发布说明：这次改了什么。',
  messageInvalid: (max: number) => `发布说明最多 ${max} 个字符，且不能包含换行或不可见字符。`,
  noSuchVersion: (v: string) => `没有 ${v} 这个版本，未作任何更改。`,
  previewRefused: '消息不能为空，且最多 4096 个字符（Telegram 单条消息的上限）。',
  cannotEdit: '这个修改无法写入文件，草稿没有改动。',
  /** The word for option `value` of `field`, else the value. */
  option: (field: string, value: string): string => zh.options[field]?.[value] ?? value,
  /** Why a form's edit was not made (bots/console-flows/yaml-edit.ts EditProblem). */
  problem: (p: EditProblem): string => {
    const field = (f: string) => zh.fields[f] ?? f;
    const section = (s: string) => zh.sections[s] ?? s;
    switch (p.kind) {
      case 'not-yaml':
        return `文件${p.line ? `第 ${p.line} 行第 ${p.column} 列` : ''}不是有效的 YAML：请先在 YAML 编辑中修正。`;
      case 'too-long':
        return `文件超过 ${p.max} 个字符，无法保存。`;
      case 'no-text':
        return `没有名为 ${p.key} 的话术。`;
      case 'no-phrasing':
        return `话术 ${p.key} 至少需要一种说法。`;
      case 'no-item':
        return `${section(p.section)}没有第 ${p.index + 1} 项：请刷新页面，查看当前的列表。`;
      case 'item-changed':
        return `${section(p.section)}第 ${p.index + 1} 项在此页面打开后已被修改（在其他标签页或窗口中）：请刷新页面后重试。`;
      case 'empty-item':
        return `新的${section(p.section)}项是空的：请先填写。`;
      case 'text-changed':
        return `话术 ${p.key} 在此页面打开后已被修改（在其他标签页或窗口中），本次未保存任何内容：请刷新页面后重新输入。您输入的是：${p.typed}`;
      case 'not-a-number':
        return `${field(p.field)}须为数字；收到的是“${p.got}”。`;
      case 'not-one-of':
        return `${field(p.field)}只能是：${p.options.map((o) => `${zh.option(p.field, o)}（${o}）`).join('、')}；收到的是“${p.got}”。`;
    }
  },
  fields: {
    id: '编号',
    topic: '主题（复述需求时使用）',
    questions: '客户问法',
    keywords: '关键词',
    answer: '回答',
    asksForOrder: '回答向客户要订单号（客户发来后转人工跟进）',
    name: '名称',
    promiseHours: '承诺回复时限（小时）',
    faqId: '对应知识库条目',
    priority: '优先级',
    alwaysHuman: '始终转人工',
    phrase: '忌语（可写成模式）',
    reason: '原因',
    suggestion: '规范用语',
    days: '星期',
    open: '开始',
    close: '结束',
    from: '开始日期',
    to: '结束日期',
    text: '问候语',
    region: '地区日历',
    holidays: '休息日（YYYY-MM-DD）',
    workdays: '上班日（YYYY-MM-DD）',
  } as Record<string, string>,
  /** The words of a field's options (the form sends the code): weekdays, priorities, calendars. */
  options: {
    days: { mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六', sun: '周日' },
    priority: { normal: '普通', high: '紧急' },
    region: { cn: '中国大陆法定节假日', none: '不使用' },
  } as Record<string, Record<string, string> | undefined>,
};

const en: typeof zh = {
  title: 'Flows',
  active: 'Active version',
  none: 'Nothing published yet',
  draft: 'My draft',
  draftFresh: 'The draft is the active version, unchanged.',
  draftBasedOn: (v, at) => `Based on ${v}, last edited ${at}.`,
  draftBehind: (v) =>
    `${v} became the active version after this draft was started (published or rolled back to): publishing the draft replaces it.`,
  replaceNewer: (v) => `I have compared with ${v} and mean to replace its changes with my draft`,
  discard: 'Discard draft',
  problems: 'Problems',
  noProblems: 'No problems.',
  blocked: 'Fix the problems before publishing.',
  figures: 'Understanding test (flows:test)',
  figuresDraft: 'Draft',
  figuresActive: 'Active',
  figuresLoading: 'Scoring…',
  figuresNone: 'none',
  accuracy: 'Understood',
  wrongTopic: 'Wrong topic',
  guard: 'Guard caught / false alarms',
  heldOut: 'Held-out (no threshold)',
  met: 'met',
  notMet: 'NOT MET',
  forms: 'Forms',
  texts: 'Texts',
  sections: {
    faq: 'Knowledge base',
    categories: 'Complaint categories and promised times',
    forbidden: 'Forbidden phrases',
    hours: 'Business hours',
    holidays: 'Holiday greetings',
  },
  calendar: 'Working-day calendar (days off and make-up working days)',
  yaml: 'YAML editor',
  preview: 'Preview chat',
  diff: 'Diff to the active version',
  history: 'History',
  publish: 'Publish',
  publishMessage: 'What changed',
  published: (v) => `Published ${v}; every replica switches within 5 seconds.`,
  unchanged: 'The draft is the active version: nothing new was published.',
  rollback: 'Roll back to this version',
  rolledBack: (v) => `Rolled back to ${v}.`,
  rollbackCheck: (v) =>
    `Roll back to ${v}: this is what customers will see change from the active version. Once confirmed, every replica switches within 5 seconds.`,
  rollbackConfirm: (v) => `Roll back to ${v}`,
  alreadyActive: (v) => `${v} is the active version already: nothing to roll back.`,
  cancel: 'Cancel',
  save: 'Save',
  add: 'Add',
  remove: 'Remove',
  saved: 'Saved to the draft.',
  addPhrasing: 'Another phrasing (optional)',
  placeholders: (p) => (p ? `Placeholders: ${p}` : 'No placeholders'),
  optionalText: (fallback) => `Optional: when empty, the bot says ${fallback} instead.`,
  onePerLine: 'one per line',
  file: 'File',
  version: 'Version',
  author: 'Author',
  message: 'Message',
  time: 'Time',
  current: 'active',
  send: 'Send',
  restart: 'Start over',
  typeHere: 'Type as a customer…',
  previewNote: 'The preview runs the real engine on the draft (in memory; no real tickets).',
  noChanges: 'No differences.',
  compare: 'Compare',
  added: 'added',
  removed: 'removed',
  yamlNote: 'Checked as you type; problems are underlined where they are.',
  messageMissing: 'Say what changed before publishing.',
  messageInvalid: (max) =>
    `A publish message has at most ${max} characters, on one line, with no invisible characters.`,
  noSuchVersion: (v) => `There is no version ${v}: nothing was changed.`,
  previewRefused: "A message can't be empty, and has at most 4096 characters (Telegram's limit for one message).",
  cannotEdit: 'This change cannot be written to the file; the draft is unchanged.',
  option: (field, value) => en.options[field]?.[value] ?? value,
  problem: (p) => {
    const field = (f: string) => en.fields[f] ?? f;
    const section = (s: string) => en.sections[s] ?? s;
    switch (p.kind) {
      case 'not-yaml':
        return `The file is not valid YAML${p.line ? ` at line ${p.line}, column ${p.column}` : ''}: fix it in the YAML editor first.`;
      case 'too-long':
        return `The file is longer than ${p.max} characters: it cannot be saved.`;
      case 'no-text':
        return `There is no text ${p.key}.`;
      case 'no-phrasing':
        return `The text ${p.key} needs at least one phrasing.`;
      case 'no-item':
        return `${section(p.section)} has no item ${p.index + 1}: reload the page to see the list as it is now.`;
      case 'item-changed':
        return `Item ${p.index + 1} of ${section(p.section)} changed since this page was opened (in another tab or window): reload the page and try again.`;
      case 'empty-item':
        return `The new item of ${section(p.section)} is empty: fill in its fields first.`;
      case 'text-changed':
        return `The text ${p.key} changed since this page was opened (in another tab or window), so nothing was saved: reload the page and enter it again. You typed: ${p.typed}`;
      case 'not-a-number':
        return `${field(p.field)} must be a number (got "${p.got}").`;
      case 'not-one-of':
        return `${field(p.field)} must be one of ${p.options.join(', ')} (got "${p.got}").`;
    }
  },
  fields: {
    id: 'Id',
    topic: 'Topic (used to restate the need)',
    questions: 'How customers ask',
    keywords: 'Keywords',
    answer: 'Answer',
    asksForOrder: 'The answer asks for the order number (a person follows up when it comes)',
    name: 'Name',
    promiseHours: 'Promised reply time (hours)',
    faqId: 'Knowledge-base entry',
    priority: 'Priority',
    alwaysHuman: 'Always a person',
    phrase: 'Phrase (may be a pattern)',
    reason: 'Why',
    suggestion: 'Say instead',
    days: 'Days',
    open: 'Opens',
    close: 'Closes',
    from: 'From',
    to: 'To',
    text: 'Greeting',
    region: 'Public holidays of',
    holidays: 'Days off (YYYY-MM-DD)',
    workdays: 'Working days (YYYY-MM-DD)',
  },
  options: {
    days: { mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun' },
    priority: { normal: 'normal', high: 'high' },
    region: { cn: 'mainland China', none: 'none' },
  },
};

export type FlowsWords = typeof zh;

export const FLOWS_WORDS: Record<FlowsLang, FlowsWords> = { 'zh-CN': zh, en };

/** The words for the console's language (zh-CN unless the browser chose en). */
export function flowsWords(lang: string | undefined): FlowsWords {
  return lang === 'en' ? en : zh;
}
