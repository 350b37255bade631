/**
 * `ExecutionAdmission` on Redis: the CPU budget check (cpu-budget.ts), the
 * quota reservation (redis-quota-counter.ts) and the concurrency lease
 * (redis-concurrency-limiter.ts) of one execution in ONE script, so the
 * execute path makes one round trip for all three, and a refused lease never
 * counts against the quota even for a moment. The quota and lease parts are
 * the two scripts back to back, line for line, except that the quota is only
 * incremented once the lease is granted. When the execution ends, a second
 * script gives the lease back and charges the CPU it used, in one trip too.
 *
 * The script touches three keys (the tenant's counter, lease set and CPU
 * budget): on Redis Cluster they would need one hash slot, as the rate-limit script's two keys
 * would (limits/index.ts).
 */
import type { Redis } from 'ioredis';
import { errorFields, type Logger } from '../foundation/logger.js';
import { CPU_BUDGET_WINDOW_MS } from './cpu-budget.js';
import { leaseTokenTenant, newLeaseToken } from './lease-token.js';
import { assertInteger, cpuBudgetKey, leaseKey, periodExpiresAtMs, quotaKey, tenantDigest } from './limit-keys.js';
import type { Admission, AdmissionRequest, CpuCharge, ExecutionAdmission, QuotaCounter, UsageSource } from './ports.js';
import { reservation } from './quota-reservation.js';
import { redisUnavailable } from './redis-client.js';

/**
 * KEYS[1]  the tenant's quota counter in the period
 * KEYS[2]  the tenant's lease set: member = token, score = expiry in ms (server time)
 * KEYS[3]  the tenant's CPU budget: the time (ms) its bucket is empty again (cpu-budget.ts)
 * ARGV[1]  included executions, or -1 for unlimited
 * ARGV[2]  '1' if the tier refuses executions over `included` (hard limit)
 * ARGV[3]  unix seconds at which the counter expires
 * ARGV[4]  '1' if an absent counter must be seeded by the caller first
 * ARGV[5]  the new lease's token
 * ARGV[6]  max leases at once
 * ARGV[7]  lease length in ms
 * ARGV[8]  CPU budget in ms per minute, or -1 for none
 * Answers  {status, used, active, cpuRemainingMs, retryAfterMs}: 1 admitted
 *          (reserved and leased), 0 refused by the hard quota, 2 refused by
 *          the concurrency cap, 3 refused by the spent CPU budget (nothing
 *          counted in 0, 2 and 3), -1 counter absent (seed, then retry)
 */
const ADMIT_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local budget = tonumber(ARGV[8])
local cpuLeft = -1
if budget > 0 then
  local cost = ${CPU_BUDGET_WINDOW_MS} / budget
  local debt = math.max(0, tonumber(redis.call('GET', KEYS[3]) or '0') - now)
  cpuLeft = math.max(0, math.floor((${CPU_BUDGET_WINDOW_MS} - debt) / cost))
  if cpuLeft == 0 then
    return {3, 0, 0, 0, math.ceil(debt - ${CPU_BUDGET_WINDOW_MS} + cost)}
  end
end
local raw = redis.call('GET', KEYS[1])
if not raw then
  if ARGV[4] == '1' then return {-1, 0, 0, cpuLeft, 0} end
  raw = '0'
end
local used = tonumber(raw)
local included = tonumber(ARGV[1])
if ARGV[2] == '1' and included >= 0 and used >= included then
  return {0, used, 0, cpuLeft, 0}
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)   -- expired: their holder is gone
local active = redis.call('ZCARD', KEYS[2])
if active >= tonumber(ARGV[6]) then
  return {2, used, active, cpuLeft, 0}
end
used = redis.call('INCR', KEYS[1])
redis.call('EXPIREAT', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[7]), ARGV[5])
-- The set lives as long as its longest lease, so an idle tenant leaves nothing behind.
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[2], string.format('%.0f', tonumber(last[2])))
return {1, used, active + 1, cpuLeft, 0}
`;

/**
 * KEYS[1]  the tenant's lease set
 * KEYS[2]  the tenant's CPU budget key
 * ARGV[1]  the lease's token
 * ARGV[2]  CPU budget in ms per minute, or -1 for none
 * ARGV[3]  CPU ms the execution used
 */
const FINISH_LUA = `
redis.call('ZREM', KEYS[1], ARGV[1])
local budget = tonumber(ARGV[2])
local cpu = tonumber(ARGV[3])
if budget > 0 and cpu > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local drainAt = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now) + cpu * ${CPU_BUDGET_WINDOW_MS} / budget
  redis.call('SET', KEYS[2], string.format('%.3f', drainAt), 'PXAT', math.ceil(drainAt))
