import type { z } from 'zod';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Corpus, evaluate, evaluateGuard, GuardCorpus, type GuardReport, type Report } from '../flows/evaluate.js';
import { combineGuards, compileGuard } from '../flows/guard.js';
import { compileMatcher, type Matcher } from '../flows/match.js';
import type { FlowDefinition } from '../flows/schema.js';
import type { FlowTestFigures } from './flow-versions-port.js';

/**
 * How well a set of definitions understands the corpus (`npm run flows:test`, and the gate a
 * published version must pass): computed here, printed by bots/app/flows-test.ts, stored with
 * each published version as FlowTestFigures.
 */

/**
 * The corpus shipped with the product: flows/corpus, example sentences labelled with the example
 * definitions' entries. A company that replaces the knowledge base replaces or relabels these too
 * and points CORPUS_DIR (or --corpus) at its own copy; CI scores the shipped definitions on this one.
 */
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

/** A locale only the corpus or only the definitions have: said, not scored, not a problem. */
export type NotScored = NonNullable<FlowTestFigures['notScored']>[number];

/** Everything one scoring found, for printing in full; `figures` is what is kept. */
export interface FlowScores {
  /** One per corpus file of a locale the definitions have, in file-name order; `file` is its path. */
  locales: Array<{ locale: string; sentences: number; file: string; report: Report; met: boolean }>;
  /** Corpus locales (understanding, guard or held-out) no definition has, then defined locales without a corpus file. */
  notScored: NotScored[];
  guard?: { report: GuardReport; met: boolean } | undefined;
  /** The held-out sentences' reports (no threshold), or why that folder could not be read. */
  heldOut: Report[] | { problem: string };
  figures: FlowTestFigures;
}

/** How flows:test and publish say a locale was not scored, e.g. "en: not scored (no en definition)". */
export function notScoredText(n: NotScored): string {
  return n.reason === 'no definition'
    ? `${n.locale}: not scored (no ${n.locale} definition)`
    : `no corpus sentences for ${n.locale}: not scored`;
}

/**
 * What to do when a corpus file's labels name an entry, policy or intent the definitions lack
 * (Report.problems): the corpus is the company's, so either side can change.
 */
export function labelAdvice(corpusFile: string, definition = 'the definitions'): string {
  return `remove or relabel those sentences in ${corpusFile} (the corpus is yours to edit: set CORPUS_DIR, or --corpus, to your copy of flows/corpus), or keep the entry in ${definition}`;
}

/**
 * Scores `definitions` on the corpus in `corpusDir` (one file per locale, guard.yaml for the
 * phrase guard, held-out/ scored without a threshold). Only locales both sides have are scored;
 * the others are listed in `notScored`. `{ problem }` when a corpus file cannot be read or is
 * invalid (a held-out problem is reported in `heldOut` and fails `figures.met`).
 */
