/**
 * What grammY users would write instead, on the same Redis and the same stubbed Bot API:
 * the floor (a hand-written session state machine, one GET + one SET per message) and the
 * conversations plugin v2 (which replays the conversation on every update).
 */
import { conversations, createConversation, type Conversation, type ConversationFlavor } from '@grammyjs/conversations';
import { RedisAdapter } from '@grammyjs/storage-redis';
import { Bot, session, type Context, type SessionFlavor } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Redis } from 'ioredis';

/**
 * The Bot API answered in process, as grammY's `client.fetch`: every variant builds and sends
 * its requests through grammY's own client, and only the network is left out. It sits under
 * everything grammY does, so conversations v2 logs and replays calls as it would in production
 * (a transformer on top would be called again on every replay).
 */
export function stubFetch(onSend: (chatId: number, text: string) => void): typeof fetch {
  let id = 0;
  return (async (url: string | URL | Request, init?: RequestInit) => {
    const method = String(url).split('/').pop() ?? '';
    const payload = JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as {
      chat_id?: number;
      text?: string;
    };
    if (method === 'sendMessage') onSend(payload.chat_id ?? 0, payload.text ?? '');
    const result =
      method === 'sendMessage'
        ? { message_id: ++id, date: 0, chat: { id: payload.chat_id ?? 0, type: 'private' }, text: payload.text ?? '' }
        : true;
    return { json: async () => ({ ok: true, result }) } as Response;
  }) as typeof fetch;
}

const FAQ: Record<string, string> = {
  发货: '一般情况下，付款成功后 48 小时内发货。',
  发票: '我们支持开具电子普通发票和增值税专用发票。',
};
const answerFor = (need: string) =>
  Object.entries(FAQ).find(([k]) => need.includes(k))?.[1] ?? '抱歉，这个问题我暂时不能确定答案。';

interface FloorSession {
  step: 'idle' | 'need' | 'confirm' | 'more' | 'survey';
  need: string;
}
type FloorContext = Context & SessionFlavor<FloorSession>;

/** The floor: the same steps as a switch over a session on Redis. */
export function floorBot(
  token: string,
  botInfo: UserFromGetMe,
  redis: Redis,
  prefix: string,
  onSend: (chatId: number, text: string) => void,
): Bot<FloorContext> {
  const bot = new Bot<FloorContext>(token, { botInfo, client: { fetch: stubFetch(onSend) } });
  bot.use(
    session({
      initial: (): FloorSession => ({ step: 'idle', need: '' }),
      storage: new RedisAdapter<FloorSession>({ instance: redis }),
      getSessionKey: (ctx) => `${prefix}${ctx.chat?.id}`,
    }),
  );
  bot.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    const s = ctx.session;
    switch (s.step) {
      case 'idle':
        await ctx.reply('您好，本店欢迎您的光临！请问有什么可以帮您？');
        s.step = 'need';
        return;
      case 'need':
        s.need = text;
        await ctx.reply(`您的意思是“${text}”，对吗？`, {
          reply_markup: {
            inline_keyboard: [
              [
                { text: '是的', callback_data: 'yes' },
                { text: '不是', callback_data: 'no' },
              ],
            ],
          },
        });
        s.step = 'confirm';
        return;
      case 'confirm':
        if (text.startsWith('是')) {
          await ctx.reply(answerFor(s.need));
          await ctx.reply('请问还有其他可以帮助您的吗？');
          s.step = 'more';
        } else {
          await ctx.reply('请您再具体描述一下，好吗？');
          s.step = 'need';
        }
        return;
      case 'more':
        if (text.includes('没有')) {
          await ctx.reply('感谢您的咨询！');
          await ctx.reply('麻烦您为本次服务打个分（1-5 分）：');
          s.step = 'survey';
        } else {
          await ctx.reply('好的，请您说。');
          s.step = 'need';
        }
        return;
      case 'survey':
        await ctx.reply('感谢您的评价！');
        s.step = 'idle';
        return;
    }
  });
  return bot;
}

type ConvContext = ConversationFlavor<Context>;

/** The same conversation with @grammyjs/conversations v2: one long function, replayed per update. */
export function conversationsBot(
  token: string,
  botInfo: UserFromGetMe,
  redis: Redis,
  prefix: string,
  onSend: (chatId: number, text: string) => void,
): Bot<ConvContext> {
  // The conversation's own contexts get an Api with the bot's client options, stub included.
  const bot = new Bot<ConvContext>(token, { botInfo, client: { fetch: stubFetch(onSend) } });
  const adapter = new RedisAdapter({ instance: redis });
  bot.use(
    conversations({
      storage: { type: 'key', version: 0, adapter: adapter as never, getStorageKey: (ctx) => `${prefix}${ctx.chatId}` },
    }),
  );
  async function service(conversation: Conversation<ConvContext, Context>, ctx: Context) {
    await ctx.reply('您好，本店欢迎您的光临！请问有什么可以帮您？');
    for (;;) {
      const need = (await conversation.waitFor('message:text')).message.text;
      await ctx.reply(`您的意思是“${need}”，对吗？`, {
        reply_markup: {
          inline_keyboard: [
            [
              { text: '是的', callback_data: 'yes' },
              { text: '不是', callback_data: 'no' },
            ],
          ],
        },
      });
      const yes = (await conversation.waitFor('message:text')).message.text;
      if (!yes.startsWith('是')) {
        await ctx.reply('请您再具体描述一下，好吗？');
        continue;
      }
      await ctx.reply(answerFor(need));
      await ctx.reply('请问还有其他可以帮助您的吗？');
      const more = (await conversation.waitFor('message:text')).message.text;
      if (!more.includes('没有')) {
        await ctx.reply('好的，请您说。');
        continue;
      }
      await ctx.reply('感谢您的咨询！');
      await ctx.reply('麻烦您为本次服务打个分（1-5 分）：');
      await conversation.waitFor('message:text');
      await ctx.reply('感谢您的评价！');
      // The next "你好" starts over, inside the same (ever longer) conversation.
      await conversation.waitFor('message:text');
      await ctx.reply('您好，本店欢迎您的光临！请问有什么可以帮您？');
    }
  }
  bot.use(createConversation(service, { id: 'service' }));
  bot.on('message:text', async (ctx) => {
    await ctx.conversation.enter('service');
  });
  return bot;
}
