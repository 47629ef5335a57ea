import { watch, type FSWatcher } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { calendarWarning } from '../flows/calendar.js';
import { compileBundle, createConversationFlow, type ConversationFlow } from '../flows/step.js';
import type { FlowDefinition } from '../flows/schema.js';
import { FlowsError } from './errors.js';
import { validateFlowFiles, readFlowFolder, type CheckResult, type FileProblem } from './flow-files.js';
import type { Logger } from './log.js';

/** The definitions shipped with the product: flows/definitions next to this folder. */
export const DEFAULT_FLOWS_DIR = resolve(fileURLToPath(new URL('../flows/definitions', import.meta.url)));

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

/**
 * The flow in force. A reload that finds any problem changes nothing: the last valid version
 * keeps serving, and the problems are logged with their file and path.
 */
export class FlowRegistry {
  private flow: ConversationFlow;
  private readonly versions: FlowVersion[] = [];
  private watcher: FSWatcher | undefined;

  private constructor(
    readonly dir: string,
    private readonly defaultLocale: string,
    private readonly log: Logger,
    private readonly clock: () => number,
    first: { definitions: FlowDefinition[]; version: string },
    private readonly desk: boolean,
  ) {
    this.flow = createConversationFlow(compileBundle(first.definitions, defaultLocale), {
      desk,
      version: first.version,
    });
    this.versions.push({ version: first.version, loadedAt: clock(), locales: first.definitions.map((d) => d.locale) });
  }

  /** Loads the folder; refuses to start on invalid definitions, listing every problem. */
  static async load(options: {
    dir: string;
    defaultLocale: string;
    log: Logger;
    clock?: () => number;
    desk?: boolean;
  }): Promise<FlowRegistry> {
    const result = await checkDefinitions(options.dir, options.defaultLocale);
    if (!result.ok)
      throw new FlowsError(
        options.dir,
        result.problems.map((p) => ({ path: `${p.file}: ${p.path}`, message: p.message })),
      );
    options.log.info('flow definitions loaded', { dir: options.dir, version: result.version, files: result.files });
    for (const w of calendarWarnings(result.definitions, (options.clock ?? Date.now)()))
      options.log.warn(`holiday calendar incomplete (${w.locale}): ${w.message}`, { locale: w.locale });
    return new FlowRegistry(
      options.dir,
      options.defaultLocale,
      options.log,
      options.clock ?? Date.now,
      result,
      options.desk ?? false,
    );
  }

  current(): ConversationFlow {
    return this.flow;
  }

  get version(): string {
    return this.versions.at(-1)?.version ?? '';
  }

  /** Valid versions this process has run, oldest first. */
  history(): readonly FlowVersion[] {
    return this.versions;
  }

  async reload(): Promise<{ ok: true; version: string; changed: boolean } | { ok: false; problems: FileProblem[] }> {
    const result = await checkDefinitions(this.dir, this.defaultLocale);
    if (!result.ok) {
      this.log.error('flow definitions rejected; the previous version keeps running', {
        running: this.version,
        problems: result.problems.map((p) => `${p.file}: ${p.path}: ${p.message}`),
      });
      return { ok: false, problems: result.problems };
    }
    if (result.version === this.version) return { ok: true, version: result.version, changed: false };
    this.flow = createConversationFlow(compileBundle(result.definitions, this.defaultLocale), {
      desk: this.desk,
      version: result.version,
    });
    this.versions.push({
      version: result.version,
      loadedAt: this.clock(),
      locales: result.definitions.map((d) => d.locale),
    });
    if (this.versions.length > 50) this.versions.shift();
    this.log.info('flow definitions updated', { from: this.versions.at(-2)?.version, to: result.version });
    return { ok: true, version: result.version, changed: true };
  }

  /** Reloads when a file in the folder changes (debounced, since editors write in several steps). */
  watch(debounceMs = 300): () => void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(this.dir, () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.reload(), debounceMs);
    });
    return () => {
      clearTimeout(timer);
      this.watcher?.close();
    };
  }
}
