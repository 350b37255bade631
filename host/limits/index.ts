/**
 * The shared counters of the execution path: rate limit → quota reservation →
 * concurrency cap (docs/product.md "The execution path"). `createLimits` picks
 * Redis when `REDIS_URL` is set (exact across any number of host processes) and
 * the in-process implementations otherwise (the embedded default).
 *
 * WHEN REDIS IS UNREACHABLE (decided here, once):
 * - Rate limiter: falls back to the in-process limiter and logs one warning
 *   per outage. Limits become per process (N hosts → up to N × the limit)
 *   until Redis returns. Rate limits protect capacity, not money; refusing
 *   all traffic for a cache outage would be worse than a loose limit.
 * - Quota and concurrency: throw `BazaarError('dependency_unavailable')`
 *   (503), so nothing runs unmetered or uncapped. They must be exact, and a
 *   per-process count cannot be: it would let a free tenant run N × its quota.
 *   Releases are the exception: they log and answer `false` rather than fail
 *   a response whose work is done (a lease expires by itself; a lost quota
 *   refund over-counts by one, in the tenant's disfavour, never free work).
 * - Nothing waits for Redis: the client has no offline queue, a 2 s command
 *   timeout and no resend of in-flight commands (scripts are not idempotent),
 *   so each call fails in milliseconds. ioredis reconnects in the background
 *   (at most a second apart) and everything recovers by itself; scripts are
 *   re-sent with EVAL when the restarted server no longer has them.
 * - `/readyz`: `ready()`/`ping()` report Redis; a not-ready host should be
 *   taken out of the load balancer while the others carry on.
 *
 * - Cache generation: unknown while the rate limiter falls back, so the
 *   per-process caches of keys and installs are off and every request reads
 *   PostgreSQL (foundation/cache-generation.ts). The rate-limit script reads two
 *   keys (the tenant's and the generation); on Redis Cluster they would need
 *   one hash slot, which they do not have today.
 *
 * A reservation whose reply is lost (timeout after the server ran it) counts
 * without an execution; the durable usage records stay the truth for billing.
 */
import type { Redis } from 'ioredis';
import { type Clock, systemClock } from '../foundation/clock.js';
import type { Logger } from '../foundation/logger.js';
import { FallbackRateLimiter } from './fallback-rate-limiter.js';
import { InProcessConcurrencyLimiter } from './in-process-concurrency-limiter.js';
import { InProcessQuotaCounter } from './in-process-quota-counter.js';
import { InProcessRateLimiter } from './in-process-rate-limiter.js';
import { ComposedAdmission } from './composed-admission.js';
import { InProcessCpuBudget } from './cpu-budget.js';
import type { ConcurrencyLimiter, ExecutionAdmission, QuotaCounter, RateLimiter, UsageSource } from './ports.js';
import { closeRedisClient, createRedisClient, pingRedis } from './redis-client.js';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter.js';
import { RedisExecutionAdmission } from './redis-execution-admission.js';
import { RedisQuotaCounter } from './redis-quota-counter.js';
import { RedisRateLimiter } from './redis-rate-limiter.js';
import { RedisCacheGeneration } from './redis-cache-generation.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';

export type * from './ports.js';
export { quotaPeriod } from './limit-keys.js';
export { type BillingCycle, parseQuotaPeriod, quotaPeriodFor } from '../foundation/quota-period.js';
export { createRedisClient, pingRedis } from './redis-client.js';

export interface LimitsOptions {
  /** `redis://…`; unset or `null` selects the in-process implementations. */
  readonly redisUrl?: string | null;
  /** Prepended to every Redis key (e.g. `bazaar:`), so several deployments or test suites can share a Redis. */
  readonly keyPrefix: string;
  readonly logger: Logger;
  /** Time of the in-process implementations (Redis uses its own server clock). */
  readonly clock?: Clock;
  /** Rebuilds an absent quota counter from the durable usage records; without it, absent means 0. */
  readonly usage?: UsageSource;
}

/** The three counters, the admission that takes two of them at once, plus their lifecycle. */
export interface Limits {
  readonly backend: 'redis' | 'in-process';
  readonly rateLimiter: RateLimiter;
  /**
   * Failed authentications per client address (host/tenants/auth-failures.ts): the same
   * GCRA under its own keys, shared through Redis, with the same per-process fallback.
   */
  readonly authFailures: RateLimiter;
  readonly quota: QuotaCounter;
  readonly concurrency: ConcurrencyLimiter;
  /** `quota.reserve` + `concurrency.acquire` in one step (one round trip on Redis): the execute path's admission. */
  readonly admission: ExecutionAdmission;
  /**
   * The cache generation shared through this Redis (foundation/cache-generation.ts),
   * read by the rate limiter's script; absent in process (buildDeps picks one).
   */
  readonly generation?: CacheGeneration;
  /** Whether the counters' store answers (always `true` in process). Never throws. */
  ready(): Promise<boolean>;
  /** The same as a readiness check: throws 503 `dependency_unavailable` when Redis does not answer. */
  ping(): Promise<void>;
  /** Close the Redis connection. Idempotent. */
  close(): Promise<void>;
}

/** Build the counters for this process: Redis-backed when `redisUrl` is set, in-process otherwise. */
export function createLimits(options: LimitsOptions): Limits {
  const clock = options.clock ?? systemClock;
  const usage = options.usage === undefined ? {} : { usage: options.usage };
  const inProcessRate = new InProcessRateLimiter({ clock });
  if (!options.redisUrl) {
    const quota = new InProcessQuotaCounter({ clock, ...usage });
    const concurrency = new InProcessConcurrencyLimiter({ clock });
    return {
      backend: 'in-process',
      rateLimiter: inProcessRate,
      authFailures: new InProcessRateLimiter({ clock }),
      quota,
      concurrency,
      admission: new ComposedAdmission({ quota, concurrency, cpu: new InProcessCpuBudget({ clock }) }),
      ready: async () => true,
      ping: async () => undefined,
      close: async () => undefined,
    };
  }
  const { keyPrefix, logger } = options;
  const redis: Redis = createRedisClient(options.redisUrl, { logger });
  const generation = new RedisCacheGeneration({ redis, keyPrefix, logger });
  const quota = new RedisQuotaCounter({ redis, keyPrefix, logger, ...usage });
  return {
    backend: 'redis',
    rateLimiter: new FallbackRateLimiter({
      primary: new RedisRateLimiter({ redis, keyPrefix }),
      fallback: inProcessRate,
      logger,
    }),
    authFailures: new FallbackRateLimiter({
      primary: new RedisRateLimiter({ redis, keyPrefix, bucket: 'authfail' }),
      fallback: new InProcessRateLimiter({ clock }),
      logger,
    }),
    quota,
    concurrency: new RedisConcurrencyLimiter({ redis, keyPrefix, logger }),
    admission: new RedisExecutionAdmission({ redis, keyPrefix, quota, logger, ...usage }),
    generation,
    ready: () => pingRedis(redis).then(() => true, () => false),
    ping: () => pingRedis(redis),
    close: () => {
      generation.close();
      return closeRedisClient(redis);
    },
  };
}
