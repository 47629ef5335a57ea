import { showControls } from '../../flows/text.js';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { userInfo } from 'node:os';
import { RedisFlowSignal } from '../../adapters/store/flow-signal.js';
import { redisTarget, type Config } from '../config.js';
import { readFlowFolder, FLOW_FILE_NAME } from '../flow-files.js';
import { makeFolder } from '../folders.js';
import { diffFlowFiles, unifiedDiff } from '../flow-diff.js';
import {
  findFlowVersion,
  publishFlows,
  rollbackFlows,
  type PublishDeps,
  type PublishProblem,
} from '../flow-publishing.js';
import type { FlowTestFigures, FlowVersionSummary, PublishedFlowVersion } from '../flow-versions-port.js';
import { createLogger } from '../log.js';
import { openRecord, RecordInUseError } from './record-open.js';
import { SetupError } from '../errors.js';
import type { OpenedRecordStore } from '../../adapters/record/index.js';

/**
 * `npm run flows -- publish|history|diff|rollback|export` (issue 15): published flow versions in
 * the system of record, from the command line. Writes to stdout what was done, to stderr what
 * went wrong; exit 0 done (or nothing to do), 1 refused or failed (nothing changed).
 */

export type FlowsCommand =
  | { command: 'publish'; dir: string; message: string; by?: string | undefined; corpus?: string | undefined }
  | { command: 'history'; limit: number }
  | { command: 'diff'; a: string; b: string }
  | { command: 'rollback'; ref: string; by?: string | undefined }
  /** `force`: write over files in DIR that differ from the version's (edits not yet published). */
  | { command: 'export'; ref: string; dir: string; force: boolean };

const out = (text: string) => void process.stdout.write(`${text}\n`);
const err = (text: string) => void process.stderr.write(`${text}\n`);

/** Who the command acts as: --by, else the operating-system user. */
function actor(by: string | undefined): string {
  // Shown in the history and the console's audit log: no control, bidi or line-break characters.
  if (by?.trim()) return showControls(by.trim());
  try {
    return userInfo().username || 'cli';
  } catch {
    return 'cli';
  }
}

export async function flowsCommand(config: Config, cmd: FlowsCommand): Promise<number> {
  if (config.RECORD_STORE === 'off') {
    err(
      'Published flow versions live in the system of record, and RECORD_STORE=off has none: unset it (or set it to auto).',
    );
    return 1;
  }
  let record: OpenedRecordStore | undefined;
  try {
    record = await openRecord(config, createLogger('silent'));
  } catch (e) {
    err(e instanceof SetupError ? e.message : String(e));
    if (e instanceof RecordInUseError)
      err(
        'That is the running bot: stop it to use this command, or publish and roll back from its console (/console/flows).',
      );
    return 1;
  }
  if (record === undefined) return 1;
  const redis = redisTarget(config);
  const signal = redis ? RedisFlowSignal.create({ ...redis, prefix: config.REDIS_PREFIX }) : undefined;
  const deps: PublishDeps = {
    versions: record.flowVersions,
    audit: record.audit,
    defaultLocale: config.DEFAULT_LOCALE,
    signal,
    corpusDir: (cmd.command === 'publish' ? cmd.corpus : undefined) ?? config.CORPUS_DIR,
    log: createLogger(config.LOG_LEVEL === 'debug' ? 'debug' : 'error'),
  };
  try {
    return await run(cmd, deps, record);
  } finally {
    await signal?.close();
    await record.close();
  }
}

async function run(cmd: FlowsCommand, deps: PublishDeps, record: OpenedRecordStore): Promise<number> {
  switch (cmd.command) {
    case 'publish':
      return publish(deps, cmd);
    case 'history':
      return history(await record.flowVersions.list(cmd.limit));
    case 'diff':
      return diff(deps, cmd.a, cmd.b);
    case 'rollback':
      return rollback(deps, cmd.ref, actor(cmd.by));
    case 'export':
      return exportVersion(deps, cmd);
  }
}

async function publish(deps: PublishDeps, cmd: { dir: string; message: string; by?: string | undefined }) {
  const read = await readFlowFolder(cmd.dir);
  if ('problem' in read) return refused([read.problem]);
  const outcome = await publishFlows(deps, { files: read.files, author: actor(cmd.by), message: cmd.message });
  if (!outcome.ok) return refused(outcome.problems, outcome.figures);
  const v = outcome.version;
  if (outcome.unchanged) {
    out(`Nothing to publish: ${cmd.dir} has the files of the active version v${v.id} (${v.hash}).`);
    return 0;
  }
  out(`Published v${v.id} (${v.hash}) by ${v.author}: ${v.message}`);
  if (v.figures) out(`  ${figuresLine(v.figures)}`);
  out('Every replica switches to it within 5 seconds.');
  return 0;
}

