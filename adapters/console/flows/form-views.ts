import { html, raw } from 'hono/html';
import {
  CALENDAR,
  itemFingerprint,
  textFingerprint,
  SECTIONS,
  type FieldSpec,
  type ListItem,
  type SectionId,
  type ShownValue,
  type TextField,
} from '../../../bots/console-flows/forms.js';
import type { EditorProblem } from '../../../bots/console-flows/problems.js';
import type { Html } from './deps.js';
import { csrfField, type View } from './views.js';

/**
 * The form editors' bodies: the draft file's texts, its list sections (knowledge base, complaint
 * categories, forbidden phrases, business hours, holiday greetings) and its calendar. Each field
 * shows the problems whose path is the field's, so a broken placeholder appears under the answer
 * that has it.
 */

/** The problems at `path` or below it (`faq[3]` has `faq[3].answer` and `faq[3].questions[0]`). */
export function problemsAt(problems: readonly EditorProblem[], path: string): EditorProblem[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`));
}

function fieldProblems(problems: readonly EditorProblem[], id: string): Html {
  if (problems.length === 0) return html``;
  return html`<ul class="problems" id="${id}-problems" role="alert">
    ${problems.map((p) => html`<li><code>${p.path}</code> ${p.message}</li>`)}
  </ul>`;
}

/** The file picker: which locale's definition the forms edit. */
export function fileTabs(v: View, files: readonly string[], current: string, path: string): Html {
  return html`<nav class="file-tabs" aria-label="${v.w.file}">
    ${files.map(
      (f) =>
        html`<a href="${v.base}${path}?file=${encodeURIComponent(f)}" ${f === current ? raw('aria-current="page"') : ''}
          >${f}</a
        >`,
    )}
  </nav>`;
}

/**
 * Every text with its phrasings, in one form: each text's save button sends them all, so an edit
 * of one text is never dropped by saving another (found by the issue-15 trial). The button says
 * which text the page returns to.
 */
export function textsView(
  v: View,
  file: string,
  texts: readonly TextField[],
  problems: readonly EditorProblem[],
  /** A refused form's changes, shown in place of the draft's phrasings (the fingerprint stays the draft's). */
  typed: Readonly<Record<string, readonly string[]>> = {},
) {
  return html`<form method="post" action="${v.base}/texts?file=${encodeURIComponent(file)}" class="texts">
    ${csrfField(v)} ${texts.map((t) => textForm(v, t, problemsAt(problems, `texts.${t.key}`), typed[t.key]))}
  </form>`;
}

function textForm(v: View, t: TextField, problems: readonly EditorProblem[], typed?: readonly string[]): Html {
  const id = `text-${t.key}`;
  const variants = typed ?? t.variants;
  return html`<fieldset id="${id}" class="${problems.length ? 'item has-problems' : 'item'}">
    <label for="${id}-0"><code>${t.key}</code></label>
    <input type="hidden" name="was.${t.key}" value="${textFingerprint(t.variants)}" />
    <small>${v.w.placeholders(t.placeholders.map((p) => `{${p}}`).join(' '))}</small>
    ${t.fallback ? html`<small>${v.w.optionalText(t.fallback)}</small>` : ''}
    ${[...variants, ''].map(
      (variant, i) =>
        html`<textarea
          id="${id}-${i}"
          name="text.${t.key}"
          rows="2"
          aria-label="${t.key} ${i + 1}"
          ${i === variants.length ? html`placeholder="${v.w.addPhrasing}"` : ''}
        >
${variant}</textarea>`,
    )}
    ${fieldProblems(problems, id)}
    <button type="submit" name="at" value="${t.key}">${v.w.save}</button>
  </fieldset>`;
}

/** A list section: every item in a form of its own, then an empty one to add an item. */
export function sectionView(
  v: View,
  file: string,
  section: SectionId,
  items: readonly ListItem[],
  problems: readonly EditorProblem[],
  /** The item just saved: shown open. */
  opened?: number,
): Html {
  const spec = SECTIONS[section];
  const prefix = spec.path.join('.');
  // The path first, then the query: `…/7/delete?file=…`, never `…/7?file=…/delete`.
  const action = (i: number | 'new', then = '') =>
    `${v.base}/list/${section}/${i}${then}?file=${encodeURIComponent(file)}`;
  const blank = Object.fromEntries(spec.fields.map((f) => [f.name, emptyOf(f)]));
  return html`${items.map((item) => {
      const here = problemsAt(problems, `${prefix}[${item.index}]`);
      const title = spec.title
        .map((t) =>
          [item.values[t] ?? '']
            .flat()
            .map((value) => v.w.option(t, value))
            .join(', '),
        )
        .join(' · ');
      const open = here.length > 0 || item.index === opened;
      return html`<details id="${section}-${item.index}" ${open ? 'open' : ''} class="item">
        <summary>${item.index + 1}. ${title}${here.length ? ' ⚠' : ''}</summary>
        <form method="post" action="${action(item.index)}">
          ${csrfField(v)}<input type="hidden" name="was" value="${itemFingerprint(item)}" />
          ${spec.fields.map((f) =>
            field(
              v,
              `${section}-${item.index}`,
              f,
              item.values[f.name] ?? emptyOf(f),
              problemsAt(here, `${prefix}[${item.index}].${f.name}`),
            ),
          )}
          ${fieldProblems(
            here.filter((p) => p.path === `${prefix}[${item.index}]`),
            `${section}-${item.index}`,
          )}
          <button type="submit">${v.w.save}</button>
        </form>
        <form method="post" action="${action(item.index, '/delete')}">
          ${csrfField(v)}<input type="hidden" name="was" value="${itemFingerprint(item)}" /><button
            type="submit"
            class="secondary"
          >
            ${v.w.remove}
          </button>
        </form>
      </details>`;
    })}
    <details id="${section}-new" class="item">
      <summary>${v.w.add}</summary>
      <form method="post" action="${action('new')}">
        ${csrfField(v)} ${spec.fields.map((f) => field(v, `${section}-new`, f, blank[f.name] ?? '', []))}
        <button type="submit">${v.w.add}</button>
      </form>
    </details>`;
}

/** The working-day calendar's form. */
export function calendarView(
  v: View,
  file: string,
  values: Record<string, ShownValue>,
  problems: readonly EditorProblem[],
): Html {
  return html`<h2>${v.w.calendar}</h2>
    <form method="post" action="${v.base}/calendar?file=${encodeURIComponent(file)}" id="calendar" class="item">
      ${csrfField(v)}
      ${CALENDAR.map((f) => field(v, 'calendar', f, values[f.name] ?? emptyOf(f), problemsAt(problems, `calendar.${f.name}`)))}
      <button type="submit">${v.w.save}</button>
    </form>`;
}

const emptyOf = (f: FieldSpec): ShownValue =>
  f.kind === 'lines' || f.kind === 'variants' || f.kind === 'days' ? [] : '';

/** One field's label, input and problems. */
function field(v: View, prefix: string, f: FieldSpec, value: ShownValue, problems: readonly EditorProblem[]): Html {
  const id = `${prefix}-${f.name}`;
  const label = v.w.fields[f.name] ?? f.name;
  const list = Array.isArray(value) ? value : [value];
  const one = Array.isArray(value) ? value.join('\n') : value;
  const input = (() => {
    switch (f.kind) {
      case 'lines':
        return html`<textarea id="${id}" name="${f.name}" rows="${Math.min(10, list.length + 1)}">${one}</textarea
          ><small>${v.w.onePerLine}</small>`;
      case 'variants':
        return html`${[...list, ''].map(
          (x, i) =>
            html`<textarea id="${i === 0 ? id : `${id}-${i}`}" name="${f.name}" rows="2" aria-label="${label} ${i + 1}">
${x}</textarea>`,
        )}`;
      case 'number':
        return html`<input id="${id}" name="${f.name}" type="number" step="any" min="0" value="${one}" />`;
      case 'choice':
        return html`<select id="${id}" name="${f.name}">
          ${f.optional ? html`<option value=""></option>` : ''}
          ${(f.options ?? []).map(
            (o) => html`<option value="${o}" ${o === one ? 'selected' : ''}>${v.w.option(f.name, o)}</option>`,
          )}
        </select>`;
      case 'bool':
        return html`<input
          id="${id}"
          name="${f.name}"
          type="checkbox"
          value="true"
          ${one === 'true' ? 'checked' : ''}
        />`;
      case 'days':
        return html`<span id="${id}" class="days"
          >${(f.options ?? []).map(
            (d) =>
              html`<label
                ><input
                  type="checkbox"
                  name="${f.name}"
                  value="${d}"
                  ${list.includes(d) ? 'checked' : ''}
                />${v.w.option(f.name, d)}</label
              >`,
          )}</span
        >`;
      case 'text':
        return html`<input id="${id}" name="${f.name}" value="${one}" />`;
    }
  })();
  return html`<div class="${problems.length ? 'field has-problems' : 'field'}">
    <label for="${id}">${label} <code>${f.name}</code></label>
    ${input} ${fieldProblems(problems, id)}
  </div>`;
}
