import type { GuardReport, Report } from '../../flows/evaluate.js';
import {
  DEFAULT_CORPUS_DIR,
  DEFAULT_THRESHOLDS,
  HELD_OUT,
  labelAdvice,
  notScoredText,
  scoreDefinitions,
  type FlowScores,
  type Thresholds,
} from '../flow-figures.js';
import { checkDefinitions } from '../flows-registry.js';

export { DEFAULT_CORPUS_DIR, DEFAULT_THRESHOLDS, HELD_OUT, type Thresholds };

/**
 * `npm run flows:test`: scores the definitions in `flowsDir` on the corpus in `corpusDir` (one
 * file per locale) and prints, per locale, accuracy, the wrong-topic rate, the weakest labels and
 * the confusions with examples. Exit 0 when every locale meets the thresholds, 1 otherwise (or
 * when a definition or corpus file is invalid).
 */
export async function flowsTest(
  flowsDir: string,
  corpusDir: string,
  defaultLocale: string,
  thresholds: Thresholds,
  write: (text: string) => void = (text) => void process.stdout.write(text),
): Promise<number> {
  const checked = await checkDefinitions(flowsDir, defaultLocale);
  if (!checked.ok) {
    write(
      `Invalid flow definitions in ${flowsDir}:\n${checked.problems.map((p) => `  ${p.file}: ${p.path}: ${p.message}`).join('\n')}\n`,
    );
    return 1;
  }
  const scored = await scoreDefinitions(checked.definitions, corpusDir, thresholds);
  if (!scored.ok) {
    write(`${scored.problem}\n`);
    return 1;
  }
  printScores(scored.scores, thresholds, write);
  return scored.scores.figures.met ? 0 : 1;
}

/**
 * The scores as flows:test prints them: each locale, the locales not scored (only the corpus or
 * only the definitions have them), the guard, then the held-out figures (always last).
 */
export function printScores(scores: FlowScores, thresholds: Thresholds, write: (text: string) => void) {
  for (const l of scores.locales) write(`${describe(l.report, thresholds, l.met, l.file)}\n`);
  for (const n of scores.notScored) write(`${notScoredText(n)}\n`);
  if (scores.guard) write(`${describeGuard(scores.guard.report, thresholds, scores.guard.met)}\n`);
  if (!Array.isArray(scores.heldOut)) write(`${HELD_OUT}: ${scores.heldOut.problem}\n`);
  else
    for (const r of scores.heldOut)
      write(
        `${HELD_OUT} ${r.locale} (never tuned on; no threshold): ${r.correct}/${r.total} understood (${percent(r.accuracy)}); wrong topic ${r.wrongTopicCount} (${percent(r.wrongTopic)})\n`,
      );
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The report as an admin reads it: the figures against the thresholds, then what to fix first (in `file`, its corpus). */
function describe(r: Report, t: Thresholds, met: boolean, file: string): string {
  const lines = [
    `${r.locale}: ${r.correct}/${r.total} understood (${percent(r.accuracy)}, needs ≥ ${percent(t.minAccuracy)}); wrong topic ${r.wrongTopicCount} (${percent(r.wrongTopic)}, needs ≤ ${percent(t.maxWrongTopic)}) — ${met ? 'met' : 'NOT MET'}`,
    ...r.problems.map((p) => `  problem: ${p}`),
    ...(r.problems.length > 0 ? [`  what to do: ${labelAdvice(file)}`] : []),
    '  weakest labels:',
    ...r.byLabel
      .filter((l) => l.correct < l.total)
      .slice(0, 10)
      .map((l) => `    ${l.label}: ${l.correct}/${l.total}`),
    '  confusions (expected → got):',
    ...r.confusions.slice(0, 15).map(
      (c) =>
        `    ${c.expected} → ${c.got}: ${c.count}  e.g. ${c.examples
          .slice(0, 3)
          .map((e) => JSON.stringify(e))
          .join(', ')}`,
    ),
  ];
  return lines.join('\n');
}

/** The guard's figures as an admin reads them, with what got through and what was stopped wrongly. */
function describeGuard(r: GuardReport, t: Thresholds, met: boolean): string {
  return [
    `guard: caught ${r.caught}/${r.blocked} forbidden replies (${percent(r.caughtShare)}, needs ≥ ${percent(t.minCaught)}); false alarms ${r.falseAlarms}/${r.allowed} (${percent(r.falseAlarmShare)}, needs ≤ ${percent(t.maxFalseAlarms)}) — ${met ? 'met' : 'NOT MET'}`,
    ...r.missed.slice(0, 15).map((m) => `  got through: ${JSON.stringify(m)}`),
    ...r.alarms.slice(0, 15).map((a) => `  stopped wrongly: ${JSON.stringify(a.text)} (${a.phrase})`),
  ].join('\n');
}
