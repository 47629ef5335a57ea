import { yaml } from '@codemirror/lang-yaml';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { basicSetup, EditorView } from 'codemirror';
import { el, postJson } from './post.js';

/** A problem as the check endpoint answers it (bots/console-flows/problems.ts EditorProblem). */
interface Problem {
  path: string;
  message: string;
  from: number;
  to: number;
  line: number;
}

/**
 * The YAML editor: CodeMirror 6 over the page's textarea (which it fills again before the form is
 * sent). As the admin types, the text is checked by the server with the same schema as
 * flows:check (CodeMirror's linter waits until typing pauses), and each problem is underlined at
 * its path's place and listed under the editor.
 */
export function mountEditor(host: HTMLElement): void {
  const textarea = document.getElementById('yaml-text');
  const form = document.getElementById('yaml-form');
  const list = document.getElementById('yaml-problems');
  if (!(textarea instanceof HTMLTextAreaElement) || !(form instanceof HTMLFormElement)) return;
  const check = host.dataset.check ?? '';
  const csrf = host.dataset.csrf ?? '';
  const lint = linter(
    async (view): Promise<Diagnostic[]> => {
      let problems: Problem[];
      try {
        problems = ((await postJson(check, csrf, { text: view.state.doc.toString() })) as { problems: Problem[] })
          .problems;
      } catch {
        return [];
      }
      if (list) showProblems(list, problems);
      const length = view.state.doc.length;
      return problems.map((p) => ({
        from: Math.min(p.from, length),
        to: Math.min(Math.max(p.to, p.from), length),
        severity: 'error',
        message: `${p.path}: ${p.message}`,
      }));
    },
    { delay: 600 },
  );
  // In a shadow root CodeMirror styles itself with constructed style sheets, which the console's
  // CSP (style-src 'self', no inline styles) allows; in the document it would add <style> elements.
  const root = host.attachShadow({ mode: 'open' });
  const view = new EditorView({
    doc: textarea.value,
    extensions: [basicSetup, yaml(), lintGutter(), lint, EditorView.lineWrapping, frame],
    root,
    parent: root,
  });
  textarea.hidden = true;
  // Leaving the page with unsaved edits asks first (found by the issue-15 trial: a click on the
  // menu dropped them); saving does not.
  const saved = view.state.doc.toString();
  let saving = false;
  window.addEventListener('beforeunload', (event) => {
    if (saving || view.state.doc.toString() === saved) return;
    event.preventDefault();
    event.returnValue = '';
  });
  form.addEventListener('submit', () => {
    saving = true;
    textarea.value = view.state.doc.toString();
  });
  const line = Number(host.dataset.line);
  if (Number.isInteger(line) && line >= 1 && line <= view.state.doc.lines) {
    const at = view.state.doc.line(line).from;
    view.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
    view.focus();
  }
}

const frame = EditorView.theme({
  '&': { border: '1px solid #ccc', maxHeight: '75vh', fontSize: '0.9rem' },
  '.cm-scroller': { overflow: 'auto' },
});

function showProblems(list: HTMLElement, problems: readonly Problem[]): void {
  list.replaceChildren();
  if (problems.length === 0) return;
  const ul = el('ul', '', 'problems');
  ul.setAttribute('role', 'alert');
  for (const p of problems) {
    const li = el('li');
    li.append(el('code', p.path), ` ${p.message}`);
    ul.append(li);
  }
  list.append(ul);
}
