import { defaultFlow } from './support/flows.js';
import { SCRIPT } from './bench/drivers.js';
import type { ConversationRecord } from '../flows/contracts.js';
const flow = defaultFlow();
const N = 50, ROUNDS = Number(process.env.ROUNDS ?? 50);
function run(): number {
  let steps = 0; const t0 = process.hrtime.bigint();
  let at = Date.parse('2026-11-23T15:00:00+08:00');
  for (let r = 0; r < ROUNDS; r++) {
    const recs: (ConversationRecord | undefined)[] = new Array(N).fill(undefined);
    for (const text of SCRIPT) for (let c = 0; c < N; c++) {
      at += 1000;
      const res = flow.step(recs[c], { conversationId: `t:${c}`, channel: 't', customer: { id: String(c), name: 'x' }, at, payload: { type: 'text', text } });
      recs[c] = res.record; steps++;
    }
  }
  return Number(process.hrtime.bigint() - t0) / 1000 / steps;
}
run();
const rs = [run(), run(), run()];
console.log('µs/step', rs.map((x) => x.toFixed(1)).join(' '));
