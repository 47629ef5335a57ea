import type { Understanding } from './match.js';
import type { FlowDefinition, IntentId } from './schema.js';
import { escapeRegExp, LATIN_END, LATIN_START, normalize, straightQuotes } from './text.js';

/**
 * A social opening before a need (issue 11 item 4): 谢谢，另外发票怎么开 is thanks and a question
 * about invoices; 003 asks for both answers. Found on the text the matcher reads, from the
 * definition's own phrases (intents, fillers, `restate.connectors`).
 */

/** Intents a message may open with before it goes on to a need; each is answered, then the need is handled. */
export const LEAD_INTENTS = [
  'thanks',
  'apology',
  'praise',
  'greeting',
  // 你是真人吗？我想退货: the bot says what it is, then takes the need (found by the issue-17 trial).
  'botQuestion',
  // 不是，我是想退货: a no that goes on to say what was meant is that, not "不是，您是想退货" (the same trial).
  'no',
  // 回复太慢了，我的订单还没发货: 003's apology, then the need (found by the issue-17 trial: one or the other was lost).
  'slowReply',
  // 要多久？我的订单还没发货: the need is what is answered; while queued, the place in the queue too (`Opening`).
  'waitQuestion',
] as const satisfies readonly IntentId[];
export type LeadIntent = (typeof LEAD_INTENTS)[number];

/**
 * A message that opens with a social phrase and goes on to a need (谢谢，另外发票怎么开;
 * 不好意思，我想问下怎么退货; 你好，…; thanks, and how do I get an invoice?). 003 asks for both: the
 * social answer (客户道谢/致歉/表扬时必须响应) and the need handled as usual.
 */
export interface Lead {
  /** The social intent to answer: thanks, apology or praise before a greeting, else the greeting. */
  intent: LeadIntent;
  /** The rest of the message as the customer wrote it, without the opening and the joining words (另外, and). */
  rest: string;
  /** The rest understood on its own: the need's knowledge-base entry comes from here. */
  understanding: Understanding;
}

/**
 * A social opening whose rest is not shown to be a need of its own (回复太慢了，真的服了; 人呢？我的退款还没到账:
 * no topic, no question mark): read only while the customer is queued for a person, where a
 * complaint or question about the wait is answered with the place in the queue and the rest may
 * tell the matter (found by the issue-17 trial: such messages got no reply, and the wait went on
 * the card's need). Elsewhere such a message is read as a whole, as before.
 */
export interface Opening {
  intent: 'slowReply' | 'waitQuestion';
  /** The rest of the message as written, without the opening. */
  rest: string;
  /** The rest understood on its own (taken as a message of its own after a status told: 还要等多久？耳机也坏了). */
  understanding: Understanding;
  /** Tells an opening from a `Lead`. */
  opening: true;
}

interface StickyRule {
  intent: LeadIntent | 'filler';
  /** The phrase, normalised: a match is always the phrase itself. */
  phrase: string;
  /** The phrase's length: the longest is tried first ("谢谢你" before "谢谢"). */
  length: number;
  /** Anchored where it is tried (the sticky flag). */
  pattern: RegExp;
  /** A Latin phrase: a space alone does not end it (谢谢 发票… is two parts, "hi how do I" one). */
  ascii: boolean;
}

