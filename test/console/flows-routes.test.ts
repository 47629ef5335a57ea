import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flowsRoutes, type FlowsEnv } from '../../adapters/console/flows/routes.js';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { FlowPublishing } from '../../bots/console-flows/ports.js';
import type {
  FlowFiles,
  FlowTestFigures,
  FlowVersionStore,
  PublishedFlowVersion,
} from '../../bots/flow-versions-port.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { PreviewChats } from '../../bots/preview.js';
import { parseDefinition } from '../../flows/definition.js';
import type { FlowDefinition } from '../../flows/schema.js';
import { freshDatabase, requirePostgres } from '../adapters/record/support.js';
import { shanghai } from '../support/flows.js';

const shipped: FlowFiles = {
  'zh-CN.yaml': readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8'),
  'en.yaml': readFileSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), 'utf8'),
};

/**
 * Stand-ins for what P's branch brings (the record's flow versions, bots/flow-publishing.ts):
 * versions in memory, checking with the same parseDefinition, fixed figures. At merge the
 * composition root binds the real ones; these pages only see the ports.
 */
function versionStore(): FlowVersionStore {
  const all: PublishedFlowVersion[] = [];
  let active: number | undefined;
  return {
    active: async () => all.find((v) => v.id === active),
    get: async (id) => all.find((v) => v.id === id),
    list: async () => [...all].reverse().map(({ files: _files, ...s }) => ({ ...s, active: s.id === active })),
    publish: async (v) => {
      const version = { ...v, id: all.length + 1, hash: `hash${all.length + 1}`.padEnd(12, '0'), createdAt: 0 };
      all.push(version);
      active = version.id;
      return version;
    },
    activate: async (id) => void (active = id),
  };
}

const FIGURES: FlowTestFigures = {
  locales: [{ locale: 'zh-CN', sentences: 400, accuracy: 0.97, wrongTopic: 0, met: true }],
  met: true,
};

function publishing(versions: FlowVersionStore): FlowPublishing {
  const check: FlowPublishing['check'] = async (files) => {
    const definitions: FlowDefinition[] = [];
    const problems = Object.entries(files).flatMap(([file, text]) => {
      const parsed = parseDefinition(text);
      if (parsed.ok) definitions.push(parsed.definition);
      return parsed.ok ? [] : parsed.problems.map((p) => ({ file, ...p }));
    });
    return problems.length ? { ok: false, problems } : { ok: true, definitions };
  };
  return {
    check,
    score: async () => FIGURES,
    publish: async (draft) => {
      const checked = await check(draft.files);
      if (!checked.ok) return checked;
      return { ok: true, version: await versions.publish({ ...draft, figures: FIGURES }), unchanged: false };
    },
    rollback: async ({ id, by }) => {
      const version = await versions.get(id);
      if (!version) return { ok: false, problems: [{ file: `v${id}`, path: '(version)', message: 'no such version' }] };
      await versions.activate(id, by);
      return { ok: true, version, unchanged: false };
    },
  };
}

