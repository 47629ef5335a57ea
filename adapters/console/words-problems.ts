import type { PeriodProblem } from '../../bots/report/cli.js';
import { searchProblemText, type SearchFields, type SearchProblem } from '../../bots/ticket-search.js';
import { TicketStatus } from '../../flows/ticket.js';
import { ZH_CODES } from './words-codes.js';

/**
 * The console's words for what is wrong with a form's input. The checks are the CLI's and Slack's
 * (bots/ticket-search.ts, bots/report/cli.ts), which return each problem as data; they say it in
 * English with the field as typed there (`--from`, `from:`), the console in its language with the
 * field as its form labels it.
 */
export interface ProblemWords {
  /** A ticket search that cannot be run; `name` is the search form's label of a field. */
  search: (p: SearchProblem, name: (field: keyof SearchFields) => string) => string;
  /** A report's period that cannot be read (the Reports form: a month, or a range of dates). */
  period: (p: PeriodProblem) => string;
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
  period: (p) => {
    const name = { from: '起始日期', to: '截止日期' };
    switch (p.kind) {
      case 'month-and-range':
        return '请填写月份或起止日期，不要同时填写。';
      case 'half-range':
        return '起始日期和截止日期须同时填写（含截止日期当天）。';
      case 'month':
        return `月份须为 YYYY-MM，如 2026-11；收到的是“${p.got}”。`;
      case 'date':
        return `${name[p.field]}须为日期 YYYY-MM-DD；收到的是“${p.got}”。`;
      case 'order':
        return `截止日期（${p.to}）早于起始日期（${p.from}）。`;
    }
  },
};

export const EN_PROBLEMS: ProblemWords = {
  search: (p, name) => `${searchProblemText(p, name)}.`,
  period: (p) => {
    const name = { from: 'From', to: 'To' };
    switch (p.kind) {
      case 'month-and-range':
        return 'Give a month or a range of dates, not both.';
      case 'half-range':
        return 'Give both From and To (To is included).';
      case 'month':
        return `Month must be YYYY-MM, e.g. 2026-11 (got "${p.got}").`;
      case 'date':
        return `${name[p.field]} must be a date YYYY-MM-DD (got "${p.got}").`;
      case 'order':
        return `To (${p.to}) is before From (${p.from}).`;
    }
  },
};
