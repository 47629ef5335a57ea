import { kindOfFolded, matchesAny, matchesAnyUnless, VENTING_KINDS } from './facts.js';
import { compileLead, type Lead, type Opening } from './lead.js';
import { compileKnowledgeBase } from './knowledge-base.js';
import {
  compileRating,
  leadingRating,
  MAX_COMMENT_CHARS,
  scoreAmongParts,
  trailingRating,
  trailingWords,
} from './rating.js';
import { INTENT_IDS, type ComplaintKindId, type FlowDefinition, type IntentId } from './schema.js';
import {
  ASCII_WORD,
  candidatesOf,
  ownWordsTest,
  personOpening,
  claimFree,
  connectorDropper,
  connectorSplitter,
  intentRules,
  fillerRulesOf,
  PUNCT,
  type PhraseRule,
} from './phrases.js';
import { wholeReader } from './message-parts.js';
import { asksSomething, hanSpacesAsBreaks, joinSpacedLetters, normalize, toSimplified } from './text.js';

/** What the bot understood of one customer message, computed once per message. */
export interface Understanding {
  /** Share of the message's meaningful characters covered by each intent's phrases. */
  intents: Partial<Record<IntentId, number>>;
  /** Set when the message is (almost) nothing but intent phrases: the dominant one. */
  whole: IntentId | undefined;
  /** Best knowledge-base entry and its confidence (0–1); `confident` applies the threshold. */
  faq: { id: string; score: number; confident: boolean } | undefined;
  /** A satisfaction rating, when the message is one (a digit 1–5, "五星", "4分", or wholly a score's words: 不满意, 差评). */
  rating: number | undefined;
  /** A score between whole ones (4.5分, "3.5 stars", 四星半), wholly or leading: no rating, the survey's are whole. */
  fractionalScore?: number;
  /** What the customer said with a leading score ("1分，太慢了": 太慢了), as written: their comment on what they rate. */
  ratingComment?: string;
  /**
   * The comment understood on its own: the survey tells an opinion of the service (太慢了) from a
   * problem said with a low score (发错货了，差评！), whose follow-up it offers.
   */
  ratingCommentMeaning?: Understanding;
  /**
   * What follows a leading score when it asks for something rather than comments ("1分，我要找你们领导",
   * "5分，另外怎么开发票", "1分，转人工"): its own understanding, so the conversation rates, then takes it up.
   */
  afterRating?: { text: string; understanding: Understanding };
  /** Complaint signals: a complaint word or anger starts the complaint flow; a supervisor request escalates it. */
  complaint: {
    triggered: boolean;
    /** Nothing but a request for someone higher up: no anger, no complaint word, no kind (002 三.3). */
    calmSupervisor: boolean;
    angry: boolean;
    exclaimed: boolean;
    supervisor: boolean;
    /** A complaint word (投诉, 举报, complain): the customer says it is a complaint, angry or not. */
    complained?: boolean;
    /** Which of 003's complaint situations the message is (complaints.kinds); undefined: none or a general one. */
    kind: ComplaintKindId | undefined;
  };
  /** A request beyond policy this message makes (a policy id), answered with the sandwich. */
  policy: string | undefined;
  /** The customer asks for a person: the whole message says so, or a specific phrase (转人工, real person) appears. */
  wantsPerson: boolean;
  /** The message says the customer does not want a person (`handoff.notPerson`: 不要转人工, "don't transfer me"). */
  declinesPerson?: true;
  /** With `declinesPerson`: a request for a person withdrawn, and nothing else (转人工，算了不用转人工了). */
  withdrawsRequest?: true;
  /**
   * The message only takes something back (`handoff.withdraw`: 算了，不用了; never mind): while a
   * request for a person waits unclaimed, it withdraws that request (found by the issue-17 trial).
   */
  takesBack?: true;
  /**
   * Asking for a person, the message says something of its own besides (坏了，转人工; 人工客服，我要退货):
   * a character no intent phrase, filler or `handoff.sameMatter` phrase covers. Not set for a bare
   * request (转人工, 请帮我转人工, I want to speak to a human), nor one that only points back at the
   * matter under way (还是不行，转人工), nor when the message does not ask for a person.
   */
  ownWords?: true;
  /**
   * With `ownWords`, the message without its parts that only ask for a person (耳机坏了，转人工:
   * 耳机坏了), as written: the matter the handoff records. With `declinesPerson`, the message without
   * the parts that refuse one (不用转人工，发错货了怎么办: 发错货了怎么办): the need restated. Absent when
   * no part was left out.
   */
  ownText?: string;
  /** Nothing to go on: only punctuation, symbols, emoji or fillers ("?", "👍", "呃"). */
  empty: boolean;
  /** A social phrase the message opens with before it goes on to a need (see `Lead`). */
  lead?: Lead | undefined;
  /** A social phrase the message opens with whose rest is not shown to be a need (see `Opening`). */
  opening?: Opening | undefined;
  /** Several knowledge-base questions (怎么付款？另外能改地址吗) in the order asked; `faq` is the first's (severalQuestions). */
  asked?: Array<{ text: string; faqId: string }> | undefined;
  /** Questions it asks that the knowledge base answers, and its other words: a complaint's are answered after it (questionsIn). */
  questions?: { asked: Array<{ text: string; faqId: string }>; rest: string } | undefined;
  /** A message that asks where a matter stands and says more (有进展了吗？另外充电器也坏了): the other parts, read on their own. */
  afterStatus?: { text: string; understanding: Understanding } | undefined;
}

