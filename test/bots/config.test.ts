import { describe, expect, it } from 'vitest';
import { parseConfig, redisTarget } from '../../bots/config.js';
import { ConfigError } from '../../bots/errors.js';

describe('configuration from the environment', () => {
  it('runs with nothing set: in-memory store, zh-CN, sensible retention', () => {
    expect(parseConfig({})).toEqual({
      REDIS_URL: undefined,
      REDIS_PREFIX: 'csb:',
      FLOWS_DIR: undefined,
      DEFAULT_LOCALE: 'zh-CN',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'text',
      STATE_TTL_DAYS: 30,
      TRANSCRIPT_MAX: 10,
      TRANSCRIPT_RETENTION_DAYS: 365,
      RECORD_STORE: 'auto',
      DATA_DIR: 'data/record',
      DEDUP_TTL_HOURS: 48,
      SHUTDOWN_TIMEOUT_MS: 10_000,
      TELEGRAM_BOT_TOKEN: undefined,
      PUBLIC_URL: undefined,
      TELEGRAM_WEBHOOK_SECRET: undefined,
      TELEGRAM_API_ROOT: 'https://api.telegram.org',
      TELEGRAM_GROUPS: 'private-only',
      PORT: 8080,
      SLACK_BOT_TOKEN: undefined,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_APP_TOKEN: undefined,
      SLACK_AGENT_CHANNEL: undefined,
      SLACK_API_URL: undefined,
      SLACK_SUPERVISOR_GROUP: undefined,
      SLACK_INTERNAL_PREFIX: '//',
      DESK_OUTAGE_WINDOW_MINUTES: 10,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ REDIS_URL: '', STATE_TTL_DAYS: ' ' }).REDIS_URL).toBeUndefined();
  });

  it("reads a Redis Cluster's seed nodes as host:port pairs or as one URL whose credentials and TLS apply to every node", () => {
    expect(redisTarget(parseConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001,[::1]:7002' }))).toEqual({
      cluster: {
        nodes: [
          { host: '10.0.0.1', port: 7000 },
          { host: 'redis-b', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        username: undefined,
        password: undefined,
        tls: false,
      },
    });
    expect(
      redisTarget(parseConfig({ REDIS_CLUSTER_NODES: 'rediss://bot:p%40ss:w@redis-a:7000,redis-b:7001/' })),
    ).toEqual({
      cluster: {
        nodes: [
          { host: 'redis-a', port: 7000 },
          { host: 'redis-b', port: 7001 },
        ],
        username: 'bot',
        password: 'p@ss:w',
        tls: true,
      },
    });
    expect(redisTarget(parseConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }))).toEqual({
      url: 'redis://127.0.0.1:6379',
    });
    expect(redisTarget(parseConfig({}))).toBeUndefined();
  });

  it('refuses a cluster address it cannot read, and one set beside REDIS_URL, without showing its password', () => {
    const problems = (env: Record<string, string>) => {
      try {
        parseConfig(env);
      } catch (e) {
        return (e as ConfigError).problems;
      }
      return [];
    };
    expect(problems({ REDIS_CLUSTER_NODES: 'redis://:secret@redis-a' })).toEqual([
      'REDIS_CLUSTER_NODES: must be host:port,host:port (or redis://[user:password@]host:port,…): "redis-a" is not host:port (got "redis://***@redis-a")',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'http://redis-a:7000' })).toEqual([
      'REDIS_CLUSTER_NODES: must be host:port,host:port or redis://[user:password@]host:port,host:port (got "http://redis-a:7000")',
    ]);
    expect(problems({ REDIS_CLUSTER_NODES: 'redis-a:7000', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual([
      'REDIS_CLUSTER_NODES: and REDIS_URL are both set: set REDIS_URL for one server, REDIS_CLUSTER_NODES for a cluster (got "redis-a:7000")',
    ]);
  });

  it('lists every bad variable with its value and what is expected', () => {
    let error: unknown;
    try {
      parseConfig({
        REDIS_URL: 'localhost:6379',
        STATE_TTL_DAYS: 'abc',
        DEDUP_TTL_HOURS: '2',
        LOG_LEVEL: 'loud',
        DEFAULT_LOCALE: 'fr',
        TRANSCRIPT_MAX: '2.5',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'REDIS_URL: must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 (got "localhost:6379")',
      'DEFAULT_LOCALE: must be zh-CN or en (got "fr")',
      'LOG_LEVEL: must be one of debug, info, warn, error, silent (got "loud")',
      'STATE_TTL_DAYS: must be a number (got "abc")',
      'TRANSCRIPT_MAX: must be a whole number (got "2.5")',
      'DEDUP_TTL_HOURS: must be at least 24: platforms redeliver within a day (got "2")',
    ]);
    expect((error as ConfigError).message).toMatch(/^Invalid configuration:\n/);
  });

  it('checks the shutdown bound and the agents group (issue 16)', () => {
    expect(() => parseConfig({ SHUTDOWN_TIMEOUT_MS: '1.5', SLACK_AGENT_GROUP: 'agents' })).toThrow(
      /SHUTDOWN_TIMEOUT_MS: must be a whole number of ms \(got "1.5"\)[\s\S]*SLACK_AGENT_GROUP: must be a user group id \(S0123ABCD\) \(got "agents"\)/,
    );
    expect(parseConfig({ SHUTDOWN_TIMEOUT_MS: '30000', SLACK_AGENT_GROUP: 'S0AGENTS1' })).toMatchObject({
      SHUTDOWN_TIMEOUT_MS: 30_000,
      SLACK_AGENT_GROUP: 'S0AGENTS1',
    });
  });

  it('checks the Telegram settings', () => {
    expect(() =>
      parseConfig({
        TELEGRAM_BOT_TOKEN: 'abc',
        TELEGRAM_WEBHOOK_SECRET: 'short',
        PORT: '70000',
        PUBLIC_URL: 'bot.example.com',
      }),
    ).toThrow(
      /TELEGRAM_BOT_TOKEN: must be the token from @BotFather[\s\S]*PUBLIC_URL: must be the public base URL[\s\S]*TELEGRAM_WEBHOOK_SECRET: must be 16–256[\s\S]*PORT: must be a port number/,
    );
    expect(
      parseConfig({
        TELEGRAM_BOT_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
        PUBLIC_URL: 'https://bot.example.com',
      }),
    ).toMatchObject({
      TELEGRAM_BOT_TOKEN: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw',
      PUBLIC_URL: 'https://bot.example.com',
      PORT: 8080,
    });
  });

  it('requires an agent channel and a way to receive events once Slack is configured', () => {
    expect(() => parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc' })).toThrow(
      /SLACK_AGENT_CHANNEL: is required with SLACK_BOT_TOKEN[\s\S]*SLACK_SIGNING_SECRET: or SLACK_APP_TOKEN is required/,
    );
    const bad = () =>
      parseConfig({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_AGENT_CHANNEL: '#agents', SLACK_SIGNING_SECRET: 'abc' });
    expect(bad).toThrow(/SLACK_AGENT_CHANNEL: must be the channel id/);
    expect(bad).toThrow(/SLACK_SIGNING_SECRET: must be the Signing Secret/);
    expect(
      parseConfig({
        SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
        SLACK_AGENT_CHANNEL: 'C0123ABCD',
        SLACK_SIGNING_SECRET: '0123456789abcdef0123',
      }),
    ).toMatchObject({ SLACK_AGENT_CHANNEL: 'C0123ABCD' });
  });

  it('never echoes a bot token or webhook secret', () => {
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: '123:tooShortSecretValue' })).toThrow(
      'TELEGRAM_BOT_TOKEN: must be the token from @BotFather, like 123456789:AAH… (got 23 characters, not shown)',
    );
    expect(() => parseConfig({ TELEGRAM_BOT_TOKEN: '123:tooShortSecretValue' })).not.toThrow(/tooShortSecretValue/);
  });

  it('never echoes a password from a Redis URL', () => {
    expect(() => parseConfig({ REDIS_URL: 'http://user:s3cret@host:6379' })).toThrow(/\/\/\*\*\*@host/);
    expect(() => parseConfig({ REDIS_URL: 'http://user:s3cret@host:6379' })).not.toThrow(/s3cret/);
  });
});
