import { z } from 'zod';
import { SUPPORTED_LOCALES, SUPPORTED_LOCALES_TEXT } from '../flows/locales.js';
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

export const Env = z
  .object({
    REDIS_URL: optionalText.pipe(
      z
        .string()
        .regex(/^rediss?:\/\/[^\s]+$/, 'must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379')
        .optional(),
    ),
    /**
     * A Redis Cluster instead of one server (REDIS_URL): its seed nodes, `host:port,host:port`,
     * or as one URL, `redis://[user:password@]host:port,host:port` (`rediss://` for TLS); the
     * credentials and TLS apply to every node. See parseClusterNodes.
     */
    REDIS_CLUSTER_NODES: optionalText.transform((v, ctx) => {
      if (v === undefined) return undefined;
      const parsed = parseClusterNodes(v);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
    REDIS_PREFIX: optionalText.pipe(
      z
        .string()
        .regex(/^[\w:.-]{1,40}$/, 'must be 1–40 letters, digits or : . - _')
        .default('csb:'),
    ),
    /** `production` makes start-up findings an operator must act on (Redis without persistence) errors, not warnings. */
    NODE_ENV: optionalText,
    FLOWS_DIR: optionalText,
    /**
     * The understanding corpus (issue 11) flows:test, publish and the console score on: the
     * company's own, like its definitions; the shipped example (flows/corpus) when unset.
     */
    CORPUS_DIR: optionalText,
    /**
     * The system of record (issue 14): a PostgreSQL server (postgres://…); without it, PGlite
     * (embedded PostgreSQL) with its data in DATA_DIR.
     */
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(?:ql)?:\/\/[^\s]+$/, 'must be a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/service')
        .optional(),
    ),
    /** Where PGlite keeps the record when there is no DATABASE_URL. */
    DATA_DIR: optionalText.pipe(z.string().default('data/record')),
    /**
     * `auto`: the record in DATABASE_URL, else PGlite in DATA_DIR. `off`: no system of record
     * (tickets stay in Redis or memory, nothing is archived): for quick experiments and the
     * conversation tests, never for production.
     */
    RECORD_STORE: optionalText.pipe(z.enum(['auto', 'off'], 'must be auto or off').default('auto')),
    /** Archived transcripts older than this are deleted (seed 000 五, 个人信息保护). */
    TRANSCRIPT_RETENTION_DAYS: numeric(365, (n) =>
      n.int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
    ),
    DEFAULT_LOCALE: optionalText.pipe(z.enum(SUPPORTED_LOCALES, `must be ${SUPPORTED_LOCALES_TEXT}`).default('zh-CN')),
    LOG_LEVEL: optionalText.pipe(
      z
        .enum(['debug', 'info', 'warn', 'error', 'silent'], 'must be one of debug, info, warn, error, silent')
        .default('info'),
    ),
    /** How the playground writes its log lines on stderr: `text` (short lines beside the conversation) or `json` (as the server does). The server always writes JSON. */
    LOG_FORMAT: optionalText.pipe(z.enum(['text', 'json'], 'must be text or json').default('text')),
    STATE_TTL_DAYS: numeric(30, (n) =>
      n.int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
    ),
    /**
     * Transcript lines kept per conversation in the store for desk cards (a card reads the last
     * 10), each clipped to 300 characters; the whole conversation is in the system of record.
     */
    TRANSCRIPT_MAX: numeric(10, (n) =>
      n.int('must be a whole number').min(10, 'must be at least 10').max(10_000, 'must be at most 10000'),
    ),
    /**
     * How long a stopping bot may take, from the signal to the end of its process (ms; issue 16,
     * fault 9): the turns in flight get what is left after reserving a fifth (at most 1.5 s) for
     * handing back their conversations and closing, and a fifth (at most 1 s) for the exit
     * (shutdownBudget). The default fits the runtime's own grace period (docker stop: 10 s,
     * Kubernetes: 30 s), so the bot is not killed first.
     */
    SHUTDOWN_TIMEOUT_MS: numeric(10_000, (n) =>
      n
        .int('must be a whole number of ms')
        .min(0, 'must be at least 0')
        .max(600_000, 'must be at most 600000 (10 min)'),
    ),
    DEDUP_TTL_HOURS: numeric(48, (n) =>
      n.min(24, 'must be at least 24: platforms redeliver within a day').max(720, 'must be at most 720'),
    ),

    TELEGRAM_BOT_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'must be the token from @BotFather, like 123456789:AAH…')
        .optional(),
    ),
    PUBLIC_URL: optionalText.pipe(
      z
        .string()
        .regex(
          /^https?:\/\/[^\s/]+(\/[^\s]*)?$/,
          'must be the public base URL of this server, e.g. https://bot.example.com',
        )
        .optional(),
    ),
    TELEGRAM_WEBHOOK_SECRET: optionalText.pipe(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16–256 letters, digits, _ or - (Telegram's rule)")
        .optional(),
    ),
    TELEGRAM_API_ROOT: optionalText.pipe(
      z
        .string()
        .regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL, e.g. https://api.telegram.org')
        .default('https://api.telegram.org'),
    ),
    TELEGRAM_GROUPS: optionalText.pipe(
      z.enum(['private-only', 'answer'], 'must be private-only or answer').default('private-only'),
    ),
    PORT: numeric(8080, (n) =>
      n
        .int('must be a whole number')
        .min(1, 'must be a port number (1–65535)')
        .max(65535, 'must be a port number (1–65535)'),
    ),

    SLACK_BOT_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^xoxb-[\w-]+$/, "must be a bot token (xoxb-…) from the Slack app's OAuth page")
        .optional(),
    ),
    SLACK_SIGNING_SECRET: optionalText.pipe(
      z
        .string()
        .regex(/^[0-9a-f]{16,}$/i, "must be the Signing Secret from the Slack app's Basic Information page")
        .optional(),
    ),
    SLACK_APP_TOKEN: optionalText.pipe(
      z
        .string()
        .regex(/^xapp-[\w-]+$/, 'must be an app-level token (xapp-…) with connections:write, for Socket Mode')
        .optional(),
    ),
    SLACK_AGENT_CHANNEL: optionalText.pipe(
      z
        .string()
        .regex(/^[CG][A-Z0-9]{6,}$/, 'must be the channel id (C0123ABCD), not its name')
        .optional(),
    ),
    SLACK_API_URL: optionalText.pipe(
      z
        .string()
        .regex(/^https?:\/\/\S+\/$/, 'must be a URL ending in /, e.g. https://slack.com/api/')
        .optional(),
    ),
    SLACK_SUPERVISOR_GROUP: optionalText.pipe(
      z
        .string()
        .regex(/^S[A-Z0-9]{6,}$/, 'must be a user group id (S0123ABCD)')
        .optional(),
    ),
    /**
     * How long desk items wait out a Slack outage, in minutes (issue 16, fault 4): kept in order
     * and retried until then; after it a card or a customer's message that cannot be posted falls
     * back to the no-desk path (the customer is told, the matter kept as a follow-up).
     */
    DESK_OUTAGE_WINDOW_MINUTES: numeric(10, (n) =>
      n.int('must be a whole number').min(1, 'must be at least 1').max(1440, 'must be at most 1440'),
    ),
    /**
     * The agents' user group (issue 16, fault 5): when set, only its members (and the supervisors'
     * group's) can act on the desk. Anyone in the desk's channels can otherwise.
     */
    SLACK_AGENT_GROUP: optionalText.pipe(
      z
        .string()
        .regex(/^S[A-Z0-9]{6,}$/, 'must be a user group id (S0123ABCD)')
        .optional(),
    ),
    SLACK_INTERNAL_PREFIX: optionalText.pipe(z.string().min(1).max(10).default('//')),
    /** The agents' language on the desk (cards, notices); the customer's is the conversation's. Defaults to DEFAULT_LOCALE. */
    DESK_LANGUAGE: optionalText.pipe(z.enum(SUPPORTED_LOCALES, `must be ${SUPPORTED_LOCALES_TEXT}`).optional()),
  })
  .superRefine((env, ctx) => {
    if (env.REDIS_URL && env.REDIS_CLUSTER_NODES)
      ctx.addIssue({
        code: 'custom',
        path: ['REDIS_CLUSTER_NODES'],
        message: 'and REDIS_URL are both set: set REDIS_URL for one server, REDIS_CLUSTER_NODES for a cluster',
      });
    if (!env.SLACK_BOT_TOKEN) return;
    if (!env.SLACK_AGENT_CHANNEL)
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_AGENT_CHANNEL'],
        message: 'is required with SLACK_BOT_TOKEN: the channel where handoff cards go',
      });
    if (!env.SLACK_SIGNING_SECRET && !env.SLACK_APP_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['SLACK_SIGNING_SECRET'],
        message: 'or SLACK_APP_TOKEN is required with SLACK_BOT_TOKEN (HTTP events or Socket Mode)',
      });
    }
  });