function refused(problems: readonly PublishProblem[], figures?: FlowTestFigures): number {
  err(`Not published (nothing changed): ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  for (const p of problems) err(`  ${p.file}: ${p.path}: ${p.message}`);
  if (figures) err(`  figures: ${figuresLine(figures)}`);
  return 1;
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The figures in one line: understanding per locale, the guard. */
export function figuresLine(f: FlowTestFigures): string {
  return [
    ...f.locales.map((l) => `${l.locale} ${percent(l.accuracy)} understood, wrong topic ${percent(l.wrongTopic)}`),
    ...(f.guard ? [`guard catches ${percent(f.guard.caught)}, false alarms ${percent(f.guard.falseAlarms)}`] : []),
    ...(f.notScored ?? []).map((n) => `${n.locale} not scored (${n.reason})`),
  ].join('; ');
}

/** Understood per locale and the guard's catch rate, for the history's one line per version. */
const shortFigures = (f: FlowTestFigures) =>
  [
    ...f.locales.map((l) => `${l.locale} ${percent(l.accuracy)}`),
    ...(f.guard ? [`guard ${percent(f.guard.caught)}`] : []),
  ].join(', ');

const minute = (ms: number) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function history(versions: readonly FlowVersionSummary[]): number {
  if (versions.length === 0) {
    out('No flow version is published yet: the first start of the bot on this record publishes its folder as v1.');
    return 0;
  }
  for (const v of versions)
    out(
      `${v.active ? '*' : ' '} v${v.id}  ${minute(v.createdAt)}  ${v.hash}  ${showControls(`${v.author}: ${v.message}`)}${v.figures ? `  [${shortFigures(v.figures)}]` : ''}`,
    );
  out('(* active)');
  return 0;
}

async function version(deps: PublishDeps, ref: string): Promise<PublishedFlowVersion | undefined> {
  const found = await findFlowVersion(deps.versions, ref);
  if (!found)
    err(`There is no flow version ${ref} (npm run flows -- history lists them; name one as 3, v3 or active).`);
  return found;
}

/** Of `names`, the files in `files` whose contents no published version has (newest versions first). */
async function unpublished(deps: PublishDeps, files: Record<string, string>, names: string[]): Promise<string[]> {
  let left = names.filter((n) => files[n] !== undefined);
  for (const summary of await deps.versions.list(MAX_VERSIONS_COMPARED)) {
    if (left.length === 0) break;
    const published = await deps.versions.get(summary.id);
    left = left.filter((n) => published?.files[n] !== files[n]);
  }
  return left;
}

/** How many published versions an export compares the folder with (the newest). */
const MAX_VERSIONS_COMPARED = 200;

async function diff(deps: PublishDeps, a: string, b: string): Promise<number> {
  const [va, vb] = [await version(deps, a), await version(deps, b)];
  if (!va || !vb) return 1;
  const diffs = diffFlowFiles(va.files, vb.files);
  if (diffs.length === 0) out(`v${va.id} and v${vb.id} have the same files.`);
  // Bidi and control characters in the files shown as [U+202E], so a diff cannot reorder or drive the terminal.
  else process.stdout.write(showControls(unifiedDiff(diffs, { a: `v${va.id}`, b: `v${vb.id}` })));
  return 0;
}

async function rollback(deps: PublishDeps, ref: string, by: string): Promise<number> {
  const target = await version(deps, ref);
  if (!target) return 1;
  const outcome = await rollbackFlows(deps, { id: target.id, by });
  if (!outcome.ok) return refused(outcome.problems);
  if (outcome.unchanged) out(`v${target.id} is already the active version.`);
  else out(`v${target.id} (${target.hash}) is active again. Every replica switches to it within 5 seconds.`);
  return 0;
}

/**
 * Writes a version's files into DIR. Files there that no published version has (edits not yet
 * published) are not written over without `force`: the command names them and writes nothing. A
 * file as some version published it (an earlier export) is written over.
 */
async function exportVersion(
  deps: PublishDeps,
  { ref, dir, force }: { ref: string; dir: string; force: boolean },
): Promise<number> {
  const v = await version(deps, ref);
  if (!v) return 1;
  const existing = await readFlowFolder(dir);
  const edited = 'files' in existing ? await unpublished(deps, existing.files, Object.keys(v.files)) : [];
  if (edited.length > 0 && !force) {
    err(
      `Not written: ${dir} has ${edited.join(', ')} as no published version has them (edited since?). ` +
        `Publish or move them first, or run again with --force to write over them.`,
    );
    return 1;
  }
  try {
    makeFolder(dir);
    for (const [name, text] of Object.entries(v.files)) {
      // Names were checked when published; a name with a path in it is never written outside DIR.
      if (basename(name) !== name || !FLOW_FILE_NAME.test(name)) continue;
      await writeFile(join(dir, name), text);
    }
  } catch (e) {
    // Not a folder, or not writable (`export 1 /etc/passwd`): say so, never a stack trace.
    err(`Could not write v${v.id} to ${dir}: ${(e as Error).message}`);
    return 1;
  }
  out(`Wrote v${v.id} (${v.hash}) to ${dir}: ${Object.keys(v.files).sort().join(', ')}`);
  const others = 'files' in existing ? Object.keys(existing.files).filter((n) => !(n in v.files)) : [];
  if (others.length > 0)
    err(`Note: ${dir} also has ${others.join(', ')}, not part of v${v.id}; publishing ${dir} would include them.`);
  return 0;
}
