import { createHash } from 'node:crypto';
import { isSeq } from 'yaml';
import { isOptionalText, TEXT_FALLBACKS, TEXT_PLACEHOLDERS, type TextKey } from '../../flows/schema-texts.js';
import { appendItem, editYaml, parseYaml, setOrDelete, YamlEditError, type YamlPath } from './yaml-edit.js';

/**
 * The console's form editors for what admins change most (issue 15): texts and their phrasings,
 * knowledge-base entries with their example questions, business hours and holidays, complaint
 * categories and promised times, forbidden phrases. Each form is a read model (the values to
 * show, read from the draft file's YAML) and an apply function (form values → the file's new
 * YAML text, everything else in it untouched). Apply checks only what a form can get wrong by
 * its shape (a number that is not one); the schema's own rules (an unknown placeholder, a
 * missing question) are the file's problems, shown at their path and blocking publishing.
 */

/** How a field is edited: one line, several lines (one item each), phrasings, a number, one of a list, yes/no, weekdays. */
export type FieldKind = 'text' | 'lines' | 'variants' | 'number' | 'choice' | 'bool' | 'days';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly options?: readonly string[];
  /** Left out of the file when empty (the schema has a default). */
  readonly optional?: boolean;
}

/** A list in the definition edited item by item (add, edit, remove). */
export interface ListSection {
  readonly id: SectionId;
  readonly path: YamlPath;
  readonly fields: readonly FieldSpec[];
  /** The fields that name an item in the list (its id and topic, its phrase). */
  readonly title: readonly string[];
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const SECTIONS = {
  faq: {
    id: 'faq',
    path: ['faq'],
    title: ['id', 'topic'],
    fields: [
      { name: 'id', kind: 'text' },
      { name: 'topic', kind: 'text' },
      { name: 'questions', kind: 'lines' },
      { name: 'keywords', kind: 'lines', optional: true },
      { name: 'answer', kind: 'variants' },
      { name: 'asksForOrder', kind: 'bool', optional: true },
    ],
  },
  categories: {
    id: 'categories',
    path: ['complaints', 'categories'],
    title: ['name'],
    fields: [
      { name: 'id', kind: 'text' },
      { name: 'name', kind: 'text' },
      { name: 'promiseHours', kind: 'number' },
      { name: 'keywords', kind: 'lines', optional: true },
      { name: 'faqId', kind: 'text', optional: true },
      { name: 'priority', kind: 'choice', options: ['normal', 'high'], optional: true },
      { name: 'alwaysHuman', kind: 'bool', optional: true },
    ],
  },
  forbidden: {
    id: 'forbidden',
    path: ['forbidden'],
    title: ['phrase'],
    fields: [
      { name: 'phrase', kind: 'text' },
      { name: 'reason', kind: 'text' },
      { name: 'suggestion', kind: 'text' },
    ],
  },
  hours: {
    id: 'hours',
    path: ['businessHours'],
    title: ['days', 'open', 'close'],
    fields: [
      { name: 'days', kind: 'days', options: WEEKDAYS },
      { name: 'open', kind: 'text' },
      { name: 'close', kind: 'text' },
    ],
  },
  holidays: {
    id: 'holidays',
    path: ['greetings', 'holidays'],
    title: ['name', 'from'],
    fields: [
      { name: 'name', kind: 'text' },
      { name: 'from', kind: 'text' },
      { name: 'to', kind: 'text' },
      { name: 'text', kind: 'variants' },
    ],
  },
} as const satisfies Record<string, Omit<ListSection, 'id'> & { id: string }>;
export type SectionId = keyof typeof SECTIONS;
export const SECTION_IDS = Object.keys(SECTIONS) as SectionId[];

/** The working-day calendar: one map, not a list. */
export const CALENDAR: readonly FieldSpec[] = [
  { name: 'region', kind: 'choice', options: ['cn', 'none'] },
  { name: 'holidays', kind: 'lines' },
  { name: 'workdays', kind: 'lines' },
];

/** A form's values as posted: one string per field, or several (phrasings, weekdays). */
export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A value as a form shows it: lines and phrasings as lists, everything else as text. */
export type ShownValue = string | string[];

/** The raw data of a file (whatever shape it has: a draft may be invalid), or undefined when it does not parse. */
function dataOf(source: string): Record<string, unknown> | undefined {
  const { doc } = parseYaml(source);
  if (doc.errors.length > 0) return undefined;
  const data: unknown = doc.toJS();
  return data !== null && typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : undefined;
}

function valueAt(data: unknown, path: YamlPath): unknown {
  let node = data;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[part];
  }
  return node;
}

