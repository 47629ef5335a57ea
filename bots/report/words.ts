import type { SupportedLocale } from '../../flows/locales.js';

/**
 * The report's words in each desk language (`DESK_LANGUAGE`, else `DEFAULT_LOCALE`, as the desk
 * chooses: bots/config.ts, adapters/desk/text.ts). Handoff reasons and types read as on the desk.
 */
export interface ReportWords {
  title: string;
  /** "2026-11-01 to 2026-11-30", the period's local dates. */
  range: (from: string, to: string) => string;
  generated: string;
  sections: { volume: string; bot: string; speed: string; outcome: string; satisfaction: string; targets: string };
  labels: {
    conversations: string;
    matters: string;
    byType: string;
    byCategory: string;
    byLocale: string;
    byChannel: string;
    withoutPerson: string;
    withPerson: string;
    byFlowVersion: string;
    versionUnknown: string;
    handoff: string;
    reasons: string;
    afterHours: string;
    unanswered: string;
    botFirstResponse: string;
    personFirstResponse: string;
    neverReplied: string;
    /** A timed figure's waits that never ended (no reply, never claimed), counted as over the target. */
    unansweredWaits: string;
    claimWait: string;
    claimSlaBreaches: (seconds: number) => string;
    resolution: string;
    fcr: string;
    promises: string;
    kept: string;
    broken: string;
    /** Promises the record had no verdict on, judged by their time (compute.ts unrecordedPromise). */
    unrecorded: string;
    escalated: string;
    surveyWithin24h: string;
    responseRate: string;
    csat: string;
    scores: string;
    byAgent: string;
    byCategoryCsat: string;
    /** 每月汇总用户反馈: the comments with a score below 4 and the suggestions (feedback.ts). */
    feedback: string;
    feedbackCounts: (comments: number, suggestions: number) => string;
    /** The comments given with a score below 4, as a figure's label. */
    feedbackComments: string;
  };
  types: Record<'inquiry' | 'complaint' | 'suggestion', string>;
  reasons: Record<string, string>;
  escalations: Record<string, string>;
  bot: string;
  none: string;
  average: string;
  count: (n: number) => string;
  times: (n: number) => string;
  /** Units of a duration. */
  seconds: string;
  minutes: string;
  hours: string;
  target: string;
  met: string;
  missed: string;
  noData: string;
  /** After a timed figure's count: how many waits never ended, counted as over the target. */
  unansweredNote: (n: number) => string;
  list: string;
  semicolon: string;
  colon: string;
  open: string;
  close: string;
  /** The HTML report's own words (bots/report/html.ts): table headings, chart titles and series. */
  html: {
    /** "2 of 6 targets met": of those with data (`checked`); none with data says so. */
    summary: (met: number, checked: number) => string;
    summaryNone: string;
    columns: {
      figure: string;
      value: string;
      basis: string;
      target: string;
      status: string;
      source: string;
      count: string;
      language: string;
      question: string;
      date: string;
      ticket: string;
      /** A comment's score, or the word for a suggestion. */
      score: string;
      said: string;
    };
    charts: {
      byType: string;
      byCategory: string;
      botVsPerson: string;
      reasons: string;
      /** A duration figure against its target: "机器人首次响应与目标". */
      speed: (figure: string) => string;
      rates: string;
      scores: string;
      csatByAgent: string;
      csatByCategory: string;
    };
    series: { byBot: string; byPerson: string; other: string; count: string; share: string };
    /** In place of a chart with nothing to draw. */
    noChart: string;
  };
}