export interface Matcher {
  understand(text: string): Understanding;
  /** Ranked knowledge-base entries, best first, for diagnostics and admin tools. */
  rankFaq(text: string): Array<{ id: string; score: number }>;
}

/**
 * The score a message gives, leading it with a comment ("1分，太慢了", "一分，太慢了"), after one
 * ("有点慢，3分吧") or wholly (by `ratingOf`). What follows a leading score is a request, not a comment, when it asks for a person
 * or a supervisor, says it is a complaint (投诉), asks a question (one the knowledge base answers,
 * or any ending in a question mark or 吗/呢), or says there is another question or opens another
 * matter (还有个问题, 另外…, 顺便问下…: the definition's `more` phrases; `understand` reads it on its own). Found by the issue-17 trials: such requests were kept as comments and never answered.
 * A score between whole ones (4.5分) is only that, `fractionalScore`, whatever follows it.
 */
function ratingIn(
  {
    ratingOf,
    afterAnother,
  }: { ratingOf: (norm: string) => number | undefined; afterAnother: (text: string) => string | undefined },
  understand: (text: string) => Understanding,
  text: string,
  norm: string,
): Pick<Understanding, 'rating' | 'fractionalScore' | 'ratingComment' | 'ratingCommentMeaning' | 'afterRating'> {
  let { found, among } = scoreIn(text, ratingOf);
  // 发错货了 差评 转人工: no score as written, nor as a whole (非常 不满意 is one): spaces between
  // Chinese characters break parts as commas do (found by the issue-17 trial).
  const asWhole = ratingOf(norm);
  const parted = !found && !among && asWhole === undefined ? hanSpacesAsBreaks(text) : text;
  if (parted !== text) ({ found, among } = scoreIn(parted, ratingOf));
  const lead = found ?? (among && { score: among.score, comment: among.more });
  const score = lead?.score ?? asWhole;
  if (score !== undefined && !Number.isInteger(score)) return { rating: undefined, fractionalScore: score };
  if (!lead) return { rating: score };
  const rest = understand(lead.comment);
  const another = afterAnother(lead.comment);
  // A complaint word that is itself a score (差评) comments; a question mark or "还有个问题" asks.
  const complains = rest.complaint.complained === true && ratingOf(normalize(lead.comment)) === undefined;
  const asks =
    rest.wantsPerson ||
    rest.complaint.supervisor ||
    complains ||
    rest.faq?.confident === true ||
    // "还有个问题" is mostly the phrase; 有 in 有点慢 is a comment's word (found by the issue-17 trial).
    (rest.intents.more ?? 0) >= 0.5 ||
    // Another matter opened (另外发错货了, 顺便问下…), or a question (…吗？, …吗).
    another !== undefined ||
    /[?？]\s*$|[吗呢]\s*[。.!！]?\s*$/u.test(lead.comment);
  // With a comment before the score (有点慢，3分吧，转人工): the comment is kept, what follows taken up.
  // Or a problem the knowledge base knows, said with the score (1分，发票开错了): also its comment (found by the trial).
  const problem = rest.faq?.confident && !rest.wantsPerson && another === undefined && !asksSomething(lead.comment);
  const commented = among?.comment || (problem ? lead.comment : '');
  const before = commented ? { ratingComment: commented.slice(0, MAX_COMMENT_CHARS) } : {};
  if (asks && rest.wantsPerson) {
    // A request for a person takes the words said with the score as its matter, and they stay the
    // score's comment (发错货了，差评！转人工: 发错货了; 3分，有点慢，转人工: 有点慢). Found by the issue-17
    // trial: the card named the matter answered before, and the comment was lost.
    const joiner = /\p{Script=Han}/u.test(among?.comment ?? '') ? '，' : ', ';
    const words = among?.comment ? `${among.comment}${joiner}${lead.comment}` : lead.comment;
    const understanding = words === lead.comment ? rest : understand(words);
    const said = (among?.comment || understanding.ownText)?.slice(0, MAX_COMMENT_CHARS);
    return {
      rating: lead.score,
      ...(said ? { ratingComment: said } : {}),
      afterRating: { text: words, understanding },
    };
  }
  if (asks) {
    // Taken up without the words that opened it (另外发错货了: 发错货了).
    const taken = another !== undefined ? another : lead.comment;
    const understanding = taken === lead.comment ? rest : understand(taken);
    return { rating: lead.score, ...before, afterRating: { text: taken, understanding } };
  }
  const comment = among?.words ?? lead.comment;
  const meaning = comment === lead.comment ? rest : understand(comment);
  return { rating: lead.score, ratingComment: comment.slice(0, MAX_COMMENT_CHARS), ratingCommentMeaning: meaning };
}

