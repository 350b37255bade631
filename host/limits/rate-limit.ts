/**
 * Rate limits on every authenticated request, per tenant, by tier
 * (docs/http-api.md "Limits on every request"): `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` on every answer; over the
 * limit, 429 `rate_limited` with `Retry-After`. Anonymous requests (public
 * listing, probes) are not counted here; they never reach a tenant's resources.
 */
import type Koa from 'koa';
import { BazaarError } from '../../manifests/errors.js';
import type { AppState } from '../foundation/app-state.js';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { RateLimiter } from './index.js';
import type { HostMetrics } from '../foundation/host-metrics.js';
import { effectiveLimits } from '../foundation/tenant-settings.js';
import type { TierTable } from '../foundation/tiers.js';

export interface RateLimitOptions {
  readonly limiter: RateLimiter;
  readonly tiers: TierTable;
  /** Receives the shared cache generation the limiter read in the same round trip (Redis). */
  readonly generation?: Pick<CacheGeneration, 'observe'>;
  readonly metrics: Pick<HostMetrics, 'limitRefused'>;
}

export function rateLimit({ limiter, tiers, generation, metrics }: RateLimitOptions): Koa.Middleware<AppState> {
  return async function rateLimit(ctx, next) {
    const tenant = ctx.state.tenant;
    if (tenant === undefined) return next();
    const limit = effectiveLimits(tenant, tiers).requestsPerMinute;
    const decision = await limiter.check(tenant.id, { limit });
    generation?.observe(decision.generation);
    ctx.set('X-RateLimit-Limit', String(decision.limit));
    ctx.set('X-RateLimit-Remaining', String(decision.remaining));
    ctx.set('X-RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      metrics.limitRefused('rate_limited');
      ctx.set('Retry-After', String(decision.retryAfterSeconds));
      throw new BazaarError('rate_limited', `Rate limit of ${decision.limit} requests per minute reached; retry in ${decision.retryAfterSeconds} s.`);
    }
    return next();
  };
}
