import { z } from 'zod';

/**
 * The console's accounts and their sessions (issue 15), kept in the system of record. Names are
 * what people sign in with and what the audit log names; passwords are stored only as hashes
 * (bots/passwords.ts), sessions only by the sha256 of their token. Times are epoch ms.
 */

/** `admin`: everything; `supervisor`: reports, tickets, Now and the audit log, with personal data masked, no flow edits. */
export const Role = z.enum(['admin', 'supervisor']);
export type Role = z.infer<typeof Role>;

/** An account name: 1–40 letters, digits, `.`, `_` or `-` (no spaces: it is typed at the command line too). */
export const AccountName = z
  .string()
  .trim()
  .regex(/^[\p{L}\p{N}._-]{1,40}$/u, 'must be 1–40 letters, digits, . _ or - (no spaces)');

export interface Account {
  name: string;
  role: Role;
  /** Signed in with a one-time password: the console asks for a new one before anything else. */
  mustChange: boolean;
  disabled: boolean;
  createdAt: number;
}

/** An account as the sign-in reads it: with its password hash. */
export interface StoredAccount extends Account {
  passwordHash: string;
}

/** A signed-in browser: found by the sha256 (hex) of the token in its cookie. */
export interface Session {
  tokenHash: string;
  account: string;
  /** The token every form and htmx request of this session carries (CSRF). */
  csrf: string;
  createdAt: number;
  lastSeen: number;
  /** When it stops working unless used again (idle), never after its absolute limit. */
  expiresAt: number;
}

export interface SessionStore {
  create(session: Session): Promise<void>;
  /** The session, undefined when unknown or expired at `now`. */
  get(tokenHash: string, now: number): Promise<Session | undefined>;
  /** Records a use: `lastSeen` and a new `expiresAt`. */
  touch(tokenHash: string, lastSeen: number, expiresAt: number): Promise<void>;
  delete(tokenHash: string): Promise<void>;
  /** Signs an account out everywhere but `except` (a password change keeps the session that made it). */
  deleteFor(account: string, except?: string): Promise<number>;
}

export interface AccountStore {
  /** Creates an account; false when the name is taken (nothing changes then). */
  create(account: Omit<StoredAccount, 'disabled'>): Promise<boolean>;
  get(name: string): Promise<StoredAccount | undefined>;
  /** Every account, by name. */
  list(): Promise<Account[]>;
  count(): Promise<number>;
  /** Sets the password hash and whether it is a one-time password; false for an unknown account. */
  setPassword(name: string, passwordHash: string, mustChange: boolean): Promise<boolean>;
  /** Removes the account and its sessions; false when there was none. */
  remove(name: string): Promise<boolean>;
  readonly sessions: SessionStore;
}
