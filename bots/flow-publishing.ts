import type { FlowDefinition } from '../flows/schema.js';
import {
  DEFAULT_CORPUS_DIR,
  DEFAULT_THRESHOLDS,
  labelAdvice,
  scoreDefinitions,
  type FlowScores,
  type Thresholds,
} from './flow-figures.js';
import type { FlowFleetSignal } from './flow-fleet-port.js';
import { flowFilesHash, validateFlowFiles, type FileProblem } from './flow-files.js';
import type {
  AuditLog,
  FlowFiles,
  FlowTestFigures,
  FlowVersionStore,
  PublishedFlowVersion,
} from './flow-versions-port.js';
import type { Logger } from './log.js';

/**
 * Publishing flows to the fleet (issue 15): the one service the CLI (`npm run flows -- publish`)
 * and the console call. A version is published only when its files pass flows:check (the zod
 * schema of flows/schema.ts) and flows:test's thresholds on the corpus; then it is stored and made
 * active in one transaction, every replica is told (Redis pub/sub, when there is Redis; each also
 * checks the record every few seconds), this process switches at once, and the audit log says who
 * did it. Anything refused changes nothing anywhere.
 */

/** One thing wrong with a set of files: the file ('zh-CN.yaml'; a folder or '(corpus)' for the whole), the path in it, what. */
export type PublishProblem = FileProblem;

export type PublishOutcome =
  | { ok: true; version: PublishedFlowVersion; unchanged: boolean }
  | { ok: false; problems: PublishProblem[]; figures?: FlowTestFigures };

export type RollbackOutcome =
  { ok: true; version: PublishedFlowVersion; unchanged: boolean } | { ok: false; problems: PublishProblem[] };

export interface PublishDeps {
  versions: FlowVersionStore;
  audit: AuditLog;
  /** The locale every set of files must define (DEFAULT_LOCALE). */
  defaultLocale: string;
  /** Tells the other replicas at once; without it they switch at their next check (≤ 3 s). */
  signal?: FlowFleetSignal | undefined;
  /** This process's registry, switched before the call returns (the console's own process). */
  registry?: { refresh(): Promise<unknown> } | undefined;
  /** flows/corpus unless given. */
  corpusDir?: string | undefined;
  /** flows:test's defaults unless given. */
  thresholds?: Thresholds | undefined;
  clock?: (() => number) | undefined;
  log?: Logger | undefined;
}

/** Validation of a draft without storing anything (the console shows it as the admin types). */
export async function checkFlowFiles(
  files: FlowFiles,
  defaultLocale: string,
): Promise<
  | { ok: true; definitions: FlowDefinition[]; version: string; files: string[] }
  | { ok: false; problems: PublishProblem[] }
> {
  return validateFlowFiles(files, defaultLocale);
}

/**
 * flows:test's figures of a draft on the corpus, without storing anything. Rejects when the corpus
 * itself cannot be read (a broken installation, not the draft's fault).
 */
export async function scoreFlowFiles(
  definitions: readonly FlowDefinition[],
  corpusDir: string = DEFAULT_CORPUS_DIR,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Promise<FlowTestFigures> {
  const scored = await scoreDefinitions(definitions, corpusDir, thresholds);
  if (!scored.ok) throw new Error(`The corpus in ${corpusDir} cannot be scored on: ${scored.problem}`);
  return scored.scores.figures;
}

/** The longest publish message, in characters (a line of history, not a document). */
export const MAX_PUBLISH_MESSAGE = 500;

/**
 * What is wrong with a publish message, if anything: empty, longer than MAX_PUBLISH_MESSAGE, or
 * holding control, format or bidi characters (they would rewrite a terminal's history listing or
 * reorder what the console shows; found by the issue-15 trial).
 */
function messageProblem(message: string): PublishProblem | undefined {
  const at = (text: string): PublishProblem => ({ file: '(message)', path: 'message', message: text });
  if (!message.trim()) return at('a publish message is required');
  if (message.length > MAX_PUBLISH_MESSAGE) return at(`must be at most ${MAX_PUBLISH_MESSAGE} characters`);
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(message))
    return at('must not contain control, format or bidi characters, or line breaks');
  return undefined;
}

/**
 * Validates, scores, stores, activates, tells every replica, audits (action `flows.publish`,
 * target `v<id>`). Files equal to the active version's store nothing (`unchanged`). Invalid files
 * or figures below the thresholds change nothing: the problems, by file and path.
 */
