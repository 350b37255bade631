/**
 * The rate limiter shared by every host process: one Lua script per check,
 * atomic on the Redis server, timed by the server's clock (`TIME`) so the
 * hosts' clocks never matter. The Lua is line for line `gcraStep` (gcra.ts).
 */
import type { Redis } from 'ioredis';
import { normalisePolicy, toRateLimitResult } from './gcra.js';
import { tenantDigest } from './limit-keys.js';
import type { RateLimitPolicy, RateLimitResult, RateLimiter } from './ports.js';
import { redisUnavailable } from './redis-client.js';
import { generationKey } from './redis-cache-generation.js';

/**
 * KEYS[1]  the tenant's TAT (theoretical arrival time), integer microseconds of server time
 * KEYS[2]  the cache generation (foundation/cache-generation.ts): read here because this
 *          script runs on every authenticated request anyway, so it costs no round trip
 * ARGV[1]  limit: requests per window
 * ARGV[2]  window in microseconds
 * Answers  {allowed (1/0), remaining, resetUs, retryUs, generation}
 */
const GCRA_LUA = `
local limit = tonumber(ARGV[1])
local interval = math.ceil(tonumber(ARGV[2]) / limit)  -- cost of one request
local capacity = interval * limit                      -- a full bucket: limit requests
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local gen = redis.call('GET', KEYS[2]) or '0'
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end                        -- an idle tenant has a full bucket
local newTat = tat + interval
if newTat - now > capacity then
  return {0, 0, tat - now, newTat - now - capacity, gen}
end
-- '%.0f' keeps all 16 digits (tostring would print 1.7e+15); the key expires once the bucket is full.
redis.call('SET', KEYS[1], string.format('%.0f', newTat), 'PX', math.ceil((newTat - now) / 1000))
return {1, math.floor((capacity - (newTat - now)) / interval), newTat - now, 0, gen}
`;

type GcraReply = [number, number, number, number, string];

interface GcraCommands {
  bazaarGcra(key: string, generationKey: string, limit: number, windowUs: number): Promise<GcraReply>;
}

export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis & GcraCommands;
  readonly #keyPrefix: string;
  readonly #generationKey: string;
  readonly #bucket: string;

  /** `bucket` names what is counted (`rate`: tenants' requests; `authfail`: failed authentications per address). */
  constructor(options: { redis: Redis; keyPrefix: string; bucket?: string }) {
    // defineCommand sends EVALSHA and falls back to EVAL after NOSCRIPT (e.g. a restarted server).
    options.redis.defineCommand('bazaarGcra', { lua: GCRA_LUA, numberOfKeys: 2 });
    this.#redis = options.redis as Redis & GcraCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#bucket = options.bucket ?? 'rate';
    this.#generationKey = generationKey(options.keyPrefix);
  }

  /** Throws `dependency_unavailable` when Redis does not answer (the fallback limiter catches it). */
  async check(tenantId: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    const { limit, windowMs } = normalisePolicy(policy);
    const key = `${this.#keyPrefix}${this.#bucket}:${tenantDigest(tenantId)}`;
    let reply: GcraReply;
    try {
      reply = await this.#redis.bazaarGcra(key, this.#generationKey, limit, windowMs * 1000);
    } catch (err) {
      throw redisUnavailable(err);
    }
    const [allowed, remaining, resetUs, retryUs, generation] = reply;
    return { ...toRateLimitResult(limit, { allowed: allowed === 1, remaining, resetUs, retryUs }), generation };
  }
}
