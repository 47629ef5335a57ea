import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../adapters/store/memory.js';
import { applyText } from '../../bots/console-flows/forms.js';
import { DEFAULT_FLOWS_DIR } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { PreviewChats } from '../../bots/preview.js';
import { shanghai } from '../support/flows.js';

const files = {
  'zh-CN.yaml': readFileSync(join(DEFAULT_FLOWS_DIR, 'zh-CN.yaml'), 'utf8'),
  'en.yaml': readFileSync(join(DEFAULT_FLOWS_DIR, 'en.yaml'), 'utf8'),
};

function previews(options: { maxSessions?: number; idleMs?: number } = {}) {
  const clock = { t: shanghai('2026-11-23T15:00:00') };
  const chats = new PreviewChats({
    defaultLocale: 'zh-CN',
    newStore: (now) => new MemoryStore(now),
    clock: () => clock.t,
    log: memoryLogger(),
    ...options,
  });
  return { chats, clock };
}

describe('the preview chat: the real engine on the draft', () => {
  it('greets with the edited opening line and answers from the knowledge base, with buttons', async () => {
    const { chats } = previews();
    const draft = { ...files, 'zh-CN.yaml': applyText(files['zh-CN.yaml'], 'opening', ['欢迎来到{company}！{ask}']) };
    expect(await chats.say('s1', draft, { type: 'start' })).toEqual({
      ok: true,
      replies: [{ text: '欢迎来到本店！请问有什么可以帮您？', choices: [] }],
    });
    const restated = await chats.say('s1', draft, { type: 'text', text: '我的订单还没发货' });
    expect(restated).toMatchObject({
      ok: true,
      replies: [{ text: '您的意思是想了解订单什么时候发货，对吗？', choices: [{ label: '是的' }, { label: '不是' }] }],
    });
    const yes = restated.ok ? restated.replies[0]?.choices[0]?.id : undefined;
    const answered = await chats.say('s1', draft, { type: 'choice', choice: yes ?? '' });
    expect(answered.ok && answered.replies.map((r) => r.text)[0]).toMatch(/^一般情况下，付款成功后 48 小时内发货/);
  });

  it('answers problems instead of running an invalid draft', async () => {
    const { chats } = previews();
    const broken = { ...files, 'zh-CN.yaml': files['zh-CN.yaml'].replace('{company}欢迎', '{shop}欢迎') };
    expect(await chats.say('s1', broken, { type: 'start' })).toEqual({
      ok: false,
      problems: [
        {
          file: 'zh-CN.yaml',
          path: 'texts.opening',
          message: 'unknown placeholder {shop} (allowed here: {company}, {ask})',
        },
      ],
    });
    expect(chats.size).toBe(0);
  });

  it('keeps a bounded number of previews, drops idle ones, and starts over on reset', async () => {
    const { chats, clock } = previews({ maxSessions: 2, idleMs: 60_000 });
    for (const s of ['a', 'b', 'c']) await chats.say(s, files, { type: 'start' });
    expect(chats.size).toBe(2);
    clock.t += 120_000;
    await chats.say('d', files, { type: 'start' });
    expect(chats.size).toBe(1);
    // Two messages at once (a double click) run one after the other, each with its own replies.
    const [greeting, restated] = await Promise.all([
      chats.say('d', files, { type: 'start' }),
      chats.say('d', files, { type: 'text', text: '我的订单还没发货' }),
    ]);
    expect(greeting.ok && greeting.replies.map((r) => r.text)).toEqual([
      '您好，本店欢迎您的光临！请问有什么可以帮您？',
    ]);
    expect(restated.ok && restated.replies.map((r) => r.text)).toEqual(['您的意思是想了解订单什么时候发货，对吗？']);
    await chats.reset('d');
    // A new conversation: the greeting again, not the confirmation it was waiting for.
    const again = await chats.say('d', files, { type: 'text', text: '是的' });
    expect(again.ok && again.replies.map((r) => r.text).join('\n')).not.toMatch(/48 小时/);
  });
});
