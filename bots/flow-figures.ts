import type { z } from 'zod';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Corpus, evaluate, evaluateGuard, GuardCorpus, type GuardReport, type Report } from '../flows/evaluate.js';
import { combineGuards, compileGuard } from '../flows/guard.js';
import { compileMatcher } from '../flows/match.js';
import type { FlowDefinition } from '../flows/schema.js';
import type { FlowTestFigures } from './flow-versions-port.js';

/**
 * How well a set of definitions understands the corpus (`npm run flows:test`, and the gate a
 * published version must pass): computed here, printed by bots/app/flows-test.ts, stored with
 * each published version as FlowTestFigures.
 */

/** The corpus shipped with the product: flows/corpus. Admins extend it; CI scores the shipped definitions on it. */
export const DEFAULT_CORPUS_DIR = resolve(fileURLToPath(new URL('../flows/corpus', import.meta.url)));

/** The sub-folder of sentences written without looking at the definitions: scored, never tuned on. */
export const HELD_OUT = 'held-out';

export interface Thresholds {
  /** Share of sentences understood right, 0–1 (issue 11 asks 0.95). */
  minAccuracy: number;
  /** Share of sentences matched to an entry they are not about, 0–1 (issue 11 asks 0). */
  maxWrongTopic: number;
  /** Share of forbidden agent replies the phrase guard blocks, 0–1 (issue 11 asks 0.95). */
  minCaught: number;
  /** Share of legitimate agent replies it blocks, 0–1 (issue 11 asks at most 0.02). */
  maxFalseAlarms: number;
}

/** flows:test's defaults (issue 11), and the publish gate. */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = {
  minAccuracy: 0.95,
  maxWrongTopic: 0,
  minCaught: 0.95,
  maxFalseAlarms: 0.02,
};

/** Everything one scoring found, for printing in full; `figures` is what is kept. */
export interface FlowScores {
  /** One per corpus file, in name order; without `report` when no definition has that locale. */
  locales: Array<{ locale: string; sentences: number; report?: Report | undefined; met: boolean }>;
  guard?: { report: GuardReport; met: boolean } | undefined;
  /** The held-out sentences' reports (no threshold), or why that folder could not be read. */
  heldOut: Report[] | { problem: string };
  figures: FlowTestFigures;
}

/**
 * Scores `definitions` on the corpus in `corpusDir` (one file per locale, guard.yaml for the
 * phrase guard, held-out/ scored without a threshold). `{ problem }` when a corpus file cannot be
 * read or is invalid (a held-out problem is reported in `heldOut` and fails `figures.met`).
 */
export async function scoreDefinitions(
  definitions: readonly FlowDefinition[],
  corpusDir: string,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Promise<{ ok: true; scores: FlowScores } | { ok: false; problem: string }> {
  const corpora = await readCorpora(corpusDir);
  if ('problem' in corpora) return { ok: false, problem: corpora.problem };
  const locales = corpora.files.map((corpus) => {
    const sentences = Object.values(corpus.expect).reduce((n, list) => n + list.length, 0);
    const definition = definitions.find((d) => d.locale === corpus.locale);
    if (!definition) return { locale: corpus.locale, sentences, met: false };
    const report = evaluate(definition, compileMatcher(definition), corpus);
    const met =
      report.problems.length === 0 &&
      report.accuracy >= thresholds.minAccuracy &&
      report.wrongTopic <= thresholds.maxWrongTopic;
    return { locale: corpus.locale, sentences, report, met };
  });
  let guard: FlowScores['guard'];
  if (corpora.guard) {
    const report = evaluateGuard(combineGuards(definitions.map((d) => compileGuard(d.forbidden))), corpora.guard);
    guard = {
      report,
      met: report.caughtShare >= thresholds.minCaught && report.falseAlarmShare <= thresholds.maxFalseAlarms,
    };
  }
  const heldOut = await scoreHeldOut(join(corpusDir, HELD_OUT), definitions);
  const figures: FlowTestFigures = {
    locales: locales.map((l) => ({
      locale: l.locale,
      sentences: l.sentences,
      accuracy: l.report?.accuracy ?? 0,
      wrongTopic: l.report?.wrongTopic ?? 0,
      met: l.met,
    })),
    guard: guard && { caught: guard.report.caughtShare, falseAlarms: guard.report.falseAlarmShare, met: guard.met },
    heldOut: Array.isArray(heldOut)
      ? heldOut.map((r) => ({ locale: r.locale, sentences: r.total, accuracy: r.accuracy, wrongTopic: r.wrongTopic }))
      : undefined,
    met: locales.every((l) => l.met) && (guard?.met ?? true) && Array.isArray(heldOut),
  };
  return { ok: true, scores: { locales, guard, heldOut, figures } };
}

/**
 * The held-out corpora, when the folder has them: how well the definitions understand sentences
 * nobody tuned them on (tuning and scoring on one corpus overstates it). No threshold.
 */
async function scoreHeldOut(dir: string, definitions: readonly FlowDefinition[]): Promise<FlowScores['heldOut']> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) return [];
  const corpora = await readCorpora(dir);
  if ('problem' in corpora) return { problem: corpora.problem };
  return corpora.files.flatMap((corpus) => {
    const definition = definitions.find((d) => d.locale === corpus.locale);
    return definition ? [evaluate(definition, compileMatcher(definition), corpus)] : [];
  });
}

/** The understanding corpora (one per locale) and the guard's (guard.yaml), read and checked. */
async function readCorpora(dir: string): Promise<{ files: Corpus[]; guard?: GuardCorpus } | { problem: string }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    return { problem: `Cannot read the corpus folder ${dir}: ${(err as Error).message}` };
  }
  if (names.length === 0) return { problem: `${dir} has no .yaml corpus files` };
  const files: Corpus[] = [];
  let guard: GuardCorpus | undefined;
  for (const name of names) {
    let raw: unknown;
    try {
      raw = parse(await readFile(join(dir, name), 'utf8'));
    } catch (err) {
      return { problem: `${name}: not valid YAML: ${(err as Error).message}` };
    }
    const parsed = name.replace(/\.ya?ml$/i, '') === 'guard' ? GuardCorpus.safeParse(raw) : Corpus.safeParse(raw);
    if (!parsed.success) return { problem: `${name}: ${parsed.error.issues.map(issueText).join('; ')}` };
    if ('blocked' in parsed.data) guard = parsed.data;
    else files.push(parsed.data);
  }
  return { files, ...(guard ? { guard } : {}) };
}

/** A zod issue as an admin reads it: where, and what (a bad label's own message, not "Invalid key"). */
function issueText(issue: z.core.$ZodIssue): string {
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return `${issue.path.join('.') || '(file)'}: ${message}`;
}
