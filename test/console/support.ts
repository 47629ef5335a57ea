import { afterAll, beforeAll } from 'vitest';
import type { Console } from '../../adapters/console/app.js';
import { openRecordStore, type OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import type { Role } from '../../bots/accounts-port.js';
import { openConsole } from '../../bots/app/console.js';
import { parseConfig } from '../../bots/config.js';
import { DEFAULT_FLOWS_DIR, FlowRegistry } from '../../bots/flows-registry.js';
import { memoryLogger } from '../../bots/log.js';
import { hashPassword, type ScryptCost } from '../../bots/passwords.js';
import { freshDatabase } from '../adapters/record/support.js';
import { redisUrl, testPrefix } from '../support/redis.js';

/**
 * The console as the process serves it (bots/app/console.ts openConsole), on the real parts: the
 * record in a fresh database of the PostgreSQL server (its accounts, audit log, flow versions and
 * drafts), the memory Store's queue, a FlowRegistry booted on the record (v1 seeded from the
 * shipped folder, as on a first start), the real publishing service, sign-in failures counted on
 * the real Redis (a prefix of the suite's own), and a clock the test moves. Requests go through
 * Hono's `app.request`, with a browser's cookie jar and Origin header.
 */

/** Cheap scrypt for the suite's own accounts (the cost travels with each hash; production uses DEFAULT_COST). */
export const TEST_COST: ScryptCost = { N: 2 ** 10, r: 8, p: 1 };
export const ORIGIN = 'http://localhost';
export const START = Date.parse('2026-11-20T10:00:00+08:00');

export interface Fixture {
  console: Console;
  /** The record's database (DATABASE_URL for a command run beside the console). */
  databaseUrl: string;
  record: OpenedRecordStore;
  store: MemoryStore;
  /** The flow in force in this process: what a publish or a rollback from the console switches. */
  flows: FlowRegistry;
  clock: { now: number };
  addAccount(name: string, role: Role, password: string, mustChange?: boolean): Promise<void>;
}

export function consoleFixture(): () => Fixture {
  let fixture: Fixture | undefined;
  let drop: (() => Promise<void>) | undefined;
  let closeConsole: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await freshDatabase();
    drop = database.drop;
    const log = memoryLogger();
    const record = openRecordStore({ url: database.url, log });
    await record.ready();
    const clock = { now: START };
    const now = () => clock.now;
    const store = new MemoryStore(now);
    const config = parseConfig({
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      REDIS_PREFIX: testPrefix('console'),
    });
    const flows = await FlowRegistry.boot({
      versions: record.flowVersions,
      audit: record.audit,
      seedDir: DEFAULT_FLOWS_DIR,
      defaultLocale: config.DEFAULT_LOCALE,
      log,
      clock: now,
    });
    const web = await openConsole({ config, record, store, flows, log, clock: now, passwordCost: TEST_COST });
    closeConsole = web.close;
    fixture = {
      console: web,
      databaseUrl: database.url,
      record,
      store,
      flows,
      clock,
      addAccount: async (name, role, password, mustChange = false) => {
        const passwordHash = await hashPassword(password, TEST_COST);
        await record.accounts.create({ name, role, passwordHash, mustChange, createdAt: clock.now });
      },
    };
  });
  afterAll(async () => {
    await closeConsole?.();
    await fixture?.record.close();
    await drop?.();
  });
  return () => fixture!;
}

/** A form's fields; a list is a field sent once per value (phrasings, weekdays). */
export type Form = Record<string, string | string[]>;

/**
 * A browser on the console: keeps the session cookie, sends Origin on POSTs, reads the CSRF token
 * from pages. On a fixture it goes through the Hono app's `request`; given an address
 * (`http://127.0.0.1:PORT`) it goes over HTTP to a console a process serves.
 */
export class Browser {
  private cookies = new Map<string, string>();
  private readonly origin: string;
  private readonly send: (url: string, init: RequestInit) => Promise<Response>;
  csrf = '';

  constructor(target: (() => Fixture) | string) {
    if (typeof target === 'string') {
      this.origin = new URL(target).origin;
      this.send = (url, init) => fetch(url, { ...init, redirect: 'manual' });
    } else {
      this.origin = ORIGIN;
      this.send = async (url, init) => target().console.app.request(url, init);
    }
  }

  async request(path: string, init: RequestInit & { form?: Form } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.method === 'POST' && !headers.has('origin')) headers.set('origin', this.origin);
    if (init.form) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      const fields = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of [v].flat()) fields.append(k, x);
      body = fields.toString();
    }
    const res = await this.send(`${this.origin}${path}`, { ...init, headers, body });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  /** GETs a page: its status, text, and where it redirects. */
  async get(path: string): Promise<{ status: number; text: string; location: string | null }> {
    const res = await this.request(path);
    const text = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1];
    if (csrf) this.csrf = csrf;
    return { status: res.status, text, location: res.headers.get('location') };
  }

  async post(path: string, form: Form, headers: Record<string, string> = {}) {
    const res = await this.request(path, { method: 'POST', form, headers });
    return { status: res.status, text: await res.text(), location: res.headers.get('location'), res };
  }

  /** POSTs JSON as the flows pages' scripts do (the CSRF token in X-CSRF-Token); the status and the parsed answer. */
  async json(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const res = await this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': this.csrf },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
  }

  /** Changes the password on the account page, as typed twice; the page's answer. */
  async changePassword(current: string, next: string) {
    return this.post('/console/account', { _csrf: this.csrf, current, password: next, repeat: next });
  }

  /** Signs in (no session yet: Origin only), then reads a page's CSRF token for the POSTs that follow. */
  async signIn(name: string, password: string) {
    const done = await this.post('/console/signin', { name, password });
    if (done.status === 303) await this.get('/console/account');
    return done;
  }
}
