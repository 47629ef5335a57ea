import { and, not } from 'xstate';
import { extractFacts } from '../facts.js';
import type { ChoiceId } from '../schema.js';
import { fileKey, keepFile } from '../files.js';
import { promiseVars } from '../hours.js';
import { asksSomething, quoted } from '../text.js';
import { keptStillOpen } from './states.js';
import { cardOf, filesOnNoTicket, followUp, promisedBy } from './records.js';
import { shortenRestated } from './restate.js';
import { plain } from './plain.js';
import {
  afterWaitOpening,
  pendingMatter,
  pendingRequestActions,
  pendingRequestGuards,
  wordsForPending,
} from './unstated-need.js';
import type { StandardSetup, StandardShared } from './standard.js';
import {
  collect,
  effect,
  fileOf,
  say,
  statedNeed,
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
 * - An order number alone (facts.order, no problem described) while a matter is pending: added to
 *   that matter's ticket and posted in its card's thread; the customer is told it is there.
 * - An order number right after a knowledge-base answer that asks for it (`asksForOrder`: 加急处理,
 *   联系快递核实, 修改抬头): alone, the answered matter needs a person now: its ticket becomes a
 *   follow-up with the number and a promised reply time; with more words on that topic (or none the
 *   knowledge base knows), the bot asks first, since a new problem may name an order too. Given with
 *   the need, or instead of 是的 while it is restated, it is taken with the answer; sent after the
 *   customer went quiet and the chat closed, within a day (`awaitingOrder`), it still reaches it.
 * - Other words right after a matter was recorded with a promise: the bot asks whether they add to
 *   that matter (需求确认 as 003 asks it) before taking them as a new need; more words are asked about
 *   together; a photo goes with the matter. Thanks, goodbyes, agreement and questions are none of this.
 */

const YES_NO: ChoiceId[] = ['yes', 'no'];

/** How long after the customer went quiet an order number still reaches the answered matter that asked for it: a day. */
export const AWAITED_ORDER_MS = 24 * 60 * 60_000;

/** The last matter of this session is pending: it was just recorded with a promised reply time. */
const justPromised = (context: ServiceContext) => {
  const last = context.sessionTickets.at(-1);
  return last !== undefined && (context.followUps ?? []).some((f) => f.ticketId === last);
};

/** The matter words are held for: the answered one they would make a follow-up, else the pending one. */
const heldFor = (context: ServiceContext) =>
  context.detail?.answered ? context.sessionTickets.at(-1) : pendingMatter(context);

/** What the details' actions and guards read of a message and of the conversation. */
function detailReading(deps: MachineDeps) {
  const defOf = (context: ServiceContext) => deps.definitions(context.locale);
  // An order number has a digit: words without one are read no further (most messages; a step is hot).
  const factsOf = (context: ServiceContext, text: string) =>
    /\p{Nd}/u.test(text) ? extractFacts(defOf(context).complaints, text, context.locale) : {};
  /**
   * The order number a message gives, when that is all it says: no problem of its own described
   * (订单20261120002少发了一个配件 is a new matter, not a detail of the pending one; found by the trial).
   */
  const bareOrder = (context: ServiceContext, event: ServiceEvent) => {
    if (!plain(understood(event), textOf(event))) return undefined;
    const facts = factsOf(context, textOf(event));
    return facts.what === undefined ? facts.order : undefined;
  };
  /** The entry answered asks for the order number (`asksForOrder`). */
  const asksForOrder = (context: ServiceContext) =>
    defOf(context).faq.find((f) => f.id === context.faqId)?.asksForOrder === true;
  /**
   * An order number with words about the answered entry's own topic, or about nothing the knowledge
   * base knows (订单号…，物流三天没更新了 after the tracking answer): maybe the same matter.
   */
  const orderOnTopic = (context: ServiceContext, event: ServiceEvent) => {
    const u = understood(event);
    if (!u || u.whole !== undefined || u.complaint.triggered || u.wantsPerson || u.empty || u.rating !== undefined)
      return false;
    const onTopic = !u.faq?.confident || u.faq.id === context.faqId;
    return onTopic && factsOf(context, textOf(event)).order !== undefined;
  };
  /** The session's files no ticket has yet, this message's with them; and the session's files after it. */
  const newFiles = (context: ServiceContext, event: ServiceEvent) => {
    const kept = keepFile(context.files, fileOf(event));
    return { files: filesOnNoTicket({ files: kept, filesOnTickets: context.filesOnTickets }), kept };
  };
  return { defOf, factsOf, bareOrder, asksForOrder, orderOnTopic, newFiles };
}
type DetailReading = ReturnType<typeof detailReading>;

/** The actions and guards of added details, for the standard conversation's setup. */
export function detailActions(deps: MachineDeps) {
  const reading = detailReading(deps);
  const { defOf, factsOf, newFiles } = reading;
  /**
   * Puts what the customer added on the pending matter's ticket and in its card's thread, and says so (unless `quiet`:
   * the customer moved on without answering): the words held for confirmation and/or this message's (`from`), and the
   * files of the session no ticket has yet. After a bare request for a person the words are its need (wordsForPending).
   */
  const addToPending = collect(
    ({ context, event, enqueue }, params: { from: 'message' | 'held' | 'both'; quiet?: boolean }) => {
      const ticketId = pendingMatter(context) ?? context.followUps?.at(-1)?.ticketId;
      if (!ticketId) return;
      const held = params.from !== 'message' && context.detail ? [context.detail.text] : [];
      const message = params.from !== 'held' && event.type === 'user.message';
      // The agent reads the words as written; the ticket takes them without a question about the wait.
      const texts = [...held, ...(message ? [textOf(event)] : [])];
      const told = [...held, ...(message ? [afterWaitOpening(event)] : [])];
      const { files, kept } = params.quiet ? { files: [], kept: context.files ?? [] } : newFiles(context, event);
      const { changes: words, followUps } = wordsForPending(context, ticketId, told, defOf(context).complaints);
      const changes = { ...words, ...(files.length ? { addFiles: files } : {}) };
      enqueue(effect({ type: 'ticket.update', id: ticketId, changes, at: event.at }));
      if (deps.desk && changes.need) enqueue(effect({ type: 'desk.need', need: changes.need, ticketId }));
      if (deps.desk) {
        for (const text of texts)
          enqueue(effect({ type: 'desk.post', text: quoted(text), from: 'customer', ticketId }));
        for (const { caption: _caption, ...file } of files) enqueue(effect({ type: 'desk.file', file, ticketId }));
      }
      if (!params.quiet) enqueue(say('detailAdded', { vars: { ticket: ticketId } }));
      enqueue.assign({ detail: undefined, files: kept, filesOnTickets: kept.map(fileKey), followUps });
    },
  );
  return {
    actions: {
      addDetail: addToPending,
      ...pendingRequestActions,
      // The words after a social opening (谢谢，另外…: answered by answerLead), and a photo sent with them;
      // `answered`: held for the answered matter (its follow-up), not a pending one.
      holdDetail: collect(({ context, event, enqueue }, params: { answered: boolean } | undefined) =>
        enqueue.assign({
          detail: { text: statedNeed(event).text, ...(params?.answered ? { answered: true as const } : {}) },
          files: keepFile(context.files, fileOf(event)),
        }),
      ),
      // More words while the bot asks about the first (是寄到日本东京, 大概两公斤重): asked about together.
      holdMoreDetail: collect(({ context, event, enqueue }) => {
        const more = statedNeed(event).text;
        const separator = defOf(context).complaints.facts.detailSeparator;
        const text = context.detail ? `${context.detail.text}${separator}${more}` : more;
        enqueue.assign({ detail: { ...context.detail, text }, files: keepFile(context.files, fileOf(event)) });
      }),
      dropDetail: collect(({ enqueue }) => enqueue.assign({ detail: undefined })),
      // Gone quiet after an answer that asked for the order number: the matter is kept for it.
      rememberAwaitingOrder: collect(({ context, event, enqueue }) => {
        const ticketId = context.sessionTickets.at(-1);
        if (context.answered !== true || !reading.asksForOrder(context) || !ticketId || !context.faqId) return;
        const matter = { ticketId, need: context.need ?? '', faqId: context.faqId, at: event.at, seq: context.seq };
        enqueue.assign({ awaitingOrder: matter });
      }),
      // The number came after all: the matter is the conversation's again, and the number is taken for it.
      resumeAwaitedMatter: collect(({ context, enqueue }) => {
        const m = context.awaitingOrder;
        if (!m) return;
        const restored = { sessionTickets: [m.ticketId], need: m.need, faqId: m.faqId, answered: true as const };
        enqueue.assign({ ...restored, awaitingOrder: undefined });
      }),
      // 不是: the words are a new need after all, restated as any other.
      takeDetailAsNeed: collect(({ context, enqueue }) =>
        enqueue.assign({ need: context.detail?.text, faqId: undefined, detail: undefined }),
      ),
      // 订单号… instead of 是的 (after confirmNeed): the number is one of the need's facts, and kept for the answer.
      factFromDetail: collect(({ context, event, enqueue }) => {
        const text = statedNeed(event).text;
        enqueue.assign({ facts: [...context.facts, text].filter(Boolean).slice(-5), detail: { text } });
      }),
      sayConfirmDetail: collect(({ context, enqueue }) => {
        const ticket = heldFor(context) ?? '';
        const need = quoted(shortenRestated(context.detail?.text ?? ''));
        enqueue(say('confirmDetail', { vars: { ticket, need }, choices: YES_NO }));
      }),
      /**
       * The answered matter needs a person now (its answer asked for the order number, and it came:
       * in this message, `from: 'message'`, or with the need, while it was confirmed or held for
       * the question, `'context'`): its ticket becomes a follow-up with the words and the session's
       * new files on it.
       */
      followUpAnswered: collect(({ context, event, enqueue }, params: { from: 'message' | 'context' }) => {
        const detail = params.from === 'message' ? textOf(event) : (context.detail?.text ?? context.need ?? '');
        const order = factsOf(context, detail).order;
        const ticketId = context.sessionTickets.at(-1);
        if (order === undefined || ticketId === undefined) return;
        const def = defOf(context);
        const hours = def.thresholds.followUpHours;
        const by = promisedBy(def, event.at, hours);
        const { files, kept } = newFiles(context, event);
        const outcome = `order number given for the knowledge-base answer (${context.faqId}); follow-up promised within ${hours} h`;
        const added = { addFacts: [detail], ...(files.length ? { addFiles: files } : {}) };
        enqueue(
          effect({
            type: 'ticket.update',
            id: ticketId,
            changes: { status: 'pending', outcome, ...added },
            at: event.at,
          }),
        );
        const vars = { order, ...promiseVars(def, ticketId, hours, by) };
        enqueue(say('detailFollowUp', { vars }));
        const need = context.need ?? '';
        const facts = need === detail ? [need] : [need, detail];
        const card = cardOf(context, {
          ...{ ticketId, reason: 'details', priority: 'normal', need, facts },
          ...{ tickets: [ticketId], afterHours: false, followUpBy: by },
        });
        followUp(enqueue, deps, context, { ticketId, type: 'inquiry', by, at: event.at, card, files });
        // Pending now: the survey rates it after a person settled it (the 回访), not at this close.
        enqueue.assign({ answered: undefined, detail: undefined, files: kept, filesOnTickets: kept.map(fileKey) });
      }),
    },
    guards: detailGuards(reading),
  };
}

/** When a message adds to a matter (see the module's docstring). */
function detailGuards(r: DetailReading) {
  const { factsOf, bareOrder, asksForOrder, orderOnTopic } = r;
  const answeredAsking = (context: ServiceContext) => context.answered === true && asksForOrder(context);
  return {
    // 订单号20261120001 after the answer that asked for it: a follow-up at once.
    givesOrderForAnswered: ({ context, event }: GuardArgs) =>
      answeredAsking(context) && bareOrder(context, event) !== undefined,
    // With more words (抬头改成…, 物流三天没更新了): asked whether they are about that matter.
    mayBeForAnswered: ({ context, event }: GuardArgs) => answeredAsking(context) && orderOnTopic(context, event),
    // With a question about another topic (123…，另外怎么退货): the number for that matter, the question next.
    givesOrderWithNewNeed: ({ context, event }: GuardArgs) => {
      const u = understood(event);
      const other = u?.faq?.confident === true && u.faq.id !== context.faqId && !u.complaint.triggered;
      return answeredAsking(context) && other && !u.wantsPerson && factsOf(context, textOf(event)).order !== undefined;
    },
    givesOrderForPending: ({ context, event }: GuardArgs) =>
      pendingMatter(context) !== undefined && bareOrder(context, event) !== undefined,
    // 订单号… while the bot restates a need: that is the need confirmed, with its number.
    // With the words the answer asks for too (发票抬头写错了 → 订单号…，正确抬头是…, restated as a need of
    // its own before; found by the issue-17 trial): confirmed, when the words lean to the restated entry
    // (123… 东西坏了 is restated as a need of its own).
    givesOrderWhileConfirming: ({ context, event }: GuardArgs) =>
      bareOrder(context, event) !== undefined ||
      (asksForOrder(context) && orderOnTopic(context, event) && understood(event)?.faq?.id === context.faqId),
    // 我的订单还没发货，订单号… confirmed: the answer that asks for the number has it already.
    needGivesOrder: ({ context }: GuardArgs) =>
      asksForOrder(context) && factsOf(context, context.detail?.text ?? context.need ?? '').order !== undefined,
    heldForAnswered: ({ context }: GuardArgs) => context.detail?.answered === true,
    // Any order number: once the matter is resumed, the number alone makes the follow-up and one with
    // more words is asked about (mayBeForAnswered), as right after the answer.
    givesOrderForAwaited: ({ context, event }: GuardArgs) =>
      keptStillOpen(context.awaitingOrder, context, event.at, AWAITED_ORDER_MS) &&
      understood(event)?.complaint.triggered !== true &&
      understood(event)?.wantsPerson !== true &&
      factsOf(context, textOf(event)).order !== undefined,
    // 好的，麻烦了 / 好的 谢谢 再见: nothing but thanks, goodbyes and agreement: the customer is done.
    onlyThanksOrBye: ({ context, event }: GuardArgs) => {
      const u = understood(event);
      if (!u || u.faq?.confident || u.complaint.triggered || u.wantsPerson || asksSomething(textOf(event)))
        return false;
      const total = Object.values(u.intents).reduce((a, b) => a + b, 0);
      if ((u.intents.thanks ?? 0) + (u.intents.done ?? 0) === 0 || total < 0.7) return false;
      // Not when the rest tells something (收到就是坏的: 收到 and 就是 are phrases, 坏的 is the matter).
      return extractFacts(r.defOf(context).complaints, textOf(event), context.locale).what === undefined;
    },
    ...pendingRequestGuards(bareOrder, r.defOf),
    mayAddToPending: ({ context, event }: GuardArgs) =>
      justPromised(context) && plain(understood(event), textOf(event)),
    addsMoreDetail: ({ event }: GuardArgs) => plain(understood(event), textOf(event)),
    // A photo, or one whose caption tells rather than asks (物流截图; 怎么退货 is a new need).
    sendsFileForPending: ({ context, event }: GuardArgs) =>
      justPromised(context) && fileOf(event) !== undefined && !asksSomething(textOf(event)),
    saysDone: ({ event }: GuardArgs) => understood(event)?.whole === 'done',
  };
}
type GuardArgs = { context: ServiceContext; event: ServiceEvent };

/**
 * The transitions that take an order number for a matter (the one just answered, else the pending
 * one), and words for a pending bare request.
 */
const orderDetails = [
  // An order number for a bare request still to be described: kept, and what it is about still asked.
  {
    guard: 'ordersPendingRequest',
    target: '#conversation.service.awaitingNeed',
    actions: [{ type: 'addDetail', params: { from: 'message' } }, say('ask')],
  },
  {
    guard: 'givesOrderForAnswered',
    target: '#conversation.service.askMore',
    reenter: true,
    actions: { type: 'followUpAnswered', params: { from: 'message' } },
  },
  {
    guard: 'mayBeForAnswered',
    target: '#conversation.service.confirmingDetail',
    actions: ['answerLead', { type: 'holdDetail', params: { answered: true } }],
  },
  // Found by the fourth issue-17 trial: the number was lost and only the question taken.
  {
    guard: 'givesOrderWithNewNeed',
    target: '#conversation.service.confirming',
    actions: [{ type: 'followUpAnswered', params: { from: 'message' } }, 'answerLead', 'captureNeed'],
  },
  {
    guard: 'givesOrderForPending',
    target: '#conversation.service.askMore',
    reenter: true,
    actions: { type: 'addDetail', params: { from: 'message' } },
  },
] as const;

/** 算了，不用了 after a bare request after hours: taken back, and the conversation closes (unstated-need.ts). */
export const requestTakenBack = [
  { guard: 'takesBackPendingRequest', target: '#conversation.service.closing', actions: 'takeBackPendingRequest' },
] as const;

/** After "what can I do for you?": an order number is still taken for its matter. */
export const detailsWhenAsked = orderDetails;

/** After "anything else?": a photo or other words right after a promise go with it, or are asked about. */
export const detailsAfterMatter = [
  // A captioned photo right after a promise (物流截图) goes with the matter, whatever its caption says.
  {
    guard: 'sendsFileForPending',
    target: '#conversation.service.askMore',
    reenter: true,
    actions: { type: 'addDetail', params: { from: 'message' } },
  },
  ...orderDetails,
  {
    guard: 'mayAddToPending',
    target: '#conversation.service.confirmingDetail',
    actions: ['answerLead', 'holdDetail'],
  },
] as const;

/** 需求确认 for words that may add to the matter just recorded: 是的 adds them, 不是 takes them as a new need. */
export function confirmingDetailState(s: StandardSetup, shared: StandardShared) {
  const { interrupts, anyTime } = shared;
  return s.createStateConfig({
    entry: 'sayConfirmDetail',
    on: {
      'user.message': [
        ...interrupts,
        {
          guard: and(['isYes', 'heldForAnswered']),
          target: 'askMore',
          actions: { type: 'followUpAnswered', params: { from: 'context' } },
        },
        { guard: 'isYes', target: 'askMore', actions: { type: 'addDetail', params: { from: 'held' } } },
        // 不用了, 没有了: nothing to add, and nothing else (the held words stay in the transcript only).
        { guard: 'saysDone', target: 'closing', actions: 'dropDetail' },
        { guard: 'isNo', target: 'confirming', actions: 'takeDetailAsNeed' },
        // The order number with them (找到了，订单号…): both go on the matter.
        {
          guard: and(['givesOrderForPending', not('heldForAnswered')]),
          target: 'askMore',
          actions: { type: 'addDetail', params: { from: 'both' } },
        },
        ...anyTime,
        { guard: 'isGreetingOnly', actions: 'sayConfirmDetail' },
        // More words (or a captioned photo) before answering: asked about together with the first.
        { guard: 'addsMoreDetail', actions: ['holdMoreDetail', 'sayConfirmDetail'] },
        // Something else: a new need. Words held for a pending matter still go on it, unasked (never
        // lost); the number held for the answered one makes its follow-up, as a yes would (found by
        // the fourth issue-17 trial: it was dropped).
        {
          guard: not('heldForAnswered'),
          target: 'confirming',
          actions: [{ type: 'addDetail', params: { from: 'held', quiet: true } }, 'answerLead', 'captureNeed'],
        },
        {
          target: 'confirming',
          actions: [{ type: 'followUpAnswered', params: { from: 'context' } }, 'answerLead', 'captureNeed'],
        },
      ],
      // A photo while the bot asks goes with the words if they are added (or with the next matter).
      'user.media': { actions: ['keepFile', 'sayConfirmDetail'] },
    },
  });
}
