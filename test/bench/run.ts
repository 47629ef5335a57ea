/**
 * `npm run bench`: the real pipeline (Telegram adapter → engine → Redis store → outbox) against
 * what grammY users would write instead, in one run, on the same Redis and stubbed Bot API.
 * Prints a table with the targets next to the figures, and writes JSON for comparing commits.
 *
 *   npm run bench -- --conversations 200 --turns 100 [--only ours] [--pacing-chats 1000] [--no-pacing]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { RedisStore } from '../../adapters/store/redis.js';
import { TelegramService } from '../../adapters/telegram/service.js';
import { Engine } from '../../bots/engine.js';
import { createLogger } from '../../bots/log.js';
import { defaultFlow } from '../support/flows.js';
import { findRedis } from '../support/redis-server.js';
import { BOT_INFO, TOKEN } from '../support/telegram.js';
import { conversationsBot, floorBot, stubApi } from './baselines.js';
import { runPacing, type PacingResult } from './pacing.js';

/** One standard conversation, looping: greeting → need → confirm → answer → another → close → survey. */
const SCRIPT = ['你好', '我的订单还没发货', '是的', '还有问题', '怎么开发票', '是的', '没有了', '5'];

interface Driver {
  send(chatId: number, text: string, updateId: number): Promise<void>;
  /** Redis bytes of one conversation's state (MEMORY USAGE), and of its transcript when separate. */
  bytes(chatId: number): Promise<{ state: number; transcript: number }>;
  close(): Promise<void>;
}

export interface VariantResult {
  name: string;
  messages: number;
  seconds: number;
  perSecond: number;
  p50ms: number;
  p99ms: number;
  firstTurnsUs: number;
  lastTurnsUs: number;
  stateBytes: number;
  transcriptBytes: number;
  rssMb: number;
  replies: number;
}

function update(chatId: number, text: string, updateId: number) {
  return {
    update_id: updateId,
    message: { message_id: updateId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'B', language_code: 'zh-hans' }, text },
  };
}

async function memoryUsage(redis: Redis, key: string): Promise<number> {
  return Number((await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) ?? 0);
}

async function ours(url: string, prefix: string, onSend: () => void): Promise<Driver> {
  const store = await RedisStore.connect({ url, prefix });
  const log = createLogger('error');
  const service = new TelegramService({ token: TOKEN, apiRoot: 'https://api.telegram.org', mode: { kind: 'polling' }, allowGroups: false, throttle: false, botInfo: BOT_INFO, log, clock: Date.now });
  service.bot.api.config.use(stubApi(onSend));
  const flow = defaultFlow();
  service.attach(new Engine({ store, flow: () => flow, channels: new Map([['telegram', service.channel]]), clock: Date.now, log }));
  return {
    send: async (chatId, text, updateId) => void (await service.handle(update(chatId, text, updateId), { wait: true })),
    bytes: (chatId) => store.memoryUsage(`telegram:${chatId}`),
    close: () => store.close(),
  };
}

