import type { TicketStatus } from '../../flows/ticket.js';

/** The desk's words for the ticket search (`/tickets`), in each desk language. */

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

export const SEARCH_EN: SearchText = {
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
};

export const SEARCH_ZH: SearchText = {
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
};
