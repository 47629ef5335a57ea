import type { FlowDefinition } from '../schema.js';
import { newTicket, recordTicket, withTicket } from './records.js';
import { keepFile } from '../files.js';
import {
  effect,
  fileOf,
  statedNeed,
  understood,
  type Enqueue,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * The knowledge-base topics of the need being confirmed, as one list in the conversation's
 * language (了解可以使用的付款方式和修改收货地址; know X and change Y): the need's entry and those of
 * the other questions its message asked (ServiceContext.alsoAsked). Undefined when the need has no
 * entry (it is restated in the customer's words).
 */
export function topicsAsked(def: FlowDefinition, context: ServiceContext): string | undefined {
  const entry = def.faq.find((f) => f.id === context.faqId);
  if (!entry) return undefined;
  const others = (context.alsoAsked ?? []).flatMap((a) => def.faq.find((f) => f.id === a.faqId)?.topic ?? []);
  return new Intl.ListFormat(context.locale, { type: 'conjunction' }).format([entry.topic, ...others]);
}

/**
 * The confirmed need answered from the knowledge base, with the other questions its message
 * asked: every answer in the order asked, each question a matter of its own (`answered`); the
 * need's own is recorded last, as the one a later detail (an order number its answer asked for)
 * is about.
 */
export function recordAnswers(enqueue: Enqueue, deps: MachineDeps, context: ServiceContext, at: number): void {
  const first = { text: context.need ?? '', faqId: context.faqId ?? '' };
  const others = context.alsoAsked ?? [];
  for (const { faqId } of [first, ...others]) enqueue(effect({ type: 'answer', faqId }));
  const more: Partial<ServiceContext> = { facts: [], failures: 0, answered: true, alsoAsked: undefined };
  recordAnswered(enqueue, deps, context, at, [...others, first], more, first);
}

/**
 * Questions asked while a complaint was told (ComplaintState.asked: 耳机坏了，能换货吗？另外发票怎么开),
 * answered once it is settled, in the order asked, each a matter of its own (`answered`). The need
 * the complaint interrupted, if any, is left as it was: it is taken up again after.
 */
export function answerAsked(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  at: number,
  asked: ReadonlyArray<{ text: string; faqId: string }>,
): void {
  for (const { faqId } of asked) enqueue(effect({ type: 'answer', faqId }));
  recordAnswered(enqueue, deps, context, at, asked, {});
}

/**
 * Each question a ticket `answered` from its entry, the conversation then as `more` says; `main`'s
 * facts are the conversation's, the others' their own words.
 */
function recordAnswered(
  enqueue: Enqueue,
  deps: MachineDeps,
  context: ServiceContext,
  at: number,
  asked: ReadonlyArray<{ text: string; faqId: string }>,
  more: Partial<ServiceContext>,
  main?: { text: string; faqId: string },
): void {
  let c = context;
  for (const question of asked) {
    const facts = question === main ? context.facts : [question.text];
    const ticket = newTicket(deps, { ...c, facts }, at, {
      type: 'inquiry',
      status: 'answered',
      need: question.text,
      faqId: question.faqId,
      outcome: `answered from the knowledge base (${question.faqId})`,
    });
    recordTicket(enqueue, c, ticket, { more });
    c = { ...c, seq: c.seq + 1, sessionTickets: withTicket(c.sessionTickets, ticket.id) };
  }
}

/**
 * The need a message states, as the conversation keeps it (statedNeed): its words, its
 * knowledge-base entry when confident, the other questions it asked, its photo. `again`: said
 * while a restatement waited; the same entry as the one restated is then restated in the
 * customer's words (`inWords`).
 */
export function capturedNeed(context: ServiceContext, event: ServiceEvent, again: boolean): Partial<ServiceContext> {
  const { text, understanding } = statedNeed(event);
  // Several questions: the first is the need, the others are confirmed and answered with it (its entry
  // is its own, not that of the words after a thanks: 谢谢，另外怎么付款？还有能改地址吗).
  const asked = understood(event)?.asked;
  const faqId = asked?.[0]?.faqId ?? (understanding?.faq?.confident ? understanding.faq.id : undefined);
  return {
    need: asked?.[0]?.text ?? text,
    faqId,
    alsoAsked: asked?.slice(1),
    inWords: again && faqId !== undefined && faqId === context.faqId ? true : undefined,
    // A photo whose caption states the need goes with the matter.
    files: keepFile(context.files, fileOf(event)),
    // Words held for another matter are no longer the question.
    detail: undefined,
  };
}
