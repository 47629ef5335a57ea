/**
 * The parts of a customer's message (each up to a break: ，。！；、 or a line) and which of them the
 * conversation keeps: the words of their own beside a request for a person (`ownText`), and a need
 * said with a refusal or a request taken back (flows/match.ts `understandWhole`). Only on those rare
 * paths: every part is read again.
 */
import type { Understanding } from './match.js';
import { asksSomething, EMOJI_CHARS, hanSpacesAsBreaks, normalize, trimSentence, wordCount } from './text.js';

const COURTESY: ReadonlySet<string> = new Set(['thanks', 'okay', 'done']);

/** What `wholeReader` reads a message with (flows/match.ts builds them once per definition). */
export interface PartReaders {
  /** The matcher's reading of text already `read`, without its opening. */
  understand: (text: string) => Understanding;
  /** The same with the social opening (lead.ts). */
  withLead: (text: string) => Understanding;
  /** The text as the matcher reads it (letter-spaced Chinese joined, traditional as simplified). */
  read: (text: string) => string;
  /** Whether normalised text says one of `handoff.withdraw` (算了, 不用了, never mind). */
  withdraws: (norm: string) => boolean;
  /** Whether normalised text as read asks where a matter stands (`followUp.statusWords`). */
  asksStatus: (norm: string) => boolean;
  /** The text without the joining words it opens with (phrases.ts `connectorDropper`). */
  dropConnectors: (text: string) => string;
  /** The text split before the joining words inside it (phrases.ts `connectorSplitter`). */
  splitAtConnectors: (text: string) => string[];
}

/**
 * A message as the conversation reads it: its opening, its own words beside a request for a
 * person, a need said with a refusal, a request taken back (`handoff.withdraw`: 转人工，算了，不用了,
 * or said alone: `takesBack`). Parts are read again only on those rare paths.
 */
export function wholeReader(readers: PartReaders): (text: string) => Understanding {
  const { understand, withLead, read, withdraws, asksStatus, dropConnectors } = readers;
  /** A short part (read: as the matcher reads it) that takes a request for a person back (算了，不用了). */
  const takesBack = (p: Understanding, read: string): boolean =>
    !p.wantsPerson &&
    p.faq?.confident !== true &&
    !p.complaint.triggered &&
    wordCount(read) <= 8 &&
    withdraws(normalize(read));
  /**
   * A message that may take back, longer or angry too (等了这么久没人理，算了不等了; every short
   * `takesBack` is one): its parts decide.
   */
  const givesUp = (p: Understanding, read: string): boolean =>
    !p.wantsPerson && wordCount(read) <= 24 && withdraws(normalize(read));
  const withdrawal = (part: string): Understanding => {
    const r = read(part);
    const p = withLead(r);
    return takesBack(p, r) ? { ...p, declinesPerson: true } : p;
  };
  /**
   * A part that takes back, or only thanks or agrees (算了，不用了，谢谢; 好吧，不用了), or only
   * complains of the wait (怎么还没人回，算了: the customer gives up; found by the issue-17 trial).
   */
  const withdrawalOrCourtesy = (part: string): boolean => {
    const p = withdrawal(part);
    return p.declinesPerson === true || COURTESY.has(p.whole ?? '') || (p.intents.slowReply ?? 0) > 0;
  };
  return (text) => {
    const r = read(text);
    const u = withLead(r);
    if (u.wantsPerson && withdraws(normalize(r))) {
      const taken = withoutRefusal(text, u, withdrawal);
      if (taken !== u) return taken;
    }
    if (u.ownWords) return withOwnText(text, u, (part) => understand(read(part)));
    const reading = u.declinesPerson ? withoutRefusal(text, u, (part) => withLead(read(part))) : u;
    // Every part only takes back (算了，不用了); 不用了，我要退款 says more, and is relayed whole.
    const takenBack = givesUp(u, r) && partsOf(text).every(withdrawalOrCourtesy);
    const whole = takenBack ? { ...reading, takesBack: true as const } : reading;
    const afterStatus = asksStatus(normalize(r)) || asksWait(u) ? besidesStatus(text) : undefined;
    if (afterStatus) return { ...whole, afterStatus };
    const asked = severalQuestions(readers, text, whole);
    const several = asked ? { ...whole, faq: asked.first, asked: asked.questions } : whole;
    const questions = questionsIn(readers, text, whole);
    return questions ? { ...several, questions } : several;
  };

  /**
   * The parts of a message besides those that ask where a matter stands or how long the wait is
   * (有进展了吗？另外充电器也坏了 → 另外充电器也坏了; when will someone reply? also how do I get an invoice),
   * read on their own; undefined when they only greet, thank or ask again. Only for a message that
   * asks one of those: its parts are read again.
   */
  function besidesStatus(text: string): Understanding['afterStatus'] {
    const parts = partsOf(text);
    if (parts.length < 2) return undefined;
    const others = dropConnectors(
      parts
        .filter((part) => {
          const r = read(part);
          return !asksStatus(normalize(r)) && !asksWait(understand(r));
        })
        .join('')
        .trim(),
    );
    if (!others || others.length === text.trim().length) return undefined;
    const understanding = withLead(read(others));
    if (understanding.empty || understanding.whole !== undefined) return undefined;
    return { text: others, understanding };
  }
}

