import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisUrl, requireRedis } from '../support/redis.js';

const root = join(import.meta.dirname, '..', '..');

interface Report {
  results: Array<{ name: string; messages: number; replies: number; stateBytes: number; cpuUsPerMessage: number }>;
}

/**
 * Not a speed test (figures are for `npm run bench` to print): this checks the benchmark
 * compares like with like. Every variant must walk the same conversation and send the same
 * replies; a baseline that skipped or repeated work would make the ratios meaningless.
 */
describe.runIf(requireRedis())('npm run bench (tiny sizes)', () => {
  it('runs all three variants over the same conversation, each sending the same replies', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'report.json');
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'test/bench/run.ts', '-c', '3', '-t', '16', '--no-pacing', '--no-latency', '--json', json],
        {
          cwd: root,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', REDIS_URL: redisUrl },
          timeout: 60_000,
        },
        (error, out) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out }),
      );
    });
    expect(code).toBe(0);
    expect(stdout).toContain('| throughput ≥ 0.7 × floor |');
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    expect(report.results.map((r) => r.name)).toEqual(['ours', 'floor', 'conversations v2']);
    // 16 messages walk the script twice: 11 replies a round (greeting, confirmation, answer and
    // "anything else", confirmation, answer and "anything else", closing and survey, thanks).
    for (const r of report.results) expect(r).toMatchObject({ messages: 48, replies: 3 * 22 });
    for (const r of report.results) expect(r.stateBytes).toBeGreaterThan(0);
  }, 60_000);
});
