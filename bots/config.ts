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
});
export type Config = z.infer<typeof Env>;

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = Env.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(environment)');
    const value = env[name];
    const shown = value === undefined ? '' : ` (got ${JSON.stringify(name.includes('URL') ? value.replace(/\/\/([^@/]*)@/, '//***@') : value)})`;
    return `${name}: ${i.message}${shown}`;
  });
  throw new ConfigError(problems);
}
