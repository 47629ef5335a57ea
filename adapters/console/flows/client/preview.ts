import { el, postJson } from './post.js';

interface Reply {
  text: string;
  choices: Array<{ id: string; label: string }>;
}
type Answer =
  { ok: true; replies: Reply[] } | { ok: false; problems: Array<{ file: string; path: string; message: string }> };

/**
 * The preview chat: what the admin types goes to the server, which runs it through the real
 * engine on the draft; the bot's replies come back and show with their buttons (pressing one
 * sends that choice, as on Telegram). It starts with /start, and "start over" begins again.
 */
export function mountPreview(root: HTMLElement): void {
  const chat = document.getElementById('preview-chat');
  const form = document.getElementById('preview-form');
  const input = document.getElementById('preview-text');
  const locale = document.getElementById('preview-locale');
  const reset = document.getElementById('preview-reset');
  if (!chat || !(form instanceof HTMLFormElement) || !(input instanceof HTMLInputElement)) return;
  const csrf = root.dataset.csrf ?? '';
  const say = async (body: Record<string, unknown>) => {
    let answer: Answer;
    try {
      const lang = locale instanceof HTMLSelectElement ? locale.value : undefined;
      answer = (await postJson(root.dataset.say ?? '', csrf, { ...body, locale: lang })) as Answer;
    } catch (err) {
      chat.append(el('li', err instanceof Error ? err.message : String(err), 'system'));
      return;
    }
    if (!answer.ok) {
      const li = el('li', `${root.dataset.problems ?? ''}:`, 'system');
      for (const p of answer.problems) li.append(el('div', `${p.file} ${p.path}: ${p.message}`));
      chat.append(li);
    } else for (const reply of answer.replies) chat.append(bubble(reply, say));
    chat.lastElementChild?.scrollIntoView({ block: 'end' });
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    chat.append(el('li', text, 'customer'));
    input.value = '';
    void say({ text });
  });
  reset?.addEventListener('click', () => {
    void postJson(root.dataset.reset ?? '', csrf, {}).then(() => {
      chat.replaceChildren();
      void say({ start: true });
    });
  });
  void say({ start: true });
}

function bubble(reply: Reply, say: (body: Record<string, unknown>) => Promise<void>): HTMLElement {
  const li = el('li', '', 'bot');
  li.append(el('div', reply.text, 'text'));
  if (reply.choices.length > 0) {
    const buttons = el('div', '', 'choices');
    for (const choice of reply.choices) {
      const button = el('button', choice.label);
      button.type = 'button';
      button.addEventListener('click', () => {
        li.parentElement?.append(el('li', choice.label, 'customer'));
        void say({ choice: choice.id });
      });
      buttons.append(button);
    }
    li.append(buttons);
  }
  return li;
}
