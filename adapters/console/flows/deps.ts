import type { Context } from 'hono';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { DraftStore } from '../../../bots/console-flows/drafts.js';
import type { FlowPublishing, PreviewPort } from '../../../bots/console-flows/ports.js';
import type { AuditLog, FlowFiles, FlowVersionStore } from '../../../bots/flow-versions-port.js';
import type { Logger } from '../../../bots/log.js';

/**
 * What the flows pages are built from (the composition root gives them; types only from ports).
 * The console around them (adapters/console) signs the admin in, checks CSRF and Origin on every
 * POST and admits admins only, before these routes run; it sets `account`, `csrf`, `session` and
 * `words` on Hono's context, which these pages read.
 */
export interface FlowsConsoleDeps<E extends FlowsEnv = FlowsEnv> {
  /** Published versions (the record's `flowVersions`). */
  versions: FlowVersionStore;
  /** Admins' drafts (the record's `drafts`). */
  drafts: DraftStore;
  /** Where draft edits and discards are recorded (the record's `audit`). */
  audit?: AuditLog | undefined;
  /** Checking, scoring, publishing and rolling back (bots/flow-publishing.ts, bound to its deps). */
  publishing: FlowPublishing;
  /** The preview chat (bots/preview.ts PreviewChats). */
  preview: PreviewPort;
  /** DEFAULT_LOCALE: its file is the one the forms open first. */
  defaultLocale: string;
  /** The files a draft starts from before any version is published (the shipped folder). */
  seed?: (() => Promise<FlowFiles>) | undefined;
  /**
   * Lays a page body out in the console's layout (adapters/console/layout.ts `page` with section
   * 'flows'); `status` for refusals.
   */
  page(c: Context<E>, title: string, body: Html, status?: number): Response | Promise<Response>;
  /** Times are shown in this IANA time zone (the default definition's); the server's when absent. */
  timeZone?: string | undefined;
  /** Where the sub-app is mounted ('/console/flows'). */
  base?: string | undefined;
  clock: () => number;
  log: Logger;
}

export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What the console's middleware puts on the context (a subset of adapters/console/deps.ts ConsoleVariables). */
export interface FlowsVariables {
  account: { name: string; role: string };
  /** The session's CSRF token: forms carry it as `_csrf`, scripts as the X-CSRF-Token header. */
  csrf: string;
  session: { tokenHash: string };
  words: { lang: string };
}

export interface FlowsEnv {
  Variables: FlowsVariables;
}
