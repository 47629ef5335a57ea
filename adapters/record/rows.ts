import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** The database, or a transaction on it: every helper below works in either. */
export type Db = Kysely<Database> | Transaction<Database>;

/** Epoch ms as a `timestamptz` value. */
export function instant(ms: number): Date {
  return new Date(ms);
}

/** A `timestamptz` read back, as epoch ms (both drivers return a Date; a string is parsed, just in case). */
export function millis(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

export function maybeInstant(ms: number | undefined): Date | null {
  return ms === undefined ? null : new Date(ms);
}

export function maybeMillis(value: Date | string | null): number | undefined {
  return value === null ? undefined : millis(value);
}

/**
 * What PostgreSQL cannot store: NUL in text and jsonb, and lone UTF-16 surrogates in jsonb
 * (JSON.stringify writes them as `\udxxx` escapes, which jsonb refuses). Platforms do not send
 * them, but a customer's words must never make a record fail forever: they become U+FFFD.
 */
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE_ALL = /\u0000|\p{Surrogate}/gu;

/** `value` with every string made storable (see UNSTORABLE); the same value when nothing needs it. */
export function storable<T>(value: T): T {
  if (typeof value === 'string') return (UNSTORABLE.test(value) ? value.replace(UNSTORABLE_ALL, '\uFFFD') : value) as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, storable(v)])) as T;
  return value;
}

/** JSON text for a jsonb column (both drivers take text; pg would write a JS array as a PostgreSQL array). */
export function json(value: unknown): string {
  return JSON.stringify(value);
}

export function maybeJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** A number PostgreSQL returned as a bigint (pg: a string; PGlite: a number). */
export function count(value: string | number | bigint | null | undefined): number {
  return Number(value ?? 0);
}
