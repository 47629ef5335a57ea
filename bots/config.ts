import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * Configuration is the environment, parsed once at start-up with every problem reported at once.
 * Nothing reads `process.env` anywhere else.
 */
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

/** A numeric variable: absent means the default; present must parse and pass `check`. */
function numeric(fallback: number, check: (n: z.ZodNumber) => z.ZodNumber) {
  return optionalText
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: 'must be a number' });
        return z.NEVER;
      }
      return n;
    })
    .pipe(check(z.number()));
}

export const Env = z.object({
  REDIS_URL: optionalText.pipe(
    z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
      .optional(),
  ),
  REDIS_PREFIX: optionalText.pipe(z.string().regex(/^[\w:.-]{1,40}$/, 'must be 1–40 letters, digits or : . - _').default('csb:')),
  FLOWS_DIR: optionalText,
  DEFAULT_LOCALE: optionalText.pipe(z.enum(['zh-CN', 'en'], 'must be zh-CN or en').default('zh-CN')),
  LOG_LEVEL: optionalText.pipe(z.enum(['debug', 'info', 'warn', 'error', 'silent'], 'must be one of debug, info, warn, error, silent').default('info')),
  STATE_TTL_DAYS: numeric(30, (n) => n.int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650')),
  TRANSCRIPT_MAX: numeric(200, (n) => n.int('must be a whole number').min(10, 'must be at least 10').max(10_000, 'must be at most 10000')),
  DEDUP_TTL_HOURS: numeric(48, (n) => n.min(24, 'must be at least 24: platforms redeliver within a day').max(720, 'must be at most 720')),

  TELEGRAM_BOT_TOKEN: optionalText.pipe(z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must be the token from @BotFather, like 123456789:AAH…').optional()),
  PUBLIC_URL: optionalText.pipe(z.string().regex(/^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be the public base URL of this server, e.g. https://bot.example.com').optional()),
  TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(z.string().regex(/^[A-Za-z0-9_-]{16,256}$/, 'must be 16–256 letters, digits, _ or - (Telegram\'s rule)').optional()),
  TELEGRAM_API_ROOT: optionalText.pipe(z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL, e.g. https://api.telegram.org').default('https://api.telegram.org')),
  TELEGRAM_GROUPS: optionalText.pipe(z.enum(['private-only', 'answer'], 'must be private-only or answer').default('private-only')),
  PORT: numeric(8080, (n) => n.int('must be a whole number').min(1, 'must be a port number (1–65535)').max(65535, 'must be a port number (1–65535)')),
});
export type Config = z.infer<typeof Env>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = Env.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(environment)');
    const value = env[name];
    const secret = /TOKEN|SECRET/.test(name);
    const safe = name.includes('URL') ? value?.replace(/\/\/([^@/]*)@/, '//***@') : value;
    const shown = value === undefined ? '' : secret ? ` (got ${value.length} characters, not shown)` : ` (got ${JSON.stringify(safe)})`;
    return `${name}: ${i.message}${shown}`;
  });
  throw new ConfigError(problems);
}
