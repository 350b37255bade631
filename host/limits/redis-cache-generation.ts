/**
 * The cache generation shared through Redis (host/foundation/cache-generation.ts).
 * Read for free: the rate-limit script returns it on every authenticated
 * request, and the rate-limit middleware hands it to `observe()`. Bumped with
 * one small script after every write to a cached table.
 */
import type { Redis } from 'ioredis';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import { errorFields, type Logger } from '../foundation/logger.js';

/**
 * KEYS[1] the generation. A missing key (a new or emptied Redis) starts from
 * the server's time in microseconds rather than 0, so a counter that Redis
 * lost never comes back to a value some process still holds.
 */
const BUMP_LUA = `
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2])))
end
return redis.call('INCR', KEYS[1])
`;

interface BumpCommands {
  bazaarBumpGeneration(key: string): Promise<number>;
}

/** The Redis key of the generation under `keyPrefix` (the rate-limit script reads it too). */
export function generationKey(keyPrefix: string): string {
  return `${keyPrefix}cache-generation`;
}

export class RedisCacheGeneration implements CacheGeneration {
  readonly #redis: Redis & BumpCommands;
  readonly #key: string;
  readonly #logger: Logger;
  /** The shared value last seen; `null` until the first read and while Redis is unreachable. */
  #shared: string | null = null;
  /** What entries are tagged with: moves on every change seen and every local bump. */
  #tag = 0;
  #retry: NodeJS.Timeout | undefined;

  constructor(options: { redis: Redis; keyPrefix: string; logger: Logger }) {
    options.redis.defineCommand('bazaarBumpGeneration', { lua: BUMP_LUA, numberOfKeys: 1 });
    this.#redis = options.redis as Redis & BumpCommands;
    this.#key = generationKey(options.keyPrefix);
    this.#logger = options.logger;
  }

  current(): number | null {
    return this.#shared === null ? null : this.#tag;
  }

  observe(shared: string | null | undefined): void {
    const value = shared ?? null;
    // Any change (including back from "unknown": bumps may have been missed) empties the caches.
    if (value !== this.#shared) this.#tag++;
    this.#shared = value;
  }

  async bump(): Promise<void> {
    this.#tag++; // this process at once, before the round trip
    try {
      await this.#redis.bazaarBumpGeneration(this.#key);
    } catch (err) {
      // The write is committed; other processes learn of it when a retry lands (or by the caches' maximum age).
      this.#logger.warn({ ...errorFields(err), component: 'cache' }, 'could not publish a cache invalidation; retrying');
      this.#scheduleRetry();
    }
  }

  /** Stop retrying (shutdown). */
  close(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #scheduleRetry(delayMs = 200): void {
    if (this.#retry !== undefined) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#redis.bazaarBumpGeneration(this.#key).then(
        () => this.#logger.info({ component: 'cache' }, 'cache invalidation published'),
        () => this.#scheduleRetry(Math.min(delayMs * 2, 5_000)),
      );
    }, delayMs);
    this.#retry.unref();
  }
}
