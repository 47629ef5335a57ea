import { watch } from 'node:fs';
import { calendarWarning } from '../flows/calendar.js';
import { compileBundle, createConversationFlow, type ConversationFlow } from '../flows/step.js';
import type { FlowDefinition } from '../flows/schema.js';
import { FlowsError } from './errors.js';
import type { ActiveFlowPointer, ActiveFlowVersions, FlowFleetSignal } from './flow-fleet-port.js';
import type { AuditLog, PublishedFlowVersion } from './flow-versions-port.js';
import { bootFiles, loadFolder, seedFirstVersion, type LoadedFlows } from './flows-boot.js';
import { flowFilesHash, validateFlowFiles, readFlowFolder, type CheckResult, type FileProblem } from './flow-files.js';
import type { Logger } from './log.js';

export { DEFAULT_FLOWS_DIR } from './flow-files.js';

export type { CheckResult, FileProblem } from './flow-files.js';

export interface FlowVersion {
  version: string;
  loadedAt: number;
  locales: string[];
}

/**
 * Reads and validates every definition file of a folder (.yaml, .yml, .json). All files must be
 * valid together; the version is a hash of their contents, so two replicas running the same
 * files report the same version.
 */
export async function checkDefinitions(dir: string, defaultLocale: string): Promise<CheckResult> {
  const read = await readFlowFolder(dir);
  if ('problem' in read) return { ok: false, problems: [read.problem] };
  return validateFlowFiles(read.files, defaultLocale, dir);
}

/** How far ahead the holiday data must reach at start-up (issue 13: "the next 90 days"). */
export const CALENDAR_HORIZON_DAYS = 90;

/**
 * One warning per definition whose working-day calendar (region cn) has no holiday data for part
 * of the next 90 days from `at`: those dates would count as ordinary days. Empty when covered.
 */
export function calendarWarnings(
  definitions: readonly FlowDefinition[],
  at: number,
): Array<{ locale: string; message: string }> {
  return definitions.flatMap((def) => {
    const message = calendarWarning(def, at, CALENDAR_HORIZON_DAYS);
    return message === undefined ? [] : [{ locale: def.locale, message }];
  });
}

/** Where the flow in force comes from: the record's published versions, or a folder (no record, or a local draft). */
export type FlowSource =
  | {
      kind: 'published';
      versions: ActiveFlowVersions;
      signal?: FlowFleetSignal | undefined;
      /** Where seeding an empty store is recorded. */
      audit?: AuditLog | undefined;
    }
  | { kind: 'folder' };

/** How often a replica on published versions reads the record's active pointer (issue 15: switch within 5 s). */
export const FLOW_CHECK_MS = 3_000;

export type RefreshResult =
  { ok: true; changed: boolean; published: ActiveFlowPointer | undefined } | { ok: false; problem: string };

/**
 * The flow in force, and its switch to another version. On published versions (a system of
 * record): the active version, switched by `refresh()` when the record's pointer moves (the fleet
 * signal, a check every FLOW_CHECK_MS, or this process's own publish). On a folder: the folder,
 * reloaded when it changes. Either way a version that fails validation never replaces the one in
 * force: the problems are logged with their file and path.
 */
export class FlowRegistry {
  private flow: ConversationFlow;
  private readonly versions: FlowVersion[] = [];
  private loaded: LoadedFlows;
  private refreshing: Promise<RefreshResult> | undefined;
  private again = false;
  private recordDown = false;
  /** The published version last found invalid: not fetched and logged again every check. */
  private rejectedId: number | undefined;
  private readonly switched = new Set<(version: string, published: ActiveFlowPointer | undefined) => void>();

  private constructor(
    /** The folder read (on published versions: the one that seeds an empty store). */
    readonly dir: string,
    private readonly defaultLocale: string,
    private readonly log: Logger,
    private readonly clock: () => number,
    first: LoadedFlows,
    private readonly desk: boolean,
    private readonly source: FlowSource,
  ) {
    this.loaded = first;
    this.flow = this.compile(first);
  }

  /** Loads the folder; refuses to start on invalid definitions, listing every problem. */
  static async load(options: {
    dir: string;
    defaultLocale: string;
    log: Logger;
    clock?: () => number;
    desk?: boolean;
  }): Promise<FlowRegistry> {
    const folder = await loadFolder(options.dir, options.defaultLocale);
    if (!folder.ok)
      throw new FlowsError(
        options.dir,
        folder.problems.map((p) => ({ path: `${p.file}: ${p.path}`, message: p.message })),
      );
    options.log.info('flow definitions loaded', {
      dir: options.dir,
      version: folder.loaded.version,
      files: folder.names,
    });
    return FlowRegistry.start(options, options.dir, folder.loaded, { kind: 'folder' });
  }

