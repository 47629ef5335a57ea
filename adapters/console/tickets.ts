import type { Context } from 'hono';
import { deskText } from '../desk/text.js';
import { describeLine } from '../desk/transcript-text.js';
import { Hono } from 'hono';
import { html } from 'hono/html';
import { checkSearch, scoreOf, type SearchFields } from '../../bots/ticket-search.js';
import type { FileKind } from '../../flows/files.js';
import { TicketStatus, type Ticket } from '../../flows/ticket.js';
import { FILES_EN, FILES_ZH } from '../desk/files-text.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { BASE, page, refusal, wordsOf, type Html } from './layout.js';
import { agentName, coded, eventDetail, timeZoneOf, viewerFor, when, type Viewer } from './view.js';

/**
 * Tickets: the search staff run from the CLI and Slack (bots/ticket-search.ts, the same fields and
 * checks), a ticket with its lifecycle events and archived transcript, and the pending matters by
 * their promised time. Personal data is masked for supervisors (view.ts).
 */

const FIELDS = ['customer', 'id', 'text', 'status', 'from', 'to'] as const;
const PENDING_MAX = 500;
const TRANSCRIPT_MAX = 500;

function searchForm(c: Context<ConsoleEnv>, fields: SearchFields): Html {
  const { tickets: w, codes } = wordsOf(c);
  const input = (name: 'customer' | 'id' | 'text' | 'from' | 'to', type = 'text') =>
    html`<label>${w.fields[name]} <input name="${name}" type="${type}" value="${fields[name] ?? ''}" /></label>`;
  return html`<form
    method="get"
    action="${BASE}/tickets"
    class="search"
    role="search"
    hx-get="${BASE}/tickets"
    hx-target="#results"
    hx-select="#results"
    hx-swap="outerHTML"
    hx-push-url="true"
  >
    ${input('text')} ${input('id')} ${input('customer')}
    <label
      >${w.fields.status}
      <select name="status">
        <option value="">${w.any}</option>
        ${TicketStatus.options.map(
          (s) => html`<option value="${s}" ${fields.status === s ? 'selected' : ''}>${codes.statuses[s]}</option>`,
        )}
      </select>
    </label>
    ${input('from', 'date')} ${input('to', 'date')}
    <button type="submit">${w.search}</button>
  </form>`;
}