/** A score leading, trailing or among the parts of a message (rating.ts), as written. */
function scoreIn(text: string, ratingOf: (norm: string) => number | undefined) {
  const found = leadingRating(text) ?? trailingRating(text) ?? trailingWords(text, ratingOf);
  return { found, among: found ? undefined : scoreAmongParts(text, ratingOf) };
}

/** The complaint signals of a message, and what they add up to (triggered, a calm supervisor request). */
function complaintOf(
  s: { angry: boolean; supervisor: boolean; complained: boolean; kind: ComplaintKindId | undefined },
  exclaimed: boolean,
): Understanding['complaint'] {
  return {
    triggered: s.angry || s.supervisor || s.kind !== undefined || s.complained,
    calmSupervisor: s.supervisor && !s.angry && s.kind === undefined && !s.complained && !exclaimed,
    angry: s.angry,
    exclaimed,
    supervisor: s.supervisor,
    complained: s.complained,
    kind: s.kind,
  };
}

/**
 * Each intent's share of the message's meaningful characters (0–1), their sum and the largest.
 */
function sharesOf(
  counts: Partial<Record<IntentId, number>>,
  meaningful: number,
): { intents: Partial<Record<IntentId, number>>; total: number; top: number } {
  const intents: Partial<Record<IntentId, number>> = {};
  let total = 0;
  let top = 0;
  for (const [id, c] of Object.entries(counts) as Array<[IntentId, number]>) {
    const share = meaningful > 0 ? Math.min(1, c / meaningful) : 0;
    intents[id] = share;
    total += share;
    top = Math.max(top, share);
  }
  return { intents, total, top };
}

/** The first intent (in the counts' order) with the largest share. */
function intentOfTop(intents: Partial<Record<IntentId, number>>, top: number): IntentId | undefined {
  return (Object.keys(intents) as IntentId[]).find((id) => intents[id] === top);
}