  /**
   * Starts on the record's active published version. Never fails for what is on disk: an empty
   * store is seeded from `seedDir` (the shipped definitions when that folder is invalid); a record
   * that cannot be reached leaves the copy the fleet signal keeps, else the folder. The first
   * `refresh()` that reaches the record again puts this replica on the active version.
   */
  static async boot(options: {
    versions: ActiveFlowVersions;
    /** Where seeding an empty store is recorded (as `seed`). */
    audit?: AuditLog | undefined;
    signal?: FlowFleetSignal | undefined;
    seedDir: string;
    defaultLocale: string;
    log: Logger;
    clock?: () => number;
    desk?: boolean;
    /** The record still opening: start from the copy kept in Redis, checked against the record once open (bootFiles). */
    opening?: Promise<unknown> | undefined;
  }): Promise<FlowRegistry> {
    const { recordDown, fromCopy, ...first } = await bootFiles(options);
    const registry = FlowRegistry.start(options, options.seedDir, first, {
      kind: 'published',
      versions: options.versions,
      signal: options.signal,
      audit: options.audit,
    });
    registry.recordDown = recordDown;
    // A record that cannot be opened stops the process (its caller); one out of reach is checked again by follow().
    if (fromCopy) options.opening?.then(() => registry.refresh()).catch(() => {});
    return registry;
  }

  private static start(
    options: { defaultLocale: string; log: Logger; clock?: () => number; desk?: boolean },
    dir: string,
    first: LoadedFlows,
    source: FlowSource,
  ): FlowRegistry {
    for (const w of calendarWarnings(first.definitions, (options.clock ?? Date.now)()))
      options.log.warn(`holiday calendar incomplete (${w.locale}): ${w.message}`, { locale: w.locale });
    return new FlowRegistry(
      dir,
      options.defaultLocale,
      options.log,
      options.clock ?? Date.now,
      first,
      options.desk ?? false,
      source,
    );
  }

  private compile(next: LoadedFlows): ConversationFlow {
    const flow = createConversationFlow(compileBundle(next.definitions, this.defaultLocale), {
      desk: this.desk,
      version: next.version,
    });
    this.versions.push({
      version: next.version,
      loadedAt: this.clock(),
      locales: next.definitions.map((d) => d.locale),
    });
    if (this.versions.length > 50) this.versions.shift();
    return flow;
  }

  current(): ConversationFlow {
    return this.flow;
  }

  /** The content hash of the definitions in force (what tickets record as their flow version). */
  get version(): string {
    return this.loaded.version;
  }

  /** What this registry follows: the record's published versions, or a folder (no record, or a local draft). */
  get serving(): 'published' | 'folder' {
    return this.source.kind;
  }

  /** The published version in force (its id and hash); undefined when serving a folder. */
  published(): ActiveFlowPointer | undefined {
    return this.loaded.published;
  }

  /**
   * Calls `listener` after each switch (to other definitions, or to another published version with
   * the same files) with the hash and the published version in force; returns the unsubscribe.
   */
  onSwitch(listener: (version: string, published: ActiveFlowPointer | undefined) => void): () => void {
    this.switched.add(listener);
    return () => void this.switched.delete(listener);
  }

  /** Valid versions this process has run, oldest first. */
  history(): readonly FlowVersion[] {
    return this.versions;
  }

