import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisUrl, requireRedis } from '../support/redis.js';
import { probePostgres, serverUrl } from './record.js';

const root = join(import.meta.dirname, '..', '..');

interface Report {
  results: Array<{
    name: string;
    messages: number;
    replies: number;
    stateBytes: number;
    cpuUsPerMessage: number;
    tickets: number;
    ticketDigest: Record<string, number>;
    record?: {
      kind: string;
      rows: { tickets: number; ticketEvents: number; transcriptLines: number; conversations: number };
      writes: { count: number };
      deferredAtEnd: number;
    };
  }>;
}

/** Whether the record variant on a server runs (a server answers), else why not. */
const postgresMissing = await probePostgres(serverUrl);

/**
 * Not a speed test (figures are for `npm run bench` to print): this checks the benchmark
 * compares like with like. Every variant must walk the same conversation and send the same
 * replies; a baseline that skipped or repeated work would make the ratios meaningless.
 */
describe.runIf(requireRedis())('npm run bench (tiny sizes)', () => {
  it('runs every variant over the same conversation, each sending the same replies; the record gets every ticket and line', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'report.json');
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'test/bench/run.ts', '-c', '3', '-t', '16', '--no-pacing', '--no-latency', '--json', json],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            REDIS_URL: redisUrl,
            ...(process.env.DATABASE_TEST_URL ? { DATABASE_TEST_URL: process.env.DATABASE_TEST_URL } : {}),
          },
          timeout: 60_000,
        },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    expect(stdout).toContain('| throughput ≥ 0.7 × floor |');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    const withServer = postgresMissing === '';
    expect(report.results.map((r) => r.name)).toEqual([
      'ours',
      ...(withServer ? ['ours+pg'] : []),
      'ours+pglite',
      'floor',
      'conversations v2',
    ]);
    if (!withServer) expect(stdout).toContain('ours+pg skipped: nothing answers');
    // 16 messages walk the script twice: 11 replies a round (greeting, confirmation, answer and
    // "anything else", confirmation, answer and "anything else", closing and survey, thanks).
    for (const r of report.results) expect(r).toMatchObject({ messages: 48, replies: 3 * 22 });
    for (const r of report.results) expect(r.stateBytes).toBeGreaterThan(0);

    // Each round answers two matters and closes with a survey scored 5: 3 conversations × 2 rounds × 2 tickets.
    const matter = (need: string) =>
      `inquiry | answered | ${need} | satisfaction=5 | created,survey-sent,survey-answered`;
    const produced = { [matter('怎么开发票')]: 6, [matter('我的订单还没发货')]: 6 };
    const ours = report.results.filter((r) => r.name.startsWith('ours'));
    for (const r of ours)
      expect({ name: r.name, tickets: r.tickets, digest: r.ticketDigest }).toEqual({
        name: r.name,
        tickets: 12,
        digest: produced,
      });
    // The record variants wrote it all in the turns (nothing deferred): each ticket with its three
    // events, every customer message and reply archived, one summary per conversation.
    for (const r of ours.slice(1)) {
      expect(r.record).toMatchObject({
        kind: r.name === 'ours+pg' ? 'postgres' : 'pglite',
        rows: { tickets: 12, ticketEvents: 36, transcriptLines: 48 + 3 * 22, conversations: 3 },
        deferredAtEnd: 0,
      });
      expect(r.record?.writes.count).toBeGreaterThan(0);
    }
    expect(stdout).toMatch(/\| ours\+pglite \| [\d,]+ \| \+[\d,]+ \|/);
  }, 60_000);
});
