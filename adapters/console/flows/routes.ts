import { Hono } from 'hono';
import { diffFlowFiles } from '../../../bots/flow-diff.js';
import { MAX_PUBLISH_MESSAGE } from '../../../bots/flow-publishing.js';
import type { FlowFiles } from '../../../bots/flow-versions-port.js';
import { FlowsAssets } from './assets.js';
import type { FlowsConsoleDeps, FlowsEnv } from './deps.js';
import { editRoutes } from './routes-edit.js';
import {
  accountOf,
  contextOf,
  formOf,
  problemsOf,
  render,
  viewOf,
  type FlowsContext,
  type FlowsCtx,
} from './support.js';
import {
  behindOf,
  diffView,
  figuresTable,
  historyView,
  homeView,
  rollbackView,
  versionName,
  type HomeModel,
} from './views.js';

export type { FlowsConsoleDeps, FlowsEnv } from './deps.js';

/**
 * The console's Flows section (issue 15), a Hono sub-app the console mounts at /console/flows
 * behind its sign-in, CSRF and admin checks: the flows home (active version, the admin's draft,
 * its problems and its flows:test figures beside the active version's, publishing), the form
 * editors and the YAML editor, the preview chat, diffs, history and rollback. `E` is the
 * console's env (adapters/console/deps.ts ConsoleEnv), whose variables include FlowsVariables.
 */
export function flowsRoutes<E extends FlowsEnv = FlowsEnv>(options: FlowsConsoleDeps<E>): Hono<E> {
  // The handlers read only FlowsVariables, which the console's richer context (E) has: typed once as the narrow env.
  const deps = options as unknown as FlowsConsoleDeps;
  const ctx = contextOf(deps);
  const assets = new FlowsAssets();
  const app = new Hono<FlowsEnv>();

  app.get('/', (c) => home(c, ctx));
  app.get('/figures', async (c) => {
    const draft = await ctx.drafts.open(accountOf(c));
    const active = await deps.versions.active();
    const figures = await ctx.figures.of(draft.files).catch((err: unknown) => {
      deps.log.warn('the draft could not be scored', { error: String(err) });
      return null;
    });
    const table = figuresTable(viewOf(c, ctx), figures, active?.figures ?? null);
    return c.req.header('hx-request') ? c.html(table) : render(c, ctx, viewOf(c, ctx).w.figures, table);
  });
  app.post('/publish', (c) => publish(c, ctx));
  app.post('/discard', async (c) => {
    await ctx.drafts.discard(accountOf(c), { audited: true });
    return c.redirect(ctx.base, 303);
  });
  app.get('/history', (c) => {
    const back = Number(c.req.query('rolledBack'));
    return history(
      c,
      ctx,
      Number.isInteger(back) && back > 0 ? viewOf(c, ctx).w.rolledBack(versionName(back)) : undefined,
    );
  });
  // What a rollback changes, and the confirmation; the active version has nothing to roll back.
  app.get('/rollback/:id', async (c) => {
    const v = viewOf(c, ctx);
    const target = await byId(ctx, c.req.param('id'));
    if (!target) return c.notFound();
    const name = versionName(target.id);
    const active = await ctx.deps.versions.active();
    if (active?.id === target.id) return history(c, ctx, v.w.alreadyActive(name));
    const current = await filesOf(c, ctx, 'active');
    const changes = diffView(v, `${current?.name ?? ''} → ${name}`, diffFlowFiles(current?.files ?? {}, target.files));
    return render(c, ctx, v.w.rollback, rollbackView(v, name, target.id, changes));
  });
  app.post('/rollback/:id', async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isInteger(id) || id < 1) return c.notFound();
    if ((await ctx.deps.versions.active())?.id === id)
      return history(c, ctx, viewOf(c, ctx).w.alreadyActive(versionName(id)));
    if (!(await byId(ctx, String(id)))) return history(c, ctx, viewOf(c, ctx).w.noSuchVersion(versionName(id)), 404);
    const outcome = await deps.publishing.rollback({ id, by: accountOf(c) });
    if (!outcome.ok)
      return history(c, ctx, outcome.problems.map((p) => `${p.file} ${p.path}: ${p.message}`).join('; '), 400);
    // Post, then redirect: reloading the page shows it again instead of rolling back again.
    return c.redirect(`${ctx.base}/history?rolledBack=${outcome.version.id}`, 303);
  });
  app.get('/diff', (c) => diff(c, ctx));
  app.get('/assets/flows.css', async (c) => {
    const css = await assets.stylesheet();
    return c.body(css.body, 200, { 'content-type': css.type, 'cache-control': 'no-cache' });
  });
  app.get('/assets/:name', async (c) => {
    const script = await assets.bundle();
    if (c.req.param('name') !== script.name) return c.notFound();
    return c.body(script.body, 200, {
      'content-type': script.type,
      'cache-control': 'public, max-age=31536000, immutable',
    });
  });
  editRoutes(app, ctx, async () => `${ctx.base}/assets/${(await assets.bundle()).name}`);
  return app as unknown as Hono<E>;
}