/**
 * A message of several knowledge-base questions (怎么付款？另外能改地址吗; how long does shipping
 * take? also can i pay cash on delivery): each part that asks (`asksSomething`) answered by an
 * entry of its own, two entries at least, in the order asked; a part that only tells (我没支付宝,
 * 订单还没发) goes with the question before it, or after it when it comes first; parts that only
 * greet or thank are passed over. Undefined when a question no entry answers (its words must
 * not be lost), or for a request for a person, a complaint or a score. Found by the sixteenth
 * issue-17 session's trials: one question was answered and the other dropped. Only for a
 * message of two parts or more that the knowledge base has something for: its parts are read again.
 */
function severalQuestions(
  { understand, read, dropConnectors, splitAtConnectors }: PartReaders,
  text: string,
  u: Understanding,
): { first: NonNullable<Understanding['faq']>; questions: NonNullable<Understanding['asked']> } | undefined {
  if (!u.faq || u.wantsPerson || u.complaint.triggered || u.rating !== undefined || u.whole !== undefined) return;
  const parts = partsOf(text).flatMap(splitAtConnectors);
  if (parts.length < 2) return undefined;
  const questions: Array<{ faqId: string; parts: string[] }> = [];
  let told: string[] = [];
  let first: Understanding['faq'];
  for (const part of parts) {
    const p = understand(read(part));
    if (p.empty || (p.whole !== undefined && !p.faq?.confident)) continue;
    if (p.wantsPerson || p.complaint.triggered) return undefined;
    // Whether it asks, without what closes it besides a question mark (能改地址吗，; 能改地址吗😊).
    if (!asksSomething(dropConnectors(part.trim()).replace(/[^\p{L}\p{N}?？]+$/u, ''))) {
      const last = questions.at(-1);
      if (last) last.parts.push(part);
      else told.push(part);
      continue;
    }
    if (!p.faq?.confident) return undefined;
    const same = questions.find((q) => q.faqId === p.faq?.id);
    if (same) same.parts.push(part);
    else questions.push({ faqId: p.faq.id, parts: [...told, part] });
    told = [];
    first ??= p.faq;
  }
  if (!first || questions.length < 2) return undefined;
  const asked = questions.map((q) => ({
    faqId: q.faqId,
    text: trimSentence(dropConnectors(q.parts.join('').trim())),
  }));
  return { first, questions: asked };
}

/**
 * The questions a message asks that the knowledge base answers (那退款多久到账？), and the rest of
 * its words: a complaint keeps the rest as its facts and answers the questions once it is settled,
 * instead of reading them back as what happened and leaving them unanswered (found by the
 * sixteenth issue-17 session's trials). A part that asks why (为什么还没发货？, how come) or tells
 * of a question asked (我问他…) is what happened, not a question to answer: it stays with the rest. Undefined when no part is such a
 * question. Only for a message the knowledge base has a candidate for; its parts are read again
 * only when it has two or more.
 */
function questionsIn(
  { understand, read, dropConnectors, splitAtConnectors }: PartReaders,
  text: string,
  u: Understanding,
): Understanding['questions'] {
  if (!u.faq) return undefined;
  const isQuestion = (part: string, p: Understanding): boolean =>
    p.faq?.confident === true &&
    !p.complaint.triggered &&
    !p.wantsPerson &&
    asksSomething(dropConnectors(part.trim()).replace(/[^\p{L}\p{N}?？]+$/u, '')) &&
    !asksWhy(part);
  const asked = (part: string, p: Understanding) => ({
    text: trimSentence(dropConnectors(part.trim())),
    faqId: p.faq?.id ?? '',
  });
  const parts = partsOf(text).flatMap(splitAtConnectors);
  if (parts.length < 2) return isQuestion(text, u) ? { asked: [asked(text, u)], rest: '' } : undefined;
  const questions: Array<{ text: string; faqId: string }> = [];
  const rest: string[] = [];
  for (const part of parts) {
    const p = asksSomething(part.trim()) ? understand(read(part)) : undefined;
    if (p && isQuestion(part, p)) questions.push(asked(part, p));
    else rest.push(part);
  }
  return questions.length ? { asked: questions, rest: trimSentence(rest.join('').trim()) } : undefined;
}

