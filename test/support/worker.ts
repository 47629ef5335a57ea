/**
 * A separate OS process for the cross-process tests: it feeds the given events, in order,
 * through a real engine on Redis and prints every reply it delivered as a JSON line.
 * Usage: node --import tsx test/support/worker.ts <redisUrl> <prefix> <events.json> (the test runs it
 * bundled: engine-redis.test.ts)
 */
import { readFileSync } from 'node:fs';
import { RedisStore } from '../../adapters/store/redis.js';
import { Engine } from '../../bots/engine.js';
import { createLogger } from '../../bots/log.js';
import type { InboundEvent } from '../../bots/ports.js';
import { defaultFlow } from './flows.js';

const [url, prefix, file] = process.argv.slice(2);
const events = JSON.parse(readFileSync(file ?? '', 'utf8')) as InboundEvent[];
// Every line kept (a deployment keeps a card's worth): the test reads them all back.
const store = await RedisStore.connect({ url: url ?? '', prefix: prefix ?? '', limits: { transcriptMax: 1_000 } });
const flow = defaultFlow();
// The events' own time, not the wall clock: the greeting depends on the time of day (早上好), and a
// test that passes only in the afternoon (UTC+8) is not deterministic.
const startedAt = events[0]?.at ?? Date.now();
const engine = new Engine({
  store,
  flow: () => flow,
  channels: new Map([
    [
      'test',
      {
        send: async (m) =>
          void process.stdout.write(`${JSON.stringify({ id: m.id, text: m.text, pid: process.pid })}\n`),
      },
    ],
  ]),
  clock: () => startedAt,
  log: createLogger('warn'),
});
for (const event of events) await engine.receive(event);
// Whatever the other process left behind when it lost a race for the lock.
await engine.recover();
await store.close();
