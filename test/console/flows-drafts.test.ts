import { describe, expect, it } from 'vitest';
import { Drafts } from '../../bots/console-flows/drafts.js';
import { requirePostgres, serverRecord } from '../adapters/record/support.js';

/**
 * Admins' drafts and the versions they start from, both in the system of server.record, on the
 * PostgreSQL server (one database for the suite: nothing is published until the second test).
 */
describe('flow drafts in the record', () => {
  if (!requirePostgres()) return;
  let now = Date.UTC(2026, 10, 30, 9);
  const drafts = (seed?: () => Promise<Record<string, string>>) =>
    new Drafts({ store: server.record.drafts, versions: server.record.flowVersions, clock: () => now, seed });

  const server = serverRecord();

  it('seeds from the shipped files before anything was published', async () => {
    const draft = await drafts(async () => ({ 'zh-CN.yaml': 'seed\n' })).open('new-admin');
    expect(draft).toMatchObject({ basedOn: null, files: { 'zh-CN.yaml': 'seed\n' }, stored: false });
  });

  it('starts from the active version, keeps each admin their own, and discards after use', async () => {
    const files = { 'zh-CN.yaml': 'a: 1\n', 'en.yaml': 'a: 2\n' };
    const active = await server.record.flowVersions.publish({ files, author: 'admin', message: 'v1', figures: null });
    const fresh = await drafts().open('li');
    expect(fresh).toMatchObject({ account: 'li', basedOn: active.id, stored: false, files: active.files });
    expect(await server.record.drafts.get('li')).toBeUndefined();

    now += 60_000;
    await drafts().write('li', 'zh-CN.yaml', 'a: 3\n');
    expect(await drafts().open('li')).toEqual({
      account: 'li',
      files: { 'zh-CN.yaml': 'a: 3\n', 'en.yaml': 'a: 2\n' },
      basedOn: active.id,
      updatedAt: now,
      stored: true,
    });
    // Another admin's draft is their own.
    expect((await drafts().open('wang')).files['zh-CN.yaml']).toBe('a: 1\n');
    await expect(drafts().write('li', '../etc/passwd', 'x')).rejects.toThrow('is not a definition file name');
    await expect(drafts().write('li', 'fr.yaml', 'x')).rejects.toThrow('the draft has no file fr.yaml');

    await drafts().discard('li');
    expect(await drafts().open('li')).toMatchObject({ stored: false, files: active.files });
  });
});