async function grammyBaseline(kind: 'floor' | 'conversations', url: string, prefix: string, onSend: () => void): Promise<Driver> {
  const redis = new Redis(url);
  const bot = kind === 'floor' ? floorBot(TOKEN, BOT_INFO, redis, prefix, onSend) : conversationsBot(TOKEN, BOT_INFO, redis, prefix, onSend);
  return {
    send: (chatId, text, updateId) => bot.handleUpdate(update(chatId, text, updateId) as never),
    bytes: async (chatId) => ({ state: await memoryUsage(redis, `${prefix}${chatId}`), transcript: 0 }),
    close: async () => void (await redis.quit()),
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

async function measure(name: string, make: (onSend: () => void) => Promise<Driver>, c: number, t: number): Promise<VariantResult> {
  let replies = 0;
  const driver = await make(() => replies++);
  const perTurn: number[][] = Array.from({ length: t }, () => []);
  let updateId = 1;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: c }, async (_, i) => {
      const chatId = 1_000_000 + i;
      for (let turn = 0; turn < t; turn++) {
        const text = SCRIPT[turn % SCRIPT.length] ?? '你好';
        const s = performance.now();
        await driver.send(chatId, text, updateId++);
        perTurn[turn]?.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const all = perTurn.flat().sort((a, b) => a - b);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const sample = Array.from({ length: Math.min(c, 20) }, (_, i) => 1_000_000 + i);
  const bytes = await Promise.all(sample.map((id) => driver.bytes(id)));
  await driver.close();
  return {
    name,
    messages: c * t,
    seconds,
    perSecond: (c * t) / seconds,
    p50ms: percentile(all, 0.5),
    p99ms: percentile(all, 0.99),
    firstTurnsUs: mean(perTurn.slice(0, 5).flat()) * 1000,
    lastTurnsUs: mean(perTurn.slice(-5).flat()) * 1000,
    stateBytes: mean(bytes.map((b) => b.state)),
    transcriptBytes: mean(bytes.map((b) => b.transcript)),
    rssMb: process.memoryUsage().rss / 1_048_576,
    replies,
  };
}

async function clean(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
  await redis.quit();
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(results: VariantResult[], c: number, t: number, pacing: PacingResult | undefined): string {
  const [o, floor, conv] = [results.find((r) => r.name === 'ours'), results.find((r) => r.name === 'floor'), results.find((r) => r.name === 'conversations v2')];
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${fmt(r.perSecond)} | ${fmt(r.p50ms, 1)} | ${fmt(r.p99ms, 1)} | ${fmt(r.firstTurnsUs)} | ${fmt(r.lastTurnsUs)} | ${fmt(r.stateBytes)} | ${fmt(r.transcriptBytes)} | ${fmt(r.rssMb)} |`,
  );
  const out = [
    `C=${c} conversations × T=${t} messages, ${results[0] ? fmt(results[0].messages) : 0} messages per variant`,
    '',
    '| variant | msgs/s | p50 ms | p99 ms | mean latency µs, turns 1–5 | last 5 turns | Redis B/conv state | transcript B | RSS MB |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
  ];
  const check = (ok: boolean) => (ok ? 'PASS' : 'MISS');
  if (o) {
    out.push('| target | figure | |', '| --- | --- | --- |');
    if (floor) out.push(`| throughput ≥ 0.7 × floor | ${fmt(o.perSecond / floor.perSecond, 2)} × | ${check(o.perSecond >= 0.7 * floor.perSecond)} |`);
    if (conv) out.push(`| throughput ≥ 10 × conversations v2 | ${fmt(o.perSecond / conv.perSecond, 1)} × | ${check(o.perSecond >= 10 * conv.perSecond)} |`);
    out.push(`| last 5 turns ≤ 1.2 × first 5 (flat) | ${fmt(o.lastTurnsUs / o.firstTurnsUs, 2)} × | ${check(o.lastTurnsUs <= 1.2 * o.firstTurnsUs)} |`);
    out.push(`| ≤ 2 KB Redis per conversation state | ${fmt(o.stateBytes)} B | ${check(o.stateBytes <= 2048)} |`);
    out.push(`| p99 ≤ 20 ms at C=1,000 | ${fmt(o.p99ms, 1)} ms at C=${c} | ${c >= 1000 ? check(o.p99ms <= 20) : 'run with --conversations 1000'} |`);
    if (conv) out.push(`| conversations v2: last 5 / first 5 turns | ${fmt(conv.lastTurnsUs / conv.firstTurnsUs, 2)} × | (grows with length) |`);
  }
  if (pacing) {
    out.push(
      '',
      `Outbound pacing: ${fmt(pacing.chats)} chats × ${fmt(pacing.perChat, 1)} replies = ${fmt(pacing.sent)} messages against a Bot API that allows 1/s per chat (bursts of ${pacing.burst}) and 30/s overall:`,
      `drained in ${fmt(pacing.seconds, 1)} s, ${fmt(pacing.ratePerSecond, 1)} msg/s = ${fmt(pacing.shareOfLimit * 100)} % of the limit, ${fmt(pacing.tooManyRequests)} × 429 received, ${fmt(pacing.lost)} lost, ${fmt(pacing.duplicated)} sent twice.`,
    );
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', short: 'c', default: '200' },
      turns: { type: 'string', short: 't', default: '100' },
      only: { type: 'string' },
      'pacing-chats': { type: 'string', default: '1000' },
      'no-pacing': { type: 'boolean', default: false },
      'pacing-only': { type: 'boolean', default: false },
      json: { type: 'string' },
    },
  });
  const c = Number(values.conversations);
  const t = Number(values.turns);
  if (!(c > 0 && t > 0)) throw new Error('--conversations and --turns must be positive numbers');
  const redis = await findRedis();
  process.stderr.write(`Redis: ${redis.url}\n`);
  const variants: Array<[string, (onSend: () => void) => Promise<Driver>]> = [
    ['ours', (onSend) => ours(redis.url, 'bench:ours:', onSend)],
    ['floor', (onSend) => grammyBaseline('floor', redis.url, 'bench:floor:', onSend)],
    ['conversations v2', (onSend) => grammyBaseline('conversations', redis.url, 'bench:conv:', onSend)],
  ];
  const results: VariantResult[] = [];
  try {
    for (const [name, make] of variants) {
      if (values['pacing-only'] || (values.only && !name.startsWith(values.only))) continue;
      const prefix = name === 'ours' ? 'bench:ours:' : name === 'floor' ? 'bench:floor:' : 'bench:conv:';
      await clean(redis.url, prefix);
      process.stderr.write(`running ${name}…\n`);
      results.push(await measure(name, make, c, t));
      await clean(redis.url, prefix);
    }
    let pacing: PacingResult | undefined;
    if (!values['no-pacing'] && !values.only) {
      process.stderr.write('running outbound pacing…\n');
      await clean(redis.url, 'bench:pace:');
      pacing = await runPacing(redis.url, 'bench:pace:', Number(values['pacing-chats']));
      await clean(redis.url, 'bench:pace:');
    }
    const report = table(results, c, t, pacing);
    process.stdout.write(`${report}\n`);
    const file = values.json ?? `bench-results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
    mkdirSync(file.split('/').slice(0, -1).join('/') || '.', { recursive: true });
    writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), conversations: c, turns: t, machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results, pacing }, null, 2));
    process.stderr.write(`JSON: ${file}\n`);
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
