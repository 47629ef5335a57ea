import { searchProblemText, type SearchFields, type SearchProblem } from '../../bots/ticket-search.js';
import { TicketStatus } from '../../flows/ticket.js';
import { ZH_CODES } from './words-codes.js';

/**
 * The console's words for what is wrong with a form's input. The checks are the CLI's and Slack's
 * (bots/ticket-search.ts), which return each problem as data; they say it in English with the
 * field as typed there (`--from`, `from:`), the console in its language with the field as its form
 * labels it.
 */
export interface ProblemWords {
  /** A ticket search that cannot be run; `name` is the search form's label of a field. */
  search: (p: SearchProblem, name: (field: keyof SearchFields) => string) => string;
}

export const ZH_PROBLEMS: ProblemWords = {
  search: (p, name) => {
    switch (p.kind) {
      case 'empty':
        return `${name(p.field)}不能为空。`;
      case 'status': {
        const allowed = TicketStatus.options.map((s) => `${ZH_CODES.statuses[s]}（${s}）`).join('、');
        return `${name('status')}只能是：${allowed}；收到的是“${p.got}”。`;
      }
      case 'date':
        return `${name(p.field)}须为日期（YYYY-MM-DD，按 ${p.timeZone} 时间）或带时区的时间，如 2026-11-30T09:00:00+08:00；收到的是“${p.got}”。`;
      case 'order':
        return `${name('from')}不能晚于${name('to')}（收到的是 ${p.from} 和 ${p.to}）。`;
      case 'limit':
        return `${name('limit')}须为 1 到 ${p.max} 之间的整数；收到的是“${p.got}”。`;
    }
  },
};

export const EN_PROBLEMS: ProblemWords = {
  search: (p, name) => `${searchProblemText(p, name)}.`,
};