const PUNCT = /[\p{P}\p{S}\s]/u;
const ASCII_WORD = /^[a-z0-9' ]+$/;

/** Phrases as rules anchored where they are tried, longest first; Latin ones match whole words only (as in match.ts). */
function stickyRules(intent: StickyRule['intent'], phrases: readonly string[]): StickyRule[] {
  return phrases
    .map((raw) => {
      const phrase = normalize(raw);
      const escaped = escapeRegExp(phrase);
      const ascii = ASCII_WORD.test(phrase);
      const source = ascii ? `${LATIN_START}${escaped}${LATIN_END}` : escaped;
      return { intent, phrase, length: phrase.length, pattern: new RegExp(source, 'uy'), ascii };
    })
    .sort((a, b) => b.length - a.length);
}

/**
 * The first (longest) rule matching exactly at `pos`, and where its match ends. A match is the
 * phrase itself, so only a rule whose phrase the text has at `pos` is tried, and only a Latin
 * one needs its pattern (whole words).
 */
function ruleAt(
  rules: readonly StickyRule[],
  text: string,
  pos: number,
): { rule: StickyRule; end: number } | undefined {
  for (const rule of rules) {
    if (!text.startsWith(rule.phrase, pos)) continue;
    if (rule.ascii) {
      rule.pattern.lastIndex = pos;
      if (!rule.pattern.test(text)) continue;
    }
    return { rule, end: pos + rule.length };
  }
  return undefined;
}

/** Where a phrase said again straight after itself ends (不是不是, 谢谢谢谢, no no): said once. */
function repeatEnd(rule: StickyRule, text: string, end: number): number {
  for (let e = end; ;) {
    const again = ruleAt([rule], text, text[e] === ' ' ? e + 1 : e);
    if (!again) return e;
    e = again.end;
  }
}

/**
 * The message folded for matching (NFKC, lower case, runs of white space as one space), with the
 * index in the original text of each folded character, so the rest is cut from what was written.
 */
function foldWithOffsets(text: string): { folded: string; at: number[] } {
  let folded = '';
  const at: number[] = [];
  let i = 0;
  for (const ch of text) {
    const f = /\s/u.test(ch) ? ' ' : straightQuotes(ch.normalize('NFKC').toLowerCase());
    if (!(f === ' ' && folded.endsWith(' '))) {
      folded += f;
      for (let k = 0; k < f.length; k++) at.push(i);
    }
    i += ch.length;
  }
  at.push(text.length);
  return { folded, at };
}

/**
 * Finds the social opening of a message that goes on to a need: one or more thanks, apology,
 * praise or greeting phrases at the start, each ended by punctuation (after a Chinese phrase, a
 * space too) or followed by a joining word (`restate.connectors`); fillers may sit around them
 * (你们服务真好哈，…). A phrase that runs straight on into other words opens nothing (好评返现怎么
 * 操作 is a question about 好评返现). Undefined when the message is social as a whole, or when what
 * follows is not a need of its own (谢谢，没有了; 你好，在吗). A complaint or question about the wait
 * whose rest is not shown to be a need is an `Opening`.
 */
export function compileLead(
  def: FlowDefinition,
  understand: (text: string) => Understanding,
): (text: string, whole: Understanding) => Lead | Opening | undefined {
  const social = LEAD_INTENTS.flatMap((intent) => stickyRules(intent, def.intents[intent])).sort(
    (a, b) => b.length - a.length,
  );
  const connectors = stickyRules('filler', def.restate.connectors);
  const fillers = stickyRules('filler', def.fillers);
  // By code point: an emoji is two code units, and ends a phrase as punctuation does (人呢😤退款还没到).
  const skip = (text: string, pos: number, spaces: boolean): number => {
    let p = pos;
    while (p < text.length) {
      const ch = String.fromCodePoint(text.codePointAt(p) ?? 0);
      if (!PUNCT.test(ch) || (!spaces && ch === ' ')) break;
      p += ch.length;
    }
    return p;
  };
  const skipFillers = (text: string, pos: number): number => {
    let p = pos;
    for (let hit = ruleAt(fillers, text, p); hit && hit.end > p; hit = ruleAt(fillers, text, p)) p = hit.end;
    return p;
  };
  return (text, whole) => {
    if (whole.whole !== undefined || whole.empty) return undefined;
    const { folded, at } = foldWithOffsets(text);
    const found: LeadIntent[] = [];
    let joined = false;
    let pos = skip(folded, 0, true);
    for (;;) {
      const hit = ruleAt(social, folded, pos) ?? ruleAt(social, folded, skipFillers(folded, pos));
      // A hyphen joins words (Hi-Fi耳机): no greeting there (found by the issue-17 trial: 情况：Fi耳机坏了).
      if (!hit || (hit.rule.ascii && folded[hit.end] === '-')) break;
      const afterFillers = skipFillers(folded, repeatEnd(hit.rule, folded, hit.end));
      const ended = skip(folded, afterFillers, !hit.rule.ascii);
      let next = skip(folded, ended, true);
      for (let c = ruleAt(connectors, folded, next); c; c = ruleAt(connectors, folded, next)) {
        next = skip(folded, c.end, true);
        joined = true;
      }
      if (ended === afterFillers && !joined) break;
      found.push(hit.rule.intent as LeadIntent);
      pos = next;
      if (joined) break;
    }
    if (found.length === 0) return undefined;
    const rest = text.slice(at[pos] ?? text.length).trim();
    const understanding = rest ? understand(rest) : undefined;
    if (!understanding || understanding.empty || understanding.whole !== undefined) return undefined;
    const intent = found.find((i) => i !== 'greeting') ?? 'greeting';
    // After a greeting comes the matter. After thanks, an apology or praise the words may only
    // go on being social ("thanks a lot, that really helped!"): a need must show itself by a
    // joining word, a question mark or a knowledge-base topic.
    const needLike =
      intent === 'greeting' ||
      intent === 'botQuestion' ||
      intent === 'no' ||
      joined ||
      /[?？]/u.test(rest) ||
      understanding.faq?.confident === true;
    if (needLike) return { intent, rest, understanding };
    return intent === 'slowReply' || intent === 'waitQuestion'
      ? { intent, rest, understanding, opening: true }
      : undefined;
  };
}
