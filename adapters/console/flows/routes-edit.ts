import type { Hono } from 'hono';
import { html } from 'hono/html';
import {
  applyCalendar,
  applyItem,
  expectItem,
  applyText,
  applyTexts,
  readCalendar,
  readSection,
  readTexts,
  removeItem,
  SECTION_IDS,
  textFingerprint,
  type SectionId,
} from '../../../bots/console-flows/forms.js';
import { fileProblems } from '../../../bots/console-flows/problems.js';
import type { PreviewInput } from '../../../bots/console-flows/ports.js';
import { YamlEditError } from '../../../bots/console-flows/yaml-edit.js';
import type { FlowsEnv, Html } from './deps.js';
import { previewView, yamlView } from './editor-views.js';
import { calendarView, fileTabs, sectionView, textsView } from './form-views.js';
import { accountOf, fileOf, formOf, render, viewOf, type FlowsContext, type FlowsCtx } from './support.js';
import { editorLinks, problemList } from './views.js';

/** The largest definition file the editor takes (characters); the shipped ones are about 40 000. */
const MAX_FILE = 1_000_000;

/**
 * The editing routes: forms (texts, list sections, calendar), the YAML editor with its check
 * endpoint, and the preview chat. Every edit is saved to the admin's draft, problems included:
 * they are shown at their path, and publishing waits until they are fixed.
 */
export function editRoutes(app: Hono<FlowsEnv>, ctx: FlowsContext, script: () => Promise<string>): void {
  app.get('/texts', (c) => formPage(c, ctx, 'texts'));
  // The texts page's one form: every text posted, the ones changed on the page applied (forms.ts applyTexts).
  app.post('/texts', (c) => saveForm(c, ctx, 'texts', applyTexts));
  app.post('/texts/:key', (c) =>
    saveForm(c, ctx, 'texts', (source, form) => applyText(source, c.req.param('key'), form.variant ?? [])),
  );
  app.get('/list/:section', (c) => {
    const section = sectionOf(c.req.param('section'));
    return section ? formPage(c, ctx, section) : c.notFound();
  });
  app.post('/list/:section/:index/delete', (c) => {
    const section = sectionOf(c.req.param('section'));
    const index = Number(c.req.param('index'));
    if (!section || !Number.isInteger(index) || index < 0) return c.notFound();
    return saveForm(c, ctx, section, (source, form) => {
      expectItem(source, section, index, form.was?.[0]);
      return removeItem(source, section, index);
    });
  });
  app.post('/list/:section/:index', (c) => {
    const section = sectionOf(c.req.param('section'));
    const raw = c.req.param('index');
    const index = raw === 'new' ? 'new' : Number(raw);
    if (!section || (index !== 'new' && !(Number.isInteger(index) && index >= 0))) return c.notFound();
    return saveForm(c, ctx, section, (source, form) => {
      if (index !== 'new') expectItem(source, section, index, form.was?.[0]);
      return applyItem(source, section, index, form);
    });
  });
  app.post('/calendar', (c) => saveForm(c, ctx, 'hours', (source, form) => applyCalendar(source, form)));

  app.get('/yaml', async (c) => {
    const draft = await ctx.drafts.open(accountOf(c));
    const file = fileOf(c, draft, ctx.deps.defaultLocale);
    if (!file) return c.notFound();
    const text = draft.files[file] ?? '';
    const v = viewOf(c, ctx);
    const line = Number(c.req.query('line'));
    const saved = c.req.query('saved') ? html`<p class="notice" role="status">${v.w.saved}</p>` : '';
    const body = html`${fileTabs(v, Object.keys(draft.files).sort(), file, '/yaml')} ${saved}
    ${yamlView(v, file, text, fileProblems(file, text), await script(), Number.isInteger(line) ? line : undefined)}`;
    return render(c, ctx, `${v.w.yaml}: ${file}`, body);
  });
  app.post('/yaml', async (c) => {
    const form = await formOf(c);
    const text = form.text?.[0];
    if (text === undefined) return c.text('text missing', 400);
    return saveForm(c, ctx, 'yaml', () => {
      if (text.length > MAX_FILE) throw new YamlEditError({ kind: 'too-long', max: MAX_FILE });
      return text.replace(/\r\n/g, '\n');
    });
  });
  app.post('/check', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { text?: unknown } | undefined;
    if (typeof body?.text !== 'string' || body.text.length > MAX_FILE)
      return c.json({ error: 'send {"text": "…"}, the file being edited' }, 400);
    return c.json({ problems: fileProblems(c.req.query('file') ?? 'draft.yaml', body.text) });
  });

  app.get('/preview', async (c) => {
    const draft = await ctx.drafts.open(accountOf(c));
    const v = viewOf(c, ctx);
    const locales = Object.keys(draft.files)
      .map((f) => f.replace(/\.(ya?ml|json)$/i, ''))
      .sort((a, b) => (a === ctx.deps.defaultLocale ? -1 : b === ctx.deps.defaultLocale ? 1 : a.localeCompare(b)));
    return render(c, ctx, v.w.preview, previewView(v, locales, await script()));
  });
  app.post('/preview/say', async (c) => {
    const input = previewInput(await c.req.json().catch(() => undefined));
    // In the console's words (found by the issue-17 trial: the chat said only "Error: 400 Bad Request").
    if (!input) return c.json({ error: viewOf(c, ctx).w.previewRefused }, 400);
    const draft = await ctx.drafts.open(accountOf(c));
    return c.json(await ctx.deps.preview.say(sessionOf(c), draft.files, input.input, input.locale));
  });
  app.post('/preview/reset', async (c) => {
    await ctx.deps.preview.reset(sessionOf(c));
    return c.json({ ok: true });
  });
}

