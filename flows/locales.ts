/**
 * The locales the product ships definitions, desk wording and locale detection for. Adding one
 * is a definition file plus a line here (and its desk table in `adapters/desk/text.ts`).
 */
export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const;
export type SupportedLocale = (typeof SUPPORTED_LOCALES)[number];

export function isSupportedLocale(value: string): value is SupportedLocale {
  return (SUPPORTED_LOCALES as readonly string[]).includes(value);
}

/** "zh-CN or en", for error messages. */
export const SUPPORTED_LOCALES_TEXT = SUPPORTED_LOCALES.join(' or ');
