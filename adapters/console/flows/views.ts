import { showControls } from '../../../flows/text.js';
import { html } from 'hono/html';
import type { FileDiff } from '../../../bots/flow-diff.js';
import type { OpenDraft } from '../../../bots/console-flows/drafts.js';
import type { EditorProblem } from '../../../bots/console-flows/problems.js';
import type { FlowTestFigures, FlowVersionSummary, PublishedFlowVersion } from '../../../bots/flow-versions-port.js';
import type { Html } from './deps.js';
import type { FlowsWords } from './words.js';
import { SECTION_IDS } from '../../../bots/console-flows/forms.js';

/**
 * The flows pages' bodies (the console's layout wraps them): home, figures, history, diff.
 * hono/html escapes every value.
 */

export interface View {
  w: FlowsWords;
  base: string;
  csrf: string;
  /** Epoch ms → what the admin reads. */
  time: (ms: number) => string;
}

export const csrfField = (v: View): Html => html`<input type="hidden" name="_csrf" value="${v.csrf}" />`;

export const versionName = (id: number) => `v${id}`;

/** A moment as the admin reads it, marked up as one (`<time datetime>`). */
const at = (v: View, ms: number): Html => html`<time datetime="${new Date(ms).toISOString()}">${v.time(ms)}</time>`;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** A list of problems, each linking to its line in the YAML editor. */
export function problemList(v: View, problems: readonly EditorProblem[]): Html {
  if (problems.length === 0) return html`<p class="ok">${v.w.noProblems}</p>`;
  return html`<ul class="problems" role="alert">
    ${problems.map(
      (p) =>
        html`<li>
          <a href="${v.base}/yaml?file=${encodeURIComponent(p.file)}&line=${p.line}"
            ><code>${p.file}</code> <code>${p.path}</code></a
          >
          ${p.message}
        </li>`,
    )}
  </ul>`;
}

/** The links to every editor of the draft. */
export function editorLinks(v: View, files: readonly string[]): Html {
  return html`<nav class="flows-nav" aria-label="${v.w.forms}">
    <a href="${v.base}/texts">${v.w.texts}</a>
    ${SECTION_IDS.map((s) => html`<a href="${v.base}/list/${s}">${v.w.sections[s]}</a>`)}
    ${files.map((f) => html`<a href="${v.base}/yaml?file=${encodeURIComponent(f)}">${v.w.yaml}: ${f}</a>`)}
    <a href="${v.base}/preview">${v.w.preview}</a>
    <a href="${v.base}/diff">${v.w.diff}</a>
    <a href="${v.base}/history">${v.w.history}</a>
  </nav>`;
}

export interface HomeModel {
  active: PublishedFlowVersion | undefined;
  draft: OpenDraft;
  problems: EditorProblem[];
  /** A message after an action (published, rolled back, saved), or an error. */
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  /** Publishing's refusal, with the figures it scored. */
  refusedFigures?: FlowTestFigures | undefined;
}

/** Flows home: the active version, the draft, its problems and figures, publishing. */
export function homeView(v: View, m: HomeModel): Html {
  const { w } = v;
  const { active, draft } = m;
  const behind = behindOf(m);
  return html`${
      m.notice
        ? html`<p class="${m.notice.kind === 'ok' ? 'notice' : 'problem'}" role="status">${m.notice.text}</p>`
        : ''
    }
    <section>
      <h2>${w.active}</h2>
      ${
        active
          ? html`<p>
              <strong>${versionName(active.id)}</strong> <code>${active.hash}</code> · ${active.author} ·
              ${at(v, active.createdAt)}<br />${showControls(active.message)}
            </p>`
          : html`<p>${w.none}</p>`
      }
    </section>
    <section>
      <h2>${w.draft}</h2>
      <p>
        ${
          draft.stored
            ? w.draftBasedOn(draft.basedOn === null ? '—' : versionName(draft.basedOn), v.time(draft.updatedAt))
            : w.draftFresh
        }
      </p>
      ${behind ? html`<p class="problem">${w.draftBehind(versionName(behind.id))}</p>` : ''}
      ${editorLinks(v, Object.keys(draft.files).sort())}
      <h3>${w.problems}</h3>
      ${problemList(v, m.problems)}
      <h3>${w.figures}</h3>
      ${
        m.refusedFigures
          ? figuresTable(v, m.refusedFigures, active?.figures ?? null)
          : html`<div hx-get="${v.base}/figures" hx-trigger="load" hx-swap="outerHTML">
              <p><a href="${v.base}/figures">${w.figuresLoading}</a></p>
            </div>`
      }
      ${publishForm(v, m)}
    </section>`;
}

/** The active version, when it was published after the admin's draft was started (publishing would replace it). */
export function behindOf(m: Pick<HomeModel, 'active' | 'draft'>) {
  return m.active && m.draft.stored && m.draft.basedOn !== m.active.id ? m.active : undefined;
}

function publishForm(v: View, m: HomeModel): Html {
  const { w } = v;
  const blocked = m.problems.length > 0;
  const newer = behindOf(m);
  return html`<form method="post" action="${v.base}/publish" class="publish">
      ${csrfField(v)}
      <label for="publish-message">${w.publishMessage}</label>
      <input id="publish-message" name="message" required maxlength="500" ${blocked ? 'disabled' : ''} />
      ${
        newer
          ? html`<label class="confirm"
              ><input type="checkbox" name="replace" value="${newer.id}" required />
              <a href="${v.base}/diff?from=active&to=draft">${w.replaceNewer(versionName(newer.id))}</a></label
            >`
          : ''
      }
      <button type="submit" ${blocked ? 'disabled' : ''}>${w.publish}</button>
      ${blocked ? html`<p class="problem">${w.blocked}</p>` : ''}
    </form>
    ${
      m.draft.stored
        ? html`<form method="post" action="${v.base}/discard">
            ${csrfField(v)}<button type="submit" class="secondary">${w.discard}</button>
          </form>`
        : ''
    }`;
}

