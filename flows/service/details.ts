import { extractFacts } from '../facts.js';
import type { Understanding } from '../match.js';
import type { ChoiceId } from '../schema.js';
import { quoted } from '../text.js';
import {
  collect,
  effect,
  fileOf,
  say,
  textOf,
  understood,
  type MachineDeps,
  type ServiceContext,
  type ServiceEvent,
} from './setup.js';

/**
 * What the customer adds to a matter already recorded (000 三.(一)3 记录 and 4 跟进: the person who
 * follows a matter up must have everything the customer said about it; 003: the customer never
 * repeats themselves). Found by the issue-17 trials: an order number sent after 请把订单号告诉我们,
 * or details sent after the desk closed on a waiting customer, were restated as a new need and
 * became a second ticket with a second promise, while the matter they belonged to lacked them.
 *
 * - An order number (facts.order) with no question of its own, while a matter is pending: added to
 *   that matter's ticket and posted in its card's thread; the customer is told it is there.
 * - An order number right after the knowledge base answered (the answer asked for it: 加急处理,
 *   联系快递核实): the answered matter needs a person now, so it is recorded as a follow-up with the
 *   number and a promised reply time.
 * - Other words right after a pending matter was recorded (no question the knowledge base knows,
 *   no request): the bot asks whether they add to that matter (需求确认 as 003 asks it) before
 *   taking them as a new need; a photo then goes on that matter's ticket.
 */

const YES_NO: ChoiceId[] = ['yes', 'no'];

/** Words that say something and ask nothing the bot knows: no known topic, intent, score, complaint, policy or request. */
function plain(u: Understanding | undefined): boolean {
  return (
    u !== undefined &&
    !u.faq?.confident &&
    u.whole === undefined &&
    u.rating === undefined &&
    !u.complaint.triggered &&
    !u.wantsPerson &&
    u.policy === undefined &&
    !u.empty
  );
}

/** The matter pending most recently recorded, that added details go to. */
const pendingMatter = (context: ServiceContext) => context.followUps?.at(-1)?.ticketId;

/** The last matter of this session is pending: it was just recorded with a promised reply time. */
const justPromised = (context: ServiceContext) => {
  const last = context.sessionTickets.at(-1);
  return last !== undefined && (context.followUps ?? []).some((f) => f.ticketId === last);
};

/** The actions and guards of added details, for the standard conversation's setup. */
export function detailActions(deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  const orderIn = (context: ServiceContext, text: string) =>
    extractFacts(defOf(context).complaints, text, context.locale).order;
  /** Puts `detail` (words or a file) on the pending matter's ticket and in its card's thread, and says so. */
  const addToPending = collect(({ context, event, enqueue }, params: { held: boolean }) => {
    const ticketId = pendingMatter(context);
    if (!ticketId) return;
    const file = params.held ? undefined : fileOf(event);
    const text = params.held ? (context.detail ?? '') : file ? '' : textOf(event);
    const changes = file ? { addFiles: [file] } : { addFacts: [text] };
    enqueue(effect({ type: 'ticket.update', id: ticketId, changes, at: event.at }));
    if (deps.desk && file) enqueue(effect({ type: 'desk.file', file, ticketId }));
    else if (deps.desk) enqueue(effect({ type: 'desk.post', text: quoted(text), from: 'customer', ticketId }));
    enqueue(say('detailAdded', { vars: { ticket: ticketId } }));
    enqueue.assign({ detail: undefined });
  });
  return {
    actions: {
      addDetail: addToPending,
      holdDetail: collect(({ event, enqueue }) => enqueue.assign({ detail: textOf(event) })),
      // 不是: the words are a new need after all, restated as any other.
      takeDetailAsNeed: collect(({ context, enqueue }) =>
        enqueue.assign({ need: context.detail, faqId: undefined, detail: undefined }),
      ),
      sayConfirmDetail: collect(({ context, enqueue }) => {
        const ticket = pendingMatter(context) ?? '';
        enqueue(say('confirmDetail', { vars: { ticket, need: quoted(context.detail ?? '') }, choices: YES_NO }));
      }),
    },
    guards: {
      givesOrderForAnswered: ({ context, event }: GuardArgs) =>
        context.answered === true && plain(understood(event)) && orderIn(context, textOf(event)) !== undefined,
      givesOrderForPending: ({ context, event }: GuardArgs) =>
        pendingMatter(context) !== undefined &&
        plain(understood(event)) &&
        orderIn(context, textOf(event)) !== undefined,
      mayAddToPending: ({ context, event }: GuardArgs) => justPromised(context) && plain(understood(event)),
      sendsFileForPending: ({ context, event }: GuardArgs) => justPromised(context) && fileOf(event) !== undefined,
    },
  };
}
type GuardArgs = { context: ServiceContext; event: ServiceEvent };

/** The transitions that take an order number for a matter: the one just answered, else the pending one. */
const orderDetails = [
  {
    guard: 'givesOrderForAnswered',
    target: '#conversation.service.askMore',
    actions: { type: 'recordFollowUp', params: { detail: true } },
  },
  {
    guard: 'givesOrderForPending',
    target: '#conversation.service.askMore',
    reenter: true,
    actions: { type: 'addDetail', params: { held: false } },
  },
] as const;

/** After "what can I do for you?": an order number is still taken for its matter. */
export const detailsWhenAsked = orderDetails;

/** After "anything else?": other words right after a promise are asked about, not taken as a new need. */
export const detailsAfterMatter = [
  ...orderDetails,
  { guard: 'mayAddToPending', target: '#conversation.service.confirmingDetail', actions: 'holdDetail' },
] as const;