async function home(c: FlowsCtx, ctx: FlowsContext, extra: Partial<HomeModel> = {}, status = 200) {
  const draft = await ctx.drafts.open(accountOf(c));
  const active = await ctx.deps.versions.active();
  const problems = await problemsOf(ctx, draft.files);
  const published = c.req.query('published');
  const v = viewOf(c, ctx);
  const notice =
    published === 'unchanged'
      ? { kind: 'ok' as const, text: v.w.unchanged }
      : published
        ? { kind: 'ok' as const, text: v.w.published(published) }
        : undefined;
  const body = homeView(v, { active, draft, problems, notice, ...extra });
  return render(c, ctx, v.w.title, body, status);
}

/** Publishes the admin's draft with their message; refused while it has problems or misses a threshold. */
async function publish(c: FlowsCtx, ctx: FlowsContext) {
  const v = viewOf(c, ctx);
  const form = await formOf(c);
  const message = (form.message?.[0] ?? '').trim();
  const account = accountOf(c);
  const draft = await ctx.drafts.open(account);
  if (!message) return home(c, ctx, { notice: { kind: 'error', text: v.w.messageMissing } }, 400);
  // The CLI's checks (flow-publishing.ts), said in the console's words (found by the issue-17 trial: in English).
  if (message.length > MAX_PUBLISH_MESSAGE || /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(message))
    return home(c, ctx, { notice: { kind: 'error', text: v.w.messageInvalid(MAX_PUBLISH_MESSAGE) } }, 400);
  // A version published since the draft was started is replaced only when the admin says so
  // (found by the issue-15 trial: a colleague's change was reverted without a word).
  const newer = behindOf({ active: await ctx.deps.versions.active(), draft });
  if (newer && form.replace?.[0] !== String(newer.id))
    return home(c, ctx, { notice: { kind: 'error', text: v.w.draftBehind(versionName(newer.id)) } }, 409);
  if ((await problemsOf(ctx, draft.files)).length > 0)
    return home(c, ctx, { notice: { kind: 'error', text: v.w.blocked } }, 400);
  const outcome = await ctx.deps.publishing.publish({ files: draft.files, author: account, message });
  if (!outcome.ok)
    return home(
      c,
      ctx,
      {
        notice: { kind: 'error', text: outcome.problems.map((p) => `${p.file} ${p.path}: ${p.message}`).join('; ') },
        refusedFigures: outcome.figures,
      },
      400,
    );
  await ctx.drafts.discard(account);
  const done = outcome.unchanged ? 'unchanged' : versionName(outcome.version.id);
  return c.redirect(`${ctx.base}?published=${encodeURIComponent(done)}`, 303);
}

async function history(c: FlowsCtx, ctx: FlowsContext, notice?: string, status = 200) {
  const v = viewOf(c, ctx);
  const versions = await ctx.deps.versions.list(100);
  return render(c, ctx, v.w.history, historyView(v, versions, notice), status);
}

/**
 * Two sets of files compared: `from` and `to` are `draft`, `active` or a version id (3 or v3);
 * by default the active version against the draft.
 */
async function diff(c: FlowsCtx, ctx: FlowsContext) {
  const v = viewOf(c, ctx);
  const from = c.req.query('from') ?? 'active';
  const to = c.req.query('to') ?? 'draft';
  const a = await filesOf(c, ctx, from);
  const b = await filesOf(c, ctx, to);
  if (!a || !b) return c.notFound();
  const title = `${a.name} → ${b.name}`;
  return render(c, ctx, v.w.diff, diffView(v, title, diffFlowFiles(a.files, b.files)));
}

async function filesOf(
  c: FlowsCtx,
  ctx: FlowsContext,
  which: string,
): Promise<{ name: string; files: FlowFiles } | undefined> {
  const v = viewOf(c, ctx);
  if (which === 'draft') return { name: v.w.draft, files: (await ctx.drafts.open(accountOf(c))).files };
  const version = which === 'active' ? await ctx.deps.versions.active() : await byId(ctx, which);
  // Before anything is published, the draft started from the shipped files.
  if (which === 'active' && !version) return { name: v.w.none, files: (await ctx.deps.seed?.()) ?? {} };
  return version ? { name: versionName(version.id), files: version.files } : undefined;
}

function byId(ctx: FlowsContext, which: string) {
  const id = Number(which.replace(/^v/i, ''));
  return Number.isInteger(id) && id > 0 ? ctx.deps.versions.get(id) : Promise.resolve(undefined);
}
