import type { Context } from 'hono';
import { html } from 'hono/html';
import { Drafts, type OpenDraft } from '../../../bots/console-flows/drafts.js';
import { fileProblems, placeProblems, type EditorProblem } from '../../../bots/console-flows/problems.js';
import { flowFilesHash } from '../../../bots/flow-files.js';
import type { FlowFiles, FlowTestFigures } from '../../../bots/flow-versions-port.js';
import type { FlowsConsoleDeps, FlowsEnv, Html } from './deps.js';
import type { View } from './views.js';
import { flowsWords } from './words.js';

/** What every flows handler shares: the deps, the drafts, the figures cache. */
export interface FlowsContext {
  deps: FlowsConsoleDeps;
  base: string;
  drafts: Drafts;
  figures: FiguresCache;
}

export type FlowsCtx = Context<FlowsEnv>;

export function contextOf(deps: FlowsConsoleDeps): FlowsContext {
  return {
    deps,
    base: deps.base ?? '/console/flows',
    drafts: new Drafts({
      store: deps.drafts,
      versions: deps.versions,
      clock: deps.clock,
      seed: deps.seed,
      audit: deps.audit,
    }),
    figures: new FiguresCache(deps),
  };
}

/** The signed-in admin's name (set by the console's session middleware). */
export function accountOf(c: FlowsCtx): string {
  return c.get('account')?.name ?? '';
}

export function viewOf(c: FlowsCtx, ctx: FlowsContext): View {
  const lang = c.get('words')?.lang;
  const format = new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'zh-CN', {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(ctx.deps.timeZone ? { timeZone: ctx.deps.timeZone } : {}),
  });
  return { w: flowsWords(lang), base: ctx.base, csrf: c.get('csrf') ?? '', time: (ms) => format.format(ms) };
}

/** A page in the console's layout, with the flows stylesheet. */
export function render(c: FlowsCtx, ctx: FlowsContext, title: string, body: Html, status = 200) {
  return ctx.deps.page(c, title, html`<link rel="stylesheet" href="${ctx.base}/assets/flows.css" />${body}`, status);
}

/** The draft file a form edits: `?file=`, else the default locale's, else the first. */
export function fileOf(c: FlowsCtx, draft: OpenDraft, defaultLocale: string): string | undefined {
  const names = Object.keys(draft.files).sort();
  const asked = c.req.query('file');
  if (asked && names.includes(asked)) return asked;
  return names.find((n) => n.replace(/\.(ya?ml|json)$/i, '') === defaultLocale) ?? names[0];
}

/** A posted form, every value of every field (repeated fields: phrasings, weekdays). */
export async function formOf(c: FlowsCtx): Promise<Record<string, string[]>> {
  // No prototype: a field named __proto__ or constructor is a field like any other, never Object's.
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  const type = c.req.header('content-type') ?? '';
  if (!type.includes('form')) return out;
  const data = await c.req.formData();
  for (const [key, value] of data.entries()) if (typeof value === 'string') (out[key] ??= []).push(value);
  return out;
}

/**
 * Every problem of a set of files, placed in its file: each file's own (its YAML, the schema),
 * then, when every file is valid, those of the whole set (a locale twice, none for the default).
 */
export async function problemsOf(ctx: FlowsContext, files: FlowFiles): Promise<EditorProblem[]> {
  const own = Object.keys(files)
    .sort()
    .flatMap((name) => fileProblems(name, files[name] ?? ''));
  if (own.length > 0) return own;
  const checked = await ctx.deps.publishing.check(files);
  return checked.ok ? [] : placeProblems(checked.problems, files);
}

/** flows:test figures of the last few drafts scored (scoring takes a second or two), by content. */
export class FiguresCache {
  private readonly cache = new Map<string, Promise<FlowTestFigures | null>>();

  constructor(private readonly deps: FlowsConsoleDeps) {}

  /** The figures of valid files; null when they are not valid (nothing to score). */
  of(files: FlowFiles): Promise<FlowTestFigures | null> {
    const key = flowFilesHash(files);
    let figures = this.cache.get(key);
    if (!figures) {
      figures = this.deps.publishing
        .check(files)
        .then((checked) => (checked.ok ? this.deps.publishing.score(checked.definitions) : null));
      figures.catch(() => this.cache.delete(key));
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value ?? '');
      this.cache.set(key, figures);
    }
    return figures;
  }
}