const ZH: ReportWords = {
  title: '服务质量报告',
  range: (from, to) => `${from} 至 ${to}`,
  generated: '生成时间',
  sections: {
    volume: '一、服务量',
    bot: '二、智能客服',
    speed: '三、响应速度',
    outcome: '四、处理结果',
    satisfaction: '五、满意度',
    targets: '六、目标核对',
  },
  labels: {
    conversations: '会话数',
    matters: '问题记录',
    byType: '按类型',
    byCategory: '投诉按类别',
    byLocale: '按语言',
    byChannel: '按渠道',
    withoutPerson: '无需人工解决',
    withPerson: '有人工参与',
    byFlowVersion: '按流程版本',
    versionUnknown: '未记录版本',
    handoff: '转人工',
    reasons: '原因',
    afterHours: '其中非工作时间',
    unanswered: '知识库未能回答的问题',
    botFirstResponse: '机器人首次响应',
    personFirstResponse: '人工首次响应（工作时间）',
    neverReplied: '转人工后无人工回复',
    unansweredWaits: '始终无应答（按超时计）',
    claimWait: '排队等待接入',
    claimSlaBreaches: (s) => `超过 ${s} 秒未接入`,
    resolution: '问题解决率',
    fcr: '一次性解决率',
    promises: '承诺回复',
    kept: '按时',
    broken: '超时',
    unrecorded: '其中无记录、按承诺时间判断',
    escalated: '升级',
    surveyWithin24h: '24小时内回访',
    responseRate: '评价率',
    csat: '满意度（4–5分）',
    scores: '评分分布',
    byAgent: '按客服',
    byCategoryCsat: '按类别',
    feedback: '客户反馈（不满意评价与建议）',
    feedbackCounts: (comments, suggestions) => `不满意评价 ${comments} 条，建议 ${suggestions} 条`,
    feedbackComments: '不满意评价（1–3 分）',
  },
  types: { inquiry: '咨询', complaint: '投诉', suggestion: '建议' },
  reasons: { asked: '客户要求人工服务', failures: '机器人无法解答', complaint: '投诉', 'not-helped': '答复没有帮助' },
  escalations: {
    supervisor: '客户要求主管',
    asked: '客户要求人工服务',
    'still-angry': '客户情绪未平复',
    'always-human': '须人工处理的类别',
    'promise-overdue': '承诺时间已过',
    'working-days': '超过规定工作日未解决',
    'upset-waiting': '客户排队等待中投诉',
    'complained-live': '客户在人工接待中投诉',
  },
  bot: '机器人',
  none: '（无）',
  average: '平均',
  count: (n) => `${n} 个`,
  times: (n) => `${n} 次`,
  seconds: '秒',
  minutes: '分钟',
  hours: '小时',
  target: '目标',
  met: '✓ 达标',
  missed: '✗ 未达标',
  noData: '无数据',
  unansweredNote: (n) => `${n} 个始终无应答，按超时计`,
  list: '，',
  semicolon: '；',
  colon: '：',
  open: '（',
  close: '）',
  html: {
    summary: (met, checked) => `${checked} 项目标中 ${met} 项达标`,
    summaryNone: '本期没有数据，无法衡量任何目标',
    columns: {
      figure: '指标',
      value: '数值',
      basis: '计数',
      target: '目标',
      status: '结果',
      source: '依据',
      count: '次数',
      language: '语言',
      question: '问题',
      date: '日期',
      ticket: '工单',
      score: '评分',
      said: '客户原话',
    },
    charts: {
      byType: '问题记录按类型',
      byCategory: '投诉按类别',
      botVsPerson: '机器人与人工',
      reasons: '转人工原因',
      speed: (figure) => `${figure}与目标`,
      rates: '处理结果与目标',
      scores: '评分分布',
      csatByAgent: '各客服满意度与目标',
      csatByCategory: '各类别满意度与目标',
    },
    series: {
      byBot: '机器人解决',
      byPerson: '有人工参与',
      other: '未解决（无人工参与）',
      count: '数量',
      share: '比例',
    },
    noChart: '本期无数据',
  },
};

