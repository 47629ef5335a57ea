import { accountKey, openAttempts } from '../../adapters/console/attempts.js';
import { AccountName, Role, type AccountStore } from '../accounts-port.js';
import { redisTarget, type Config } from '../config.js';
import { DEFAULT_COST, hashPassword, oneTimePassword, passwordProblem, type ScryptCost } from '../passwords.js';
import { localDateTime } from '../ticket-search.js';
import { userInfo } from 'node:os';
import { openRecordOrSay } from './production-store.js';

/**
 * `npm run admin`: the console's accounts, in the system of record (DATABASE_URL, else PGlite in
 * DATA_DIR: stop the bot first, PGlite serves one process at a time).
 *
 * - `add NAME --role admin|supervisor`: prints a one-time password (changed at first sign-in),
 *   or, with a password piped in, sets that one (not one-time: for scripts and tests).
 * - `passwd NAME`: the same for an existing account, and signs it out everywhere.
 * - `list`, `remove NAME` (its sessions end with it).
 *
 * Exit codes: 0 done, 1 refused (a taken or unknown name, a bad piped password, no record),
 * 2 for a command line it cannot run (the caller prints the usage).
 */

export interface AdminCommand {
  action: string | undefined;
  name: string | undefined;
  role: string | undefined;
}

type Reader = () => Promise<string | undefined>;

/** Reads a password piped in (first line), or undefined at a terminal. */
async function pipedPassword(): Promise<string | undefined> {
  if (process.stdin.isTTY) return undefined;
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  const line = text.split(/\r?\n/)[0] ?? '';
  return line === '' ? undefined : line;
}

/** The password to set: piped (checked) or a new one-time one. */
async function newPassword(read: Reader): Promise<{ password: string; oneTime: boolean } | { problem: string }> {
  const piped = await read();
  if (piped === undefined) return { password: oneTimePassword(), oneTime: true };
  const problem = passwordProblem(piped);
  return problem ? { problem: `The password piped in ${problem}` } : { password: piped, oneTime: false };
}

function say(line: string, code: number): number {
  (code === 0 ? process.stdout : process.stderr).write(`${line}\n`);
  return code;
}

async function add(
  accounts: AccountStore,
  name: string,
  role: Role,
  now: number,
  read: Reader,
  cost: ScryptCost,
): Promise<number> {
  const chosen = await newPassword(read);
  if ('problem' in chosen) return say(chosen.problem, 1);
  const created = await accounts.create({
    name,
    role,
    passwordHash: await hashPassword(chosen.password, cost),
    mustChange: chosen.oneTime,
    createdAt: now,
  });
  if (!created) return say(`There is already an account "${name}" (npm run admin -- passwd ${name} resets it).`, 1);
  return say(
    chosen.oneTime
      ? `Added ${name} (${role}). One-time password: ${chosen.password} (to be changed at first sign-in)`
      : `Added ${name} (${role}) with the password piped in.`,
    0,
  );
}

async function passwd(accounts: AccountStore, name: string, read: Reader, cost: ScryptCost): Promise<number> {
  const chosen = await newPassword(read);
  if ('problem' in chosen) return say(chosen.problem, 1);
  if (!(await accounts.setPassword(name, await hashPassword(chosen.password, cost), chosen.oneTime)))
    return say(`No account "${name}" (npm run admin -- list shows them).`, 1);
  await accounts.sessions.deleteFor(name);
  return say(
    chosen.oneTime
      ? `New one-time password for ${name}: ${chosen.password} (signed out everywhere)`
      : `Password of ${name} set (signed out everywhere).`,
    0,
  );
}

async function list(accounts: AccountStore, timeZone: string): Promise<number> {
  const all = await accounts.list();
  if (all.length === 0) return say('No accounts yet: the first start of the bot makes "admin".', 0);
  const rows = all.map((a) =>
    [
      a.name,
      a.role,
      localDateTime(timeZone, a.createdAt),
      a.mustChange ? 'one-time password' : '',
      a.disabled ? 'disabled' : '',
    ]
      .filter(Boolean)
      .join('  '),
  );
  return say(rows.join('\n'), 0);
}