/** Builds the matcher for one definition: phrase tables and the knowledge-base index. */
export function compileMatcher(def: FlowDefinition): Matcher {
  const rules = intentRules(INTENT_IDS.map((id) => [id, def.intents[id]]));
  const fillerRules = fillerRulesOf(def.fillers);
  const fillers = new Set(def.fillers.map(normalize));
  const intentCandidates = candidatesOf(rules);
  const fillerCandidates = candidatesOf(fillerRules);

  // Trigger lists and keywords accept the guard's pattern syntax (`[optional]`, `(a|b)`, `…` a
  // short gap), matched as the complaint kinds are (flows/facts.ts); Latin words stay whole words.
  const isTrigger = matchesAny(def.complaints.triggers);
  const isAnger = matchesAny(def.complaints.anger);
  // 不用叫主管了: no request (found by the issue-17 trial: supervisors alerted, the agent's resolve blocked).
  const isSupervisor = matchesAnyUnless(def.complaints.supervisor, def.complaints.notSupervisor);
  const exclamations = new RegExp(`!{${def.complaints.exclamations},}`, 'u');
  const policies = def.policies.map((p) => ({ id: p.id, matches: matchesAny(p.triggers) }));
  const asksForPerson = personInside(def.intents.human);
  const declinesPerson = matchesAny(def.handoff.notPerson);
  // What else a customer may find slow: what the complaint categories with a knowledge-base answer
  // name (快递, 发货, 退款; parcel, refund), the goods and orders rather than the replies.
  const namesGoods = matchesAny(def.complaints.categories.flatMap((c) => (c.faqId ? c.keywords : [])));

  const opensWithPerson = personOpening(def.intents.human);
  const hasOwnWords = ownWordsTest(def.handoff.sameMatter);
  const kb = compileKnowledgeBase(def, fillers);
  const ratingOf = compileRating(def);
  const afterAnother = anotherMatterOpened(def);
  const rankFaq = kb.rankFaq;

  function understand(text: string): Understanding {
    // Spaces between Chinese characters carry nothing (转 人工 is 转人工); the social-opening
    // reader (lead.ts) works on the text as written, where they do separate parts.
    const norm = normalize(text).replace(/(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])/gu, '');
    const covered = new Uint8Array(norm.length);
    const counts: Partial<Record<IntentId, number>> = {};
    const alsoCounts: Partial<Record<IntentId, number>> = {};
    const claim = (rule: PhraseRule): number => claimFree(rule, norm, covered);
    for (const rule of intentCandidates(norm)) {
      const got = claim(rule);
      if (got === 0 || rule.intent === 'filler') continue;
      counts[rule.intent] = (counts[rule.intent] ?? 0) + got;
      for (const id of rule.also ?? []) alsoCounts[id] = (alsoCounts[id] ?? 0) + got;
    }
    // Slow or how long is about the replies only when no goods are named (快递怎么这么慢, 退款要多久啊: needs).
    const named = (counts.slowReply ?? counts.waitQuestion) !== undefined && namesGoods(norm);
    if (named) for (const id of ['slowReply', 'waitQuestion'] as const) delete counts[id];
    // Fillers do not count towards the message's length: "好的呀" is still just "yes". Characters
    // already claimed by an intent phrase stay; fillers claim what is left.
    let fillerChars = 0;
    for (const rule of fillerCandidates(norm)) fillerChars += claim(rule);
    let meaningful = -fillerChars;
    for (const ch of norm) if (!PUNCT.test(ch)) meaningful++;
    // A phrase two intents list counts for the later ones only when it is the whole message: alone,
    // 不行 is `no` or `notHelped` as the state asks; in 质量不行，我要退货 it is its first intent's.
    for (const [id, c] of Object.entries(alsoCounts) as Array<[IntentId, number]>)
      if (c >= meaningful) counts[id] = (counts[id] ?? 0) + c;
    const { intents, total, top } = sharesOf(counts, meaningful);
    let whole = top > 0 ? intentOfTop(intents, top) : undefined;
    // Enough of the message must be intent phrases, and they must agree: "是不是有病" has 是, 不是 and
    // 有 covering most of it, and says none of yes, no or more.
    const contradicts = (counts.yes ?? 0) + (counts.okay ?? 0) > 0 && (counts.no ?? 0) > 0;
    if (total < def.thresholds.intentCoverage || top < 0.5 || contradicts) whole = undefined;
    // A message that is nothing but "yes", "thanks" or "还有一个问题" is not a question for the
    // knowledge base, so it is not ranked at all.
    const faq = whole === undefined ? kb.entryFor(text) : undefined;
    // Exclamation marks intensify ("太好了!!" is not a complaint); on their own they only tell
    // whether someone already complaining is still upset.
    // A message that only says the replies are slow gets 003's answer for 回应慢, not the complaint
    // flow, even when its words (没人理) are also anger; said with more, it is a complaint. A kind of
    // complaint (an agent's fault, cursing, a rude question) starts the complaint flow too;
    // cursing and rude questions are anger.
    const onlyWaiting = whole === 'slowReply';
    const kind = kindOfFolded(def.complaints, norm)?.id;
    const angry = !onlyWaiting && (isAnger(norm) || (kind !== undefined && VENTING_KINDS.includes(kind)));
    const signals = { angry, supervisor: isSupervisor(norm), complained: isTrigger(norm), kind };
    const declines = declinesPerson(norm);
    // Asking whether the bot is a person (are you a real person?) is no request for one, unless one
    // is asked for besides (你是真人吗？转人工).
    const wantsPerson =
      (whole === 'human' || asksForPerson(norm) || opensWithPerson(norm)) &&
      !declines &&
      ((whole !== 'botQuestion' && counts.botQuestion === undefined) || counts.human !== undefined);
    return {
      intents,
      whole,
      faq,
      // What follows a score is read as a message of its own (its own words beside a request, a refusal: understandWhole).
      ...ratingIn({ ratingOf, afterAnother }, understandWhole, text, norm),
      complaint: complaintOf(signals, exclamations.test(norm)),
      policy: policies.find((p) => p.matches(norm))?.id,
      wantsPerson,
      ...(declines ? { declinesPerson: true as const } : {}),
      ...(wantsPerson && hasOwnWords(norm, covered) ? { ownWords: true as const } : {}),
      empty: meaningful <= 0,
    };
  }

  const leadOf = compileLead(def, understand);
  const withLead = (text: string): Understanding => {
    const u = understand(text);
    const found = leadOf(text, u);
    if (found === undefined) return u;
    return 'opening' in found ? { ...u, opening: found } : { ...u, lead: found };
  };
  const read = readerFor(def.locale);
  const withdraws = matchesAny(def.handoff.withdraw);
  const readMessage = wholeReader({
    understand,
    withLead,
    read,
    withdraws,
    asksStatus: matchesAny(def.followUp.statusWords),
    dropConnectors: connectorDropper(def.restate.connectors),
    splitAtConnectors: connectorSplitter(def.restate.connectors),
  });
  /** A message as the conversation reads it (message-parts.ts); a score's comment is read so too. */
  function understandWhole(text: string): Understanding {
    return readMessage(text);
  }
  return { understand: understandWhole, rankFaq: (text) => rankFaq(read(text)) };
}