export async function scoreDefinitions(
  definitions: readonly FlowDefinition[],
  corpusDir: string,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Promise<{ ok: true; scores: FlowScores } | { ok: false; problem: string }> {
  const texts = await readTexts(corpusDir);
  if ('problem' in texts) return { ok: false, problem: texts.problem };
  const heldOutTexts = await readHeldOutTexts(join(corpusDir, HELD_OUT));
  const key = createHash('sha256')
    .update(JSON.stringify([definitions, thresholds, texts, heldOutTexts]))
    .digest('hex');
  const known = recentScores.get(key);
  if (known) return { ok: true, scores: structuredClone(known) };
  const scored = score(definitions, corpusDir, thresholds, texts, heldOutTexts);
  if (scored.ok) {
    recentScores.set(key, structuredClone(scored.scores));
    if (recentScores.size > RECENT_SCORES) recentScores.delete(recentScores.keys().next().value!);
  }
  return scored;
}

/**
 * The last few scorings, by the hash of everything they were made from (the definitions, the
 * thresholds, every corpus file's name and text): the console scores a draft when the admin opens
 * it for publishing and again when they publish it, `flows publish` after `flows test`, each the
 * same half second or more of understanding every sentence. Copies out, so no caller changes another's.
 */
const recentScores = new Map<string, FlowScores>();
const RECENT_SCORES = 4;

function score(
  definitions: readonly FlowDefinition[],
  corpusDir: string,
  thresholds: Thresholds,
  texts: CorpusTexts,
  heldOutTexts: CorpusTexts | { problem: string } | undefined,
): { ok: true; scores: FlowScores } | { ok: false; problem: string } {
  const corpora = parseCorpora(texts);
  if ('problem' in corpora) return { ok: false, problem: corpora.problem };
  const defined = new Map(definitions.map((d) => [d.locale, d]));
  const matchers = new Map(definitions.map((d) => [d.locale, compileMatcher(d)]));
  const locales = corpora.files.flatMap(({ name, corpus }) => {
    const definition = defined.get(corpus.locale);
    if (!definition) return [];
    const sentences = Object.values(corpus.expect).reduce((n, list) => n + list.length, 0);
    const report = evaluate(definition, matchers.get(corpus.locale)!, corpus);
    const met =
      report.problems.length === 0 &&
      report.accuracy >= thresholds.minAccuracy &&
      report.wrongTopic <= thresholds.maxWrongTopic;
    return [{ locale: corpus.locale, sentences, file: join(corpusDir, name), report, met }];
  });
  const guard = corpora.guard && scoreGuard(definitions, corpora.guard, thresholds);
  const heldOut = scoreHeldOut(heldOutTexts, definitions, matchers);
  const corpusLocales = new Set([
    ...corpora.files.map((f) => f.corpus.locale),
    ...Object.keys(corpora.guard?.blocked ?? {}),
    ...Object.keys(corpora.guard?.allowed ?? {}),
    ...('locales' in heldOut ? heldOut.locales : []),
  ]);
  const notScored: NotScored[] = [
    ...[...corpusLocales]
      .filter((l) => !defined.has(l))
      .sort()
      .map((locale) => ({ locale, reason: 'no definition' as const })),
    ...[...defined.keys()]
      .filter((l) => !corpora.files.some((f) => f.corpus.locale === l))
      .map((locale) => ({ locale, reason: 'no corpus' as const })),
  ];
  const reports = heldOut.reports;
  const figures: FlowTestFigures = {
    locales: locales.map((l) => ({
      locale: l.locale,
      sentences: l.sentences,
      accuracy: l.report.accuracy,
      wrongTopic: l.report.wrongTopic,
      met: l.met,
    })),
    guard: guard && { caught: guard.report.caughtShare, falseAlarms: guard.report.falseAlarmShare, met: guard.met },
    heldOut: Array.isArray(reports)
      ? reports.map((r) => ({ locale: r.locale, sentences: r.total, accuracy: r.accuracy, wrongTopic: r.wrongTopic }))
      : undefined,
    ...(notScored.length > 0 ? { notScored } : {}),
    met: locales.every((l) => l.met) && (guard?.met ?? true) && Array.isArray(reports),
  };
  return { ok: true, scores: { locales, notScored, guard, heldOut: reports, figures } };
}

/**
 * The guard agents face (every definition's forbidden phrases together) on the guard corpus's
 * lists of the locales the definitions have; undefined when those lists are empty.
 */
function scoreGuard(
  definitions: readonly FlowDefinition[],
  corpus: GuardCorpus,
  thresholds: Thresholds,
): FlowScores['guard'] {
  const ours = (lists: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(lists).filter(([locale]) => definitions.some((d) => d.locale === locale)));
  const scored = { blocked: ours(corpus.blocked), allowed: ours(corpus.allowed) };
  if (Object.values(scored.blocked).flat().length + Object.values(scored.allowed).flat().length === 0) return undefined;
  const report = evaluateGuard(combineGuards(definitions.map((d) => compileGuard(d.forbidden))), scored);
  return {
    report,
    met: report.caughtShare >= thresholds.minCaught && report.falseAlarmShare <= thresholds.maxFalseAlarms,
  };
}

/**
 * The held-out corpora, when the folder has them: how well the definitions understand sentences
 * nobody tuned them on (tuning and scoring on one corpus overstates it). No threshold. `locales`
 * are every held-out file's, defined or not (the undefined ones are not scored).
 */
function scoreHeldOut(
  texts: CorpusTexts | { problem: string } | undefined,
  definitions: readonly FlowDefinition[],
  matchers: ReadonlyMap<string, Matcher>,
): { reports: Report[]; locales: string[] } | { reports: { problem: string } } {
  if (!texts) return { reports: [], locales: [] };
  const corpora = 'problem' in texts ? texts : parseCorpora(texts);
  if ('problem' in corpora) return { reports: { problem: corpora.problem } };
  return {
    reports: corpora.files.flatMap(({ corpus }) => {
      const definition = definitions.find((d) => d.locale === corpus.locale);
      return definition ? [evaluate(definition, matchers.get(corpus.locale)!, corpus)] : [];
    }),
    locales: corpora.files.map((f) => f.corpus.locale),
  };
}

/** A corpus folder's .yaml files as read: their names (sorted) and texts, and the folder (scores name their files by it). */
interface CorpusTexts {
  dir: string;
  files: Array<{ name: string; text: string }>;
}

/** The .yaml files of a corpus folder, or why they cannot be read (no folder, no files, a file unreadable). */
async function readTexts(dir: string): Promise<CorpusTexts | { problem: string }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch (err) {
    return { problem: `Cannot read the corpus folder ${dir}: ${(err as Error).message}` };
  }
  if (names.length === 0) return { problem: `${dir} has no .yaml corpus files` };
  const files: CorpusTexts['files'] = [];
  for (const name of names) {
    try {
      files.push({ name, text: await readFile(join(dir, name), 'utf8') });
    } catch (err) {
      return { problem: `${name}: cannot be read: ${(err as Error).message}` };
    }
  }
  return { dir, files };
}

/** The held-out folder's files; undefined when there is no such folder. */
async function readHeldOutTexts(dir: string): Promise<CorpusTexts | { problem: string } | undefined> {
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  return exists ? readTexts(dir) : undefined;
}

/** The understanding corpora (one per locale, with their file names) and the guard's (guard.yaml), checked. */
function parseCorpora({
  files: texts,
}: CorpusTexts): { files: Array<{ name: string; corpus: Corpus }>; guard?: GuardCorpus } | { problem: string } {
  const files: Array<{ name: string; corpus: Corpus }> = [];
  let guard: GuardCorpus | undefined;
  for (const { name, text } of texts) {
    let raw: unknown;
    try {
      raw = parse(text);
    } catch (err) {
      return { problem: `${name}: not valid YAML: ${(err as Error).message}` };
    }
    const parsed = name.replace(/\.ya?ml$/i, '') === 'guard' ? GuardCorpus.safeParse(raw) : Corpus.safeParse(raw);
    if (!parsed.success) return { problem: `${name}: ${parsed.error.issues.map(issueText).join('; ')}` };
    if ('blocked' in parsed.data) guard = parsed.data;
    else files.push({ name, corpus: parsed.data });
  }
  return { files, ...(guard ? { guard } : {}) };
}

/** A zod issue as an admin reads it: where, and what (a bad label's own message, not "Invalid key"). */
function issueText(issue: z.core.$ZodIssue): string {
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return `${issue.path.join('.') || '(file)'}: ${message}`;
}
