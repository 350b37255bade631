/**
 * `ExecutionAdmission` on Redis: the quota reservation (redis-quota-counter.ts)
 * and the concurrency lease (redis-concurrency-limiter.ts) of one execution
 * in ONE script, so the execute path makes one round trip for both instead
 * of two, and a refused lease never counts against the quota even for a
 * moment. The script is the two scripts back to back, line for line, except
 * that the quota is only incremented once the lease is granted.
 *
 * The script touches two keys (the tenant's counter and lease set): on Redis
 * Cluster they would need one hash slot, as the rate-limit script's two keys
 * would (limits/index.ts).
 */
import type { Redis } from 'ioredis';
import { newLeaseToken } from './lease-token.js';
import { assertInteger, leaseKey, periodExpiresAtMs, quotaKey, tenantDigest } from './limit-keys.js';
import type { Admission, AdmissionRequest, ExecutionAdmission, QuotaCounter, UsageSource } from './ports.js';
import { reservation } from './quota-reservation.js';
import { redisUnavailable } from './redis-client.js';

/**
 * KEYS[1]  the tenant's quota counter in the period
 * KEYS[2]  the tenant's lease set: member = token, score = expiry in ms (server time)
 * ARGV[1]  included executions, or -1 for unlimited
 * ARGV[2]  '1' if the tier refuses executions over `included` (hard limit)
 * ARGV[3]  unix seconds at which the counter expires
 * ARGV[4]  '1' if an absent counter must be seeded by the caller first
 * ARGV[5]  the new lease's token
 * ARGV[6]  max leases at once
 * ARGV[7]  lease length in ms
 * Answers  {status, used, active}: 1 admitted (reserved and leased), 0 refused
 *          by the hard quota, 2 refused by the concurrency cap (nothing
 *          counted), -1 counter absent (seed, then retry)
 */
const ADMIT_LUA = `
local raw = redis.call('GET', KEYS[1])
if not raw then
  if ARGV[4] == '1' then return {-1, 0, 0} end
  raw = '0'
end
local used = tonumber(raw)
local included = tonumber(ARGV[1])
if ARGV[2] == '1' and included >= 0 and used >= included then
  return {0, used, 0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)   -- expired: their holder is gone
local active = redis.call('ZCARD', KEYS[2])
if active >= tonumber(ARGV[6]) then
  return {2, used, active}
end
used = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), ARGV[5])
-- The set lives as long as its longest lease, so an idle tenant leaves nothing behind.
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], string.format('%.0f', tonumber(last[2])))
return {1, used, active + 1}
`;

type Reply = [status: number, used: number, active: number];

interface AdmitCommands {
  bazaarAdmit(
    quotaKey: string,
    leaseKey: string,
    included: number,
    hard: string,
    expireAt: number,
    mustSeed: string,
    token: string,
    max: number,
    leaseMs: number,
  ): Promise<Reply>;
}

export class RedisExecutionAdmission implements ExecutionAdmission {
  readonly #redis: Redis & AdmitCommands;
  readonly #keyPrefix: string;
  readonly #usage: UsageSource | undefined;
  /** Seeds an absent counter (SET NX), exactly as a reservation would. */
  readonly #quota: Pick<QuotaCounter, 'seed'>;

  constructor(options: { redis: Redis; keyPrefix: string; quota: Pick<QuotaCounter, 'seed'>; usage?: UsageSource }) {
    options.redis.defineCommand('bazaarAdmit', { lua: ADMIT_LUA, numberOfKeys: 2 });
    this.#redis = options.redis as Redis & AdmitCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#usage = options.usage;
    this.#quota = options.quota;
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const { tenantId, period, quota } = request;
    if (quota.included !== null) assertInteger('included', quota.included, 0);
    assertInteger('max', request.maxConcurrent, 0);
    assertInteger('leaseMs', request.leaseMs, 1);
    const expireAt = Math.ceil(periodExpiresAtMs(period) / 1000);
    const counter = quotaKey(this.#keyPrefix, tenantId, period);
    const leases = leaseKey(this.#keyPrefix, tenantDigest(tenantId));
    const token = newLeaseToken(tenantId);
    const hard = quota.hardLimit ? '1' : '0';
    const attempt = async (mustSeed: boolean): Promise<Reply> => {
      try {
        return await this.#redis.bazaarAdmit(counter, leases, quota.included ?? -1, hard, expireAt, mustSeed ? '1' : '0', token, request.maxConcurrent, request.leaseMs);
      } catch (err) {
        throw redisUnavailable(err);
      }
    };
    // As seedThenRetry (quota-reservation.ts): an absent counter is rebuilt from the usage records once.
    let reply = await attempt(this.#usage !== undefined);
    if (reply[0] === -1 && this.#usage !== undefined) {
      await this.#quota.seed(tenantId, period, await this.#usage.executionsIn(tenantId, period));
      reply = await attempt(false);
    }
    const [status, used, active] = reply;
    if (status === 1) return { admitted: true, reservation: reservation(true, used, quota.included), token };
    if (status === 2) return { admitted: false, refusal: 'concurrency_limited', active };
    return { admitted: false, refusal: 'quota_exceeded', reservation: reservation(false, used, quota.included) };
  }
}