export type Config = z.infer<typeof Env>;

/** A Redis Cluster's seed nodes and the credentials every node takes (adapters/store/redis-client.ts RedisClusterTarget). */
export interface ClusterNodes {
  nodes: Array<{ host: string; port: number }>;
  username?: string | undefined;
  password?: string | undefined;
  tls: boolean;
}

const NODE = /^([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/;

/**
 * REDIS_CLUSTER_NODES: `host:port,host:port`, or `redis://[user:password@]host:port,host:port`
 * (`rediss://`: TLS), a trailing `/` allowed. Returns why not when it is neither.
 */
export function parseClusterNodes(text: string): ClusterNodes | string {
  const url = /^(rediss?):\/\/(?:([^@/]*)@)?([^/]*)\/?$/.exec(text);
  if (/^\w+:\/\//.test(text) && !url)
    return 'must be host:port,host:port or redis://[user:password@]host:port,host:port';
  const [user, password] = url?.[2]?.split(/:(.*)/s) ?? [];
  const nodes: ClusterNodes['nodes'] = [];
  for (const part of (url?.[3] ?? text).split(',')) {
    const m = NODE.exec(part.trim());
    const port = Number(m?.[2]);
    if (!m || port < 1 || port > 65535)
      return `must be host:port,host:port (or redis://[user:password@]host:port,…): "${part.trim()}" is not host:port`;
    nodes.push({ host: m[1]!.replace(/^\[|\]$/g, ''), port });
  }
  return {
    nodes,
    username: user ? decodeURIComponent(user) : undefined,
    password: password ? decodeURIComponent(password) : undefined,
    tls: url?.[1] === 'rediss',
  };
}

/** Where the deployment's Redis is (redis-client.ts RedisTarget): a cluster, one server, or none (memory). */
export function redisTarget(config: Config): { url: string } | { cluster: ClusterNodes } | undefined {
  if (config.REDIS_CLUSTER_NODES) return { cluster: config.REDIS_CLUSTER_NODES };
  return config.REDIS_URL ? { url: config.REDIS_URL } : undefined;
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = Env.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? '(environment)');
    const value = env[name];
    const secret = /TOKEN|SECRET/.test(name);
    const safe = /URL|NODES/.test(name) ? value?.replace(/\/\/([^@/]*)@/, '//***@') : value;
    const shown =
      value === undefined
        ? ''
        : secret
          ? ` (got ${value.length} characters, not shown)`
          : ` (got ${JSON.stringify(safe)})`;
    return `${name}: ${i.message}${shown}`;
  });
  throw new ConfigError(problems);
}