type Page = 'texts' | SectionId;

/** The texts a texts form changed (`text.<key>` unlike what the page showed, `was.<key>`), but `except`. */
function changedTexts(form: Record<string, string[]>, except: string | undefined): Record<string, string[]> {
  const changed: Record<string, string[]> = {};
  for (const [name, sent] of Object.entries(form)) {
    const key = name.slice('text.'.length);
    if (!name.startsWith('text.') || key === except) continue;
    if (textFingerprint(sent) !== form[`was.${key}`]?.[0]) changed[key] = sent.filter((v) => v.trim());
  }
  return changed;
}

/** Back to the item saved (`&item=3#faq-3`); a new one is the last, a removed one is gone. */
function itemAnchor(section: string, index: string | undefined, removed: boolean): string {
  if (!index || removed) return '';
  return index === 'new' ? '&item=new' : `&item=${index}#${section}-${index}`;
}

/** The item a save came from (`?item=3`, or `new`: the last), to show it open. */
function opened(item: string | undefined, count: number): number | undefined {
  if (item === 'new') return count - 1;
  const n = Number(item);
  return item && Number.isInteger(n) ? n : undefined;
}

const sectionOf = (s: string): SectionId | undefined =>
  (SECTION_IDS as string[]).includes(s) ? (s as SectionId) : undefined;

/** One preview conversation per console session (the session's hash, else the account). */
const sessionOf = (c: FlowsCtx) => c.get('session')?.tokenHash ?? accountOf(c);

function previewInput(body: unknown): { input: PreviewInput; locale?: string } | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const locale = typeof b.locale === 'string' && b.locale.length <= 20 ? b.locale : undefined;
  const input: PreviewInput | undefined =
    b.start === true
      ? { type: 'start' }
      : typeof b.choice === 'string' && b.choice.length <= 100
        ? { type: 'choice', choice: b.choice }
        : typeof b.text === 'string' && b.text.trim() && b.text.length <= 4_096
          ? { type: 'text', text: b.text }
          : undefined;
  return input ? { input, ...(locale ? { locale } : {}) } : undefined;
}

