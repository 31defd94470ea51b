import { isAbsolute, resolve } from 'node:path';
import { type Static, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Everything the server reads from its environment, checked once at boot. Start-up
 * fails with every problem listed, not the first one found.
 */
const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  DATA_DIR: Type.String({ minLength: 1, default: './data' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://' })),
  SIGNET_MASTER_KEY: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{64}|[A-Za-z0-9_+/-]{43}=?)$' })),
  // 'auto': the demo shop is served only while listening on a loopback address (API.md).
  SIGNET_DEMO: Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('auto')], { default: 'auto' }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  TRUST_PROXY: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  LOGIN_RATE_PER_MINUTE: Type.Integer({ minimum: 0, default: 600 }),
  MESSAGE_RATE_PER_SECOND: Type.Integer({ minimum: 0, default: 5 }),
  SQLITE_SYNCHRONOUS: Type.Union([Type.Literal('full'), Type.Literal('normal')], { default: 'full' }),
  MAX_SOCKETS_PER_USER: Type.Integer({ minimum: 1, default: 20 }),
  SOCKET_HEARTBEAT_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
  // WEBHOOKS.md "Delivery": loopback, private and link-local targets only when set to 1.
  WEBHOOK_ALLOW_PRIVATE: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  // Seconds between attempts, comma-separated; the default is WEBHOOKS.md's schedule.
  WEBHOOK_RETRY_SCHEDULE: Type.String({
    pattern: '^\\d+(\\.\\d+)?(,\\d+(\\.\\d+)?){0,19}$',
    default: '5,300,1800,7200,18000,36000,36000',
  }),
  // docs/operations.md: /metrics on the main port (admin API token) and/or a second listener.
  METRICS: Type.Union([Type.Literal('0'), Type.Literal('1')], { default: '0' }),
  METRICS_PORT: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  METRICS_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
});

type Env = Static<typeof EnvSchema>;

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  masterKey: string | undefined;
  demo: boolean;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  /** Login attempts per client IP per minute; 0 turns the limit off. */
  loginRatePerMinute: number;
  /**
   * Messages an end-user session may send per second once its burst of 30 is spent, over
   * HTTP and WebSocket together; 0 turns the limit off.
   */
  messageRatePerSecond: number;
  /** SQLite's `synchronous` pragma: `full` unless the operator trades durability for speed. */
  sqliteSynchronous: 'full' | 'normal';
  /** Open sockets one end user may hold on one server process. */
  maxSocketsPerUser: number;
  /** Sockets are pinged this often; one that misses a whole interval is cut off. */
  socketHeartbeatSeconds: number;
  /** Webhooks may target loopback, private and link-local addresses (tests, one-machine setups). */
  webhookAllowPrivate: boolean;
  /** Milliseconds to wait before each retry of a failed delivery; after the last, it is failed. */
  webhookRetryScheduleMs: number[];
  /** METRICS=1: `/metrics` on the main port, for admin API tokens only. */
  metricsOnMainPort: boolean;
  /** A second listener serving only `/metrics`, without credentials, on `metricsHost`. */
  metricsPort: number | undefined;
  metricsHost: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const NUMERIC = new Set([
  'PORT',
  'LOGIN_RATE_PER_MINUTE',
  'MESSAGE_RATE_PER_SECOND',
  'MAX_SOCKETS_PER_USER',
  'SOCKET_HEARTBEAT_SECONDS',
  'METRICS_PORT',
]);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    raw[key] = NUMERIC.has(key) && /^-?\d+$/.test(value) ? Number(value) : value;
  }
  const withDefaults = Value.Default(EnvSchema, raw);
  const problems = [...Value.Errors(EnvSchema, withDefaults)].map(
    (e) => `${e.path.slice(1) || 'environment'}: ${e.message}${redactedValue(e.path.slice(1), e.value)}`,
  );
  const e = withDefaults as Env;
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT === e.PORT)
    problems.push('METRICS_PORT: must differ from PORT (the metrics listener is a second one)');
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    masterKey: e.SIGNET_MASTER_KEY,
    demo: e.SIGNET_DEMO === '1' || (e.SIGNET_DEMO === 'auto' && isLoopbackHost(e.HOST)),
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === '1',
    loginRatePerMinute: e.LOGIN_RATE_PER_MINUTE,
    messageRatePerSecond: e.MESSAGE_RATE_PER_SECOND,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    maxSocketsPerUser: e.MAX_SOCKETS_PER_USER,
    socketHeartbeatSeconds: e.SOCKET_HEARTBEAT_SECONDS,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE === '1',
    webhookRetryScheduleMs: e.WEBHOOK_RETRY_SCHEDULE.split(',').map((s) => Math.round(Number(s) * 1000)),
    metricsOnMainPort: e.METRICS === '1',
    metricsPort: e.METRICS_PORT,
    metricsHost: e.METRICS_HOST,
  };
}

/** 127.0.0.0/8, ::1 and localhost: addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

function redactedValue(key: string, value: unknown): string {
  if (key === 'SIGNET_MASTER_KEY' || key.endsWith('_URL')) return '';
  return ` (got ${JSON.stringify(value)})`;
}