/** Checks the command line's parts: a known action, a valid name, a role for `add`. */
export function parseAdmin(command: AdminCommand): { problem: string } | { action: string; name: string; role: Role } {
  const { action, role } = command;
  if (!action || !['add', 'list', 'passwd', 'remove'].includes(action))
    return { problem: 'npm run admin -- add NAME --role admin|supervisor | list | passwd NAME | remove NAME' };
  if (action !== 'add' && role !== undefined) return { problem: '--role goes with add only' };
  if (action === 'list')
    return command.name ? { problem: 'admin list takes no name' } : { action, name: '', role: 'supervisor' };
  const name = AccountName.safeParse(command.name ?? '');
  if (!name.success) return { problem: `The account name ${name.error.issues[0]?.message ?? 'is not valid'}` };
  const parsedRole = Role.safeParse(role ?? (action === 'add' ? '' : 'supervisor'));
  if (!parsedRole.success) return { problem: '--role must be admin or supervisor' };
  return { action, name: name.data, role: parsedRole.data };
}

/**
 * A new password lifts the account's sign-in limit (found by the issue-15 trial: a guesser could
 * keep an account locked out, and a new password did not help). The failures are counted in Redis
 * when the console has it; without Redis they live in the running process and lift after their
 * 15 minutes or a restart, which is said.
 */
async function liftSignInLimit(config: Config, name: string): Promise<void> {
  const redis = redisTarget(config);
  if (!redis) {
    say(
      '(REDIS_URL is not set here: if the bot runs with Redis, run this with its REDIS_URL and REDIS_PREFIX to lift a sign-in limit; without Redis a limit lifts after 15 minutes or when the bot restarts.)',
      0,
    );
    return;
  }
  const { attempts, close } = await openAttempts(redis, config.REDIS_PREFIX);
  try {
    await attempts.clear(accountKey(name));
  } finally {
    await close();
  }
}

/**
 * Runs `npm run admin -- …` against the system of record; `readPassword` is the piped password (stdin
 * unless given); `passwordCost` the scrypt cost of the hashes it makes (DEFAULT_COST unless given; tests lower it).
 */
export async function admin(
  config: Config,
  command: AdminCommand,
  io: { now?: number; readPassword?: () => Promise<string | undefined>; passwordCost?: ScryptCost } = {},
): Promise<number | { problem: string }> {
  const now = io.now ?? Date.now();
  const cost = io.passwordCost ?? DEFAULT_COST;
  const read = io.readPassword ?? pipedPassword;
  const parsed = parseAdmin(command);
  if ('problem' in parsed) return parsed;
  if (config.RECORD_STORE === 'off')
    return say('The console accounts live in the system of record: RECORD_STORE=off has none.', 1);
  const record = await openRecordOrSay(config);
  if (!record) return 1;
  try {
    const { accounts } = record;
    if (parsed.action === 'list') return await list(accounts, 'UTC');
    const code =
      parsed.action === 'add'
        ? await add(accounts, parsed.name, parsed.role, now, read, cost)
        : parsed.action === 'passwd'
          ? await passwd(accounts, parsed.name, read, cost)
          : (await accounts.remove(parsed.name))
            ? say(`Removed ${parsed.name} (signed out everywhere).`, 0)
            : say(`No account "${parsed.name}".`, 1);
    if (code === 0 && parsed.action === 'passwd') await liftSignInLimit(config, parsed.name);
    if (code === 0)
      await record.audit.append({
        at: now,
        actor: `cli:${userInfo().username}`,
        action: `account.${parsed.action}`,
        target: parsed.name,
        ...(parsed.action === 'add' ? { detail: { role: parsed.role } } : {}),
      });
    return code;
  } finally {
    await record.close();
  }
}
