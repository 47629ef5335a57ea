import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { Engine } from '../../bots/engine.js';
import { FlowsError } from '../../bots/errors.js';
import { checkDefinitions, DEFAULT_FLOWS_DIR, FlowRegistry } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { RecordingChannel, TestClock } from '../support/harness.js';

function copyOfDefaults(): string {
  const dir = mkdtempSync(join(tmpdir(), 'flows-'));
  cpSync(DEFAULT_FLOWS_DIR, dir, { recursive: true });
  return dir;
}

describe('flow definitions in force', () => {
  it('refuses to start on a broken definition, listing file and path of every problem', async () => {
    const dir = copyOfDefaults();
    const zh = join(dir, 'zh-CN.yaml');
    writeFileSync(
      zh,
      readFileSync(zh, 'utf8')
        .replace(/^  askMore: .*$/m, '')
        .replace(/faqMinScore: [\d.]+/, 'faqMinScore: 3'),
    );
    const err = await FlowRegistry.load({ dir, defaultLocale: 'zh-CN', log: memoryLogger() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowsError);
    expect((err as FlowsError).problems.map((p) => p.path)).toEqual([
      'zh-CN.yaml: texts.askMore',
      'zh-CN.yaml: thresholds.faqMinScore',
    ]);
  });

  it('keeps the last valid version running when an admin saves a broken file, and takes the fix', async () => {
    const dir = copyOfDefaults();
    const log = memoryLogger();
    const registry = await FlowRegistry.load({ dir, defaultLocale: 'zh-CN', log });
    const clock = new TestClock();
    const channel = new RecordingChannel();
    const engine = new Engine({
      store: new MemoryStore(clock.now),
      flow: () => registry.current(),
      channels: new Map([['test', channel]]),
      clock: clock.now,
      log,
    });
    const say = (id: string, text: string, conversationId = 'c') =>
      engine.receive({
        id,
        conversationId,
        channel: 'test',
        customer: { id: 'c' },
        at: clock.now(),
        payload: { type: 'text', text },
      });
    const first = registry.version;

    const zh = join(dir, 'zh-CN.yaml');
    const good = readFileSync(zh, 'utf8');
    writeFileSync(zh, good.replace('ask: "请问有什么可以帮您？"', 'ask: "请问有什么可以帮您{nmae}?"'));
    const rejected = await registry.reload();
    expect(rejected).toEqual({
      ok: false,
      problems: [
        {
          file: 'zh-CN.yaml',
          path: 'texts.ask',
          message: 'unknown placeholder {nmae} (this text takes no placeholders)',
        },
      ],
    });
    expect(registry.version).toBe(first);
    await say('1', '你好');
    expect(channel.texts()).toEqual(['您好，本店欢迎您的光临！请问有什么可以帮您？']);
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('previous version keeps running'))).toBe(
      true,
    );

    writeFileSync(zh, good.replace('ask: "请问有什么可以帮您？"', 'ask: "请问今天有什么可以帮您？"'));
    expect(await registry.reload()).toMatchObject({ ok: true, changed: true });
    expect(registry.version).not.toBe(first);
    expect(registry.history().map((v) => v.version)).toEqual([first, registry.version]);
    await say('2', '你好', 'a-new-customer');
    expect(channel.texts().at(-1)).toBe('您好，本店欢迎您的光临！请问今天有什么可以帮您？');
  });

  it('rejects two files for one locale and a folder without the default locale', async () => {
    const dir = copyOfDefaults();
    writeFileSync(join(dir, 'zh-CN-copy.yaml'), readFileSync(join(dir, 'zh-CN.yaml'), 'utf8'));
    const dup = await checkDefinitions(dir, 'zh-CN');
    expect(dup.ok === false && dup.problems).toEqual([
      { file: 'zh-CN.yaml', path: 'locale', message: 'zh-CN is already defined by zh-CN-copy.yaml' },
    ]);
    const onlyEn = mkdtempSync(join(tmpdir(), 'flows-en-'));
    cpSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), join(onlyEn, 'en.yaml'));
    const missing = await checkDefinitions(onlyEn, 'zh-CN');
    expect(missing.ok === false && missing.problems[0]?.message).toBe(
      'no definition for the default locale zh-CN (found: en)',
    );
  });
});

describe('the version that served a matter', () => {
  it('is recorded on every ticket the flow writes (issue 13: the report compares versions)', async () => {
    const registry = await FlowRegistry.load({ dir: DEFAULT_FLOWS_DIR, defaultLocale: 'zh-CN', log: memoryLogger() });
    const clock = new TestClock();
    const store = new MemoryStore(clock.now);
    const engine = new Engine({
      store,
      flow: () => registry.current(),
      channels: new Map([['test', new RecordingChannel()]]),
      clock: clock.now,
      log: memoryLogger(),
    });
    for (const [n, text] of ['你好', '可以开发票吗', '是的'].entries())
      await engine.receive({
        id: `m${n}`,
        conversationId: 'c',
        channel: 'test',
        customer: { id: 'c' },
        at: clock.now(),
        payload: { type: 'text', text },
      });
    const [ticket] = await store.tickets.list();
    expect(registry.version).toMatch(/^[0-9a-f]{12}$/);
    expect(ticket?.flowVersion).toBe(registry.version);
    expect(ticket?.events?.[0]).toEqual({ type: 'created', at: clock.now() });
  });
});
