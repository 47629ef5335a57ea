import type { AuditLog, FlowFiles, FlowVersionStore } from '../flow-versions-port.js';

/**
 * An admin's draft of the flows (issue 15): the whole set of definition files, per account,
 * kept in the system of record so it survives a restart and follows the admin to any replica.
 * A draft starts from the active version when first edited and is discarded once published.
 */

export interface FlowDraft {
  /** The console account that owns it. */
  account: string;
  files: FlowFiles;
  /** The published version it started from (its id), or null when none was published yet. */
  basedOn: number | null;
  /** Epoch ms of the last edit. */
  updatedAt: number;
}

/** Where drafts are kept (adapters/record/drafts.ts). One per account; a missing one is `undefined`. */
export interface DraftStore {
  get(account: string): Promise<FlowDraft | undefined>;
  /** Creates or replaces the account's draft. */
  save(draft: FlowDraft): Promise<void>;
  /** Removes it (after publishing, or when the admin throws it away); no-op when there is none. */
  discard(account: string): Promise<void>;
}

/** A draft as the console works on it: `stored` false while it is still the active version untouched. */
export interface OpenDraft extends FlowDraft {
  stored: boolean;
}

/** File names a draft may hold: a locale's definition (`zh-CN.yaml`), as the flows folder has them. */
export const DRAFT_FILE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,60}\.(ya?ml|json)$/;

/**
 * The drafts of the console's admins over a DraftStore, started from the active published
 * version (or `seed`, the shipped folder's files, before anything was published).
 */
export class Drafts {
  constructor(
    private readonly deps: {
      store: DraftStore;
      versions: Pick<FlowVersionStore, 'active'>;
      clock: () => number;
      /** The files a draft starts from when no version was published yet. */
      seed?: () => Promise<FlowFiles>;
      /** Where each edit and each discard is recorded (who, what, when): the console's audit log. */
      audit?: AuditLog | undefined;
    },
  ) {}

  /** The account's draft, or a fresh one from the active version (not stored until it is edited). */
  async open(account: string): Promise<OpenDraft> {
    const stored = await this.deps.store.get(account);
    if (stored) return { ...stored, stored: true };
    const active = await this.deps.versions.active();
    const files = active?.files ?? (await this.deps.seed?.()) ?? {};
    return { account, files, basedOn: active?.id ?? null, updatedAt: this.deps.clock(), stored: false };
  }

  /**
   * Writes one file of the account's draft (storing the draft if it was not yet). Throws a
   * RangeError for a file name that is not a definition file's, or a file the draft does not have
   * when `create` is not set.
   */
  async write(account: string, file: string, text: string, options: { create?: boolean } = {}): Promise<FlowDraft> {
    if (!DRAFT_FILE.test(file)) throw new RangeError(`${file} is not a definition file name (e.g. zh-CN.yaml)`);
    const draft = await this.open(account);
    if (!Object.hasOwn(draft.files, file) && !options.create) throw new RangeError(`the draft has no file ${file}`);
    const next: FlowDraft = {
      account,
      files: { ...draft.files, [file]: text },
      basedOn: draft.basedOn,
      updatedAt: this.deps.clock(),
    };
    await this.deps.store.save(next);
    await this.deps.audit?.append({ at: next.updatedAt, actor: account, action: 'flows.draft.edit', target: file });
    return next;
  }

  /**
   * Starts over from the active version. `audited`: an admin threw the draft away (recorded); a
   * publish that took it in is recorded as the publish.
   */
  async discard(account: string, options: { audited?: boolean } = {}): Promise<void> {
    await this.deps.store.discard(account);
    if (options.audited)
      await this.deps.audit?.append({ at: this.deps.clock(), actor: account, action: 'flows.draft.discard' });
  }
}
