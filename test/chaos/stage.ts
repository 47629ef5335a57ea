import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, probePostgres } from '../support/postgres.js';
import { TOKEN } from '../support/telegram.js';
import { freePort } from '../support/redis-server.js';
import { chance, HarnessError, type Chance } from './basics.js';
import { botApiStandIn, type BotApiStandIn } from './bot-api.js';
import { Agents } from './agents.js';
import type { Plan } from './plan.js';
import { RedisServer } from './redis.js';
import { Replica } from './replica.js';
import { slackApiStandIn, type SlackApiStandIn } from './slack-api.js';
import { TelegramDelivery } from './webhook.js';

const SHIPPED_FLOWS = join(import.meta.dirname, '..', '..', 'flows', 'definitions');
export const AGENT_CHANNEL = 'CAGENTS';
export const REDIS_PREFIX = 'chaos:';

/** Everything the run set up, and how to take it down again. */
export interface Stage {
  dir: string;
  redis: RedisServer;
  databaseUrl: string;
  telegram: BotApiStandIn;
  slack: SlackApiStandIn;
  replicas: Replica[];
  /** Telegram's webhook deliveries to the replicas. */
  delivery: TelegramDelivery;
  agents: Agents;
  chance: Chance;
  /** Stops everything that runs; drops the database; deletes the folder unless kept. */
  close(keep: boolean): Promise<void>;
}

/**
 * The shipped definitions with the desk open all day, every day (and no holiday calendar), in
 * `dir`: handoffs must reach an agent whatever the hour the run is started at. Given to the
 * replicas as FLOWS_DIR, which the record publishes as its first version.
 */
function flowsOpenAllDay(dir: string): string {
  cpSync(SHIPPED_FLOWS, dir, { recursive: true });
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
    const path = join(dir, file);
    const text = readFileSync(path, 'utf8');
    const open = text
      .replace(
        /^businessHours:\n(?: {2}- .*\n)+/m,
        'businessHours:\n  - { days: [mon, tue, wed, thu, fri, sat, sun], open: "00:00", close: "24:00" }\n',
      )
      .replace(/^( {2}region:) cn$/m, '$1 none');
    if (open === text || !open.includes('region: none'))
      throw new HarnessError(`${path}: could not open the desk all day (businessHours or calendar.region not found)`);
    writeFileSync(path, open);
  }
  return dir;
}

/** Sets the stage: Redis, the database, the stand-ins, two replicas started one after the other. */
export async function setStage(plan: Plan): Promise<Stage> {
  const why = await probePostgres();
  if (why) throw new HarnessError(`PostgreSQL is needed for the record: ${why} (set DATABASE_TEST_URL)`);
  const dir = mkdtempSync(join(tmpdir(), 'chaos-'));
  const undo: Array<() => Promise<void> | void> = [];
  const close = async (keep: boolean) => {
    for (const step of undo.reverse()) await Promise.resolve(step()).catch(() => undefined);
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const sub of ['redis', 'logs', 'flows']) mkdirSync(join(dir, sub));
    const redis = new RedisServer(await freePort(), join(dir, 'redis'));
    undo.push(() => redis.kill());
    await redis.start();
    const database = await createDatabase('chaos');
    undo.push(() => database.drop());
    const [telegram, slack] = await Promise.all([botApiStandIn(), slackApiStandIn()]);
    undo.push(
      () => telegram.close(),
      () => slack.close(),
    );
    const secret = randomBytes(24).toString('hex');
    const signingSecret = randomBytes(16).toString('hex');
    const env = {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: secret,
      TELEGRAM_API_ROOT: telegram.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX,
      DATABASE_URL: database.url,
      FLOWS_DIR: flowsOpenAllDay(join(dir, 'flows')),
      // Every line of every conversation stays in Redis's transcript too, for the count of turns.
      TRANSCRIPT_MAX: '10000',
      SLACK_BOT_TOKEN: 'xoxb-chaos-run',
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_AGENT_CHANNEL: AGENT_CHANNEL,
      SLACK_API_URL: slack.url,
      LOG_LEVEL: 'info',
    };
    const replicas: Replica[] = [];
    for (const name of ['a', 'b']) {
      const port = await freePort();
      const replica = new Replica(name, port, { ...env, PUBLIC_URL: `http://127.0.0.1:${port}` }, join(dir, 'logs'));
      replicas.push(replica);
      undo.push(
        () => replica.close(),
        () => replica.stop(10_000),
      );
      // One at a time: the first migrates the new database and publishes the flows.
      await replica.start();
    }
    const luck = chance(plan.seed);
    const delivery = new TelegramDelivery({ targets: replicas, secret, chance: luck });
    undo.push(() => delivery.close());
    const agents = new Agents({ targets: replicas, signingSecret, chance: luck });
    return { dir, redis, databaseUrl: database.url, telegram, slack, replicas, delivery, agents, chance: luck, close };
  } catch (err) {
    await close(true);
    throw err;
  }
}