describe('the console flows pages', () => {
  if (!requirePostgres()) return;
  let record: OpenedRecordStore;
  let database: { url: string; drop(): Promise<void> };
  let versions: FlowVersionStore;
  let app: Hono<FlowsEnv>;
  const clock = { t: shanghai('2026-11-23T15:00:00') };

  beforeAll(async () => {
    database = await freshDatabase();
    record = openRecordStore({ url: database.url, log: memoryLogger() });
    await record.ready();
  });
  afterAll(async () => {
    await record?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await record.drafts.discard('admin');
    versions = versionStore();
    const flows = flowsRoutes({
      versions,
      drafts: record.drafts,
      publishing: publishing(versions),
      preview: new PreviewChats({
        defaultLocale: 'zh-CN',
        newStore: (now) => new MemoryStore(now),
        clock: () => clock.t,
        log: memoryLogger(),
      }),
      defaultLocale: 'zh-CN',
      seed: async () => shipped,
      page: (c, title, body, status) =>
        c.html(
          html`<h1>${title}</h1>
            ${body}`,
          (status ?? 200) as 200,
        ),
      timeZone: 'Asia/Shanghai',
      clock: () => clock.t,
      log: memoryLogger(),
    });
    // What the console's session middleware sets before these routes run.
    app = new Hono<FlowsEnv>();
    app.use(async (c, next) => {
      c.set('account', { name: 'admin', role: 'admin' });
      c.set('csrf', 'token');
      c.set('session', { tokenHash: 'session-1' });
      c.set('words', { lang: c.req.header('x-lang') ?? 'zh-CN' });
      await next();
    });
    app.route('/console/flows', flows);
  });

  const get = (path: string, lang = 'zh-CN') => app.request(`/console/flows${path}`, { headers: { 'x-lang': lang } });
  const post = (path: string, form: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of [v].flat()) body.append(k, x);
    return app.request(`/console/flows${path}`, { method: 'POST', body });
  };
  const json = (path: string, body: unknown) =>
    app.request(`/console/flows${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('edits a knowledge-base answer; a broken placeholder shows at its path and blocks publishing', async () => {
    const home = await (await get('')).text();
    expect(home).toContain('尚未发布任何版本');
    expect(home).toContain('草稿与当前生效版本相同');

    const form = await (await get('/list/faq')).text();
    expect(form).toContain('payment-methods');
    const saved = await post('/list/faq/0?file=zh-CN.yaml', {
      id: 'payment-methods',
      topic: '了解可以使用的付款方式',
      questions: '有哪些付款方式\n怎么付款',
      keywords: '付款方式',
      answer: '{shop}支持支付宝付款。',
    });
    expect(saved.headers.get('location')).toBe('/console/flows/list/faq?file=zh-CN.yaml&saved=1&item=0#faq-0');
    const shown = await (await get('/list/faq?file=zh-CN.yaml&saved=1&item=0')).text();
    expect(shown).toContain('已保存到草稿。');
    expect(shown).toMatch(/<details id="faq-0" open/);
    expect(shown).toMatch(/id="faq-0-answer-problems"[^]*faq\[0\]\.answer[^]*unknown placeholder \{shop\}/);

    const blocked = await (await get('')).text();
    expect(blocked).toContain('有问题未解决，不能发布。');
    expect(blocked).toMatch(/name="message" required maxlength="500" disabled/);
    const refused = await post('/publish', { message: 'new answer' });
    expect(refused.status).toBe(400);
    expect(await versions.active()).toBeUndefined();
    // The YAML editor's check finds it on its line, as the admin types.
    const text = (await record.drafts.get('admin'))?.files['zh-CN.yaml'] ?? '';
    const checked = (await (await json('/check?file=zh-CN.yaml', { text })).json()) as {
      problems: Array<{ path: string; line: number }>;
    };
    expect(checked.problems.map((p) => p.path)).toEqual(['faq[0].answer']);
    expect(text.split('\n')[checked.problems[0]!.line - 1]).toContain('answer: "{shop}支持支付宝付款。"');
  });

  it('previews the edited opening line, publishes it, shows the diff and history, and rolls back', async () => {
    expect((await post('/texts/opening?file=zh-CN.yaml', { variant: ['欢迎光临{company}！{ask}', ''] })).status).toBe(
      303,
    );
    const greeting = await (await json('/preview/say', { start: true })).json();
    expect(greeting).toEqual({ ok: true, replies: [{ text: '欢迎光临本店！请问有什么可以帮您？', choices: [] }] });

    const diff = await (await get('/diff', 'en')).text();
    expect(diff).toContain('+1 −1');
    expect(diff).toContain('opening: &quot;欢迎光临{company}！{ask}&quot;');

    const published = await post('/publish', { message: '新的开头语' });
    expect(published.headers.get('location')).toBe('/console/flows?published=v1');
    expect((await versions.active())?.files['zh-CN.yaml']).toContain('opening: "欢迎光临{company}！{ask}"');
    expect(await record.drafts.get('admin')).toBeUndefined();
    expect(await (await get('?published=v1')).text()).toContain('已发布 v1');

    await post('/texts/opening?file=zh-CN.yaml', { variant: '您好！{ask}' });
    await post('/publish', { message: 'v2' });
    const history = await (await get('/history', 'en')).text();
    expect(history).toMatch(/v2[^]*active[^]*v1[^]*Roll back to this version/);
    expect((await post('/rollback/1', {})).status).toBe(200);
    expect((await versions.active())?.id).toBe(1);
  });

  it('serves the editor script and refuses what a form cannot take', async () => {
    const page = await (await get('/yaml?file=en.yaml')).text();
    const src = /<script type="module" src="([^"]+)"/.exec(page)?.[1] ?? '';
    expect(src).toMatch(/^\/console\/flows\/assets\/flows-[0-9a-f]{10}\.js$/);
    const script = await app.request(src);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await script.text()).length).toBeGreaterThan(10_000);
    const bad = await post('/list/categories/0?file=zh-CN.yaml', {
      id: 'delivery',
      name: '物流',
      promiseHours: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('promiseHours must be a number');
    expect((await json('/preview/say', { nothing: 1 })).status).toBe(400);
  });
});
