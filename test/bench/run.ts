/**
 * `npm run bench`: the real pipeline (Telegram adapter → engine → Redis store → outbox) against
 * what grammY users would write instead, in one run, on the same Redis and stubbed Bot API.
 * Ours runs three ways: without the system of record (`ours`, the "before"), with it on a
 * PostgreSQL server (`ours+pg`: a database created for the run and dropped after; skipped with a
 * note when no server answers) and on PGlite in memory (`ours+pglite`), so what the record adds
 * per message is read in one run (issue 14). Prints a table with the targets next to the figures,
 * and writes JSON for comparing commits.
 *
 *   npm run bench -- --conversations 200 --turns 100 [--only ours] [--no-record] [--pacing-chats 1000] [--no-pacing]
 *                    [--latency-conversations 1000 --latency-seconds 20 --think-ms 2000] [--no-latency]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { findRedis } from '../support/redis-server.js';
import { grammyBaseline, ours, type Driver, type RecordBackend } from './drivers.js';
import { clean, measure, measureLatency, type LatencyResult, type VariantResult } from './measure.js';
import { runPacing, type PacingResult } from './pacing.js';
import { probePostgres, serverUrl } from './record.js';
import { table } from './report.js';

interface Variant {
  name: string;
  /** Its Redis keys' prefix (the open loop adds its own). */
  prefix: string;
  make: (prefix: string, onSend: (chatId: number) => void) => Promise<Driver>;
  /** Left out of the open loop. */
  closedLoopOnly?: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', short: 'c', default: '200' },
      turns: { type: 'string', short: 't', default: '100' },
      only: { type: 'string' },
      'pacing-chats': { type: 'string', default: '1000' },
      'latency-conversations': { type: 'string', default: '1000' },
      'latency-seconds': { type: 'string', default: '20' },
      'think-ms': { type: 'string', default: '2000' },
      'no-latency': { type: 'boolean', default: false },
      'no-pacing': { type: 'boolean', default: false },
      'no-record': { type: 'boolean', default: false },
      'pacing-only': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const c = Number(values.conversations);
  const t = Number(values.turns);
  if (!(c > 0 && t > 0)) throw new Error('--conversations and --turns must be positive numbers');
  const redis = await findRedis();
  process.stderr.write(`Redis: ${redis.url}\n`);
  const wanted = (name: string) => !values['pacing-only'] && (!values.only || name.startsWith(values.only));
  // The record on a server: skipped, with a note in the report, when none answers.
  const notes: string[] = [];
  let postgres: RecordBackend | undefined;
  if (!values['no-record'] && wanted('ours+pg')) {
    const missing = await probePostgres(serverUrl);
    if (missing) notes.push(`ours+pg skipped: ${missing} (set DATABASE_TEST_URL to a server's admin database).`);
    else postgres = { kind: 'postgres', admin: serverUrl };
  }
  const variants: Variant[] = [
    { name: 'ours', prefix: 'bench:ours:', make: (p, onSend) => ours(redis.url, p, onSend) },
    ...(postgres
      ? [
          {
            name: 'ours+pg',
            prefix: 'bench:ours-pg:',
            make: (p: string, onSend: (chatId: number) => void) => ours(redis.url, p, onSend, postgres),
          },
        ]
      : []),
    ...(values['no-record']
      ? []
      : [
          {
            name: 'ours+pglite',
            prefix: 'bench:ours-pglite:',
            make: (p: string, onSend: (chatId: number) => void) => ours(redis.url, p, onSend, { kind: 'pglite' }),
          },
        ]),
    { name: 'floor', prefix: 'bench:floor:', make: (p, onSend) => grammyBaseline('floor', redis.url, p, onSend) },
    {
      name: 'conversations v2',
      prefix: 'bench:conv:',
      make: (p, onSend) => grammyBaseline('conversations', redis.url, p, onSend),
      closedLoopOnly: true,
    },
  ];
  const results: VariantResult[] = [];
  try {
    if (variants.some((v) => v.name.startsWith('ours') && wanted(v.name))) {
      // Unmeasured: the code every variant of ours shares is compiled before the first is timed,
      // so the first does not pay for warming up what the later ones get warm.
      process.stderr.write('warming up…\n');
      await clean(redis.url, 'bench:warm:');
      await measure('warm-up', (onSend) => ours(redis.url, 'bench:warm:', onSend), Math.min(c, 50), 16);
      await clean(redis.url, 'bench:warm:');
    }
    for (const { name, prefix, make } of variants) {
      if (!wanted(name)) continue;
      await clean(redis.url, prefix);
      process.stderr.write(`running ${name}…\n`);
      results.push(await measure(name, (onSend) => make(prefix, onSend), c, t));
      await clean(redis.url, prefix);
    }
    const latency: LatencyResult[] = [];
    if (!values['no-latency'] && !values['pacing-only']) {
      const [lc, ls, think] = [
        Number(values['latency-conversations']),
        Number(values['latency-seconds']),
        Number(values['think-ms']),
      ];
      if (!(lc > 0 && ls > 0 && think > 0))
        throw new Error('--latency-conversations, --latency-seconds and --think-ms must be positive numbers');
      for (const { name, make, closedLoopOnly } of variants) {
        // conversations v2 replays its history, so its latency depends on how long it has run: left out here.
        if (closedLoopOnly || !wanted(name)) continue;
        const prefix = `bench:lat:${name}:`;
        await clean(redis.url, prefix);
        process.stderr.write(`running ${name}, open loop…\n`);
        latency.push(await measureLatency(name, (onSend) => make(prefix, onSend), lc, ls, think));
        await clean(redis.url, prefix);
      }
    }
    let pacing: PacingResult | undefined;
    if (!values['no-pacing'] && !values.only) {
      process.stderr.write('running outbound pacing…\n');
      await clean(redis.url, 'bench:pace:');
      pacing = await runPacing(redis.url, 'bench:pace:', Number(values['pacing-chats']));
      await clean(redis.url, 'bench:pace:');
    }
    const report = table(results, c, t, latency, pacing, notes);
    process.stdout.write(`${report}\n`);
    const file = values.json ?? `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    mkdirSync(file.split('/').slice(0, -1).join('/') || '.', { recursive: true });
    writeFileSync(
      file,
      JSON.stringify(
        {
          at: new Date().toISOString(),
          conversations: c,
          turns: t,
          machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
          results,
          latency,
          pacing,
        },
        null,
        2,
      ),
    );
    process.stderr.write(`JSON: ${file}\n`);
    // A record variant that wrote nothing measured nothing: the run fails rather than print a cost of zero.
    const empty = results.filter(
      (r) => r.record && (r.record.rows.tickets === 0 || r.record.rows.transcriptLines === 0),
    );
    if (empty.length > 0)
      throw new Error(`the record holds no tickets or no archived lines after ${empty.map((r) => r.name).join(', ')}`);
  } finally {
    redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
