import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashing for the console's accounts (issue 15): scrypt from node:crypto with a random
 * 16-byte salt, compared with timingSafeEqual. The parameters are stored with the hash
 * (`scrypt$N$r$p$salt$hash`, salt and hash in base64url), so they can be raised later without
 * breaking the hashes already stored: each is checked with its own.
 */

export interface ScryptCost {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/**
 * OWASP's Password Storage Cheat Sheet minimum for scrypt (N=2^17, r=8, p=1): 128 MiB and about
 * 0.26 s of one core per hash on the CI machine, paid at sign-in and password changes only.
 */
export const DEFAULT_COST: ScryptCost = { N: 2 ** 17, r: 8, p: 1 };

const KEY_BYTES = 32;

/** The shortest password the console accepts (NIST SP 800-63B asks for at least 8; we ask 10). */
export const MIN_PASSWORD_LENGTH = 10;
/** The longest password taken (characters): hashing a huge one is work an attacker could ask for. */
export const MAX_PASSWORD_LENGTH = 200;

function derive(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** The stored form of a password. */
export async function hashPassword(password: string, cost: ScryptCost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, cost);
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/**
 * A stored form, at `cost`, that no password is known to match: a random salt and a random key,
 * not derived from any password. Checking a password against it costs one scrypt at `cost`, as
 * against a real hash, while making it costs none (a derived dummy kept a 128 MiB scrypt running
 * for seconds after start-up, and a process cannot exit before its thread-pool work is done).
 */
export function dummyHash(cost: ScryptCost = DEFAULT_COST): string {
  return [
    'scrypt',
    cost.N,
    cost.r,
    cost.p,
    randomBytes(16).toString('base64url'),
    randomBytes(KEY_BYTES).toString('base64url'),
  ].join('$');
}

/** Whether `password` matches a stored hash; false (never a throw) for a hash it cannot read. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !key || !Object.values(cost).every((v) => Number.isInteger(v) && v > 0))
    return false;
  const expected = Buffer.from(key, 'base64url');
  try {
    const actual = await derive(password, Buffer.from(salt, 'base64url'), cost);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  } catch {
    return false;
  }
}

/** A one-time password: 16 characters from an alphabet without look-alikes (about 90 bits). */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/**
 * What is wrong with a new password, or undefined when it will do: fewer than MIN_PASSWORD_LENGTH
 * characters, more than MAX_PASSWORD_LENGTH, or only spaces or one character repeated (NIST SP
 * 800-63B 3.1.1.2: refuse repetitive characters; spaces are allowed within).
 */
export function passwordWeakness(password: string): 'too-short' | 'too-long' | 'too-simple' | undefined {
  const chars = [...password];
  if (chars.length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (chars.length > MAX_PASSWORD_LENGTH) return 'too-long';
  if (password.trim() === '' || new Set(chars).size === 1) return 'too-simple';
  return undefined;
}

/** passwordWeakness in one line, for the command line, or undefined when the password will do. */
export function passwordProblem(password: string): string | undefined {
  const weakness = passwordWeakness(password);
  if (weakness === 'too-short') return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (weakness === 'too-long') return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (weakness === 'too-simple') return 'must not be only spaces or one character repeated';
  return undefined;
}
