/**
 * The per-tenant concurrency cap shared by every host process: a sorted set
 * of lease tokens scored by their expiry (server time, ms). Every acquire
 * first drops expired leases inside the script, so a host killed mid-execution
 * (SIGKILL, OOM kill, lost machine) gives its slots back after `leaseMs`
 * without anyone releasing them.
 */
import type { Redis } from 'ioredis';
import { type Logger, errorFields } from '../foundation/logger.js';
import { assertInteger, leaseKey, tenantDigest } from './limit-keys.js';
import { leaseTokenTenant, newLeaseToken } from './lease-token.js';
import type { ConcurrencyLimiter, LeaseResult } from './ports.js';
import { redisUnavailable } from './redis-client.js';

/**
 * KEYS[1]  the tenant's lease set: member = token, score = expiry in ms (server time)
 * ARGV[1]  the new lease's token
 * ARGV[2]  max leases at once
 * ARGV[3]  lease length in ms
 * Answers  {acquired (1/0), active leases including the new one}
 */
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)   -- expired: their holder is gone
local active = redis.call('ZCARD', KEYS[1])
if active >= tonumber(ARGV[2]) then
  return {0, active}
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
-- The set lives as long as its longest lease, so an idle tenant leaves nothing behind.
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], string.format('%.0f', tonumber(last[2])))
return {1, active + 1}
`;

type Reply = [number, number];

interface ConcurrencyCommands {
  bazaarLeaseAcquire(key: string, token: string, max: number, leaseMs: number): Promise<Reply>;
}

export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  readonly #redis: Redis & ConcurrencyCommands;
  readonly #keyPrefix: string;
  readonly #logger: Logger;

  constructor(options: { redis: Redis; keyPrefix: string; logger: Logger }) {
    options.redis.defineCommand('bazaarLeaseAcquire', { lua: ACQUIRE_LUA, numberOfKeys: 1 });
    this.#redis = options.redis as Redis & ConcurrencyCommands;
    this.#keyPrefix = options.keyPrefix;
    this.#logger = options.logger;
  }

  /** Throws `dependency_unavailable` when Redis does not answer: nothing may run uncapped. */
  async acquire(tenantId: string, max: number, leaseMs: number): Promise<LeaseResult> {
    assertInteger('max', max, 0);
    assertInteger('leaseMs', leaseMs, 1);
    const token = newLeaseToken(tenantId);
    let reply: Reply;
    try {
      reply = await this.#redis.bazaarLeaseAcquire(this.#key(tenantDigest(tenantId)), token, max, leaseMs);
    } catch (err) {
      throw redisUnavailable(err);
    }
    const [acquired, active] = reply;
    return acquired === 1 ? { acquired: true, token, active } : { acquired: false, active };
  }

  async release(token: string): Promise<boolean> {
    const digest = leaseTokenTenant(token);
    if (digest === null) return false;
    try {
      return (await this.#redis.zrem(this.#key(digest), token)) === 1;
    } catch (err) {
      // The lease expires by itself; failing the finished execution's response would help nobody.
      this.#logger.warn({ ...errorFields(err), component: 'concurrency' }, 'Could not release a lease; it will expire');
      return false;
    }
  }

  #key(digest: string): string {
    return leaseKey(this.#keyPrefix, digest);
  }
}
