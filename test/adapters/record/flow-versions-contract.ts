import { beforeEach, expect, it } from 'vitest';
import type { FlowTestFigures } from '../../../bots/flow-versions-port.js';
import { emptyRecord, type Backend } from './support.js';

const figures: FlowTestFigures = {
  locales: [{ locale: 'zh-CN', sentences: 549, accuracy: 0.993, wrongTopic: 0, met: true }],
  guard: { caught: 0.995, falseAlarms: 0.007, met: true },
  heldOut: [{ locale: 'zh-CN', sentences: 189, accuracy: 0.847, wrongTopic: 0.021 }],
  met: true,
};
const files = (text: string) => ({ 'zh-CN.yaml': `texts:\n  greeting: "${text}"\n`, 'en.yaml': 'locale: en\n' });

/**
 * The record's flow versions and audit log (bots/flow-versions-port.ts), as the console and the
 * CLI use them: published versions numbered 1, 2, 3…, one active, history newest first, rollback;
 * the audit log newest first with its filters. Run on both databases by tickets.test.ts (one PGlite).
 */
export function flowVersionsContract(backend: Backend): void {
  beforeEach(async () => emptyRecord(backend.store()));

  it('numbers published versions 1, 2, 3…, keeps one active, and lists them newest first', async () => {
    const versions = backend.store().flowVersions;
    expect(await versions.active()).toBeUndefined();
    expect(await versions.pointer()).toBeUndefined();
    expect(await versions.list()).toEqual([]);

    const v1 = await versions.publish({ files: files('您好'), author: 'seed', message: 'first', figures: null });
    expect(v1).toMatchObject({ id: 1, author: 'seed', message: 'first', figures: null, files: files('您好') });
    expect(v1.hash).toMatch(/^[0-9a-f]{12}$/);
    const v2 = await versions.publish({ files: files('你好呀'), author: 'ann', message: 'warmer', figures });
    expect(v2).toMatchObject({ id: 2, author: 'ann', figures });
    expect(v2.hash).not.toBe(v1.hash);
    expect(await versions.active()).toEqual(v2);
    expect(await versions.pointer()).toEqual({ id: 2, hash: v2.hash });
    expect(await versions.get(1)).toEqual(v1);
    expect(await versions.get(3)).toBeUndefined();
    expect((await versions.list()).map((v) => [v.id, v.active, v.message])).toEqual([
      [2, true, 'warmer'],
      [1, false, 'first'],
    ]);
    expect(await versions.list(1)).toHaveLength(1);
    expect((await versions.list())[0]).not.toHaveProperty('files');
  });

  it('stores nothing when the files are those of the active version', async () => {
    const versions = backend.store().flowVersions;
    const v1 = await versions.publish({ files: files('您好'), author: 'ann', message: 'first', figures });
    expect(await versions.publish({ files: files('您好'), author: 'bob', message: 'again', figures })).toEqual(v1);
    expect(await versions.list()).toHaveLength(1);
  });

  it('makes an earlier version active again (rollback), and refuses one that does not exist', async () => {
    const versions = backend.store().flowVersions;
    const v1 = await versions.publish({ files: files('您好'), author: 'ann', message: 'first', figures });
    await versions.publish({ files: files('你好呀'), author: 'ann', message: 'second', figures });
    await versions.activate(1, 'bob');
    expect(await versions.active()).toEqual(v1);
    expect((await versions.list()).map((v) => v.active)).toEqual([false, true]);
    await expect(versions.activate(7, 'bob')).rejects.toThrow('There is no flow version 7');
    expect(await versions.pointer()).toEqual({ id: 1, hash: v1.hash });
    // Publishing after a rollback numbers on from the newest.
    expect(await versions.publish({ files: files('嗨'), author: 'ann', message: 'third', figures })).toMatchObject({
      id: 3,
    });
  });

  it('gives versions published at once their own ids, with no gap', async () => {
    const versions = backend.store().flowVersions;
    const published = await Promise.all(
      ['一', '二', '三'].map((t) => versions.publish({ files: files(t), author: t, message: t, figures: null })),
    );
    expect(published.map((v) => v.id).sort()).toEqual([1, 2, 3]);
    expect((await versions.active())?.id).toBe(3);
  });

  it('keeps an audit log, newest first, filtered by actor, action and time', async () => {
    const audit = backend.store().audit;
    const at = Date.UTC(2026, 10, 30, 9);
    await audit.append({ at, actor: 'ann', action: 'flows.publish', target: 'v1', detail: { message: 'first' } });
    await audit.append({ at, actor: 'bob', action: 'sign-in' });
    await audit.append({ at: at + 1_000, actor: 'ann', action: 'flows.rollback', target: 'v1' });
    expect(await audit.list()).toEqual([
      { at: at + 1_000, actor: 'ann', action: 'flows.rollback', target: 'v1' },
      { at, actor: 'bob', action: 'sign-in' },
      { at, actor: 'ann', action: 'flows.publish', target: 'v1', detail: { message: 'first' } },
    ]);
    expect((await audit.list({ actor: 'ann' })).map((e) => e.action)).toEqual(['flows.rollback', 'flows.publish']);
    expect((await audit.list({ action: 'sign-in' })).map((e) => e.actor)).toEqual(['bob']);
    expect((await audit.list({ before: at + 1_000 })).map((e) => e.action)).toEqual(['sign-in', 'flows.publish']);
    expect(await audit.list({ limit: 1 })).toHaveLength(1);
    expect(await audit.list({ limit: 0 })).toEqual([]);
  });
}
