/**
 * Masks personal data before it is shown in a shared agent channel (信息安全与保密): phone
 * numbers, e-mail addresses, ID and card numbers. The ticket store keeps the original.
 */
const RULES: Array<[RegExp, (m: string) => string]> = [
  // E-mail: keep the first character and the domain.
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gu, (m) => `${m[0]}***@${m.split('@')[1]}`],
  // Chinese resident ID (18 characters, last may be X).
  [/(?<!\d)\d{17}[\dXx](?!\d)/gu, (m) => `${m.slice(0, 3)}***********${m.slice(-4)}`],
  // Bank cards: 15–19 digits, optionally grouped by spaces or dashes.
  [
    /(?<!\d)\d{4}(?:[ -]?\d{3,4}){2,3}[ -]?\d{1,4}(?!\d)/gu,
    (m) => (m.replace(/\D/g, '').length >= 15 ? `**** ${m.replace(/\D/g, '').slice(-4)}` : m),
  ],
  // Mobile numbers: mainland 1[3-9]xxxxxxxxx, or international +cc…
  [/(?<!\d)(?:\+?86[ -]?)?1[3-9]\d{9}(?!\d)/gu, (m) => `${m.slice(0, m.length - 8)}****${m.slice(-4)}`],
  [/\+\d{1,3}[ -]?\d[\d -]{6,}\d/gu, (m) => `${m.slice(0, 4)}****${m.slice(-3)}`],
];

export function maskPII(text: string): string {
  return RULES.reduce((t, [re, mask]) => t.replace(re, mask), text);
}