/** A value of the file as its field shows it. */
export function shown(kind: FieldKind, value: unknown): ShownValue {
  if (kind === 'lines' || kind === 'variants' || kind === 'days')
    return Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
  if (kind === 'bool') return value === true ? 'true' : '';
  return value === undefined || value === null ? '' : String(value);
}

export interface TextField {
  key: TextKey;
  /** The placeholders this text may use, e.g. `company`, `ask`. */
  placeholders: readonly string[];
  /** Its phrasings (one, or several the bot rotates through). */
  variants: string[];
  /** A text that may be left empty: the text said in its place then (TEXT_FALLBACKS). */
  fallback?: TextKey;
}

/** Every text of the file, in the schema's order. Undefined when the file does not parse. */
export function readTexts(source: string): TextField[] | undefined {
  const data = dataOf(source);
  if (!data) return undefined;
  return (Object.keys(TEXT_PLACEHOLDERS) as TextKey[]).map((key) => ({
    key,
    placeholders: TEXT_PLACEHOLDERS[key],
    variants: shown('variants', valueAt(data, ['texts', key])) as string[],
    ...(isOptionalText(key) ? { fallback: TEXT_FALLBACKS[key] } : {}),
  }));
}

/**
 * Writes a text's phrasings: one is written as a text, several as a list; empty ones are dropped.
 * An optional text left empty is taken out of the file (its fallback is said instead).
 */
export function applyText(source: string, key: string, variants: readonly string[]): string {
  if (!Object.hasOwn(TEXT_PLACEHOLDERS, key)) throw new YamlEditError({ kind: 'no-text', key });
  const kept = variants.map((v) => v.trim()).filter(Boolean);
  if (kept.length === 0 && isOptionalText(key))
    return editYaml(source, (doc) => setOrDelete(doc, ['texts', key], undefined));
  if (kept.length === 0) throw new YamlEditError({ kind: 'no-phrasing', key });
  return editYaml(source, (doc) => setOrDelete(doc, ['texts', key], kept.length === 1 ? kept[0] : kept));
}

/** What the texts page showed of a text's phrasings (its form's `was.<key>`), to tell an edit from a stale copy. */
export function textFingerprint(variants: readonly string[]): string {
  const kept = variants.map((v) => v.trim()).filter(Boolean);
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex').slice(0, 16);
}

/**
 * The texts page's form (`text.<key>`: the phrasings; `was.<key>`: what the page showed) applied:
 * only the texts the admin changed on the page; one the draft changed since the page was drawn
 * (in another tab) is refused with what was typed, and nothing is saved (found by the sixteenth
 * issue-17 session's console trial: a stale tab's save put back every text another had saved).
 * A form without `was` (drawn before it) has every text applied.
 */
export function applyTexts(source: string, form: FormValues): string {
  const now = new Map((readTexts(source) ?? []).map((t) => [t.key as string, textFingerprint(t.variants)]));
  let out = source;
  for (const name of Object.keys(form).filter((n) => n.startsWith('text.'))) {
    const key = name.slice('text.'.length);
    const sent = listOf(form[name]);
    const was = listOf(form[`was.${key}`])[0];
    if (was !== undefined && textFingerprint(sent) === was) continue;
    const drafted = now.get(key);
    if (was !== undefined && drafted !== undefined && drafted !== was)
      throw new YamlEditError({ kind: 'text-changed', key, typed: sent.filter((v) => v.trim()).join(' / ') });
    out = applyText(out, key, sent);
  }
  return out;
}

const listOf = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

export interface ListItem {
  index: number;
  values: Record<string, ShownValue>;
}

/** The items of a list section as its form shows them. Undefined when the file does not parse. */
export function readSection(source: string, section: SectionId): ListItem[] | undefined {
  const data = dataOf(source);
  if (!data) return undefined;
  const list = valueAt(data, SECTIONS[section].path);
  if (!Array.isArray(list)) return [];
  return list.map((item, index) => ({
    index,
    values: Object.fromEntries(SECTIONS[section].fields.map((f) => [f.name, shown(f.kind, valueAt(item, [f.name]))])),
  }));
}

/**
 * Writes one item of a list section: `index` an existing item (its fields are set one by one,
 * so its comments and style stay), or `'new'` to append one. Throws YamlEditError on a value a
 * field cannot take (a promised time that is not a number) or an item that is not there.
 */
