import { createConsole, type Console } from '../../adapters/console/app.js';
import { openAttempts } from '../../adapters/console/attempts.js';
import type { ConsoleEnv } from '../../adapters/console/deps.js';
import { flowsRoutes } from '../../adapters/console/flows/routes.js';
import { page } from '../../adapters/console/layout.js';
import type { OpenedRecordStore } from '../../adapters/record/index.js';
import { MemoryStore } from '../../adapters/store/memory.js';
import { redisTarget, type Config } from '../config.js';
import type { FlowPublishing } from '../console-flows/ports.js';
import type { FlowFleetSignal } from '../flow-fleet-port.js';
import { readFlowFolder } from '../flow-files.js';
import { checkFlowFiles, publishFlows, rollbackFlows, scoreFlowFiles, type PublishDeps } from '../flow-publishing.js';
import { DEFAULT_FLOWS_DIR, type FlowRegistry } from '../flows-registry.js';
import type { Logger } from '../log.js';
import { DEFAULT_COST, hashPassword, oneTimePassword, type ScryptCost } from '../passwords.js';
import type { Store } from '../ports.js';
import { PreviewChats } from '../preview.js';
import { reportDefinition } from '../report/cli.js';
import { createHttpServer } from './http.js';

/**
 * The console's wiring (issue 15): its dependencies from the runtime's parts, the sign-in counter
 * (Redis when REDIS_URL is set), and the first account on a first start.
 */

export interface ConsoleParts {
  config: Config;
  record: OpenedRecordStore;
  store: Store;
  flows: FlowRegistry;
  /** Tells the other replicas of a publish at once (Redis); without it they switch at their next check. */
  flowSignal?: FlowFleetSignal | undefined;
  log: Logger;
  clock: () => number;
  /** scrypt cost of the password hashes the console makes (DEFAULT_COST unless given; tests lower it). */
  passwordCost?: ScryptCost | undefined;
}

/**
 * Publishing as the console does it: the record's versions and audit log, this process's registry
 * switched before the answer, the other replicas told through the signal.
 */
function publishing(parts: ConsoleParts): FlowPublishing {
  const { config, record, flows, flowSignal, log, clock } = parts;
  const deps: PublishDeps = {
    versions: record.flowVersions,
    audit: record.audit,
    defaultLocale: config.DEFAULT_LOCALE,
    signal: flowSignal,
    registry: flows,
    corpusDir: config.CORPUS_DIR,
    clock,
    log,
  };
  return {
    check: (files) => checkFlowFiles(files, config.DEFAULT_LOCALE),
    score: (definitions) => scoreFlowFiles(definitions, config.CORPUS_DIR),
    publish: (draft) => publishFlows(deps, draft),
    rollback: (request) => rollbackFlows(deps, request),
  };
}

/** The default definition's time zone, for the times the pages show. */
function timeZoneOf(flows: FlowRegistry): string {
  const bundle = flows.current().bundle;
  return bundle.locales.get(bundle.defaultLocale)?.definition.timeZone ?? 'UTC';
}

/**
 * The console as the process serves it: its Hono app (`app.request` in tests) and its route on the
 * app's server, with its flows pages, and how to release what it holds (the sign-in counter's Redis).
 */
export async function openConsole(parts: ConsoleParts): Promise<Console & { close(): Promise<void> }> {
  const { config, record, store, flows, log, clock } = parts;
  const { attempts, close } = await openAttempts(redisTarget(config), config.REDIS_PREFIX);
  const language = config.DESK_LANGUAGE ?? config.DEFAULT_LOCALE;
  const preview = new PreviewChats({
    defaultLocale: config.DEFAULT_LOCALE,
    newStore: (now) => new MemoryStore(now),
    clock,
    log,
  });
  const pages = publishing(parts);
  const web = createConsole(
    {
      accounts: record.accounts,
      record,
      queue: store.queue,
      audit: record.audit,
      flowVersions: record.flowVersions,
      flows: {
        version: () => flows.version,
        reportDefinition: (lang) => {
          const bundle = flows.current().bundle;
          const definitions = [...bundle.locales.values()].map((l) => l.definition);
          return reportDefinition(definitions, { ...config, DESK_LANGUAGE: lang });
        },
      },
      attempts,
      config: { language, publicUrl: config.PUBLIC_URL },
      clock,
      log,
      passwordCost: parts.passwordCost,
    },
    {
      flows: () =>
        flowsRoutes<ConsoleEnv>({
          versions: record.flowVersions,
          drafts: record.drafts,
          audit: record.audit,
          publishing: pages,
          preview,
          defaultLocale: config.DEFAULT_LOCALE,
          seed: async () => {
            const read = await readFlowFolder(config.FLOWS_DIR ?? DEFAULT_FLOWS_DIR);
            return 'files' in read ? read.files : {};
          },
          page: (c, title, body, status) => page(c, title, 'flows', body, status),
          timeZone: timeZoneOf(flows),
          clock,
          log,
        }),
    },
  );
  return { app: web.app, route: web.route, close };
}

/**
 * On a first start (no account in the record): creates `admin` (role admin) with a one-time
 * password, audited as `account.add` by `first-start`, and resolves it so the caller prints it
 * once; undefined when there are accounts (or another replica made it first).
 */
export async function firstAccount(
  record: Pick<OpenedRecordStore, 'accounts' | 'audit'>,
  clock: () => number,
  cost: ScryptCost = DEFAULT_COST,
): Promise<string | undefined> {
  if ((await record.accounts.count()) > 0) return undefined;
  const password = oneTimePassword();
  const createdAt = clock();
  const created = await record.accounts.create({
    name: 'admin',
    role: 'admin',
    passwordHash: await hashPassword(password, cost),
    mustChange: true,
    createdAt,
  });
  if (!created) return undefined;
  await record.audit.append({
    at: createdAt,
    actor: 'first-start',
    action: 'account.add',
    target: 'admin',
    detail: { role: 'admin' },
  });
  return password;
}

/** The lines that tell the operator where the console is and, on a first start, how to sign in. */
export function consoleBanner(url: string, password: string | undefined): string {
  const lines = [`Console: ${url}`];
  if (password)
    lines.push(
      `First start: sign in as "admin" with the one-time password ${password} (you will choose a new one). It is shown only now; \`npm run admin -- passwd admin\` makes another.`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * The playground's console: on 127.0.0.1 (this machine only), on `port` (PORT unless given; 0 asks
 * for any free port) or, when that is taken, a free port; prints its address (and the first
 * account's one-time password) with `print`. Nothing without a system of record
 * (RECORD_STORE=off): it says so. Resolves the stop.
 */
export async function playgroundConsole(
  parts: Omit<ConsoleParts, 'record'> & { record: OpenedRecordStore | undefined },
  print: (line: string) => void,
  listen: { port?: number | undefined } = {},
): Promise<() => Promise<void>> {
  const { record } = parts;
  if (!record) {
    print('Console: off (it keeps its accounts in the system of record, and RECORD_STORE=off has none).');
    return async () => {};
  }
  const web = await openConsole({ ...parts, record });
  const http = createHttpServer({ routes: [web.route], log: parts.log });
  const port = await http.listen(listen.port ?? parts.config.PORT, '127.0.0.1').catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return http.listen(0, '127.0.0.1');
  });
  const password = await firstAccount(record, parts.clock, parts.passwordCost);
  print(consoleBanner(`http://127.0.0.1:${port}/console`, password).trimEnd());
  return async () => {
    await http.close();
    await web.close();
  };
}
