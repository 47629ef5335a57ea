/**
 * Cold start (issue 17, requirement 5): how long a started or restarted replica takes to answer.
 * The app is started the way operators start it (`npm start`, and `node dist/main.js` to see what
 * npm and the bundle's staleness check add; `node --import tsx bots/app/main.ts`, the sources
 * compiled at start, on request) in Telegram long-polling mode against a local stand-in
 * of the Bot API that holds one customer's first message from the start, so the first getUpdates
 * delivers it at once. Timed from spawning the process to the stand-in receiving the reply.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { botApiStandIn } from '../support/bot-api.js';
import { freePort } from '../support/redis-server.js';
import { TOKEN } from '../support/telegram.js';
import { update } from './drivers.js';
import { clean } from './measure.js';
import { freshDatabase } from './record.js';
import { bundle, staleness } from '../../scripts/bundle.mjs';

export type ColdRecord = 'off' | 'pglite' | 'postgres';

/** The commands timed: what operators type, the node command npm runs for it, and the sources run by tsx. */
export const COLD_COMMANDS = {
  'npm start': ['npm', ['start']],
  'node dist/main.js': [process.execPath, ['--enable-source-maps', 'dist/main.js']],
  'node --import tsx': [process.execPath, ['--import', 'tsx', 'bots/app/main.ts']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;
export type ColdCommand = keyof typeof COLD_COMMANDS;

export interface ColdStart {
  command: ColdCommand;
  record: ColdRecord;
  /** `first`: an empty Redis prefix and record (migrations run); `restart`: the same ones again. */
  start: 'first' | 'restart';
  /** ms from spawning to the first Bot API call (getMe: code loaded, Redis and the record opened). */
  firstCallMs: number;
  /** ms to the first getUpdates (the receiver started). */
  pollingMs: number;
  /** ms to the customer's first reply received by the stand-in. */
  replyMs: number;
  /** CPU (user + system, ms) the started processes (npm's included) had used by then: steadier than ms on a busy machine. */
  cpuMs: number | undefined;
}

const root = join(import.meta.dirname, '..', '..');
let chat = 3_000_000;

/** One start: spawns the command with `env`, waits for the reply to a waiting first message, stops the process. */
async function oneStart(command: ColdCommand, env: Record<string, string>, timeoutMs: number) {
  const api = await botApiStandIn();
  const chatId = ++chat;
  api.push(update(chatId, '你好', chatId));
  const [getMe, getUpdates, reply] = [
    api.next('getMe'),
    api.next('getUpdates'),
    api.next('sendMessage', (c) => c.body.chat_id === chatId),
  ];
  const [file, args] = COLD_COMMANDS[command];
  const started = performance.now();
  const child = spawn(file, [...args], {
    cwd: root,
    env: { ...env, TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.url, PORT: String(await freePort()) },
    // Its own process group: npm's shell and node are stopped together, by this group's id.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (d: Buffer) => void (output = (output + d.toString()).slice(-2_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const at = (p: Promise<unknown>) => p.then(() => performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  try {
    const failed = Promise.race([
      exited.then((code) => Promise.reject(new Error(`${command} exited (${code}) before replying: ${output}`))),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${command}: no reply in ${timeoutMs} ms: ${output}`)), timeoutMs);
      }),
    ]);
    const [firstCallMs, pollingMs, replyMs] = await Promise.race([
      Promise.all([at(getMe), at(getUpdates), at(reply)]),
      failed,
    ]);
    return { firstCallMs, pollingMs, replyMs, cpuMs: child.pid === undefined ? undefined : groupCpuMs(child.pid) };
  } finally {
    clearTimeout(timer);
    if (child.exitCode === null && child.pid !== undefined) {
      process.kill(-child.pid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) process.kill(-child.pid, 'SIGKILL');
    }
    await api.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on the Linux builds this runs on). */
const USER_HZ = 100;

/** user + system CPU (ms) of the live processes in a process group, from /proc; undefined where there is no /proc. */
function groupCpuMs(group: number): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp … utime is field 14 and stime 15 of the whole line.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return (ticks * 1000) / USER_HZ;
}

/**
 * Times each command with each record: the first command on empty stores (`first`), then every
 * command restarted `restarts` times on the same ones. `postgres` is left out when `admin` is undefined.
 */
export async function coldStarts(options: {
  redisUrl: string;
  admin: string | undefined;
  records: readonly ColdRecord[];
  commands: readonly ColdCommand[];
  /** Restarts timed per command and record (the report shows their median). */
  restarts?: number;
  timeoutMs?: number;
  progress?: (line: string) => void;
}): Promise<ColdStart[]> {
  const out: ColdStart[] = [];
  const repeats = options.restarts ?? 1;
  // Built before the first start is timed: a start after a pull or an edit builds first (about a
  // second, once); what is timed is a start of the current build.
  const why = staleness();
  if (why !== undefined) {
    options.progress?.(`building dist/ (${why})…`);
    await bundle();
  }
  for (const record of options.records) {
    if (record === 'postgres' && !options.admin) continue;
    const dataDir = record === 'pglite' ? mkdtempSync(join(tmpdir(), 'bench-cold-')) : undefined;
    const database = record === 'postgres' ? await freshDatabase(options.admin) : undefined;
    const prefix = `bench:cold:${record}:${process.pid}:`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      REDIS_URL: options.redisUrl,
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      ...(record === 'off' ? { RECORD_STORE: 'off' } : {}),
      ...(dataDir ? { DATA_DIR: dataDir } : {}),
      ...(database ? { DATABASE_URL: database.url } : {}),
    };
    try {
      // The first start on empty stores comes first either way: a restart is timed on migrated ones.
      let first = true;
      for (const command of options.commands) {
        const starts = [
          ...(first ? (['first'] as const) : []),
          ...Array.from({ length: repeats }, () => 'restart' as const),
        ];
        first = false;
        for (const start of starts) {
          options.progress?.(`cold start: ${command}, record ${record}, ${start}…`);
          out.push({ command, record, start, ...(await oneStart(command, env, options.timeoutMs ?? 60_000)) });
        }
      }
    } finally {
      await clean(options.redisUrl, prefix);
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      await database?.drop();
    }
  }
  return out;
}
