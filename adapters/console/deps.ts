import type { Account, AccountStore, Session } from '../../bots/accounts-port.js';
import type { AuditLog, FlowVersionStore } from '../../bots/flow-versions-port.js';
import type { Logger } from '../../bots/log.js';
import type { ScryptCost } from '../../bots/passwords.js';
import type { QueueStore } from '../../bots/ports.js';
import type { RecordStore } from '../../bots/record-port.js';
import type { ReportDefinition } from '../../bots/report/compute.js';
import type { SupportedLocale } from '../../flows/locales.js';
import type { SignInAttempts } from './attempts.js';
import type { ConsoleWords } from './words.js';

/**
 * What the console is built from, given by the composition root (bots/app/console.ts). Types
 * only from the ports: the console reads the record and the Store, and never reaches the engine.
 */
export interface ConsoleDeps {
  /** Accounts and sessions (the record's `accounts`). */
  accounts: AccountStore;
  /** Tickets (search, a ticket's lifecycle), archived transcripts, and what the report reads. */
  record: RecordStore;
  /** The Store's queue of conversations waiting for an agent (Now). */
  queue: QueueStore;
  /** The admin audit log (the record's `audit`, P's); absent until it exists, and the Audit page says so. */
  audit?: AuditLog | undefined;
  /** Published flow versions (the record's `flowVersions`, P's), for the flows pages. */
  flowVersions?: FlowVersionStore | undefined;
  /** The flow in force: its version (content hash), and what the report reads of it, category names in `language`. */
  flows: {
    version(): string;
    reportDefinition(language: SupportedLocale): ReportDefinition | undefined;
  };
  /** Failed sign-ins counted per account name and per address (Redis when there is one). */
  attempts: SignInAttempts;
  config: {
    /** The language a browser gets before it chooses (the desk language; zh-CN by default). */
    language: SupportedLocale;
    /** PUBLIC_URL: its origin is the only one forms are accepted from, and https makes the cookie Secure. */
    publicUrl?: string | undefined;
  };
  clock: () => number;
  log: Logger;
  /** scrypt cost of new password hashes (bots/passwords.ts DEFAULT_COST unless given; tests lower it). */
  passwordCost?: ScryptCost | undefined;
}

/** What every console handler (and E's flows sub-app) reads from Hono's context: `c.get('account')`. */
export interface ConsoleVariables {
  words: ConsoleWords;
  /** Set once signed in (every page but sign-in and the assets). */
  account: Account;
  session: Session;
  /** The session's CSRF token: forms carry it as `_csrf`, htmx requests as the `X-CSRF-Token` header. */
  csrf: string;
}

export interface ConsoleEnv {
  Variables: ConsoleVariables;
}
