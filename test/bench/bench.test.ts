import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redisUrl, requireRedis } from '../support/redis.js';
import { probePostgres, serverUrl } from './record.js';
import type { RedisWork } from './replicas.js';

const root = join(import.meta.dirname, '..', '..');

interface Report {
  results: Array<{
    name: string;
    messages: number;
    replies: number;
    stateBytes: number;
    cpuUsPerMessage: number;
    cpuRounds?: number[];
    tickets: number;
    ticketDigest: Record<string, number>;
    record?: {
      kind: string;
      rows: { tickets: number; ticketEvents: number; transcriptLines: number; conversations: number };
      writes: { count: number };
      deferredAtEnd: number;
    };
    redis: {
      conversations: number;
      families: Array<{ family: string; keys: number; bytes: number }>;
      bytesPerConversation: number;
    };
  }>;
  latency: Array<{ name: string; conversations: number; messages: number; replyP99ms: number }>;
  coldStarts: Array<{
    command: string;
    record: string;
    start: string;
    firstCallMs: number;
    pollingMs: number;
    replyMs: number;
  }>;
  replicas?: {
    pairs: Array<{
      name: string;
      one: { messages: number; replies: number; each: Array<{ messages: number }>; redis: RedisWork };
      two: { messages: number; replies: number; each: Array<{ messages: number; replies: number }>; redis: RedisWork };
      chatsOutOfOrder: number;
    }>;
  };
}

/** Runs the benchmark tool with `args` in a process of its own; its exit code, report and JSON. */
async function bench(args: string[], timeout: number): Promise<{ code: number; stdout: string; report: Report }> {
  const json = join(mkdtempSync(join(tmpdir(), 'bench-')), 'report.json');
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'test/bench/run.ts', ...args, '--json', json],
      {
        cwd: root,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          REDIS_URL: redisUrl,
          ...(process.env.DATABASE_TEST_URL ? { DATABASE_TEST_URL: process.env.DATABASE_TEST_URL } : {}),
        },
        timeout,
      },
      (error, out, err) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout: out, stderr: err }),
    );
  });
  expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
  return { code, stdout, report: JSON.parse(readFileSync(json, 'utf8')) as Report };
}

/** Whether the record variant on a server runs (a server answers), else why not. */
const postgresMissing = await probePostgres(serverUrl);

/**
 * Not a speed test (figures are for `npm run bench` to print): this checks the benchmark
 * compares like with like. Every variant must walk the same conversation and send the same
 * replies; a baseline that skipped or repeated work would make the ratios meaningless.
 */
