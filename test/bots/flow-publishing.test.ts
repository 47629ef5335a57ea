import { runMain } from '../support/cli.js';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRecordStore } from '../../adapters/record/index.js';
import { RedisFlowSignal } from '../../adapters/store/flow-signal.js';
import { createRuntime, type Runtime } from '../../bots/app/runtime.js';
import { parseConfig } from '../../bots/config.js';
import { publishFlows } from '../../bots/flow-publishing.js';
import { DEFAULT_FLOWS_DIR, FLOW_CHECK_MS, FlowRegistry } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { emptyRecord, requirePostgres, serverRecord } from '../adapters/record/support.js';
import { RecordingChannel, TestClock } from '../support/harness.js';
import { redisUrl, requireRedis, testPrefix } from '../support/redis.js';

/**
 * Publishing flows to a fleet (issue 15), as an admin sees it: `npm run flows -- …` (run
 * in-process through main) and the replicas' replies. Replicas are full runtimes on one Redis and
 * one PostgreSQL server; they switch on the fleet signal or their 3 s check, both of which call
 * `refresh()`, called here instead of waiting.
 */

const GREETING = '您好，本店欢迎您的光临！请问有什么可以帮您？';
const WARMER = '您好，本店欢迎您的光临！请问今天有什么可以帮您？';

/** A copy of the shipped definitions, with `edit` applied to zh-CN.yaml. */
function flowsFolder(edit: (zh: string) => string = (zh) => zh): string {
  const dir = mkdtempSync(join(tmpdir(), 'publish-'));
  cpSync(DEFAULT_FLOWS_DIR, dir, { recursive: true });
  const zh = join(dir, 'zh-CN.yaml');
  writeFileSync(zh, edit(readFileSync(zh, 'utf8')));
  return dir;
}
const warmer = () => flowsFolder((zh) => zh.replace('ask: "请问有什么可以帮您？"', 'ask: "请问今天有什么可以帮您？"'));
const broken = () =>
  flowsFolder((zh) => zh.replace('ask: "请问有什么可以帮您？"', 'ask: "请问{nmae}有什么可以帮您？"'));

const run = runMain;

