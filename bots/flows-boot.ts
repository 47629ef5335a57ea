import { FlowsError } from './errors.js';
import type { ActiveFlowPointer, ActiveFlowVersions, FlowFleetSignal } from './flow-fleet-port.js';
import { DEFAULT_FLOWS_DIR, readFlowFolder, seedMessage, validateFlowFiles, type FileProblem } from './flow-files.js';
import type { AuditLog, FlowFiles, PublishedFlowVersion } from './flow-versions-port.js';
import type { FlowDefinition } from '../flows/schema.js';
import type { Logger } from './log.js';

/** A valid set of definitions, ready to compile, and the published version it is when it is one. */
export interface LoadedFlows {
  definitions: FlowDefinition[];
  /** Its content hash (bots/flow-files.ts flowFilesHash). */
  version: string;
  files: FlowFiles;
  published?: ActiveFlowPointer | undefined;
  /** The folder the files were read from, when they were (the shipped one when the folder given was broken). */
  from?: string | undefined;
}

/** The folder's definitions, validated together, or every problem. */
export async function loadFolder(
  dir: string,
  defaultLocale: string,
): Promise<{ ok: true; loaded: LoadedFlows; names: string[] } | { ok: false; problems: FileProblem[] }> {
  const read = await readFlowFolder(dir);
  if ('problem' in read) return { ok: false, problems: [read.problem] };
  const checked = validateFlowFiles(read.files, defaultLocale, dir);
  if (!checked.ok) return checked;
  return {
    ok: true,
    loaded: { definitions: checked.definitions, version: checked.version, files: read.files },
    names: checked.files,
  };
}

const lines = (problems: readonly FileProblem[]) => problems.map((p) => `${p.file}: ${p.path}: ${p.message}`);

/** A published version's definitions, or undefined (logged) when they no longer validate. */
function loadPublished(version: PublishedFlowVersion, defaultLocale: string, log: Logger): LoadedFlows | undefined {
  const checked = validateFlowFiles(version.files, defaultLocale);
  if (checked.ok)
    return {
      definitions: checked.definitions,
      version: version.hash,
      files: version.files,
      published: { id: version.id, hash: version.hash },
    };
  log.error(`flow version v${version.id} does not pass validation; it is not served`, {
    problems: lines(checked.problems),
  });
  return undefined;
}

/**
 * The folder a replica falls back on: `dir`, else (invalid, logged as an error) the shipped
 * definitions. Throws only when those are broken too (a broken installation).
 */
async function folderOrShipped(
  dir: string,
  defaultLocale: string,
  log: Logger,
): Promise<LoadedFlows & { from: string }> {
  const folder = await loadFolder(dir, defaultLocale);
  if (folder.ok) return { ...folder.loaded, from: dir };
  const problems = folder.problems.map((p) => ({ path: `${p.file}: ${p.path}`, message: p.message }));
  if (dir !== DEFAULT_FLOWS_DIR) {
    log.error(`the flows folder ${dir} is invalid; starting on the shipped definitions instead`, {
      problems: lines(folder.problems),
    });
    const shipped = await loadFolder(DEFAULT_FLOWS_DIR, defaultLocale);
    if (shipped.ok) return { ...shipped.loaded, from: DEFAULT_FLOWS_DIR };
    // Both are broken: say so of both, not only of the folder asked for.
    problems.push(
      ...shipped.problems.map((p) => ({ path: `${DEFAULT_FLOWS_DIR}/${p.file}: ${p.path}`, message: p.message })),
    );
  }
  throw new FlowsError(dir, problems);
}

/**
 * Publishes `files`, read from the folder `from`, as the first version of an empty store, by
 * `seed`, and audits it (an audit entry that cannot be written is logged, not fatal). The one way
 * a store is seeded: at boot, and when a replica that booted without the record finds it empty.
 */
export async function seedFirstVersion(
  deps: { versions: ActiveFlowVersions; audit?: AuditLog | undefined; clock?: (() => number) | undefined; log: Logger },
  files: FlowFiles,
  from: string,
): Promise<PublishedFlowVersion> {
  const { versions, log } = deps;
  const seeded = await versions.publish({ files, author: 'seed', message: seedMessage(from), figures: null });
  log.info('flow definitions published as the first version', { published: `v${seeded.id}`, dir: from });
  await deps.audit
    ?.append({
      at: (deps.clock ?? Date.now)(),
      actor: 'seed',
      action: 'flows.publish',
      target: `v${seeded.id}`,
      detail: { hash: seeded.hash, message: seeded.message },
    })
    .catch((err: unknown) =>
      log.warn('could not write the audit entry of the first flow version', { error: String(err) }),
    );
  return seeded;
}

/**
 * What a replica on published versions starts on (issue 15): the record's active version; on an
 * empty store, the folder (or the shipped definitions), published as version 1 by "seed"; when
 * the record cannot be reached, the copy of the active version kept in Redis, else the folder.
 * `recordDown` says the record did not answer (the registry's checks keep trying). Given
 * `opening` (the record still opening: issue 17, customers answered meanwhile), the copy kept in
 * Redis serves at once when there is one (`fromCopy`: the caller checks the record once it is open).
 */
export async function bootFiles(options: {
  versions: ActiveFlowVersions;
  audit?: AuditLog | undefined;
  clock?: (() => number) | undefined;
  signal?: FlowFleetSignal | undefined;
  seedDir: string;
  defaultLocale: string;
  log: Logger;
  opening?: Promise<unknown> | undefined;
}): Promise<LoadedFlows & { recordDown: boolean; fromCopy?: boolean }> {
  const { versions, signal, seedDir, defaultLocale, log } = options;
  if (options.opening && signal) {
    const cached = await signal.cached().catch(() => undefined);
    const copy = cached && loadPublished(cached, defaultLocale, log);
    if (cached && copy) {
      log.info('flow definitions loaded from the copy kept in Redis; checked once the system of record is open', {
        published: `v${cached.id}`,
        version: cached.hash,
      });
      return { ...copy, recordDown: false, fromCopy: true };
    }
  }
  let active: PublishedFlowVersion | undefined;
  let down = false;
  try {
    active = await versions.active();
  } catch (err) {
    down = true;
    log.warn('cannot read the active flow version from the system of record at start', { error: String(err) });
  }
  const published = active && loadPublished(active, defaultLocale, log);
  if (active && published) {
    log.info('flow definitions loaded', { published: `v${active.id}`, version: active.hash });
    signal?.remember(active).catch(() => {});
    return { ...published, recordDown: false };
  }
  if (down) {
    const cached = await signal?.cached().catch(() => undefined);
    const copy = cached && loadPublished(cached, defaultLocale, log);
    if (cached && copy) {
      log.warn(`serving the copy of flow version v${cached.id} kept in Redis until the system of record answers`);
      return { ...copy, recordDown: true };
    }
  }
  const folder = await folderOrShipped(seedDir, defaultLocale, log);
  if (down || active) {
    log.warn('serving the flows folder until the system of record has a valid active version', { dir: seedDir });
    return { ...folder, recordDown: down };
  }
  try {
    const seeded = await seedFirstVersion(options, folder.files, folder.from);
    return { ...folder, version: seeded.hash, published: { id: seeded.id, hash: seeded.hash }, recordDown: false };
  } catch (err) {
    log.warn('could not publish the first flow version; serving the folder', { error: String(err) });
    return { ...folder, recordDown: true };
  }
}