export function applyItem(source: string, section: SectionId, index: number | 'new', values: FormValues): string {
  const spec = SECTIONS[section];
  // An empty "add" form adds nothing, whatever its choices and boxes are set to (found by the sixteenth issue-17
  // session's console trials: a blank entry; "promised hours must be a number" for an empty category).
  const typed = spec.fields.filter((f) => ['text', 'lines', 'variants', 'number'].includes(f.kind));
  const said = (v: FormValues[string]) => (typeof v === 'string' ? [v] : (v ?? [])).some((x) => x.trim() !== '');
  if (index === 'new' && !typed.some((f) => said(values[f.name])))
    throw new YamlEditError({ kind: 'empty-item', section });
  const item = fieldValues(spec.fields, values);
  return editYaml(source, (doc) => {
    if (index === 'new') {
      appendItem(doc, spec.path, Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)));
      return;
    }
    const list = doc.getIn(spec.path, true);
    if (!isSeq(list) || index < 0 || index >= list.items.length) throw noItem(section, index);
    for (const field of spec.fields) setOrDelete(doc, [...spec.path, index, field.name], item[field.name]);
  });
}

/**
 * What an item was when its form was drawn: a short hash of the values the form shows. A form
 * sends it back (`was`), and the item is changed or removed only while it still is that item,
 * so a page opened before another tab or a colleague changed the list never hits its neighbour
 * (found by the issue-15 re-trial: a stale tab deleted and overwrote the wrong entries).
 */
export function itemFingerprint(item: ListItem): string {
  return createHash('sha256').update(JSON.stringify(item.values)).digest('hex').slice(0, 16);
}

/** An item the section does not have (now): removed in another tab since the form was drawn, or never there. */
function noItem(section: SectionId, index: number): YamlEditError {
  return new YamlEditError({ kind: 'no-item', section, index });
}

/**
 * Throws YamlEditError unless item `index` of the section is still the one whose fingerprint the
 * form carried: not there at all, or another item there now. `was` undefined (a script posting
 * without it) is not checked. The draft is the admin's own: only their other tabs change it.
 */
export function expectItem(source: string, section: SectionId, index: number, was: string | undefined): void {
  if (was === undefined) return;
  const item = readSection(source, section)?.[index];
  if (!item) throw noItem(section, index);
  if (itemFingerprint(item) !== was) throw new YamlEditError({ kind: 'item-changed', section, index });
}

/** Removes one item of a list section. */
export function removeItem(source: string, section: SectionId, index: number): string {
  const spec = SECTIONS[section];
  return editYaml(source, (doc) => {
    const list = doc.getIn(spec.path, true);
    if (!isSeq(list) || index < 0 || index >= list.items.length) throw noItem(section, index);
    doc.deleteIn([...spec.path, index]);
  });
}

/** The calendar as its form shows it. */
export function readCalendar(source: string): Record<string, ShownValue> | undefined {
  const data = dataOf(source);
  if (!data) return undefined;
  return Object.fromEntries(CALENDAR.map((f) => [f.name, shown(f.kind, valueAt(data, ['calendar', f.name]))]));
}

export function applyCalendar(source: string, values: FormValues): string {
  const calendar = fieldValues(CALENDAR, values);
  return editYaml(source, (doc) => {
    for (const field of CALENDAR) setOrDelete(doc, ['calendar', field.name], calendar[field.name]);
  });
}

/** Form values → the values written to the file; undefined for an optional field left empty. */
function fieldValues(fields: readonly FieldSpec[], values: FormValues): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, fieldValue(f, values[f.name])]));
}

function fieldValue(field: FieldSpec, raw: string | readonly string[] | undefined): unknown {
  const list = (raw === undefined ? [] : typeof raw === 'string' ? [raw] : raw).map((s) => s.trim());
  const one = list.join('\n').trim();
  switch (field.kind) {
    case 'lines': {
      const lines = list
        .flatMap((s) => s.split(/\r?\n/))
        .map((s) => s.trim())
        .filter(Boolean);
      return lines.length === 0 && field.optional ? undefined : lines;
    }
    case 'days':
      return list.filter((d) => (field.options ?? []).includes(d));
    case 'variants': {
      const kept = list.filter(Boolean);
      return kept.length === 1 ? kept[0] : kept.length === 0 ? '' : kept;
    }
    case 'number': {
      if (one === '' && field.optional) return undefined;
      const n = Number(one);
      if (one === '' || !Number.isFinite(n))
        throw new YamlEditError({ kind: 'not-a-number', field: field.name, got: one });
      return n;
    }
    case 'bool':
      return one === 'true' || one === 'on' ? true : field.optional ? undefined : false;
    case 'choice':
      if (one === '' && field.optional) return undefined;
      if (!(field.options ?? []).includes(one))
        throw new YamlEditError({ kind: 'not-one-of', field: field.name, options: field.options ?? [], got: one });
      return one;
    case 'text':
      return one === '' && field.optional ? undefined : one;
  }
}
