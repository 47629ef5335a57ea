import { align, sameText } from './align.js';
import type { SentMessage } from './bot-api.js';
import type { SlackPost } from './slack-api.js';
import type { Delivery } from './webhook.js';

/** A line the bot meant a customer to read: a bot or agent line of the archived transcript, in its order. */
export interface Line {
  chatId: number;
  eventId: string;
  text: string;
  /** The event's time (epoch ms), as archived. */
  at: number;
}

/** Something the run broke on purpose: a replica or Redis killed. */
export interface Fault {
  at: number;
  what: string;
  phase: string;
}

export interface PhaseWindow {
  name: string;
  from: number;
  to: number;
}

/** What customers sent and read in one phase (or in all). */
export interface Figures {
  /** Customer messages a replica answered 2xx. */
  updates: number;
  /** Customer messages no replica answered 2xx before the run ended. */
  unanswered: number;
  /** Answered 2xx, yet in no transcript: accepted, then lost. */
  lostUpdates: number;
  /** Turns beyond one for the same update (its words twice in the transcript). */
  duplicateTurns: number;
  /** Lines the bot meant the customers to read (the record's bot and agent lines). */
  lines: number;
  /** Messages the Bot API received (sendMessage). */
  sent: number;
  /** Lines never sent. */
  lostLines: number;
  /** Messages sent more often than the transcript has them. */
  duplicated: number;
  /** Lines whose message arrived after a later line's. */
  outOfOrder: number;
}

export interface FaultFigures extends Fault {
  /** Duplicates whose first copy was sent before this fault and the repeat after it (the latest such fault). */
  duplicates: number;
  conversations: number;
  maxPerConversation: number;
}

/** One thing a customer would have noticed, for whoever looks into it. */
export interface Finding {
  kind: 'lost update' | 'duplicate turn' | 'lost' | 'duplicated' | 'out of order';
  chatId: number;
  phase: string;
  /** The customer's words (updates) or the bot's (lines). */
  text: string;
  /** When it was sent (epoch ms): the update, or the copy that was lost, duplicated or late. */
  at: number;
  /** The fault a duplicate is put down to. */
  fault?: string;
}

export interface Accounting {
  phases: Array<{ name: string } & Figures>;
  total: Figures;
  faults: FaultFigures[];
  /** Duplicates no fault explains (a dedup failure, not a crash). */
  unattributedDuplicates: number;
  /** The first findings of each kind (FINDINGS_PER_KIND). */
  findings: Finding[];
}

export interface RunRecord {
  /** Every chat's lines, each chat's in the archive's order. */
  lines: readonly Line[];
  sent: readonly SentMessage[];
  deliveries: readonly Delivery[];
  /** The customer's lines per event id in the transcript (archive or Redis, whichever holds more). */
  turns: ReadonlyMap<string, number>;
  faults: readonly Fault[];
  phases: readonly PhaseWindow[];
  /** The phase of the events the run caused (customer messages, agents' presses); others go by time. */
  phaseOfEvent: ReadonlyMap<string, string>;
}

/** Findings listed per kind; the figures count them all. */
export const FINDINGS_PER_KIND = 20;
/** How long after a fault a duplicate is still put down to it (ms): a killed replica's lease lasts 30 s, and a restart as long again. */
const BLAME_MS = 120_000;
/** A send recorded just after a kill may have left the killed replica just before it (ms). */
const IN_FLIGHT_MS = 1_000;

const zero = (): Figures => ({
  updates: 0,
  unanswered: 0,
  lostUpdates: 0,
  duplicateTurns: 0,
  lines: 0,
  sent: 0,
  lostLines: 0,
  duplicated: 0,
  outOfOrder: 0,
});

