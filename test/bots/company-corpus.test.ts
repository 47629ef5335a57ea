import { runMain } from '../support/cli.js';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument } from 'yaml';
import { DEFAULT_CORPUS_DIR } from '../../bots/flow-figures.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { emptyRecord, requirePostgres, serverRecord } from '../adapters/record/support.js';
import { testPrefix } from '../support/redis.js';

/**
 * A company's own content (issue 15's trial): its definitions and its corpus (CORPUS_DIR,
 * `--corpus`) are scored together by `npm run flows:test` and the publish gate, both run here
 * in-process through main as an admin types them. A locale only one side has is said, not held
 * against the version; corpus labels naming an entry the definitions lack stay problems, with
 * what to do.
 */

const run = runMain;

/** A desk that serves only Chinese: the shipped zh-CN.yaml alone. */
function chineseOnly(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zh-only-'));
  cpSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), join(dir, 'zh-CN.yaml'));
  return dir;
}

/** The shipped definitions without the example knowledge-base entry `invoices`, in every locale. */
function withoutInvoices(): string {
  const dir = mkdtempSync(join(tmpdir(), 'no-invoices-'));
  for (const name of ['en.yaml', 'zh-CN.yaml']) {
    const doc = parseDocument(readFileSync(join(DEFAULT_FLOWS_DIR, name), 'utf8'));
    const faq = doc.get('faq');
    if (!isSeq(faq)) throw new Error(`${name} has no faq list`);
    faq.delete(faq.items.findIndex((entry) => isMap(entry) && entry.get('id') === 'invoices'));
    writeFileSync(join(dir, name), String(doc));
  }
  return dir;
}

/** A copy of the shipped corpus without the sentences labelled faq:invoices (held-out ones too). */
function corpusWithoutInvoices(): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-'));
  cpSync(DEFAULT_CORPUS_DIR, dir, { recursive: true });
  for (const name of ['en.yaml', 'zh-CN.yaml', 'held-out/en.yaml', 'held-out/zh-CN.yaml']) {
    const doc = parseDocument(readFileSync(join(dir, name), 'utf8'));
    doc.deleteIn(['expect', 'faq:invoices']);
    writeFileSync(join(dir, name), String(doc));
  }
  return dir;
}

const NO_SUCH_ENTRY = (locale: string) => `faq:invoices: the ${locale} definition has no such entry, policy or intent`;
const ADVICE = (file: string, definition: string) =>
  `remove or relabel those sentences in ${file} (the corpus is yours to edit: set CORPUS_DIR, or --corpus, to your copy of flows/corpus), or keep the entry in ${definition}`;

describe('npm run flows:test on a company’s own content', () => {
  const env = { LOG_LEVEL: 'silent' };

  it('scores a Chinese-only desk on the zh-CN sentences and says English was not scored', async () => {
    const { code, stdout } = await run(env, 'flows', 'test', '--flows', chineseOnly());
    expect(code).toBe(0);
    const lines = stdout.split('\n').filter((l) => !l.startsWith('  '));
    expect(lines[0]).toMatch(/^zh-CN: \d+\/\d+ understood .* — met$/);
    expect(lines[1]).toBe('en: not scored (no en definition)');
    expect(lines[2]).toMatch(/^guard: caught \d+\/138 forbidden replies .* — met$/);
    expect(lines.slice(3, -1)).toEqual([expect.stringMatching(/^held-out zh-CN /)]);
  });

  it('says a defined locale without corpus sentences was not scored', async () => {
    const corpus = mkdtempSync(join(tmpdir(), 'corpus-'));
    cpSync(join(DEFAULT_CORPUS_DIR, 'zh-CN.yaml'), join(corpus, 'zh-CN.yaml'));
    const { code, stdout } = await run(env, 'flows', 'test', '--corpus', corpus);
    expect(code).toBe(0);
    expect(stdout).toContain('\nno corpus sentences for en: not scored\n');
  });

  it('scores a corpus edited in place afresh: the sentences and held-out sentences as they are now', async () => {
    // One process scores the same definitions twice (the console before and at publishing): the
    // second answer must still be the corpus's as it is then, not the first one's.
    const corpus = mkdtempSync(join(tmpdir(), 'corpus-'));
    cpSync(DEFAULT_CORPUS_DIR, corpus, { recursive: true });
    const zh = (out: string) => /^zh-CN: \d+\/(\d+) understood/m.exec(out)?.[1];
    const heldOut = (out: string) => /^held-out zh-CN .*: \d+\/(\d+)/m.exec(out)?.[1];
    const before = (await run(env, 'flows', 'test', '--corpus', corpus)).stdout;
    expect([zh(before), heldOut(before)]).toEqual([expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d+$/)]);
    for (const name of ['zh-CN.yaml', 'held-out/zh-CN.yaml']) {
      const doc = parseDocument(readFileSync(join(corpus, name), 'utf8'));
      doc.deleteIn(['expect', 'faq:invoices']);
      writeFileSync(join(corpus, name), String(doc));
    }
    const after = (await run(env, 'flows', 'test', '--corpus', corpus)).stdout;
    expect(Number(zh(after))).toBeLessThan(Number(zh(before)));
    expect(Number(heldOut(after))).toBeLessThan(Number(heldOut(before)));
    // The same corpus again: the same figures.
    expect((await run(env, 'flows', 'test', '--corpus', corpus)).stdout).toBe(after);
  });

  it('names corpus sentences labelled with a removed entry and says what to do; the company’s corpus passes', async () => {
    const flows = withoutInvoices();
    const shipped = await run(env, 'flows', 'test', '--flows', flows);
    expect(shipped.code).toBe(1);
    for (const locale of ['en', 'zh-CN'])
      expect(shipped.stdout).toContain(
        `  problem: ${NO_SUCH_ENTRY(locale)}\n  what to do: ${ADVICE(join(DEFAULT_CORPUS_DIR, `${locale}.yaml`), 'the definitions')}\n`,
      );

    const corpus = corpusWithoutInvoices();
    const own = await run(env, 'flows', 'test', '--flows', flows, '--corpus', corpus);
    expect(own.code).toBe(0);
    expect(own.stdout).not.toContain('NOT MET');
    // CORPUS_DIR says the same; --corpus wins over it.
    expect((await run({ ...env, CORPUS_DIR: corpus }, 'flows', 'test', '--flows', flows)).code).toBe(0);
    expect(
      (await run({ ...env, CORPUS_DIR: corpus }, 'flows', 'test', '--flows', flows, '--corpus', DEFAULT_CORPUS_DIR))
        .code,
    ).toBe(1);
  });
});

