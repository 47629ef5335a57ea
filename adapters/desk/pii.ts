/**
 * Masks personal data before it is shown in a shared agent channel (信息安全与保密): phone
 * numbers, e-mail addresses, resident ID numbers and payment card numbers. The ticket store keeps
 * the original.
 *
 * A long number is masked only when it really is an ID or a card (its check digit says so):
 * order and courier numbers (20261120001234567, SF1234567890123) are what agents need to read,
 * and stay as the customer wrote them. A number of the right length that fails its check (a
 * mistyped ID or card) is shown too. About one order number in ten passes the card check by
 * chance: it stays whole when the customer calls it one (订单号 …, order no. …), else it is masked.
 */

/** GB 11643-1999 weights of the first 17 characters of a resident ID (2^(17-i) mod 11). */
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** GB 11643-1999 check character for (weighted sum mod 11) = 0…10 (ISO 7064 MOD 11-2). */
const ID_CHECK = '10X98765432';

/**
 * Whether an 18-character string is a Chinese resident ID number by GB 11643-1999: six digits of
 * address code (not starting with 0), the birth date as YYYYMMDD (a real date, 1800–2099), three
 * digits of sequence and the MOD 11-2 check character (0–9 or X, either case). The 15-digit
 * first-generation numbers had no check character and are no longer valid; they are not masked.
 */
export function isResidentId(text: string): boolean {
  if (!/^[1-9]\d{16}[\dXx]$/.test(text)) return false;
  const year = Number(text.slice(6, 10));
  const month = Number(text.slice(10, 12));
  const day = Number(text.slice(12, 14));
  const birth = new Date(Date.UTC(year, month - 1, day));
  if (year < 1800 || year > 2099 || birth.getUTCMonth() !== month - 1 || birth.getUTCDate() !== day) return false;
  const sum = ID_WEIGHTS.reduce((total, weight, i) => total + weight * Number(text[i]), 0);
  return ID_CHECK[sum % 11] === text[17]?.toUpperCase();
}

/**
 * Whether a string of digits is a payment card number: 13–19 digits (ISO/IEC 7812-1) whose last
 * digit is the Luhn check digit (ISO/IEC 7812-1 Annex B: from the right, double every second
 * digit, subtract 9 from results over 9; the sum is a multiple of 10).
 */
export function isCardNumber(digits: string): boolean {
  if (!/^\d{13,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    const d = Number(digits[i]) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return sum % 10 === 0;
}

/**
 * Masks the card numbers in a run of digit groups separated by single spaces or dashes
 * (`6222 0212 3456 7890`, or a phone number and a card side by side): the longest run of whole
 * groups from each point that is a card becomes `**** 7890`; everything else is left as written.
 */
function maskCards(run: string): string {
  const groups = run.match(/\d+|[ -]/g) ?? [];
  const out: string[] = [];
  const digitsOf = (from: number, to: number) =>
    groups
      .slice(from, to + 1)
      .join('')
      .replace(/\D/g, '');
  for (let i = 0; i < groups.length; i++) {
    let end = -1;
    // Windows start and end on digit groups (even indexes: the run starts and ends with digits).
    if (i % 2 === 0)
      for (let j = groups.length - 1; j >= i && end < 0; j -= 2) if (isCardNumber(digitsOf(i, j))) end = j;
    if (end < 0) out.push(groups[i] ?? '');
    else {
      out.push(`**** ${digitsOf(i, end).slice(-4)}`);
      i = end;
    }
  }
  return out.join('');
}

/** Words that say the number after them is an order or a courier number, which agents must read whole. */
const ORDER_CONTEXT =
  /(?:订单|单号|运单|快递|物流|order|tracking|waybill|parcel)\s*(?:号|编号|号码|no\.?|number|#)?\s*[:：#是为]?\s*$/iu;

type Mask = (match: string, before: string) => string;

/**
 * The rules in order. A number glued to letters (SF1234567890123, a tracking code) is not an ID
 * or a card, nor is one after "+" (an international phone number): the look-arounds keep them out.
 * Numbers may be written in groups (`138 1234 5678`, `310104 19900307 123X`).
 */
const RULES: Array<[RegExp, Mask]> = [
  // E-mail: keep the first character and the domain.
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu, (m) => `${m[0]}***@${m.split('@')[1]}`],
  // Chinese resident ID (18 characters, the last may be X, grouped 6-8-4 or not), only with a valid check character.
  [
    /(?<![\dA-Za-z])\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?![\dA-Za-z])/gu,
    (m) => {
      const id = m.replace(/[ -]/g, '');
      return isResidentId(id) ? `${id.slice(0, 3)}***********${id.slice(-4)}` : m;
    },
  ],
  // Payment cards: 13–19 digits passing Luhn, optionally grouped by single spaces or dashes; not
  // a number the customer calls an order or courier number.
  [
    /(?<![\dA-Za-z+])\d+(?:[ -]\d+)*(?![\dA-Za-z])/gu,
    (m, before) => (m.replace(/\D/g, '').length >= 13 && !ORDER_CONTEXT.test(before) ? maskCards(m) : m),
  ],
  // Mobile numbers: mainland 1[3-9]xxxxxxxxx (or grouped 3-4-4), or international +cc…
  [
    /(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)/gu,
    (m) => `${m.slice(0, m.length - (/[ -]\d{4}$/.test(m) ? 9 : 8))}****${m.slice(-4)}`,
  ],
  [/\+\d{1,3}[ -]?\d[\d -]{6,}\d/gu, (m) => `${m.slice(0, 4)}****${m.slice(-3)}`],
];

/** Full-width digits and Latin letters (what a Chinese input method types: １３８) as ASCII; the rest unchanged. */
function halfWidthAlnum(text: string): string {
  return text.replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/gu, (c) =>
    String.fromCharCode(c.charCodeAt(0) - 0xfee0),
  );
}

/**
 * `text` as it may be shown on the desk: e-mail, phone, ID and card numbers masked, all else
 * unchanged except full-width digits and letters, which are read (and shown) as ASCII so that
 * `１３８１２３４５６７８` is masked too.
 */
export function maskPII(text: string): string {
  return RULES.reduce(
    (t, [re, mask]) => t.replace(re, (m: string, ...rest: unknown[]) => mask(m, t.slice(0, Number(rest.at(-2))))),
    halfWidthAlnum(text),
  );
}
