import type { Count, Durations, Figure, Report, Section, Share } from './report.js';

/**
 * The report's figures flat, in report order (`Report.figures`): one per number a reader sees,
 * with what it rests on and its check. Ids are stable and English (the CSV's `figure` column);
 * breakdown rows are `<figure>.<key>` (`matters.type.inquiry`, `csat.agent.U123`).
 */
export function figuresOf(r: Omit<Report, 'figures'>): Figure[] {
  const out: Figure[] = [];
  const count = (section: Section, id: string, n: number) =>
    out.push({ section, id, unit: 'count', value: n, count: String(n) });
  const counts = (section: Section, id: string, list: readonly Count[]) =>
    list.forEach((c) => count(section, `${id}.${c.key || 'none'}`, c.count));
  const rate = (section: Section, id: string, s: Share) =>
    out.push({
      section,
      id,
      unit: 'share',
      value: s.value,
      count: `${s.numerator}/${s.denominator}`,
      ...(s.check ? { check: s.check } : {}),
    });
  // A timed figure with a target: its average and p90, and the waits that never ended (counted as over it).
  const times = (section: Section, id: string, d: Durations) => {
    const n = String(d.count);
    const open = d.checks ? { unanswered: d.unanswered } : {};
    out.push({
      section,
      id: `${id}.avg`,
      unit: 'ms',
      value: d.averageMs,
      count: n,
      ...open,
      ...check(d.checks?.average),
    });
    out.push({ section, id: `${id}.p90`, unit: 'ms', value: d.p90Ms, count: n, ...open, ...check(d.checks?.p90) });
    if (d.checks) count(section, `${id}.unanswered`, d.unanswered);
  };

  count('volume', 'conversations', r.volume.conversations);
  count('volume', 'matters', r.volume.matters);
  counts('volume', 'matters.type', r.volume.byType);
  counts('volume', 'matters.category', r.volume.byCategory);
  counts('volume', 'matters.locale', r.volume.byLocale);
  counts('volume', 'matters.channel', r.volume.byChannel);

  rate('bot', 'resolved_without_person', r.bot.resolvedWithoutPerson);
  rate('bot', 'with_person', r.bot.withPerson);
  rate('bot', 'handoff', r.bot.handoff);
  counts('bot', 'handoff.reason', r.bot.handoffReasons);
  count('bot', 'handoff.after_hours', r.bot.handoffsAfterHours);
  count('bot', 'unanswered', r.bot.unansweredAskings);

  times('speed', 'bot_first_response', r.speed.botFirstResponse);
  times('speed', 'person_first_response', r.speed.personFirstResponse);
  count('speed', 'person_never_replied', r.speed.personNeverReplied);
  times('speed', 'claim_wait', r.speed.claimWait);
  rate('speed', 'claim_sla_breaches', r.speed.claimSlaBreaches);

  rate('outcome', 'resolution', r.outcome.resolution);
  rate('outcome', 'first_contact_resolution', r.outcome.firstContactResolution);
  count('outcome', 'promises.kept', r.outcome.promisesKept);
  count('outcome', 'promises.broken', r.outcome.promisesBroken);
  count('outcome', 'promises.unrecorded', r.outcome.promisesUnrecorded);
  rate('outcome', 'promises.kept_rate', r.outcome.promiseKeptRate);
  count('outcome', 'escalated_matters', r.outcome.escalatedMatters);
  counts('outcome', 'escalations', r.outcome.escalations);
  rate('outcome', 'survey_within_24h', r.outcome.surveyWithin24h);

  rate('satisfaction', 'survey_response', r.satisfaction.responseRate);
  rate('satisfaction', 'csat', r.satisfaction.csat);
  counts('satisfaction', 'scores', r.satisfaction.scores);
  for (const g of r.satisfaction.byAgent) rate('satisfaction', `csat.agent.${g.key || 'bot'}`, g.csat);
  for (const g of r.satisfaction.byCategory) rate('satisfaction', `csat.category.${g.key}`, g.csat);
  count('satisfaction', 'feedback.comments', r.satisfaction.feedback.comments);
  count('satisfaction', 'feedback.suggestions', r.satisfaction.feedback.suggestions);
  for (const v of r.byFlowVersion) {
    const id = `flow_version.${v.label || 'unknown'}`;
    count('bot', `${id}.matters`, v.matters);
    rate('bot', `${id}.resolved_without_person`, v.resolvedWithoutPerson);
    rate('bot', `${id}.csat`, v.csat);
  }
  return out;
}

/** The checked figures of the targets section: not the per-agent, per-category or per-version rows. */
export const headlineChecks = (r: Pick<Report, 'figures'>): Figure[] =>
  r.figures.filter((f) => f.check && !/^(csat\.(agent|category)|flow_version)\./.test(f.id));

const check = (c: Figure['check']) => (c ? { check: c } : {});
