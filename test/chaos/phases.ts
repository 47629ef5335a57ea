import type { Fault, PhaseWindow } from './accounting.js';
import { pause, sleep, until } from './basics.js';
import type { Customers } from './customers.js';
import type { Plan } from './plan.js';
import type { Stage } from './stage.js';

/** What happened when: the phases' windows and the faults. */
export interface Timeline {
  phases: PhaseWindow[];
  faults: Fault[];
}

export interface Run {
  plan: Plan;
  stage: Stage;
  customers: Customers;
  timeline: Timeline;
  /** Prints one line of progress. */
  say(line: string): void;
  /** The chats whose agent claimed them before Slack failed (phase 4). */
  claimed: number[];
}

/** Runs `body` as the phase `name`, recording its window. */
export async function phase(run: Run, name: string, body: () => Promise<void>): Promise<void> {
  const window = { name, from: Date.now(), to: Number.POSITIVE_INFINITY };
  run.timeline.phases.push(window);
  run.say(`phase ${name}: started`);
  await body();
  window.to = Date.now();
  run.say(`phase ${name}: done in ${((window.to - window.from) / 1000).toFixed(0)} s`);
}

function fault(run: Run, what: string, phaseName: string): void {
  run.timeline.faults.push({ at: Date.now(), what, phase: phaseName });
  run.say(`  ${what}`);
}

/**
 * Phase 1: steady load; every 4–8 s a random replica is killed (SIGKILL) and started again at
 * once. Never the last one serving: a kill waits until the one killed before serves again, so
 * on a machine where a start takes longer than 4–8 s the kills come as fast as starts allow.
 * With `overlap`, a kill waits for nothing: the one left serving may be killed too, and
 * Telegram's redelivery waits out both starts while the backlog grows.
 */
export async function replicaKills(run: Run): Promise<void> {
  const { plan, stage, customers } = run;
  const end = Date.now() + plan.kills.durationMs;
  const done = () => Date.now() >= end;
  const talking = customers.talk(customers.chats, { phase: 'kills', thinkMs: plan.thinkMs, done });
  let failed: unknown;
  const restarts: Array<Promise<void>> = [];
  const ready = () => done() || failed !== undefined || stage.replicas.every((r) => r.up);
  while (failed === undefined) {
    await pause(stage.chance.between(...plan.kills.everyMs), done);
    if (!plan.kills.overlap) await until(ready, plan.kills.durationMs);
    const serving = stage.replicas.filter((r) => r.up);
    if (done() || failed !== undefined) break;
    if (serving.length === 0) continue;
    const victim = stage.chance.pick(serving);
    fault(run, `kill -9 replica ${victim.name}`, 'kills');
    await victim.kill();
    restarts.push(victim.start().catch((err: unknown) => void (failed ??= err)));
  }
  await Promise.all([talking, ...restarts]);
  if (failed !== undefined) throw failed;
}

/** Phase 2: each update POSTed 10 times at once, spread over both replicas, until the budget is spent. */
export async function duplicateStorm(run: Run): Promise<void> {
  const { plan, customers } = run;
  const { updates, copies, thinkMs } = plan.storm;
  await customers.talk(customers.chats, { phase: 'storm', thinkMs, copies, budget: updates, done: () => false });
}

/** Phase 3: steady load; Redis is killed (SIGKILL) and started again on the same port and append-only file. */
export async function redisCrash(run: Run): Promise<void> {
  const { plan, stage, customers } = run;
  const end = Date.now() + plan.redis.durationMs;
  const done = () => Date.now() >= end;
  const talking = customers.talk(customers.chats, { phase: 'redis', thinkMs: plan.thinkMs, done });
  await sleep(plan.redis.killAtMs);
  fault(run, 'kill -9 redis', 'redis');
  await stage.redis.kill();
  await sleep(plan.redis.downMs);
  await stage.redis.start();
  run.say(`  redis started again on its append-only file after ${plan.redis.downMs / 1000} s`);
  await talking;
}

/** How long a handoff may take to show its card, and a claim to reach the customer (ms). */
const CLAIM_WAIT_MS = 120_000;

/** The customer of `chat` asks for a person; an agent claims the card. True once the customer was told who joined. */
async function handOffAndClaim(run: Run, chat: number): Promise<boolean> {
  const { stage, customers } = run;
  customers.say(chat, '/start', 'slack');
  customers.say(chat, '转人工', 'slack');
  const conversationId = `telegram:${chat}`;
  const cardShown = () => stage.slack.cards.find((c) => c.conversationId === conversationId);
  if (!(await until(() => cardShown() !== undefined, CLAIM_WAIT_MS, 200))) return false;
  const card = cardShown();
  if (!card) return false;
  const told = () => stage.telegram.sent.some((s) => s.chatId === chat && s.text.includes('小王'));
  // As an agent would: read the card for a moment, press, and press again when nothing happened
  // (a press in the instant between Slack showing a card and the bot noting where it is is refused
  // privately, as a press on no card).
  for (let press = 0; press < 3; press++) {
    await sleep(1_000);
    if (!(await stage.agents.claim(card, 'UWANG'))) return false;
    if (await until(told, CLAIM_WAIT_MS / 4, 200)) return true;
  }
  return false;
}

/**
 * Phase 4: some customers are handed off and claimed; then Slack answers 500, then 429 with
 * Retry-After, then works again, while those customers write to their agent (each message
 * numbered, so the thread can be checked) and the others keep talking to the bot.
 */
export async function slackOutage(run: Run): Promise<void> {
  const { plan, stage, customers } = run;
  const handoff = customers.chats.slice(0, plan.slack.claimed);
  // The handoffs first, while the others wait: under full load a card can take a minute to be posted behind the replies.
  const claimed = await Promise.all(
    handoff.map(async (chat) => ((await handOffAndClaim(run, chat)) ? chat : undefined)),
  );
  run.claimed = claimed.filter((c): c is number => c !== undefined);
  run.say(`  ${run.claimed.length} of ${handoff.length} conversations handed off and claimed`);
  let over = false;
  const done = () => over;
  const others = customers.talk(customers.chats.slice(plan.slack.claimed), {
    phase: 'slack',
    thinkMs: plan.thinkMs,
    done,
  });
  const said = new Map<number, number>();
  const words = (chat: number) => {
    const n = (said.get(chat) ?? 0) + 1;
    said.set(chat, n);
    return `补充说明第${n}条：订单 ${chat}-${n} 的包装有破损`;
  };
  const talking = customers.talk(run.claimed, { phase: 'slack', thinkMs: plan.slack.sayEveryMs, done, words });
  const { outageMs, limitedMs, retryAfterSec, calmMs } = plan.slack;
  stage.slack.fault = { status: 500 };
  run.say(`  slack answers 500 for ${outageMs / 1000} s`);
  await sleep(outageMs);
  stage.slack.fault = { status: 429, retryAfterSec };
  run.say(`  slack answers 429 (Retry-After: ${retryAfterSec}) for ${limitedMs / 1000} s`);
  await sleep(limitedMs);
  stage.slack.fault = undefined;
  run.say(`  slack answers again; ${calmMs / 1000} s more`);
  await sleep(calmMs);
  over = true;
  await Promise.all([others, talking]);
}

/** The desk's posts are for phase 4 only: the customer lines it should show. */
export const DESK_WORDS = /^补充说明第\d+条：/;
