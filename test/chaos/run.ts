/**
 * `npm run chaos` (issue 16): the product run the way an operator runs it, under the faults it
 * must survive, and what its customers and agents would have seen. Two replicas of the bot
 * (child processes, webhook mode) share a Redis with append-only persistence and a PostgreSQL
 * record; local stand-ins play Telegram (redelivering each update until some replica answers
 * 2xx) and Slack (failing on cue). Four phases: replicas killed (kill -9) every 4–8 s, a duplicate
 * storm (each update 10 times at once), a Redis crash, a Slack outage. Then, per chat, the bot's
 * lines in the record's archive against the messages Telegram received: lost, duplicated, out of
 * order, per phase and per kill; and the customers' words against the agents' threads.
 *
 * Exits 0 whatever the figures (it reports them), 1 when the run itself could not be carried
 * out (a server that would not start), 2 for a command line it cannot run. Not part of `npm test`.
 *
 *   npm run chaos [-- --quick] [--json FILE] [--seed N] [--chats N] [--overlap] [--keep]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { account, accountDesk } from './accounting.js';
import { readTranscripts, settle, threadsOf } from './collect.js';
import { Customers } from './customers.js';
import { DESK_WORDS, duplicateStorm, phase, redisCrash, replicaKills, slackOutage, type Run } from './phases.js';
import { planOf, USAGE, type Plan } from './plan.js';
import { acceptance, render, reportOf, type ChaosReport } from './report.js';
import { setStage, type Stage } from './stage.js';

const started = Date.now();
/** Progress goes to standard error; the report alone to standard output. */
const say = (line: string) =>
  process.stderr.write(`[${String(Math.round((Date.now() - started) / 1000)).padStart(4)} s] ${line}\n`);

/** The four phases, the settling, and the count. */
async function runOn(plan: Plan, stage: Stage): Promise<ChaosReport> {
  const customers = new Customers(plan.chats, stage.delivery, stage.chance);
  const run: Run = { plan, stage, customers, timeline: { phases: [], faults: [] }, say, claimed: [] };
  await phase(run, 'kills', () => replicaKills(run));
  await phase(run, 'storm', () => duplicateStorm(run));
  await phase(run, 'redis', () => redisCrash(run));
  await phase(run, 'slack', () => slackOutage(run));
  say('settling: waiting for the backlog to drain, then stopping the replicas (SIGTERM)');
  const leftovers = await settle(stage, plan.settleMs);
  const transcripts = await readTranscripts(stage, customers.chats);
  const { deliveries } = stage.delivery;
  const accounting = account({
    lines: transcripts.lines,
    sent: stage.telegram.sent,
    deliveries,
    turns: transcripts.turns,
    faults: run.timeline.faults,
    phases: run.timeline.phases,
    phaseOfEvent: new Map(deliveries.map((d) => [`tg:${d.updateId}`, d.phase])),
  });
  const toAgents = deliveries
    .filter((d) => run.claimed.includes(d.chatId) && d.answeredAt !== undefined && DESK_WORDS.test(d.text))
    .map((d) => ({ chatId: d.chatId, text: d.text }));
  const threads = threadsOf(stage, run.claimed);
  const desk = accountDesk(toAgents, threads);
  // Everything the verdict was drawn from, for whoever looks into a finding (kept with the logs).
  if (plan.keep) {
    const raw = {
      timeline: run.timeline,
      deliveries,
      sent: stage.telegram.sent,
      lines: transcripts.lines,
      threads: [...threads],
    };
    writeFileSync(join(stage.dir, 'raw.json'), JSON.stringify(raw));
  }
  return reportOf(plan, accounting, {
    windows: run.timeline.phases,
    desk: {
      ...desk,
      handedOff: plan.slack.claimed,
      claimed: run.claimed.length,
      refused: Object.fromEntries([...stage.slack.refused].map(([status, n]) => [String(status), n])),
    },
    telegram: {
      acceptedWithin: acceptance(
        deliveries,
        run.timeline.phases.map((p) => p.name),
      ),
      refusals: Object.fromEntries(stage.delivery.refusals),
    },
    replicas: stage.replicas.map((r) => ({
      name: r.name,
      starts: r.starts,
      crashes: r.crashes,
      startSeconds: r.startMs.map((ms) => Math.round(ms / 100) / 10),
    })),
    leftovers: { ...leftovers, archiveBehind: transcripts.archiveBehind },
  });
}

async function main(argv: string[]): Promise<number> {
  const plan = planOf(argv);
  if (typeof plan === 'string') {
    // --help: the usage on standard output; a command line it cannot run: why, then the usage.
    if (plan) process.stderr.write(`${plan}\n${USAGE}\n`);
    else process.stdout.write(`${USAGE}\n`);
    return plan ? 2 : 0;
  }
  say(`setting the stage: Redis, a PostgreSQL database, the stand-ins, two replicas (seed ${plan.seed})`);
  let stage: Stage;
  try {
    stage = await setStage(plan);
  } catch (err) {
    process.stderr.write(`chaos: could not set the stage: ${(err as Error).message}\n`);
    return 1;
  }
  const interrupted = () => void stage.close(true).finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  let failed = false;
  try {
    const report = await runOn(plan, stage);
    process.stdout.write(`${render(report)}\n`);
    if (plan.json) writeFileSync(plan.json, `${JSON.stringify(report, null, 2)}\n`);
    return 0;
  } catch (err) {
    failed = true;
    process.stderr.write(`chaos: the run failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', interrupted);
    await stage.close(plan.keep || failed);
    if (plan.keep || failed)
      process.stderr.write(`chaos: the run's folder (replica logs, Redis's files) is kept: ${stage.dir}\n`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