describe('npm run flows -- publish on a company’s own content', () => {
  if (!requirePostgres()) return;
  let env: Record<string, string>;

  const server = serverRecord();
  beforeEach(async () => {
    await emptyRecord(server.record);
    env = { DATABASE_URL: server.url, LOG_LEVEL: 'silent', REDIS_PREFIX: testPrefix() };
  });

  it('publishes a desk that serves only Chinese, and keeps that English was not scored', async () => {
    const published = await run(env, 'flows', 'publish', chineseOnly(), '-m', 'Chinese only', '--by', 'ann');
    expect(published).toMatchObject({ code: 0, stderr: '' });
    expect(published.stdout).toMatch(
      /^Published v1 \([0-9a-f]{12}\) by ann: Chinese only\n {2}zh-CN 9\d\.\d % understood/,
    );
    const active = await server.record.flowVersions.active();
    expect(Object.keys(active?.files ?? {})).toEqual(['zh-CN.yaml']);
    expect(active?.figures).toMatchObject({
      locales: [{ locale: 'zh-CN', met: true }],
      notScored: [{ locale: 'en', reason: 'no definition' }],
      met: true,
    });
  });

  it('refuses a removed entry the corpus still names, saying what to do, and publishes with the company’s corpus', async () => {
    const flows = withoutInvoices();
    const refused = await run(env, 'flows', 'publish', flows, '-m', 'no invoices');
    expect(refused.code).toBe(1);
    for (const locale of ['en', 'zh-CN'])
      expect(refused.stderr).toContain(
        `  ${locale}.yaml: (corpus): ${NO_SUCH_ENTRY(locale)}\n  ${locale}.yaml: (corpus): ${ADVICE(join(DEFAULT_CORPUS_DIR, `${locale}.yaml`), `${locale}.yaml`)}\n`,
      );
    expect(await server.record.flowVersions.list()).toEqual([]);

    const corpus = corpusWithoutInvoices();
    const published = await run(env, 'flows', 'publish', flows, '-m', 'no invoices', '--corpus', corpus);
    expect(published).toMatchObject({ code: 0, stderr: '' });
    expect(published.stdout).toMatch(/^Published v1 /);
    // CORPUS_DIR does it too (the same files again: nothing new to publish, and not refused).
    const again = await run({ ...env, CORPUS_DIR: corpus }, 'flows', 'publish', flows, '-m', 'again');
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Nothing to publish/) });
  });

  it('refuses a corpus folder that is not there, changing nothing', async () => {
    const missing = join(mkdtempSync(join(tmpdir(), 'corpus-')), 'nowhere');
    const refused = await run(env, 'flows', 'publish', chineseOnly(), '-m', 'x', '--corpus', missing);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${missing}: (corpus): Cannot read the corpus folder ${missing}`);
    expect(await server.record.flowVersions.list()).toEqual([]);
  });
});