/** The draft's flows:test figures beside the active version's, locale by locale. */
export function figuresTable(v: View, draft: FlowTestFigures | null, active: FlowTestFigures | null): Html {
  const { w } = v;
  const locales = [...new Set([...(draft?.locales ?? []), ...(active?.locales ?? [])].map((l) => l.locale))];
  const cell = (f: FlowTestFigures | null, locale: string) => {
    const l = f?.locales.find((x) => x.locale === locale);
    return l
      ? html`<td class="${l.met ? 'met' : 'not-met'}">
          ${pct(l.accuracy)} · ${pct(l.wrongTopic)} (${l.sentences}) ${l.met ? w.met : w.notMet}
        </td>`
      : html`<td>${w.figuresNone}</td>`;
  };
  const guard = (f: FlowTestFigures | null) =>
    f?.guard
      ? html`<td class="${f.guard.met ? 'met' : 'not-met'}">
          ${pct(f.guard.caught)} / ${pct(f.guard.falseAlarms)} ${f.guard.met ? w.met : w.notMet}
        </td>`
      : html`<td>${w.figuresNone}</td>`;
  return html`<table class="figures" id="figures">
    <thead>
      <tr>
        <th></th>
        <th>${w.figuresDraft}</th>
        <th>${w.figuresActive}</th>
      </tr>
    </thead>
    <tbody>
      ${locales.map(
        (l) =>
          html`<tr>
            <th>${l}: ${w.accuracy} · ${w.wrongTopic}</th>
            ${cell(draft, l)}${cell(active, l)}
          </tr>`,
      )}
      <tr>
        <th>${w.guard}</th>
        ${guard(draft)}${guard(active)}
      </tr>
      <tr>
        <th>${w.heldOut}</th>
        <td>${heldOut(draft)}</td>
        <td>${heldOut(active)}</td>
      </tr>
    </tbody>
  </table>`;
}

const heldOut = (f: FlowTestFigures | null) =>
  f?.heldOut?.map((h) => `${h.locale} ${pct(h.accuracy)} · ${pct(h.wrongTopic)} (${h.sentences})`).join('; ') ?? '—';

/** Published versions, newest first, with diff links and rollback. */
export function historyView(v: View, versions: readonly FlowVersionSummary[], notice?: string): Html {
  const { w } = v;
  // In a scrolling box: on a phone the table scrolls, not the page (found by the issue-15 trial).
  return html`${notice ? html`<p class="notice" role="status">${notice}</p>` : ''}
    <div class="table-wrap">
      <table class="history">
        <thead>
          <tr>
            <th>${w.version}</th>
            <th>${w.time}</th>
            <th>${w.author}</th>
            <th>${w.message}</th>
            <th>${w.figures}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          ${versions.map(
            (s) =>
              html`<tr>
                <td><strong>${versionName(s.id)}</strong> <code>${s.hash}</code></td>
                <td>${at(v, s.createdAt)}</td>
                <td>${s.author}</td>
                <td>${showControls(s.message)}</td>
                <td>${s.figures ? (s.figures.met ? w.met : w.notMet) : '—'}</td>
                <td>
                  <a href="${v.base}/diff?from=${s.id}&to=active">${w.compare}</a>
                  ${
                    s.active
                      ? html`<strong>${w.current}</strong>`
                      : // Not at once: the next page shows what changes, and asks (found by the issue-17 trial).
                        html`<form method="get" action="${v.base}/rollback/${s.id}">
                          <button type="submit">${w.rollback}</button>
                        </form>`
                  }
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
}

/** Before a rollback: what changes for customers (the active version → `target`), and the confirmation. */
export function rollbackView(v: View, target: string, targetId: number, changes: Html): Html {
  const { w } = v;
  return html`<p class="notice" role="status">${w.rollbackCheck(target)}</p>
    <form method="post" action="${v.base}/rollback/${targetId}">
      ${csrfField(v)}<button type="submit">${w.rollbackConfirm(target)}</button>
      <a href="${v.base}/history">${w.cancel}</a>
    </form>
    ${changes}`;
}

/** A diff, file by file, line by line. */
export function diffView(v: View, title: string, files: readonly FileDiff[]): Html {
  const { w } = v;
  if (files.length === 0)
    return html`<h2>${title}</h2>
      <p>${w.noChanges}</p>`;
  return html`<h2>${title}</h2>
    ${files.map(
      (f) =>
        html`<section class="diff">
          <h3><code>${f.file}</code> +${f.added} −${f.removed}</h3>
          ${f.hunks.map(
            (h) =>
              html`<table class="hunk">
                <caption>
                  @@ −${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@
                </caption>
                ${h.lines.map(
                  (l) =>
                    html`<tr class="${l.kind}">
                      <td class="n">${l.oldLine ?? ''}</td>
                      <td class="n">${l.newLine ?? ''}</td>
                      <td>
                        ${l.kind === 'added' ? '+' : l.kind === 'removed' ? '−' : ''}<code
                          >${showControls(l.text)}</code
                        >
                      </td>
                    </tr>`,
                )}
              </table>`,
          )}
        </section>`,
    )}`;
}