describe.runIf(requireRedis())('npm run bench (tiny sizes)', () => {
  it('runs every variant over the same conversation, each sending the same replies; the record gets every ticket and line; Redis is sized by key family', async () => {
    const { stdout, report } = await bench(
      ['-c', '3', '-t', '16', '--no-pacing', '--no-latency', '--no-cold-start', '--no-replicas'],
      150_000,
    );
    expect(stdout).toContain('| ours: CPU ≤ 1.4 × durable floor (throughput ≥ 0.7 ×) |');
    const withServer = postgresMissing === '';
    expect(report.results.map((r) => r.name)).toEqual([
      'ours',
      'durable floor',
      ...(withServer ? ['ours+pg', 'durable floor+pg'] : []),
      'ours+pglite',
      'durable floor+pglite',
      'replayed step',
      ...(withServer ? ['replayed step+pg'] : []),
      'grammY floor',
      'conversations v2',
    ]);
    if (!withServer) expect(stdout).toContain('The PostgreSQL variants are skipped: nothing answers');
    // 16 messages walk the script twice: 11 replies a round (greeting, confirmation, answer and
    // "anything else", confirmation, answer and "anything else", closing and survey, thanks).
    // The durable floor answers every message with its one reply.
    const floors = report.results.filter((r) => r.name.startsWith('durable floor'));
    const service = report.results.filter((r) => !r.name.startsWith('durable floor'));
    for (const r of service) expect(r).toMatchObject({ messages: 48, replies: 3 * 22 });
    for (const r of floors) expect(r).toMatchObject({ messages: 48, replies: 48, tickets: 0 });
    for (const r of report.results) expect(r.stateBytes).toBeGreaterThan(0);

    // Each round answers two matters and closes with a survey scored 5: 3 conversations × 2 rounds × 2 tickets.
    const matter = (need: string) =>
      `inquiry | answered | ${need} | satisfaction=5 | created,survey-sent,survey-answered`;
    const produced = { [matter('怎么开发票')]: 6, [matter('我的订单还没发货')]: 6 };
    // Ours, and ours with its steps replayed (the same results looked up): the same tickets and replies.
    const ours = report.results.filter((r) => r.name.startsWith('ours') || r.name.startsWith('replayed step'));
    for (const r of ours)
      expect({ name: r.name, tickets: r.tickets, digest: r.ticketDigest }).toEqual({
        name: r.name,
        tickets: 12,
        digest: produced,
      });
    // The record variants wrote it all in the turns (nothing deferred): each ticket with its three
    // events, every customer message and reply archived, one summary per conversation.
    for (const r of ours.filter((x) => /\+pg(lite)?$/.test(x.name))) {
      expect(r.record).toMatchObject({
        kind: r.name.endsWith('+pg') ? 'postgres' : 'pglite',
        rows: { tickets: 12, ticketEvents: 36, transcriptLines: 48 + 3 * 22, conversations: 3 },
        deferredAtEnd: 0,
      });
      expect(r.record?.writes.count).toBeGreaterThan(0);
    }
    // The durable floor's record: every message and its reply archived, one summary each, no tickets.
    for (const r of floors.slice(1))
      expect(r.record).toMatchObject({
        rows: { tickets: 0, ticketEvents: 0, transcriptLines: 48 * 2, conversations: 3 },
        deferredAtEnd: 0,
      });
    expect(stdout).toMatch(/\| ours\+pglite \| [\d,]+ \| \+[\d,]+ \|/);

    // Redis by key family: only the run's own keys (one state, transcript and dedup set per
    // conversation), tickets in Redis only without the record, the grammY session one key a chat.
    const families = (name: string) =>
      Object.fromEntries(
        (report.results.find((r) => r.name === name)?.redis.families ?? []).map((f) => [f.family, f.keys]),
      );
    expect(families('ours')).toMatchObject({ state: 3, transcript: 3, seen: 3 });
    expect(families('ours')).toHaveProperty('tickets');
    expect(families('durable floor')).toEqual({ state: 3, transcript: 3, seen: 3 });
    if (withServer) expect(families('ours+pg')).not.toHaveProperty('tickets');
    expect(families('grammY floor')).toEqual({ session: 3 });
    for (const r of report.results) expect(r.redis).toMatchObject({ conversations: 3 });
    expect(stdout).toContain('| 1,000,000 idle conversations |');
  }, 150_000);

  it("with --rounds, runs the closed loop that many times, interleaved, and reports each variant's median round", async () => {
    const { stdout, report } = await bench(
      ['-c', '2', '-t', '8', '--only', 'ours,durable', '--no-record', '--no-pacing', '--no-latency', '--rounds', '3'],
      120_000,
    );
    expect(report.results.map((r) => r.name)).toEqual(['ours', 'durable floor']);
    for (const r of report.results) {
      const rounds = r.cpuRounds ?? [];
      expect(rounds).toHaveLength(3);
      expect(r.cpuUsPerMessage).toBe([...rounds].sort((a, b) => a - b)[1]);
    }
    expect(stdout).toContain("Each variant's figures are its median round of 3");
  });

  it('runs two replicas in processes of their own with every chat in order, times the cold start of npm start, and the open loop at each C', async () => {
    const { stdout, report } = await bench(
      [
        ...['-c', '1', '-t', '8', '--no-record', '--no-pacing'],
        ...['--latency-conversations', '4,8', '--latency-seconds', '1'],
        ...['--replica-conversations', '3', '--replica-turns', '16', '--replicas-record', 'off'],
        // PGlite too: its first start on an empty folder (initdb, every migration) answering a customer
        // is run end to end here; the suite's record tests start from copies of a cluster made once.
        ...['--cold-commands', 'npm start', '--cold-restarts', '1', '--cold-records', 'off,pglite'],
      ],
      180_000,
    );
    // The same work either way, every chat's replies the same and in the same order, both replicas
    // used: ours (22 replies to 16 messages), then the durable floor (one reply a message).
    const pairs = report.replicas?.pairs ?? [];
    expect(pairs.map((p) => p.name)).toEqual(['ours', 'durable floor']);
    for (const [{ one, two, chatsOutOfOrder }, replies] of pairs.map((p, i) => [p, [3 * 22, 3 * 16][i]] as const)) {
      expect({ one, two, chatsOutOfOrder }).toMatchObject({
        one: { messages: 48, replies },
        two: { messages: 48, replies },
        chatsOutOfOrder: 0,
      });
      expect(two.each.map((e) => e.messages > 0)).toEqual([true, true]);
      expect(two.each.reduce((n, e) => n + e.messages, 0)).toBe(48);
      expect(two.each.reduce((n, e) => n + e.replies, 0)).toBe(replies);
      // Redis's own counts of the work: a message's accept, commit and unlock are scripts at least.
      for (const run of [one, two]) {
        expect(run.redis.scriptsPerMessage).toBeGreaterThanOrEqual(3);
        expect(run.redis.commandsPerMessage).toBeGreaterThan(run.redis.scriptsPerMessage);
        expect(run.redis.bytesInPerMessage).toBeGreaterThan(100);
      }
    }
    expect(stdout).toMatch(/its Redis commands \/ scripts \/ bytes; 0 of 3 chats/);
    expect(stdout).toContain('| ours | two replicas |');
    expect(stdout).toContain('| durable floor | two replicas |');

    // npm start answered the waiting customer, first on empty stores, then restarted.
    expect(report.coldStarts.map((s) => [s.command, s.record, s.start])).toEqual([
      ['npm start', 'off', 'first'],
      ['npm start', 'off', 'restart'],
      ['npm start', 'pglite', 'first'],
      ['npm start', 'pglite', 'restart'],
    ]);
    for (const s of report.coldStarts) {
      expect(s.firstCallMs).toBeGreaterThan(0);
      expect(s.pollingMs).toBeGreaterThanOrEqual(s.firstCallMs);
      expect(s.replyMs).toBeGreaterThanOrEqual(s.pollingMs);
    }
    expect(stdout).toMatch(/\| npm start → first reply ≤ 1 s \(record off, restart\) \| [\d,]+ ms \|/);

    // The open loop at each C, for ours and the durable floor.
    expect(report.latency.map((l) => [l.name, l.conversations])).toEqual([
      ['ours', 4],
      ['durable floor', 4],
      ['ours', 8],
      ['durable floor', 8],
    ]);
  }, 180_000);
});