end
return 1
`;

type Reply = [status: number, used: number, active: number, cpuRemainingMs: number, retryAfterMs: number];

interface AdmitCommands {
  bazaarAdmit(
    quotaKey: string,
    leaseKey: string,
    cpuKey: string,
    included: number,
    hard: string,
    expireAt: number,
    mustSeed: string,
    token: string,
    max: number,
    leaseMs: number,
    cpuBudgetMs: number,
  ): Promise<Reply>;
  bazaarFinish(leaseKey: string, cpuKey: string, token: string, cpuBudgetMs: number, cpuMs: number): Promise<number>;
}

export class RedisExecutionAdmission implements ExecutionAdmission {
  readonly #redis: Redis & AdmitCommands;
  readonly #keyPrefix: string;
  readonly #logger: Logger;
  readonly #usage: UsageSource | undefined;
  /** Seeds an absent counter (SET NX), exactly as a reservation would. */
  readonly #quota: Pick<QuotaCounter, 'seed'>;

  constructor(options: { redis: Redis; keyPrefix: string; logger: Logger; quota: Pick<QuotaCounter, 'seed'>; usage?: UsageSource }) {
    options.redis.defineCommand('bazaarAdmit', { lua: ADMIT_LUA, numberOfKeys: 3 });
    options.redis.defineCommand('bazaarFinish', { lua: FINISH_LUA, numberOfKeys: 2 });
    this.#redis = options.redis as Redis & AdmitCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#logger = options.logger;
    this.#usage = options.usage;
    this.#quota = options.quota;
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const { tenantId, period, quota } = request;
    if (quota.included !== null) assertInteger('included', quota.included, 0);
    assertInteger('max', request.maxConcurrent, 0);
    assertInteger('leaseMs', request.leaseMs, 1);
    const budgetMs = request.cpuBudgetMs ?? null;
    if (budgetMs !== null) assertInteger('cpuBudgetMs', budgetMs, 1);
    const expireAt = Math.ceil(periodExpiresAtMs(period) / 1000);
    const digest = tenantDigest(tenantId);
    const counter = quotaKey(this.#keyPrefix, tenantId, period);
    const leases = leaseKey(this.#keyPrefix, digest);
    const cpu = cpuBudgetKey(this.#keyPrefix, digest);
    const token = newLeaseToken(tenantId);
    const hard = quota.hardLimit ? '1' : '0';
    const attempt = async (mustSeed: boolean): Promise<Reply> => {
      try {
        return await this.#redis.bazaarAdmit(counter, leases, cpu, quota.included ?? -1, hard, expireAt, mustSeed ? '1' : '0', token, request.maxConcurrent, request.leaseMs, budgetMs ?? -1);
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
    const [status, used, active, cpuRemainingMs, retryAfterMs] = reply;
    const cpuBudget = budgetMs === null ? null : { limitMs: budgetMs, remainingMs: cpuRemainingMs };
    if (status === 1) return { admitted: true, reservation: reservation(true, used, quota.included), token, cpuBudget };
    if (status === 2) return { admitted: false, refusal: 'concurrency_limited', active };
    if (status === 3 && cpuBudget !== null) {
      return { admitted: false, refusal: 'cpu_budget_spent', cpuBudget, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
    }
    return { admitted: false, refusal: 'quota_exceeded', reservation: reservation(false, used, quota.included) };
  }

  async finish(token: string, charge: CpuCharge): Promise<void> {
    const digest = leaseTokenTenant(token);
    if (digest === null) return;
    try {
      const cpuMs = charge.cpuBudgetMs === null ? 0 : Math.max(0, charge.cpuMs);
      await this.#redis.bazaarFinish(leaseKey(this.#keyPrefix, digest), cpuBudgetKey(this.#keyPrefix, digest), token, charge.cpuBudgetMs ?? -1, cpuMs);
    } catch (err) {
      // The lease expires by itself; failing the finished execution's response would help nobody.
      this.#logger.warn({ ...errorFields(err), component: 'admission' }, 'Could not release a lease or charge CPU; the lease will expire');
    }
  }
}