/** A form page of the draft's file: texts, or a list section (business hours with the calendar). */
async function formPage(
  c: FlowsCtx,
  ctx: FlowsContext,
  page: Page,
  notice?: Html,
  status = 200,
  /** A refused texts form's changes, shown again in place of the draft's (the admin's edits are not lost). */
  typed?: Readonly<Record<string, readonly string[]>>,
) {
  const draft = await ctx.drafts.open(accountOf(c));
  const file = fileOf(c, draft, ctx.deps.defaultLocale);
  const v = viewOf(c, ctx);
  const title = page === 'texts' ? v.w.texts : (v.w.sections[page] ?? page);
  if (!file) return render(c, ctx, title, html`<p>${v.w.none}</p>`, 404);
  const source = draft.files[file] ?? '';
  const problems = fileProblems(file, source);
  const path = page === 'texts' ? '/texts' : `/list/${page}`;
  const saved = c.req.query('saved') ? html`<p class="notice" role="status">${v.w.saved}</p>` : '';
  const head = html`${editorLinks(v, Object.keys(draft.files).sort())}
  ${fileTabs(v, Object.keys(draft.files).sort(), file, path)} ${notice ?? saved}`;
  const texts = page === 'texts' ? readTexts(source) : undefined;
  const items = page === 'texts' ? undefined : readSection(source, page);
  // A file that does not parse has no forms: its problem, and the way to the YAML editor.
  if ((page === 'texts' && !texts) || (page !== 'texts' && !items))
    return render(c, ctx, title, html`${head}${problemList(v, problems)}`, status);
  const body =
    page === 'texts'
      ? textsView(v, file, texts ?? [], problems, typed)
      : html`${sectionView(v, file, page, items ?? [], problems, opened(c.req.query('item'), items?.length ?? 0))}
        ${page === 'hours' ? calendarView(v, file, readCalendar(source) ?? {}, problems) : ''}`;
  return render(c, ctx, title, html`${head}${body}`, status);
}

/**
 * Applies a form to the draft's file and saves it; back to the page (its problems shown at their
 * paths). A value the form cannot take (YamlEditError) is refused with its reason in the console's
 * words and nothing is saved; so is an edit the YAML library cannot make (RangeError: logged).
 */
async function saveForm(
  c: FlowsCtx,
  ctx: FlowsContext,
  page: Page | 'yaml',
  apply: (source: string, form: Record<string, string[]>) => string,
) {
  const account = accountOf(c);
  const draft = await ctx.drafts.open(account);
  const file = fileOf(c, draft, ctx.deps.defaultLocale);
  const v = viewOf(c, ctx);
  if (!file || (c.req.query('file') && c.req.query('file') !== file)) return c.notFound();
  let text: string;
  const form = await formOf(c);
  try {
    text = apply(draft.files[file] ?? '', form);
  } catch (err) {
    if (!(err instanceof YamlEditError) && !(err instanceof RangeError)) throw err;
    if (err instanceof RangeError) ctx.deps.log.warn('a form edit could not be made', { error: String(err) });
    const said = err instanceof YamlEditError ? v.w.problem(err.problem) : v.w.cannotEdit;
    const notice = html`<p class="problem" role="alert">${said}</p>`;
    if (page === 'yaml') return render(c, ctx, v.w.yaml, notice, 400);
    // The texts the admin changed stay on the page, but for one changed meanwhile (the notice has its words).
    const except = err instanceof YamlEditError && err.problem.kind === 'text-changed' ? err.problem.key : undefined;
    return formPage(c, ctx, page, notice, 400, page === 'texts' ? changedTexts(form, except) : undefined);
  }
  await ctx.drafts.write(account, file, text);
  const query = `?file=${encodeURIComponent(file)}&saved=1`;
  const index = c.req.param('index');
  // The text the page returns to: the one in the path, or the one whose save button was pressed.
  const asked = c.req.param('key') ?? form.at?.[0] ?? '';
  const key = /^[A-Za-z][A-Za-z0-9]*$/.test(asked) ? asked : undefined;
  const target =
    page === 'yaml'
      ? `/yaml${query}`
      : page === 'texts'
        ? `/texts${query}${key ? `#text-${key}` : ''}`
        : `/list/${page}${query}${itemAnchor(page, index, c.req.path.endsWith('/delete'))}`;
  return c.redirect(`${ctx.base}${target}`, 303);
}
