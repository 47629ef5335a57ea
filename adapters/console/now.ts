import type { Context } from 'hono';
import { Hono } from 'hono';
import { html } from 'hono/html';
import type { Ticket } from '../../flows/ticket.js';
import type { ConsoleDeps, ConsoleEnv } from './deps.js';
import { BASE, page, wordsOf, type Html } from './layout.js';
import { agentName, viewerFor, when } from './view.js';

/**
 * Now: who waits for an agent (the Store's queue, in order), which agents hold conversations
 * (pending matters with an agent on them, from the record) and the conversations started in the
 * last hour. htmx reloads the panel every 10 seconds; without script the page is whole anyway.
 */

const QUEUE_MAX = 100;
const PENDING_MAX = 500;
const HOUR_MS = 3_600_000;

async function panel(c: Context<ConsoleEnv>, deps: ConsoleDeps): Promise<Html> {
  const w = wordsOf(c).now;
  const see = viewerFor(c.get('account'));
  const now = deps.clock();
  const [queue, average, pending, started] = await Promise.all([
    deps.queue.list(QUEUE_MAX),
    deps.queue.averageWaitSeconds(),
    deps.record.tickets.list({ status: 'pending', limit: PENDING_MAX }),
    deps.record.conversationsStarted(now - HOUR_MS, now + 1),
  ]);
  const byConversation = new Map<string, Ticket>();
  for (const t of pending) if (!byConversation.has(t.conversationId)) byConversation.set(t.conversationId, t);
  const held = new Map<string, { name: string; tickets: Ticket[] }>();
  for (const t of pending.filter((p) => p.claimedBy)) {
    const id = t.claimedBy!.id;
    const entry = held.get(id) ?? { name: agentName(t), tickets: [] };
    entry.tickets.push(t);
    held.set(id, entry);
  }
  const ticketLink = (t: Ticket | undefined) => (t ? html`<a href="${BASE}/tickets/${t.id}">${t.id}</a>` : '');
  return html`<div id="now" hx-get="${BASE}/now?part=1" hx-trigger="every 10s" hx-swap="outerHTML">
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">${w.queue} (${queue.length})</h2>
      <p class="muted">${w.averageWait(average === undefined ? undefined : Math.round(average))}</p>
      ${
        queue.length === 0
          ? html`<p>${w.queueEmpty}</p>`
          : html`<div class="table-wrap">
              <table data-list="queue">
                <thead>
                  <tr>
                    <th>#</th>
                    <th>${wordsOf(c).tickets.columns.id}</th>
                    <th>${wordsOf(c).tickets.columns.customer}</th>
                    <th>${wordsOf(c).tickets.columns.need}</th>
                    <th>${w.since}</th>
                    <th class="num">${w.waiting}</th>
                  </tr>
                </thead>
                <tbody>
                  ${queue.map((q, i) => {
                    const t = byConversation.get(q.conversationId);
                    return html`<tr>
                      <td class="num">${i + 1}</td>
                      <td>${ticketLink(t)}</td>
                      <td><bdi>${t ? see.customerName(t.customer.name) || see.customerId(t.customer.id) : ''}</bdi></td>
                      <td><bdi>${t ? see.text(t.need) : ''}</bdi></td>
                      <td>${when(deps, q.since)}</td>
                      <td class="num">${w.waited(Math.max(0, Math.floor((now - q.since) / 60_000)))}</td>
                    </tr>`;
                  })}
                </tbody>
              </table>
            </div>`
      }
    </section>
    <section aria-labelledby="agents-h">
      <h2 id="agents-h">${w.agents} (${held.size})</h2>
      ${
        held.size === 0
          ? html`<p>${w.agentsNone}</p>`
          : html`<ul class="agents">
              ${[...held.values()].map(
                (a) =>
                  html`<li>
                    <strong><bdi>${a.name}</bdi></strong
                    >: ${w.holds(a.tickets.length)} — ${a.tickets.map((t) => html`${ticketLink(t)} `)}
                  </li>`,
              )}
            </ul>`
      }
    </section>
    <section aria-labelledby="progress-h">
      <h2 id="progress-h">${w.inProgress} (${started.length})</h2>
      ${
        started.length === 0
          ? html`<p>${w.inProgressNone}</p>`
          : html`<div class="table-wrap">
              <table data-list="conversations">
                <thead>
                  <tr>
                    <th>${w.started}</th>
                    <th>${w.channel}</th>
                    <th>${wordsOf(c).tickets.columns.customer}</th>
                    <th>${w.pendingTicket}</th>
                  </tr>
                </thead>
                <tbody>
                  ${started.map(
                    (s) =>
                      html`<tr>
                        <td>${when(deps, s.startedAt)}</td>
                        <td>${s.channel}</td>
                        <td><bdi>${s.customerId ? see.customerId(s.customerId) : ''}</bdi></td>
                        <td>${ticketLink(byConversation.get(s.conversationId))}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
    </section>
    <p class="muted">${w.refreshed} · ${when(deps, now)}</p>
  </div>`;
}

export function nowRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.get('/now', async (c) => {
    const body = await panel(c, deps);
    if (c.req.query('part')) return c.html(body);
    return page(c, wordsOf(c).now.title, 'now', body);
  });
  return app;
}