function ticketRows(c: Context<ConsoleEnv>, deps: ConsoleDeps, tickets: readonly Ticket[], see: Viewer): Html {
  const { tickets: w, codes } = wordsOf(c);
  const k = w.columns;
  return html`<div class="table-wrap">
    <table data-list="tickets">
      <thead>
        <tr>
          <th>${k.id}</th>
          <th>${k.created}</th>
          <th>${k.type}</th>
          <th>${k.status}</th>
          <th>${k.customer}</th>
          <th>${k.need}</th>
          <th>${k.agent}</th>
          <th>${w.deadline}</th>
        </tr>
      </thead>
      <tbody>
        ${tickets.map(
          (t) =>
            html`<tr data-ticket="${t.id}">
              <td><a href="${BASE}/tickets/${t.id}">${t.id}</a></td>
              <td>${when(deps, t.createdAt)}</td>
              <td>${coded(codes.types, t.type)}</td>
              <td>${coded(codes.statuses, t.status)}${t.satisfaction ? ` ${scoreOf(t)}` : ''}</td>
              <td><bdi>${see.customerName(t.customer.name) || see.customerId(t.customer.id)}</bdi></td>
              <td class="text"><bdi>${see.text(t.need)}</bdi></td>
              <td><bdi>${agentName(t)}</bdi></td>
              <td>${deadline(c, deps, t)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

function deadline(c: Context<ConsoleEnv>, deps: ConsoleDeps, t: Ticket): Html {
  const w = wordsOf(c).tickets;
  if (t.status !== 'pending') return html``;
  if (t.promisedBy === undefined) return html`<span class="muted">${w.noDeadline}</span>`;
  const late = t.promisedBy <= deps.clock();
  return html`${when(deps, t.promisedBy)}${late ? html` <strong class="bad">${w.overdue}</strong>` : ''}`;
}

/**
 * The search's results, or the pending matters by deadline when nothing is searched. A search
 * that cannot be run is answered with the form as filled in and what is wrong, in the console's
 * words, where the results go (400: htmx swaps it in too, layout.ts).
 */
async function list(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const { tickets: w, problems } = wordsOf(c);
  const see = viewerFor(c.get('account'));
  const fields: SearchFields = {};
  for (const f of FIELDS) {
    const v = c.req.query(f)?.trim();
    if (v) fields[f] = v;
  }
  const searching = Object.keys(fields).length > 0;
  let results: Html;
  let status: 200 | 400 = 200;
  if (searching) {
    const query = checkSearch(fields, timeZoneOf(deps));
    if ('problem' in query) {
      status = 400;
      results = html`<p class="problem" role="alert">${problems.search(query.problem, (f) => w.fields[f])}</p>`;
    } else {
      const found = await deps.record.tickets.list(query);
      results = found.length ? ticketRows(c, deps, found, see) : html`<p>${w.none}</p>`;
    }
  } else {
    const pending = await deps.record.tickets.list({ status: 'pending', limit: PENDING_MAX });
    pending.sort((a, b) => (a.promisedBy ?? Infinity) - (b.promisedBy ?? Infinity) || a.createdAt - b.createdAt);
    results = html`<h2>${w.pending} (${pending.length})</h2>
      ${pending.length ? ticketRows(c, deps, pending, see) : html`<p>${w.none}</p>`}`;
  }
  const body = html`${searchForm(c, fields)} ${see.masked ? html`<p class="muted">${w.masked}</p>` : ''}
    <div id="results">${results}</div>`;
  return page(c, w.title, 'tickets', body, status);
}

/** A ticket's photos and files: each by the word agents read for its kind on the desk, its name and caption. */
function filesOf(t: Ticket, title: string, kinds: Record<FileKind, string>, see: Viewer): Html | string {
  if (!t.files?.length) return '';
  return html`<dt>${title}</dt>
    <dd>
      <ul data-list="files">
        ${t.files.map(
          (f) =>
            html`<li>
              ${kinds[f.kind]}${f.name ? html` <code>${f.name}</code>` : ''}${
                f.caption ? html` <bdi>${see.text(f.caption)}</bdi>` : ''
              }
            </li>`,
        )}
      </ul>
    </dd>`;
}

/** One ticket: its fields, lifecycle events and the conversation's archived transcript. */
async function one(c: Context<ConsoleEnv>, deps: ConsoleDeps) {
  const { tickets: w, codes, lang } = wordsOf(c);
  const k = w.columns;
  const see = viewerFor(c.get('account'));
  const t = await deps.record.tickets.get(c.req.param('id')?.toUpperCase() ?? '');
  if (!t) return refusal(c, 404, wordsOf(c).notFound);
  const transcript = await deps.record.transcript(t.conversationId, TRANSCRIPT_MAX);
  // A complaint's category by the name the flow in force gives it in the console's language.
  const categories = deps.flows.reportDefinition(lang)?.complaints.categories ?? [];
  const categoryName = (id: string) => categories.find((x) => x.id === id)?.name ?? id;
  // Lines nobody said (an agent's action, a timer) in the console's language, as the desk says them.
  const desk = deskText(lang, categoryName);
  const fileKinds = (lang === 'zh-CN' ? FILES_ZH : FILES_EN).kinds;
  // The version that served it, by its number when it was published (v3), with its hash.
  const served = t.flowVersion
    ? (await deps.flowVersions?.list(1_000))?.find((v) => v.hash === t.flowVersion)
    : undefined;
  const body = html`${see.masked ? html`<p class="muted">${w.masked}</p>` : ''}
    <dl class="ticket">
      <dt>${k.type}</dt>
      <dd>
        ${coded(codes.types, t.type)}${t.category ? html` · <span title="${t.category}">${categoryName(t.category)}</span>` : ''}
      </dd>
      <dt>${k.status}</dt>
      <dd>${coded(codes.statuses, t.status)}${t.satisfaction ? ` · ${scoreOf(t)}` : ''}</dd>
      <dt>${k.customer}</dt>
      <dd>
        <bdi>${see.customerName(t.customer.name)}</bdi> <code>${see.customerId(t.customer.id)}</code> (${t.channel},
        ${t.locale})
      </dd>
      <dt>${k.created}</dt>
      <dd>${when(deps, t.createdAt)}</dd>
      <dt>${k.need}</dt>
      <dd class="text"><bdi>${see.text(t.need)}</bdi></dd>
      ${
        t.facts.length
          ? html`<dt>${w.facts}</dt>
              <dd>
                <ul>
                  ${t.facts.map((f) => html`<li><bdi>${see.text(f)}</bdi></li>`)}
                </ul>
              </dd>`
          : ''
      }
      ${filesOf(t, w.files, fileKinds, see)}
      <dt>${w.outcome}</dt>
      <dd class="text"><bdi>${see.text(t.outcome)}</bdi></dd>
      ${
        t.status === 'pending'
          ? html`<dt>${w.deadline}</dt>
              <dd>${deadline(c, deps, t)}</dd>`
          : ''
      }
      ${
        agentName(t)
          ? html`<dt>${k.agent}</dt>
              <dd><bdi>${agentName(t)}</bdi></dd>`
          : ''
      }
      ${
        t.flowVersion
          ? html`<dt>${w.flowVersion}</dt>
              <dd>${served ? `v${served.id} ` : ''}<code>${t.flowVersion}</code></dd>`
          : ''
      }
    </dl>
    <section aria-labelledby="life-h">
      <h2 id="life-h">${w.lifecycle}</h2>
      <div class="table-wrap">
        <table data-list="events">
          <thead>
            <tr>
              <th>${w.at}</th>
              <th>${w.event}</th>
              <th>${w.by}</th>
              <th>${w.detail}</th>
            </tr>
          </thead>
          <tbody>
            ${(t.events ?? []).map(
              (e) =>
                html`<tr data-event="${e.type}">
                  <td>${when(deps, e.at)}</td>
                  <td>${coded(codes.events, e.type)}</td>
                  <td><bdi>${e.by ? (e.by.name ?? e.by.id) : ''}</bdi></td>
                  <td class="text">
                    <bdi
                      >${see.text(
                        [eventDetail(codes, e), e.promisedBy && when(deps, e.promisedBy), e.score && `${e.score}/5`]
                          .filter(Boolean)
                          .join(' · '),
                      )}</bdi
                    >
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>
    </section>
    <section aria-labelledby="transcript-h">
      <h2 id="transcript-h">${w.transcript}</h2>
      ${
        transcript.length === 0
          ? html`<p>${w.noTranscript}</p>`
          : html`<ol class="transcript">
              ${transcript.map(
                (e) =>
                  html`<li class="from-${e.from}">
                    <span class="meta">${when(deps, e.at)} · ${coded(codes.speakers, e.from)}</span>
                    <bdi>${see.text(describeLine(desk, e.text))}</bdi>
                  </li>`,
              )}
            </ol>`
      }
    </section>`;
  return page(c, `${w.title} ${t.id}`, 'tickets', body);
}

export function ticketRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/tickets', (c) => list(c, deps));
  app.get('/tickets/:id', (c) => one(c, deps));
  return app;
}