function groupBy<T>(items: readonly T[], key: (item: T) => number): Map<number, T[]> {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/**
 * Per chat, the transcript's lines against what Telegram received (see `align`), counted per
 * phase and in total; each duplicate is put down to the fault between its first copy and itself.
 */
export function account(run: RunRecord): Accounting {
  const figures = new Map(run.phases.map((p) => [p.name, zero()]));
  const total = zero();
  const count = (phase: string, key: keyof Figures, n = 1) => {
    const f = figures.get(phase);
    if (f) f[key] += n;
    total[key] += n;
  };
  const phaseAt = (t: number) =>
    (run.phases.find((p) => t >= p.from && t < p.to) ?? run.phases.filter((p) => p.from <= t).at(-1) ?? run.phases[0])
      ?.name ?? '';
  const findings: Finding[] = [];
  const found = (finding: Finding) => {
    if (findings.filter((f) => f.kind === finding.kind).length < FINDINGS_PER_KIND) findings.push(finding);
  };
  for (const d of run.deliveries) {
    if (d.answeredAt === undefined) {
      count(d.phase, 'unanswered');
      continue;
    }
    count(d.phase, 'updates');
    const turns = run.turns.get(`tg:${d.updateId}`) ?? 0;
    const update = { chatId: d.chatId, phase: d.phase, text: d.text, at: d.at };
    if (turns === 0) count(d.phase, 'lostUpdates');
    if (turns === 0) found({ kind: 'lost update', ...update });
    if (turns > 1) count(d.phase, 'duplicateTurns', turns - 1);
    if (turns > 1) found({ kind: 'duplicate turn', ...update });
  }
  const blame = new Map<Fault, Map<number, number>>(run.faults.map((f) => [f, new Map()]));
  let unattributed = 0;
  // A duplicate is put down to the latest fault before it (within BLAME_MS) that came
  // after an earlier copy of the same words: which of two identical lines was repeated cannot be told.
  const duplicate = (chatId: number, phase: string, text: string, at: number, earliest: number | undefined) => {
    count(phase, 'duplicated');
    const fault = run.faults
      .filter((f) => f.at <= at && at - f.at <= BLAME_MS && (earliest === undefined || f.at >= earliest - IN_FLIGHT_MS))
      .at(-1);
    found({ kind: 'duplicated', chatId, phase, text, at, ...(fault ? { fault: fault.what } : {}) });
    const perChat = fault && blame.get(fault);
    if (!perChat) return void unattributed++;
    perChat.set(chatId, (perChat.get(chatId) ?? 0) + 1);
  };
  const sentByChat = groupBy(run.sent, (s) => s.chatId);
  const linesByChat = groupBy(run.lines, (l) => l.chatId);
  for (const chatId of new Set([...sentByChat.keys(), ...linesByChat.keys()])) {
    const lines = linesByChat.get(chatId) ?? [];
    const sent = sentByChat.get(chatId) ?? [];
    const { copiesOf, outOfOrder, extra } = align(lines, sent, (line, got) => sameText(line.text, got.text));
    lines.forEach((line, i) => {
      const phase = run.phaseOfEvent.get(line.eventId) ?? phaseAt(line.at);
      const copies = (copiesOf[i] ?? []).map((j) => sent[j]!.at).sort((a, b) => a - b);
      count(phase, 'lines');
      count(phase, 'sent', copies.length);
      if (copies.length === 0) count(phase, 'lostLines');
      if (copies.length === 0) found({ kind: 'lost', chatId, phase, text: line.text, at: line.at });
      const first = (at: number) => sent.find((got) => got.at < at && sameText(line.text, got.text))?.at;
      for (const at of copies.slice(1)) duplicate(chatId, phase, line.text, at, first(at));
    });
    for (const i of outOfOrder) {
      const line = lines[i]!;
      const phase = run.phaseOfEvent.get(line.eventId) ?? phaseAt(line.at);
      count(phase, 'outOfOrder');
      found({ kind: 'out of order', chatId, phase, text: line.text, at: sent[copiesOf[i]![0]!]!.at });
    }
    for (const j of extra) {
      const { at, text } = sent[j]!;
      count(phaseAt(at), 'sent');
      duplicate(chatId, phaseAt(at), text, at, sent.find((got) => got.at < at && got.text === text)?.at);
    }
  }
  const faults = run.faults.map((f) => {
    const perChat = [...(blame.get(f)?.values() ?? [])];
    return {
      ...f,
      duplicates: perChat.reduce((a, b) => a + b, 0),
      conversations: perChat.length,
      maxPerConversation: Math.max(0, ...perChat),
    };
  });
  const phases = run.phases.map((p) => ({ name: p.name, ...(figures.get(p.name) ?? zero()) }));
  return { phases, total, faults, unattributedDuplicates: unattributed, findings };
}

/** A customer message to an agent who has the conversation, which the desk should show once in the card's thread. */
export interface DeskMessage {
  chatId: number;
  text: string;
}

export interface DeskFigures {
  /** Customer messages to claimed agents, answered 2xx. */
  messages: number;
  /** Of them, posted in the thread at least once. */
  posted: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
}

/** How the desk showed a customer's words: `:bust_in_silhouette: ` and the text (SlackDesk.post). */
export const CUSTOMER_MARK = ':bust_in_silhouette: ';

/** Each chat's customer messages against the posts in its card's thread. */
export function accountDesk(
  messages: readonly DeskMessage[],
  threads: ReadonlyMap<number, readonly SlackPost[]>,
): DeskFigures {
  const out: DeskFigures = { messages: 0, posted: 0, lost: 0, duplicated: 0, outOfOrder: 0 };
  for (const [chatId, said] of groupBy(messages, (m) => m.chatId)) {
    const texts = new Set(said.map((m) => `${CUSTOMER_MARK}${m.text}`));
    const posts = (threads.get(chatId) ?? []).filter((p) => texts.has(p.text));
    const { copiesOf, outOfOrder } = align(said, posts, (m, p) => p.text === `${CUSTOMER_MARK}${m.text}`);
    out.messages += said.length;
    for (const copies of copiesOf) {
      if (copies.length === 0) out.lost++;
      else out.posted++;
      out.duplicated += Math.max(0, copies.length - 1);
    }
    out.outOfOrder += outOfOrder.length;
  }
  return out;
}