  /** Puts `next` in force unless it is invalid (logged) or already in force. */
  private use(
    next: Omit<LoadedFlows, 'definitions'>,
    what: Record<string, unknown>,
  ): { ok: true; changed: boolean } | { ok: false; problems: FileProblem[] } {
    if (next.version === this.loaded.version) {
      // The same files under another published id (a rollback to an equal version): nothing to compile.
      const moved = next.published?.id !== this.loaded.published?.id;
      this.loaded = { ...this.loaded, published: next.published };
      if (moved) this.tell();
      return { ok: true, changed: moved };
    }
    const checked = validateFlowFiles(next.files, this.defaultLocale, this.dir);
    if (!checked.ok) {
      this.log.error('flow definitions rejected; the previous version keeps running', {
        ...what,
        running: this.version,
        problems: checked.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`),
      });
      return { ok: false, problems: checked.problems };
    }
    const from = this.version;
    const loaded = { ...next, definitions: checked.definitions };
    this.flow = this.compile(loaded);
    this.loaded = loaded;
    this.log.info('flow definitions updated', { ...what, from, to: next.version });
    this.tell();
    return { ok: true, changed: true };
  }

  private tell(): void {
    for (const listener of this.switched)
      try {
        listener(this.loaded.version, this.loaded.published);
      } catch (err) {
        this.log.warn('a flow switch listener failed', { error: String(err) });
      }
  }

  /** Reloads the folder; on published versions, `refresh()` (the folder is not what they serve). */
  async reload(): Promise<{ ok: true; version: string; changed: boolean } | { ok: false; problems: FileProblem[] }> {
    if (this.source.kind === 'published') {
      const r = await this.refresh();
      return r.ok
        ? { ok: true, version: this.version, changed: r.changed }
        : { ok: false, problems: [{ file: '(record)', path: '(active version)', message: r.problem }] };
    }
    const read = await readFlowFolder(this.dir);
    if ('problem' in read) {
      this.log.error('flow definitions rejected; the previous version keeps running', {
        running: this.version,
        problems: [`${read.problem.file}: ${read.problem.path}: ${read.problem.message}`],
      });
      return { ok: false, problems: [read.problem] };
    }
    const used = this.use({ files: read.files, version: flowFilesHash(read.files) }, { dir: this.dir });
    return used.ok ? { ok: true, version: this.version, changed: used.changed } : used;
  }

  /** Switches to a published version (what the fleet signal, the check and a publish lead to). */
  switchTo(version: PublishedFlowVersion): { ok: true; changed: boolean } | { ok: false; problems: FileProblem[] } {
    const used = this.use(
      { files: version.files, version: version.hash, published: { id: version.id, hash: version.hash } },
      { published: `v${version.id}` },
    );
    if (used.ok && this.source.kind === 'published')
      this.source.signal
        ?.remember(version)
        .catch((err: unknown) => this.log.warn('could not keep the active flow copy in Redis', { error: String(err) }));
    return used;
  }

  /**
   * Reads the record's active pointer and switches when it moved (idempotent; calls made while one
   * runs share it, and one more read follows so the newest pointer wins). An empty store is
   * seeded with the definitions in force. Folder mode: reloads the folder.
   */
  refresh(): Promise<RefreshResult> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      let result: RefreshResult;
      do {
        this.again = false;
        result = await this.refreshOnce();
      } while (this.again);
      return result;
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshOnce(): Promise<RefreshResult> {
    if (this.source.kind === 'folder') {
      const r = await this.reload();
      return r.ok ? { ok: true, changed: r.changed, published: undefined } : { ok: false, problem: 'invalid folder' };
    }
    const { versions, audit } = this.source;
    try {
      let pointer = await versions.pointer();
      if (!pointer) {
        const deps = { versions, audit, clock: this.clock, log: this.log };
        const seeded = await seedFirstVersion(deps, this.loaded.files, this.loaded.from ?? this.dir);
        pointer = { id: seeded.id, hash: seeded.hash };
      }
      if (this.recordDown)
        this.log.info('the system of record answers again: flows follow its active version', {
          active: `v${pointer.id}`,
        });
      this.recordDown = false;
      if (pointer.id === this.loaded.published?.id) return { ok: true, changed: false, published: pointer };
      if (pointer.id === this.rejectedId) return { ok: false, problem: `v${pointer.id} is invalid` };
      const version = await versions.get(pointer.id);
      if (!version) return { ok: false, problem: `flow version ${pointer.id} vanished` };
      const used = this.switchTo(version);
      if (used.ok) return { ok: true, changed: used.changed, published: this.published() };
      this.rejectedId = version.id;
      return { ok: false, problem: `v${version.id} is invalid` };
    } catch (err) {
      if (!this.recordDown)
        this.log.warn(
          'cannot read the active flow version from the system of record; the version in force keeps serving',
          { error: String(err) },
        );
      this.recordDown = true;
      return { ok: false, problem: String(err) };
    }
  }

  /**
   * Keeps the flow current until the returned stop is called: on published versions, listens to
   * the fleet signal and checks the record every `checkMs`; on a folder, watches it (debounced,
   * since editors write in several steps).
   */
  follow(options: { checkMs?: number; debounceMs?: number } = {}): () => void {
    if (this.source.kind === 'folder') return this.watch(options.debounceMs);
    const check = () => void this.refresh();
    this.source.signal?.listen(check).catch((err: unknown) =>
      this.log.warn('cannot listen for flow versions on Redis; replicas still switch at their next check', {
        error: String(err),
      }),
    );
    const timer = setInterval(check, options.checkMs ?? FLOW_CHECK_MS);
    timer.unref?.();
    return () => clearInterval(timer);
  }

  /** Reloads when a file in the folder changes (debounced, since editors write in several steps). */
  watch(debounceMs = 300): () => void {
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(this.dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), debounceMs);
    });
    return () => {
      clearTimeout(timer);
      watcher.close();
    };
  }
}