describe('publishing flows to a fleet', () => {
  if (!requireRedis() || !requirePostgres()) return;
  let env: Record<string, string>;
  const replicas: Runtime[] = [];

  const server = serverRecord();
  beforeEach(async () => {
    await emptyRecord(server.record);
    env = {
      DATABASE_URL: server.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: testPrefix(),
      LOG_LEVEL: 'silent',
    };
  });
  afterEach(async () => {
    for (const r of replicas.splice(0)) await r.close();
  });

  /** A replica as production builds it, with a channel that records what customers are sent. */
  async function replica(extra: Record<string, string> = {}) {
    const channel = new RecordingChannel();
    const clock = new TestClock();
    const log = memoryLogger();
    const runtime = await createRuntime(
      { config: parseConfig({ ...env, ...extra }), log, clock: clock.now, desk: false },
      () => ({ channels: new Map([['test', channel]]) }),
    );
    replicas.push(runtime);
    /** What a new customer is greeted with. */
    const greeting = async () => {
      const id = randomUUID();
      await runtime.engine.receive({
        id,
        conversationId: `c-${id}`,
        channel: 'test',
        customer: { id },
        at: clock.now(),
        payload: { type: 'text', text: '你好' },
      });
      return channel.texts(`c-${id}`)[0];
    };
    return { runtime, greeting, log };
  }

  it('publishes a folder, and every running replica greets with it after its check', async () => {
    const [a, b] = [await replica(), await replica()];
    // The first replica on an empty record published what it serves as v1; the second booted on it.
    expect(a.runtime.flows.published()).toEqual({ id: 1, hash: a.runtime.flows.version });
    expect(b.runtime.flows.published()).toEqual(a.runtime.flows.published());
    expect(await b.greeting()).toBe(GREETING);

    const published = await run(env, 'flows', 'publish', warmer(), '-m', 'a warmer opening', '--by', 'ann');
    expect(published.stdout).toMatch(/^Published v2 \([0-9a-f]{12}\) by ann: a warmer opening\n/);
    expect(published.stdout).toMatch(/zh-CN (9[5-9]|100)\.\d % understood/);
    expect(published.code).toBe(0);

    for (const r of [a, b]) {
      expect(await r.runtime.flows.refresh()).toMatchObject({ ok: true, changed: true });
      expect(await r.greeting()).toBe(WARMER);
      expect(r.runtime.flows.published()?.id).toBe(2);
    }
    // The ticket records the version that served it, the published hash.
    const v2 = await server.record.flowVersions.get(2);
    expect(a.runtime.flows.version).toBe(v2?.hash);
    expect(await a.runtime.flows.refresh()).toMatchObject({ ok: true, changed: false });
  });

  it('switches a replica that missed the signal at its next check, 3 s later', async () => {
    const a = await replica();
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const stop = a.runtime.flows.follow();
    try {
      const switched = new Promise((resolve) => a.runtime.flows.onSwitch((_, published) => resolve(published?.id)));
      const files = Object.fromEntries(
        ['en.yaml', 'zh-CN.yaml'].map((n) => [n, readFileSync(join(warmer(), n), 'utf8')]),
      );
      // Published without telling anyone (no Redis signal): only the check can find it.
      const deps = { versions: server.record.flowVersions, audit: server.record.audit, defaultLocale: 'zh-CN' };
      expect(await publishFlows(deps, { files, author: 'ann', message: 'quietly' })).toMatchObject({ ok: true });
      vi.advanceTimersByTime(FLOW_CHECK_MS);
      expect(await switched).toBe(2);
      expect(await a.greeting()).toBe(WARMER);
    } finally {
      stop();
      vi.useRealTimers();
    }
  });

  it('changes nothing anywhere when the folder is invalid, and says what is wrong by file and path', async () => {
    const a = await replica();
    const refused = await run(env, 'flows', 'publish', broken(), '-m', 'typo');
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toBe(
      'Not published (nothing changed): 1 problem\n  zh-CN.yaml: texts.ask: unknown placeholder {nmae} (this text takes no placeholders)\n',
    );
    expect((await server.record.flowVersions.list()).map((v) => v.id)).toEqual([1]);
    expect((await server.record.audit.list()).map((e) => e.actor)).toEqual(['seed']);
    expect(await a.runtime.flows.refresh()).toMatchObject({ ok: true, changed: false });
    expect(await a.greeting()).toBe(GREETING);
  });

  it('refuses a version below the flows:test thresholds, with its figures', async () => {
    await replica();
    const files = Object.fromEntries(
      ['en.yaml', 'zh-CN.yaml'].map((n) => [n, readFileSync(join(warmer(), n), 'utf8')]),
    );
    const strict = { minAccuracy: 1, maxWrongTopic: 0, minCaught: 0.95, maxFalseAlarms: 0.02 };
    const outcome = await publishFlows(
      { versions: server.record.flowVersions, audit: server.record.audit, defaultLocale: 'zh-CN', thresholds: strict },
      { files, author: 'ann', message: 'too strict' },
    );
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.problems.map((p) => `${p.file}: ${p.path}`)).toEqual([
      'en.yaml: (understanding)',
      'zh-CN.yaml: (understanding)',
    ]);
    expect(!outcome.ok && outcome.figures?.met).toBe(false);
    expect(await server.record.flowVersions.list()).toHaveLength(1);
  });

  it('refuses a publish message with terminal escapes or bidi characters, or one too long (found by the issue-15 trial)', async () => {
    const deps = { versions: server.record.flowVersions, audit: server.record.audit, defaultLocale: 'zh-CN' };
    const files = Object.fromEntries(
      ['en.yaml', 'zh-CN.yaml'].map((n) => [n, readFileSync(join(warmer(), n), 'utf8')]),
    );
    for (const [message, why] of [
      ['\u001b[2Jwarmer', 'must not contain control, format or bidi characters, or line breaks'],
      ['warmer \u202eevil', 'must not contain control, format or bidi characters, or line breaks'],
      ['one\u2028two', 'must not contain control, format or bidi characters, or line breaks'],
      ['x'.repeat(501), 'must be at most 500 characters'],
    ] as const)
      expect(await publishFlows(deps, { files, author: 'ann', message })).toEqual({
        ok: false,
        problems: [{ file: '(message)', path: 'message', message: why }],
      });
    // Nothing stored (the record is empty: no replica booted in this test to seed v1).
    expect(await server.record.flowVersions.list()).toHaveLength(0);
  });

  it('rolls back: the earlier version answers again, and the audit log says who did what', async () => {
    const a = await replica();
    expect((await run(env, 'flows', 'publish', warmer(), '-m', 'warmer', '--by', 'ann')).code).toBe(0);
    const diff = await run(env, 'flows', 'diff', 'v1', 'active');
    expect(diff.stdout).toContain('--- v1/zh-CN.yaml\n+++ v2/zh-CN.yaml\n');
    expect(diff.stdout).toContain('\n-  ask: "请问有什么可以帮您？"\n+  ask: "请问今天有什么可以帮您？"\n');

    const back = await run(env, 'flows', 'rollback', '1', '--by', 'bob');
    expect(back).toMatchObject({ code: 0, stderr: '' });
    expect(back.stdout).toMatch(/^v1 \([0-9a-f]{12}\) is active again\./);
    await a.runtime.flows.refresh();
    expect(await a.greeting()).toBe(GREETING);

    const history = await run(env, 'flows', 'history');
    expect(history.stdout.split('\n').map((l) => l.slice(0, 4))).toEqual(['  v2', '* v1', '(* a', '']);
    expect((await server.record.audit.list()).map((e) => [e.actor, e.action, e.target])).toEqual([
      ['bob', 'flows.rollback', 'v1'],
      ['ann', 'flows.publish', 'v2'],
      ['seed', 'flows.publish', 'v1'],
    ]);
    const out = mkdtempSync(join(tmpdir(), 'export-'));
    expect((await run(env, 'flows', 'export', '2', out)).code).toBe(0);
    expect(readFileSync(join(out, 'zh-CN.yaml'), 'utf8')).toContain('ask: "请问今天有什么可以帮您？"');
    // Another version over an export as published is written (found by the issue-17 trial: v1 over an
    // untouched v2 was refused); over edited files nothing is written without --force (found by the
    // trial before: they were overwritten silently).
    expect((await run(env, 'flows', 'export', '1', out)).code).toBe(0);
    expect(readFileSync(join(out, 'zh-CN.yaml'), 'utf8')).toContain('ask: "请问有什么可以帮您？"');
    writeFileSync(join(out, 'en.yaml'), 'edited, not yet published');
    const over = await run(env, 'flows', 'export', '2', out);
    expect(over).toMatchObject({ code: 1, stdout: '' });
    expect(over.stderr).toMatch(/^Not written: .* has en\.yaml as no published version has them \(edited since\?\)\./);
    expect(readFileSync(join(out, 'en.yaml'), 'utf8')).toBe('edited, not yet published');
    expect(readFileSync(join(out, 'zh-CN.yaml'), 'utf8')).toContain('ask: "请问有什么可以帮您？"');
    expect((await run(env, 'flows', 'export', '2', out, '--force')).code).toBe(0);
    expect(readFileSync(join(out, 'zh-CN.yaml'), 'utf8')).toContain('ask: "请问今天有什么可以帮您？"');
    // A folder where a file should be is said, not a stack trace.
    const odd = mkdtempSync(join(tmpdir(), 'export-'));
    mkdirSync(join(odd, 'zh-CN.yaml'));
    const refused = await run(env, 'flows', 'export', '2', odd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toMatch(/Unexpected error|\n\s+at /);
    expect(await run(env, 'flows', 'rollback', 'v9')).toMatchObject({
      code: 1,
      stderr: 'There is no flow version v9 (npm run flows -- history lists them; name one as 3, v3 or active).\n',
    });
  });

  it('boots a replica on the active version even when the folder on disk is broken', async () => {
    await replica();
    expect((await run(env, 'flows', 'publish', warmer(), '-m', 'warmer')).code).toBe(0);
    const late = await replica({ FLOWS_DIR: broken() });
    expect(late.runtime.flows.published()?.id).toBe(2);
    expect(await late.greeting()).toBe(WARMER);
  });

  it('seeds an empty record from the shipped definitions when the folder is broken, saying so', async () => {
    const first = await replica({ FLOWS_DIR: broken() });
    expect(await first.greeting()).toBe(GREETING);
    expect(first.log.lines.some((l) => l.level === 'error' && l.message.includes('starting on the shipped'))).toBe(
      true,
    );
    // Its message names what it really is (found by the issue-15 trial: it named the broken folder).
    expect(await server.record.flowVersions.list()).toMatchObject([
      { id: 1, author: 'seed', message: 'seeded from the shipped flows/definitions' },
    ]);
    expect(await server.record.audit.list()).toMatchObject([{ actor: 'seed', action: 'flows.publish', target: 'v1' }]);
  });

  it('serves the copy kept in Redis when the record cannot be reached at start', async () => {
    const signal = RedisFlowSignal.create({ url: redisUrl, prefix: env.REDIS_PREFIX });
    let hear: (pointer: unknown) => void = () => {};
    const heard = new Promise((resolve) => (hear = resolve));
    await signal.listen((pointer) => hear(pointer));
    await replica();
    expect((await run(env, 'flows', 'publish', warmer(), '-m', 'warmer')).code).toBe(0);
    // The publish told every listening replica (Redis pub/sub) and kept the copy.
    expect(await heard).toEqual({ id: 2, hash: expect.stringMatching(/^[0-9a-f]{12}$/) });
    await signal.close();

    const down = openRecordStore({ url: 'postgres://postgres@127.0.0.1:1/nowhere', log: memoryLogger() });
    const cache = RedisFlowSignal.create({ url: redisUrl, prefix: env.REDIS_PREFIX });
    const log = memoryLogger();
    const registry = await FlowRegistry.boot({
      versions: down.flowVersions,
      signal: cache,
      seedDir: broken(),
      defaultLocale: 'zh-CN',
      log,
    });
    expect(registry.published()?.id).toBe(2);
    expect(registry.current().bundle.locales.get('zh-CN')?.definition.texts.ask).toBe('请问今天有什么可以帮您？');
    expect(await registry.refresh()).toMatchObject({ ok: false });
    await cache.close();
    await down.close();
  });

  it('starts on the copy kept in Redis while the record opens, and follows the record once it is open (issue 17)', async () => {
    await replica();
    expect((await run(env, 'flows', 'publish', warmer(), '-m', 'warmer')).code).toBe(0);
    // Rolled back in the record alone: the copy in Redis still holds v2.
    await server.record.flowVersions.activate(1, 'ann');
    const cache = RedisFlowSignal.create({ url: redisUrl, prefix: env.REDIS_PREFIX });
    let open: () => void = () => {};
    const opening = new Promise<void>((resolve) => (open = resolve));
    const registry = await FlowRegistry.boot({
      versions: server.record.flowVersions,
      signal: cache,
      seedDir: broken(),
      defaultLocale: 'zh-CN',
      log: memoryLogger(),
      opening,
    });
    // Before the record is open: the copy, so the first customer is answered without waiting for it.
    expect(registry.published()?.id).toBe(2);
    expect(registry.current().bundle.locales.get('zh-CN')?.definition.texts.ask).toBe('请问今天有什么可以帮您？');
    const switched = new Promise((resolve) => registry.onSwitch((_, published) => resolve(published?.id)));
    open();
    expect(await switched).toBe(1);
    expect(registry.current().bundle.locales.get('zh-CN')?.definition.texts.ask).toBe('请问有什么可以帮您？');
    await cache.close();
  });

  it('tells an admin what to do when the record is PGlite and the bot holds it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'held-'));
    // The test runner's parent process stands for the running bot.
    writeFileSync(join(dataDir, 'bot.lock'), String(process.ppid));
    const held = await run({ DATA_DIR: dataDir }, 'flows', 'publish', warmer(), '-m', 'x');
    expect(held.code).toBe(1);
    expect(held.stderr).toContain(`Another process (pid ${process.ppid}) is using the record in ${dataDir}`);
    expect(held.stderr).toContain('stop it to use this command, or publish and roll back from its console');
    expect(await run({ RECORD_STORE: 'off' }, 'flows', 'history')).toMatchObject({ code: 1 });
    expect(await run({}, 'flows', 'publish', 'flows/definitions')).toMatchObject({ code: 2 });
  });
});