const EN: ReportWords = {
  title: 'Service-quality report',
  range: (from, to) => `${from} to ${to}`,
  generated: 'generated',
  sections: {
    volume: '1. Volume',
    bot: '2. The bot',
    speed: '3. Speed',
    outcome: '4. Outcome',
    satisfaction: '5. Satisfaction',
    targets: '6. Targets',
  },
  labels: {
    conversations: 'Conversations',
    matters: 'Matters',
    byType: 'by type',
    byCategory: 'complaints by category',
    byLocale: 'by language',
    byChannel: 'by channel',
    withoutPerson: 'Resolved without a person',
    withPerson: 'A person took part',
    byFlowVersion: 'By flow version',
    versionUnknown: 'version not recorded',
    handoff: 'Handed to a person',
    reasons: 'reasons',
    afterHours: 'of which after hours',
    unanswered: 'Questions the knowledge base could not answer',
    botFirstResponse: "Bot's first response",
    personFirstResponse: "A person's first response (business hours)",
    neverReplied: 'Handed off, no agent reply',
    unansweredWaits: 'never answered (counted as over the target)',
    claimWait: 'Queue wait until claimed',
    claimSlaBreaches: (s) => `Not claimed within ${s} s`,
    resolution: 'Resolution rate',
    fcr: 'First-contact resolution',
    promises: 'Promised replies',
    kept: 'kept',
    broken: 'broken',
    unrecorded: 'of which judged by their time (no record of either)',
    escalated: 'Escalated',
    surveyWithin24h: 'Follow-up survey within 24 h',
    responseRate: 'Survey response rate',
    csat: 'CSAT (scores 4–5)',
    scores: 'scores',
    byAgent: 'by agent',
    byCategoryCsat: 'by category',
    feedback: 'What customers said (comments with a score below 4, suggestions)',
    feedbackCounts: (comments, suggestions) =>
      `${comments} ${comments === 1 ? 'comment' : 'comments'}, ${suggestions} ${suggestions === 1 ? 'suggestion' : 'suggestions'}`,
    feedbackComments: 'comments with a score of 1–3',
  },
  types: { inquiry: 'inquiry', complaint: 'complaint', suggestion: 'suggestion' },
  reasons: {
    asked: 'the customer asked for a person',
    failures: 'the bot could not answer',
    complaint: 'complaint',
    'not-helped': 'the answer did not help',
  },
  escalations: {
    supervisor: 'asked for a supervisor',
    asked: 'asked for a person',
    'still-angry': 'still upset',
    'always-human': 'a category people handle',
    'promise-overdue': 'promised time passed',
    'working-days': 'unresolved after the working days allowed',
    'upset-waiting': 'complained while queued',
    'complained-live': 'complained to an agent',
  },
  bot: 'the bot',
  none: '(none)',
  average: 'average',
  count: (n) => `n = ${n}`,
  times: (n) => `${n}×`,
  seconds: 's',
  minutes: 'min',
  hours: 'h',
  target: 'target',
  met: '✓ met',
  missed: '✗ missed',
  noData: 'no data',
  unansweredNote: (n) => `${n} never answered, counted as over the target`,
  list: ', ',
  semicolon: '; ',
  colon: ': ',
  open: ' (',
  close: ')',
  html: {
    summary: (met, checked) => `${met} of ${checked} targets met`,
    summaryNone: 'No data in this period: no target could be measured',
    columns: {
      figure: 'Figure',
      value: 'Value',
      basis: 'Counts',
      target: 'Target',
      status: 'Status',
      source: 'Source',
      count: 'Times',
      language: 'Language',
      question: 'Question',
      date: 'Date',
      ticket: 'Ticket',
      score: 'Score',
      said: 'In their words',
    },
    charts: {
      byType: 'Matters by type',
      byCategory: 'Complaints by category',
      botVsPerson: 'The bot and a person',
      reasons: 'Why matters went to a person',
      speed: (figure) => `${figure} against its target`,
      rates: 'Outcome against targets',
      scores: 'Scores',
      csatByAgent: 'CSAT by agent against its target',
      csatByCategory: 'CSAT by category against its target',
    },
    series: {
      byBot: 'settled by the bot',
      byPerson: 'a person took part',
      other: 'unsettled, no person',
      count: 'count',
      share: 'share',
    },
    noChart: 'Nothing to draw for this period',
  },
};

export const REPORT_WORDS: Record<SupportedLocale, ReportWords> = { 'zh-CN': ZH, en: EN };
