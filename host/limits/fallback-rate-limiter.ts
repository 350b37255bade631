/**
 * Rate limiting that survives a Redis outage: the shared limiter while it
 * answers, the in-process one while it does not. Rate limits protect capacity,
 * not money, so during an outage it is better to limit per process (a tenant
 * may get up to N × its limit across N hosts) than to refuse every request or
 * let them through unlimited. Quota and concurrency do not fall back (index.ts).
 */
import { type Logger, errorFields } from '../foundation/logger.js';
import type { RateLimitPolicy, RateLimitResult, RateLimiter } from './ports.js';

export class FallbackRateLimiter implements RateLimiter {
  readonly #primary: RateLimiter;
  readonly #fallback: RateLimiter;
  readonly #logger: Logger;
  #degraded = false;

  constructor(options: { primary: RateLimiter; fallback: RateLimiter; logger: Logger }) {
    this.#primary = options.primary;
    this.#fallback = options.fallback;
    this.#logger = options.logger;
  }

  /** `true` while checks go to the in-process fallback. */
  get degraded(): boolean {
    return this.#degraded;
  }

  async check(tenantId: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    try {
      const result = await this.#primary.check(tenantId, policy);
      if (this.#degraded) {
        this.#degraded = false;
        this.#logger.info({ component: 'rate-limiter' }, 'Shared rate limiting is back');
      }
      return result;
    } catch (err) {
      // Argument errors are bugs, not outages: do not hide them behind the fallback.
      if (err instanceof RangeError || err instanceof TypeError) throw err;
      if (!this.#degraded) {
        this.#degraded = true;
        // Logged once per outage, not per request.
        this.#logger.warn(
          { ...errorFields(err), component: 'rate-limiter' },
          'Redis is unavailable: rate limiting per process until it is back',
        );
      }
      return this.#fallback.check(tenantId, policy);
    }
  }
}