/**
 * A question why (为什么, 凭什么, 怎么还, why, how come), or one the customer tells of having asked
 * (我问他什么时候发货，他说不知道; I asked when it ships): in a complaint, what happened.
 */
const asksWhy = (part: string): boolean => WHY.test(part);
const WHY =
  /为什么|为啥|凭什么|怎么(?:还|又|会|能)|我问|问(?:他|她|过|了|客服|你们)|\b(?:why|how come|(?:i|we) asked|asked (?:him|her|them|the|you))\b/iu;

/** A question how long the wait is (还要等多久, how much longer). */
const asksWait = (u: Understanding): boolean => (u.intents.waitQuestion ?? 0) > 0;

/**
 * The parts of a request for a person with words of its own that say the matter (`ownText`): each
 * part up to a break (，。！；、 or a line) that is not only a request for a person (转人工,
 * 我要人工客服) nor only a score (1分，转人工 a day after the survey: the card's need was "1分"; found by
 * the issue-17 trial). With none left it is a bare request. Only on that rare path: every part is
 * read again (`understandPart`).
 */
function withOwnText(text: string, u: Understanding, understandPart: (part: string) => Understanding): Understanding {
  const parts = partsOf(text);
  if (parts.length < 2) return u;
  const kept = parts.filter((part) => {
    const p = understandPart(part);
    const onlyScore = p.rating !== undefined && p.ratingComment === undefined && p.afterRating === undefined;
    return (!p.wantsPerson || p.ownWords === true) && !onlyScore;
  });
  if (kept.length === 0) {
    const { ownWords: _, ...bare } = u;
    return bare;
  }
  return kept.length === parts.length ? u : { ...u, ownText: trimSentence(kept.join('')) };
}

/**
 * A message that says the customer does not want a person and goes on to a need (别转人工了，我想退货):
 * the need is understood without the refusing part, so the knowledge base answers it (found by the
 * issue-17 trial: the refusal was read with the need, the answer missed, and a person promised a
 * reply). A request for a person after the refusal (本来不想转人工的，算了还是转人工吧; "don't give me
 * the robot, I want a human") is the customer's last word: a request (found by the same trial: the
 * refusal cancelled it). Unchanged when every part refuses or none can be told apart.
 */
function withoutRefusal(
  text: string,
  u: Understanding,
  understandPart: (part: string) => Understanding,
): Understanding {
  const parts = partsOf(text);
  if (parts.length < 2) return u;
  const readings = parts.map(understandPart);
  const kept = parts.filter((_, i) => !readings[i]!.declinesPerson);
  if (kept.length === 0 || kept.length === parts.length) return u;
  const changedMind = readings.findLastIndex((r) => r.wantsPerson) > readings.findLastIndex((r) => r.declinesPerson);
  if (changedMind) {
    const rest = understandPart(kept.join('').trim());
    return rest.ownWords ? withOwnText(kept.join('').trim(), rest, understandPart) : rest;
  }
  // No person after all: the need is what is neither the refusal nor only a request taken back
  // (我想退货，转人工，算了不用了: 我想退货).
  const need = parts.filter(
    (_, i) => !readings[i]!.declinesPerson && (!readings[i]!.wantsPerson || readings[i]!.ownWords),
  );
  const words = need.join('').trim();
  const rest = understandPart(need.length > 0 ? words : kept.join('').trim());
  return {
    ...rest,
    wantsPerson: false,
    declinesPerson: true,
    ...(need.length === 0 ? { withdrawsRequest: true as const } : { ownText: trimSentence(words) }),
  };
}

/** The parts of a message, each up to and with its break (，。！；、？～…, an emoji or a line). */
export function partsOf(text: string): string[] {
  // A space typed between Chinese characters is a break too (转人工 算了不用了), and so is a dash between
  // spaces (agent please - nvm), and an emoji (耳机坏了😭转人工; found by the issue-17 trials).
  const broken = hanSpacesAsBreaks(text).replace(/\s+[-–—]+\s+/gu, '，');
  return broken.match(PARTS) ?? [];
}

const PARTS = new RegExp(
  `[^,，。.!！;；、?？~～…—\\n\\p{Extended_Pictographic}]+[,，。.!！;；、?？~～…—\\n${EMOJI_CHARS}]*`,
  'gu',
);
