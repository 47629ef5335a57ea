/**
 * Plural forms in the texts of a definition, in the plural syntax of ICU MessageFormat (the one
 * translators know): `{hours, plural, one {# hour} other {# hours}}`. `#` stands for the number;
 * a form is chosen by the locale's CLDR plural category of the number (`Intl.PluralRules`:
 * zero, one, two, few, many, other), or by an exact number (`=0`), which wins. `other` is
 * required, and is also what a value that is not a number gets. Chinese has only `other`, so its
 * texts need none of this: `{hours}小时内`.
 */

/** The CLDR plural categories (Unicode TR 35, Plural Rules). */
const CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;

/** One `{name, plural, …}` in a text: where it stands (`end` exclusive), whose number, and its forms by selector. */
export interface PluralSpan {
  start: number;
  end: number;
  name: string;
  /** Selector (`one`, `other`, `=0`) → the form's text, `#` not yet replaced. */
  forms: ReadonlyMap<string, string>;
}

/** The plural constructs of a text, in order, and what is wrong with any that is malformed. */
export interface PluralParse {
  spans: PluralSpan[];
  problems: string[];
}

const START_G = /\{\s*([^{},\s]+)\s*,\s*plural\s*,/g;

/** The text from `open` (a "{") to its matching "}", exclusive of both; undefined when it is never closed. */
function braced(text: string, open: number): { inner: string; end: number } | undefined {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return { inner: text.slice(open + 1, i), end: i + 1 };
  }
  return undefined;
}

/**
 * One construct starting at `start`, its forms read from `from` (just after "plural,") to its
 * closing "}"; or what is wrong with it, in one line.
 */
function parseConstruct(text: string, start: number, from: number, name: string): PluralSpan | string {
  const forms = new Map<string, string>();
  let pos = from;
  for (;;) {
    while (/\s/.test(text[pos] ?? '')) pos++;
    if (pos >= text.length) return `{${name}, plural, …} is not closed with "}"`;
    if (text[pos] === '}') break;
    const selector = /^(=\d+|[a-z]+)\s*\{/.exec(text.slice(pos));
    const form = selector ? braced(text, pos + selector[0].length - 1) : undefined;
    if (!selector || !form) return `{${name}, plural, …}: expected a form such as one {…} or other {…}`;
    const key = selector[1] ?? '';
    if (!key.startsWith('=') && !(CATEGORIES as readonly string[]).includes(key))
      return `{${name}, plural, …}: "${key}" is not a plural form (${CATEGORIES.join(', ')} or =N)`;
    forms.set(key, form.inner);
    pos = form.end;
  }
  if (!forms.has('other')) return `{${name}, plural, …} needs an "other" form`;
  return { start, end: pos + 1, name, forms };
}

/** Finds the plural constructs of a text (see the module comment for the syntax). */
export function parsePlurals(text: string): PluralParse {
  const spans: PluralSpan[] = [];
  const problems: string[] = [];
  for (const m of text.matchAll(START_G)) {
    const start = m.index;
    if (spans.some((s) => start < s.end)) continue; // inside a form of an earlier construct
    const parsed = parseConstruct(text, start, start + m[0].length, m[1] ?? '');
    if (typeof parsed === 'string') problems.push(parsed);
    else spans.push(parsed);
  }
  return { spans, problems };
}

const RULES = new Map<string, Intl.PluralRules>();

function rulesFor(locale: string): Intl.PluralRules {
  let rules = RULES.get(locale);
  if (!rules) {
    rules = new Intl.PluralRules(locale);
    RULES.set(locale, rules);
  }
  return rules;
}

/**
 * A count with its noun in the form `locale`'s plural rules pick, for texts written in code:
 * `countOf(1, { one: 'minute', other: 'minutes' }, 'en')` is "1 minute", with 11 "11 minutes".
 */
export function countOf(
  n: number,
  nouns: Partial<Record<Intl.LDMLPluralRule, string>> & { other: string },
  locale: string,
): string {
  return `${n} ${nouns[rulesFor(locale).select(n)] ?? nouns.other}`;
}

/**
 * The form for `value` (a number as text: "1", "48", "0.5"): an exact `=N` form, else the
 * locale's plural category, else `other`; `#` in it becomes the value as given.
 */
export function choosePlural(span: PluralSpan, value: string, locale: string): string {
  const n = value.trim() === '' ? Number.NaN : Number(value);
  const form =
    (Number.isFinite(n) ? (span.forms.get(`=${n}`) ?? span.forms.get(rulesFor(locale).select(n))) : undefined) ??
    span.forms.get('other') ??
    '';
  return form.replaceAll('#', value);
}

/** `text` with each plural construct whose number is in `vars` replaced by its form; the others stay. */
export function renderPlurals(text: string, vars: Readonly<Record<string, string>>, locale: string): string {
  // Most texts have no plural at all (every Chinese one): not parsed, on every render round of every reply.
  if (!text.includes('plural')) return text;
  const { spans } = parsePlurals(text);
  let out = text;
  for (const span of spans.reverse()) {
    const value = vars[span.name];
    if (value !== undefined) out = out.slice(0, span.start) + choosePlural(span, value, locale) + out.slice(span.end);
  }
  return out;
}
