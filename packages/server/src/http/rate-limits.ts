import { Redis } from 'ioredis';
import {
  RateLimiterCompatibleAbstract,
  type RateLimiterLike,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';

/**
 * Token buckets (API.md "Hostile input"): a bucket holds `burst` tokens and refills at
 * `perSecond`; each request takes one. Kept as a GCRA "theoretical arrival time" per
 * key, which is the same bucket in one number. rate-limiter-flexible's own limiters
 * count fixed windows (a window boundary lets twice the rate through, and a drained
 * burst would come back whole at the next boundary), so the Redis store runs this
 * script instead of its counter, and the in-process store does the same arithmetic.
 * With REDIS_URL every node takes from one bucket per key.
 */
export type BucketRule = { name: string; burst: number; perSecond: number };

/** The refusal carries how long until the next token: the Retry-After of the 429. */
export class TokenBucket {
  constructor(
    readonly rule: BucketRule,
    readonly limiter: RateLimiterLike | undefined,
  ) {}

  /** Takes a token for `key`, or throws `rate_limited` with `retryAfter` in seconds. */
  async take(key: string, message: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(key);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const retryAfter = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      throw new AppError('rate_limited', message, { retryAfter });
    }
  }
}

// ARGV: tokens to take, (unused) whole seconds, burst, seconds to refill the whole bucket.
// Redis's own clock, so nodes with skewed clocks share one notion of "now".
const GCRA_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local burst = tonumber(ARGV[3])
local interval = tonumber(ARGV[4]) * 1000 / burst
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next = tat + tonumber(ARGV[1]) * interval
local allowAt = next - burst * interval
if allowAt > now then
  return {burst + 1, math.ceil(allowAt - now)}
end
redis.call('SET', KEYS[1], tostring(next), 'PX', math.ceil(next - now))
return {math.min(burst, math.ceil((next - now) / interval - 1e-9)), math.ceil(next - now)}
`;

/** The same bucket in this process: the store without REDIS_URL, and Redis's stand-in while it is down. */
export class MemoryTokenBucket extends RateLimiterCompatibleAbstract {
  readonly #arrivals = new Map<string, number>();
  readonly #interval: number;
  readonly #burst: number;

  constructor(
    rule: BucketRule,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.#interval = 1000 / rule.perSecond;
    this.#burst = rule.burst;
    this.keyPrefix = rule.name;
  }

  // Own fields over the base's throwing accessors. Blocking and even spreading are not
  // used; the library copies them onto an insurance limiter.
  override readonly keyPrefix: string;
  override blockDuration = 0;
  override execEvenly = false;

  override consume(key: string | number, points = 1): Promise<RateLimiterRes> {
    const now = this.now();
    const id = String(key);
    const tat = Math.max(this.#arrivals.get(id) ?? now, now);
    const next = tat + points * this.#interval;
    const allowAt = next - this.#burst * this.#interval;
    if (allowAt > now) return Promise.reject(new RateLimiterRes(0, Math.ceil(allowAt - now)));
    if (this.#arrivals.size > 100_000) this.#sweep(now);
    this.#arrivals.set(id, next);
    const used = Math.ceil((next - now) / this.#interval - 1e-9);
    return Promise.resolve(new RateLimiterRes(this.#burst - used, Math.ceil(next - now), used));
  }

  /** Buckets that have refilled completely hold nothing worth keeping. */
  #sweep(now: number): void {
    for (const [key, tat] of this.#arrivals) if (tat <= now) this.#arrivals.delete(key);
  }
}

export type RateLimits = {
  /** Login attempts per client IP: LOGIN_RATE_PER_MINUTE, the minute's worth as burst. */
  login: TokenBucket;
  /** Messages per client session, HTTP and WebSocket together. */
  messages: TokenBucket;
  /** Agent sign-ins per client IP (password guessing). */
  agentSignIn: TokenBucket;
  close(): Promise<void>;
};

/** A burst of 30 is always accepted: a device flushing its offline queue is never refused. */
export const MESSAGE_BURST = 30;

/**
 * The buckets, on Redis when REDIS_URL is set. Commands never queue: while Redis is
 * unreachable (or still connecting) each node limits in memory, and goes back to the
 * shared buckets once the connection is up.
 */
export async function createRateLimits(config: Config): Promise<RateLimits> {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
    : undefined;
  // Errors are retried by ioredis itself; the memory bucket stands in meanwhile.
  redis?.on('error', () => {});
  await redis?.connect().catch(() => {});
  const bucket = (rule: BucketRule): TokenBucket => {
    if (rule.perSecond <= 0) return new TokenBucket(rule, undefined);
    // The library's key expiry counts whole seconds: the bucket must take at least one to refill.
    const fitted = { ...rule, burst: Math.max(rule.burst, Math.ceil(rule.perSecond)) };
    const memory = new MemoryTokenBucket(fitted);
    if (!redis) return new TokenBucket(fitted, memory);
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `signet:rl:${rule.name}`,
      points: fitted.burst,
      duration: fitted.burst / fitted.perSecond,
      customIncrTtlLuaScript: GCRA_SCRIPT,
      insuranceLimiter: memory,
      rejectIfRedisNotReady: true,
    });
    return new TokenBucket(fitted, limiter);
  };
  return {
    login: bucket({
      name: 'login',
      burst: config.loginRatePerMinute,
      perSecond: config.loginRatePerMinute / 60,
    }),
    messages: bucket({ name: 'messages', burst: MESSAGE_BURST, perSecond: config.messageRatePerSecond }),
    agentSignIn: bucket({ name: 'agent-sign-in', burst: 20, perSecond: 20 / 60 }),
    async close() {
      redis?.disconnect();
    },
  };
}