/**
 * The words after a phrase that opens another matter (另外发错货了: 发错货了; 顺便问下…: the definition's
 * `more` phrases of two characters or more, the longest first), as written; undefined without one.
 * After a score such words ask, not comment.
 */
function anotherMatterOpened(def: FlowDefinition): (text: string) => string | undefined {
  const phrases = def.intents.more
    .map(normalize)
    .filter((p) => [...p].length >= 2)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    const norm = normalize(text);
    const phrase = phrases.find((p) => norm.startsWith(p));
    if (phrase === undefined) return undefined;
    // The phrase's length in the text as written (normalising keeps one character for one).
    return (
      text
        .trim()
        .slice([...phrase].length)
        .replace(/^[\s,，:：、]+/u, '') || undefined
    );
  };
}

/**
 * The text as the matcher reads it: letter-spaced Chinese (转 人 工) as the word it spells, and, for
 * a Chinese definition, traditional characters as simplified (customers write both).
 */
function readerFor(locale: string): (text: string) => string {
  if (!locale.startsWith('zh')) return joinSpacedLetters;
  return (text) => toSimplified(joinSpacedLetters(text));
}

/**
 * A request for a person inside a longer message. Short phrases only count as the whole message:
 * 人工智能 is not a request for a person, and "the agent yesterday was helpful" is not one either.
 * Inside a longer message it takes three Chinese characters (转人工) or two words (real person).
 */
function personInside(phrases: readonly string[]): (norm: string) => boolean {
  return matchesAny(
    phrases.filter((p) => {
      const norm = normalize(p);
      return ASCII_WORD.test(norm) ? norm.split(' ').length >= 2 : [...norm].length >= 3;
    }),
  );
}
