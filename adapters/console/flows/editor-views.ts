import { html } from 'hono/html';
import type { EditorProblem } from '../../../bots/console-flows/problems.js';
import type { Html } from './deps.js';
import { csrfField, problemList, type View } from './views.js';

/**
 * The two pages with client code (adapters/console/flows/client, one bundle): the YAML editor
 * (CodeMirror 6; the textarea is the form without script) and the preview chat. The script
 * finds its elements by id and reads its addresses and the CSRF token from data attributes:
 * nothing inline, as the CSP requires.
 */

export function yamlView(
  v: View,
  file: string,
  text: string,
  problems: readonly EditorProblem[],
  script: string,
  line?: number,
): Html {
  const query = `file=${encodeURIComponent(file)}`;
  return html`<p>${v.w.yamlNote}</p>
    <form method="post" action="${v.base}/yaml?${query}" id="yaml-form">
      ${csrfField(v)}
      <div
        id="yaml-editor"
        data-check="${v.base}/check?${query}"
        data-csrf="${v.csrf}"
        data-line="${line ?? ''}"
        aria-label="${file}"
      ></div>
      <textarea id="yaml-text" name="text" rows="30" spellcheck="false">${text}</textarea>
      <div id="yaml-problems">${problemList(v, problems)}</div>
      <button type="submit">${v.w.save}</button>
    </form>
    <script type="module" src="${script}"></script>`;
}

export function previewView(v: View, locales: readonly string[], script: string): Html {
  return html`<p>${v.w.previewNote}</p>
    <section
      id="preview"
      data-say="${v.base}/preview/say"
      data-reset="${v.base}/preview/reset"
      data-csrf="${v.csrf}"
      data-problems="${v.w.problems}"
    >
      <ol id="preview-chat" class="chat" aria-live="polite"></ol>
      <form id="preview-form" class="chat-input">
        <select id="preview-locale" name="locale" aria-label="locale">
          ${locales.map((l) => html`<option>${l}</option>`)}
        </select>
        <input id="preview-text" name="text" autocomplete="off" maxlength="4096" placeholder="${v.w.typeHere}" />
        <button type="submit">${v.w.send}</button>
        <button type="button" id="preview-reset" class="secondary">${v.w.restart}</button>
      </form>
    </section>
    <script type="module" src="${script}"></script>`;
}

export { csrfField };
