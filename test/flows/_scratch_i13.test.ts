import { it } from 'vitest';
import { Dialogue } from '../support/dialogue.js';
import { defaultFlow, shanghai } from '../support/flows.js';
const flow = defaultFlow();
const afternoon = shanghai('2026-11-23T15:00:00');
const show = (label: string, d: Dialogue) => console.log(label, d.state, JSON.stringify(d.effects, null, 1));
it('scratch', () => {
  const d = new Dialogue(flow, afternoon);
  d.say('你好');
  d.say('我的订单还没发货');
  d.say('是的');
  d.say('没有了'); show('close', d);
  d.say({ type: 'choice', choice: 'score1' }); show('score', d);
  d.say('等了好久才回复，答案也不清楚'); show('comment', d);
  d.say('你好'); show('after', d);
});
