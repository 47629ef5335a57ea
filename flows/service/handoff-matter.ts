import { extractFacts, saysAnyOf } from '../facts.js';
import type { HandoffReason } from '../contracts.js';
import type { FlowDefinition } from '../schema.js';
import { textOf, type FollowUp, type ServiceContext, type ServiceEvent } from './setup.js';

/**
 * Which matter a request for a person is about (handoff.ts): one of its own, or the one already on
 * record, so that one matter has one ticket and one promise (found by the issue-17 trials).
 */

/** The request for a person says something of its own besides (Understanding.ownWords: 坏了，转人工). */
export const ownWordsOf = (event: ServiceEvent) =>
  event.type === 'user.message' && event.understanding.ownWords === true;

/**
 * The matter a request for a person takes over instead of recording it a second time (found by the
 * issue-17 trials: 转人工 after an order number was promised a follow-up opened a second ticket, and
 * the first, left pending, was later reported overdue and escalated although an agent had settled
 * the customer's matter): when the request names no matter of its own (nothing but ways of asking,
 * or an order number: 转人工，订单号…, or where it stands: 进度怎么样了, or the matter's own words:
 * 还是没发货 for 我的订单还没发货; the verification trial found 耳机坏了，转人工 and 发票怎么开，转人工
 * closing a pending complaint with the other matter's outcome), the latest matter waiting for
 * people that nobody has claimed, of this session or one whose status the customer was told (its
 * ticket and promise); else the answer just given, which did not help. Undefined: the handoff
 * records a ticket of its own.
 */
export function matterUnderWay(
  context: ServiceContext,
  event: ServiceEvent,
  def: FlowDefinition,
): Pick<FollowUp, 'ticketId' | 'type' | 'facts' | 'need' | 'needUnstated'> | undefined {
  const ofSession = (id: string) => context.sessionTickets.includes(id) || context.statusTold === true;
  const pending = context.followUps?.filter((f) => !f.agent && ofSession(f.ticketId)).at(-1);
  const answered = context.answered === true ? context.sessionTickets.at(-1) : undefined;
  const matter =
    pending ?? (answered ? { ticketId: answered, type: 'inquiry' as const, need: context.need } : undefined);
  if (!matter || !ownWordsOf(event)) return matter;
  // Words of its own that are still this matter: an order number alone, where it stands (进度怎么样了),
  // or the same words (还是没发货 for 我的订单还没发货; found by the final trial of the day).
  const text = textOf(event);
  const same =
    onlyAnOrderNumber(def, text, context.locale) ||
    saysAnyOf(def.followUp.statusWords, text) ||
    sharesWords(text, matter.need ?? '');
  return same ? matter : undefined;
}

/** Words that give an order number and tell nothing else of a matter (转人工，订单号…). */
function onlyAnOrderNumber(def: FlowDefinition, text: string, locale: string): boolean {
  const { order, what } = extractFacts(def.complaints, text, locale);
  return order !== undefined && what === undefined;
}

/**
 * A request for a person that says nothing of the matter (转人工, or with an order number alone:
 * 转人工，订单号…; found by the issue-17 trial: the number was the need for good), with no matter
 * under way: the first words that tell it become its need (HandoffState.needUnstated).
 */
export function unstatedNeed(
  context: ServiceContext,
  event: ServiceEvent,
  def: FlowDefinition,
  reason: HandoffReason,
  matter: Pick<FollowUp, 'need' | 'needUnstated'> | undefined,
): { needUnstated?: boolean } {
  // Taking over a request still undescribed (转人工 after hours, 转人工 again the next day): still so.
  if (matter?.needUnstated) return { needUnstated: true };
  if (reason !== 'asked' || context.complaint || matter?.need) return {};
  if (ownWordsOf(event) && !onlyAnOrderNumber(def, textOf(event), context.locale)) return {};
  return { needUnstated: context.need === undefined && context.facts.length === 0 };
}

/**
 * Whether two short texts are about the same thing by their words: two Chinese character pairs in
 * common (没发, 发货), or a Latin word of four letters or more (parcel). Not 订单 alone: an order
 * can have many matters.
 */
function sharesWords(a: string, b: string): boolean {
  const pairs = (t: string) => {
    const han = [...t.normalize('NFKC')].filter((c) => /\p{Script=Han}/u.test(c));
    return new Set(han.slice(1).map((c, i) => `${han[i]}${c}`));
  };
  const words = (t: string) => new Set(t.toLowerCase().match(/[a-z]{4,}/g) ?? []);
  const [pa, pb, wa, wb] = [pairs(a), pairs(b), words(a), words(b)];
  return [...pa].filter((p) => pb.has(p)).length >= 2 || [...wa].some((w) => wb.has(w));
}