export async function publishFlows(
  deps: PublishDeps,
  draft: { files: FlowFiles; author: string; message: string },
): Promise<PublishOutcome> {
  const refused = messageProblem(draft.message);
  if (refused) return { ok: false, problems: [refused] };
  const checked = validateFlowFiles(draft.files, deps.defaultLocale);
  if (!checked.ok) return { ok: false, problems: checked.problems };
  const thresholds = deps.thresholds ?? DEFAULT_THRESHOLDS;
  const corpusDir = deps.corpusDir ?? DEFAULT_CORPUS_DIR;
  const scored = await scoreDefinitions(checked.definitions, corpusDir, thresholds);
  if (!scored.ok) return { ok: false, problems: [{ file: corpusDir, path: '(corpus)', message: scored.problem }] };
  const { figures } = scored.scores;
  if (!figures.met) {
    const byLocale = new Map(checked.definitions.map((d, i) => [d.locale, checked.files[i]!]));
    return { ok: false, problems: figureProblems(scored.scores, thresholds, byLocale, corpusDir), figures };
  }
  const active = await deps.versions.active();
  if (active?.hash === flowFilesHash(draft.files)) return { ok: true, version: active, unchanged: true };
  const version = await deps.versions.publish({ ...draft, files: { ...draft.files }, figures });
  await deps.audit.append({
    at: (deps.clock ?? Date.now)(),
    actor: draft.author,
    action: 'flows.publish',
    target: `v${version.id}`,
    detail: { hash: version.hash, message: draft.message, ...(active ? { replaces: `v${active.id}` } : {}) },
  });
  await tellEveryone(deps, version);
  return { ok: true, version, unchanged: false };
}

/**
 * Makes an earlier version active again, after checking its files still pass flows:check (a
 * version stored under an older schema may not); audits `flows.rollback`. The figures gate is
 * not applied again: the version passed it when published.
 */
export async function rollbackFlows(deps: PublishDeps, request: { id: number; by: string }): Promise<RollbackOutcome> {
  const target = await deps.versions.get(request.id);
  if (!target)
    return {
      ok: false,
      problems: [{ file: `v${request.id}`, path: '(version)', message: 'there is no such version' }],
    };
  const checked = validateFlowFiles(target.files, deps.defaultLocale);
  if (!checked.ok) return { ok: false, problems: checked.problems };
  const active = await deps.versions.active();
  if (active?.id === target.id) return { ok: true, version: target, unchanged: true };
  await deps.versions.activate(target.id, request.by);
  await deps.audit.append({
    at: (deps.clock ?? Date.now)(),
    actor: request.by,
    action: 'flows.rollback',
    target: `v${target.id}`,
    detail: { hash: target.hash, ...(active ? { replaces: `v${active.id}` } : {}) },
  });
  await tellEveryone(deps, target);
  return { ok: true, version: target, unchanged: false };
}

/** The fleet signal and this process's switch: hints on top of the record, so a failure is logged, not thrown. */
async function tellEveryone(deps: PublishDeps, version: PublishedFlowVersion): Promise<void> {
  try {
    await deps.signal?.announce(version);
  } catch (err) {
    deps.log?.warn('could not announce the new flow version; replicas switch at their next check', {
      version: version.id,
      error: String(err),
    });
  }
  try {
    await deps.registry?.refresh();
  } catch (err) {
    deps.log?.warn('could not switch this process to the new flow version yet; it tries again shortly', {
      version: version.id,
      error: String(err),
    });
  }
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/**
 * Each threshold missed, on the file it is about (the locale's definition; every file for the
 * guard). Locales only the corpus or only the definitions have were not scored: not problems.
 */
function figureProblems(
  scores: FlowScores,
  t: Thresholds,
  fileOf: ReadonlyMap<string, string>,
  corpusDir: string,
): PublishProblem[] {
  const problems: PublishProblem[] = [];
  for (const l of scores.locales) {
    if (l.met) continue;
    const file = fileOf.get(l.locale) ?? `${l.locale}.yaml`;
    const r = l.report;
    for (const p of r.problems) problems.push({ file, path: '(corpus)', message: p });
    if (r.problems.length > 0) problems.push({ file, path: '(corpus)', message: labelAdvice(l.file, file) });
    if (r.accuracy < t.minAccuracy || r.wrongTopic > t.maxWrongTopic)
      problems.push({
        file,
        path: '(understanding)',
        message: `understands ${r.correct}/${r.total} corpus sentences (${percent(r.accuracy)}, needs ≥ ${percent(t.minAccuracy)}); wrong topic ${r.wrongTopicCount} (${percent(r.wrongTopic)}, needs ≤ ${percent(t.maxWrongTopic)}); npm run flows:test shows which`,
      });
  }
  if (scores.guard && !scores.guard.met) {
    const g = scores.guard.report;
    problems.push({
      file: [...fileOf.values()].join(', '),
      path: 'forbidden',
      message: `the phrase guard catches ${g.caught}/${g.blocked} forbidden replies (${percent(g.caughtShare)}, needs ≥ ${percent(t.minCaught)}) and stops ${g.falseAlarms}/${g.allowed} good ones (${percent(g.falseAlarmShare)}, needs ≤ ${percent(t.maxFalseAlarms)})`,
    });
  }
  if (!Array.isArray(scores.heldOut))
    problems.push({ file: `${corpusDir}/held-out`, path: '(corpus)', message: scores.heldOut.problem });
  return problems;
}

/**
 * A version named as admins name it: `3`, `v3`, or `active`. Undefined when there is no such
 * version (or the name is none of those).
 */
export async function findFlowVersion(
  versions: FlowVersionStore,
  ref: string,
): Promise<PublishedFlowVersion | undefined> {
  const name = ref.trim().toLowerCase();
  if (name === 'active') return versions.active();
  const m = /^v?(\d{1,9})$/.exec(name);
  return m ? versions.get(Number(m[1])) : undefined;
}
