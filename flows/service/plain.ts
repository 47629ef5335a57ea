import type { Understanding } from '../match.js';
import { asksSomething } from '../text.js';

const ANSWER_INTENTS: ReadonlySet<string> = new Set(['yes', 'no', 'okay']);
/** Intents that tell rather than ask (没用: the answer did not help): words that say them are still plain. */
const TELLING: ReadonlySet<string> = new Set(['notHelped']);

/**
 * Words that tell something and ask nothing: no known topic, intent, score, complaint, policy or
 * request, not mostly intent phrases (好的，麻烦了), no question (明天几点上班; found by the trials).
 * `statement`: where no yes or no is asked for (the survey), yes/no words inside a statement do not
 * count against it (尺码不对, 颜色不对; found by the issue-17 trial). `questions`: a question counts too
 * (what a customer asked to describe their matter says, 我的快递怎么还没到？).
 */
export function plain(u: Understanding | undefined, text: string, statement = false, questions = false): boolean {
  const counted = Object.entries(u?.intents ?? {}).filter(
    ([id]) => !TELLING.has(id) && (!statement || !ANSWER_INTENTS.has(id)),
  );
  const intentShare = counted.reduce((a, [, b]) => a + b, 0);
  return (
    u !== undefined &&
    intentShare < 0.5 &&
    (questions || !asksSomething(text)) &&
    !u.faq?.confident &&
    (u.whole === undefined || TELLING.has(u.whole)) &&
    u.rating === undefined &&
    !u.complaint.triggered &&
    !u.wantsPerson &&
    u.policy === undefined &&
    !u.empty
  );
}
