/**
 * The monthly execution counter shared by every host process. A reservation
 * is one Lua script (read, decide, increment in one atomic step), so however
 * many processes reserve at once against a quota of N, exactly N succeed.
 *
 * One key per tenant and period, expiring some days after the period
 * (`PERIOD_GRACE_MS`). If Redis loses it, it is rebuilt from the durable usage
 * records with `seed` (SET NX: a counter that exists is never overwritten).
 */
import type { Redis } from 'ioredis';
import { type Logger, errorFields } from '../foundation/logger.js';
import { assertInteger, periodExpiresAtMs, quotaKey } from './limit-keys.js';
import type { QuotaCounter, QuotaPolicy, QuotaReservation, UsageSource } from './ports.js';
import { reservation, seedThenRetry } from './quota-reservation.js';
import { redisUnavailable } from './redis-client.js';

/**
 * KEYS[1]  the counter of one tenant in one period
 * ARGV[1]  included executions, or -1 for unlimited
 * ARGV[2]  '1' if the tier refuses executions over `included` (hard limit)
 * ARGV[3]  unix seconds at which the counter expires
 * ARGV[4]  '1' if an absent counter must be seeded by the caller first
 * Answers  {status, used}: 1 reserved, 0 refused by the hard limit, -1 absent (seed, then retry)
 */
const RESERVE_LUA = `
local raw = redis.call('GET', KEYS[1])
if not raw then
  if ARGV[4] == '1' then return {-1, 0} end
  raw = '0'
end
local used = tonumber(raw)
local included = tonumber(ARGV[1])
if ARGV[2] == '1' and included >= 0 and used >= included then
  return {0, used}
end
used = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return {1, used}
`;

/**
 * KEYS[1]  the counter of one tenant in one period
 * Answers  {given back (1/0), used}; never goes below 0 and never creates the key.
 */
const RELEASE_LUA = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used <= 0 then return {0, used} end
return {1, redis.call('DECR', KEYS[1])}
`;

type Reply = [number, number];

interface QuotaCommands {
  bazaarQuotaReserve(key: string, included: number, hard: string, expireAt: number, mustSeed: string): Promise<Reply>;
  bazaarQuotaRelease(key: string): Promise<Reply>;
}

export class RedisQuotaCounter implements QuotaCounter {
  readonly #redis: Redis & QuotaCommands;
  readonly #keyPrefix: string;
  readonly #usage: UsageSource | undefined;
  readonly #logger: Logger;

  constructor(options: { redis: Redis; keyPrefix: string; logger: Logger; usage?: UsageSource }) {
    options.redis.defineCommand('bazaarQuotaReserve', { lua: RESERVE_LUA, numberOfKeys: 1 });
    options.redis.defineCommand('bazaarQuotaRelease', { lua: RELEASE_LUA, numberOfKeys: 1 });
    this.#redis = options.redis as Redis & QuotaCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#usage = options.usage;
    this.#logger = options.logger;
  }

  /** Throws `dependency_unavailable` when Redis does not answer: nothing may run unmetered. */
  async reserve(tenantId: string, period: string, policy: QuotaPolicy): Promise<QuotaReservation> {
    const expireAt = Math.ceil(periodExpiresAtMs(period) / 1000);
    if (policy.included !== null) assertInteger('included', policy.included, 0);
    const key = this.#key(tenantId, period);
    const attempt = async (mustSeed: boolean): Promise<Reply> => {
      const hard = policy.hardLimit ? '1' : '0';
      return this.#call(() => this.#redis.bazaarQuotaReserve(key, policy.included ?? -1, hard, expireAt, mustSeed ? '1' : '0'));
    };
    const seed = (used: number) => this.seed(tenantId, period, used);
    const [status, used] = await seedThenRetry({ attempt, usage: this.#usage, tenantId, period, seed });
    return reservation(status === 1, used, policy.included);
  }

  /** Never throws: with Redis down the refund is logged and lost (one execution over-counted, never one free). */
  async release(tenantId: string, period: string): Promise<boolean> {
    const key = this.#key(tenantId, period);
    try {
      const [released] = await this.#redis.bazaarQuotaRelease(key);
      return released === 1;
    } catch (err) {
      this.#logger.warn({ ...errorFields(err), component: 'quota' }, 'Could not give back a quota reservation');
      return false;
    }
  }

  /** SET NX EXAT is one atomic command: the counter is written only if no process has one yet. */
  async seed(tenantId: string, period: string, used: number): Promise<boolean> {
    assertInteger('used', used, 0);
    const expireAt = Math.ceil(periodExpiresAtMs(period) / 1000);
    const key = this.#key(tenantId, period);
    const reply = await this.#call(() => this.#redis.call('SET', key, String(used), 'EXAT', String(expireAt), 'NX'));
    return reply === 'OK';
  }

  async used(tenantId: string, period: string): Promise<number> {
    const key = this.#key(tenantId, period);
    const raw = await this.#call(() => this.#redis.get(key));
    return raw === null ? 0 : Number(raw);
  }

  #key(tenantId: string, period: string): string {
    return quotaKey(this.#keyPrefix, tenantId, period);
  }

  async #call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (err) {
      throw redisUnavailable(err);
    }
  }
}
