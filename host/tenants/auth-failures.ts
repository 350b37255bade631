/**
 * Failed authentication, throttled per client address (client-address.ts):
 * every refused key (unknown, malformed, revoked, expired) from an address is
 * counted with the rate limiter's GCRA (`limits.authFailures`: in Redis when
 * `REDIS_URL` is set, so the count holds across hosts; in process otherwise),
 * and past `BAZAAR_AUTH_FAILURES_PER_MINUTE` the refusal is 429 `rate_limited`
 * with `Retry-After` instead of 401.
 *
 * Only failures are counted and throttled: a valid key is checked first and
 * never counted, so the owner of a key keeps working from an address where
 * someone else is guessing (the same office, the same proxy). Guessing gains
 * nothing from that: a key is 128 random bits.
 */
import { BazaarError, isBazaarError } from '../../manifests/errors.js';
import type { AppCtx } from '../foundation/app-state.js';
import type { RateLimiter, Limits } from '../limits/index.js';
import type { HostMetrics } from '../foundation/host-metrics.js';
import { clientAddress, TrustedProxies } from '../foundation/client-address.js';
import type { Config } from '../foundation/config.js';

export interface AuthFailureOptions {
  readonly limiter: RateLimiter;
  readonly perMinute: number;
  readonly trustedProxies: readonly string[];
  readonly metrics?: Pick<HostMetrics, 'limitRefused'>;
}

export class AuthFailureThrottle {
  readonly #limiter: RateLimiter;
  readonly #perMinute: number;
  readonly #trusted: TrustedProxies;
  readonly #metrics: Pick<HostMetrics, 'limitRefused'> | undefined;

  constructor(options: AuthFailureOptions) {
    this.#limiter = options.limiter;
    this.#perMinute = options.perMinute;
    this.#trusted = new TrustedProxies(options.trustedProxies);
    this.#metrics = options.metrics;
  }

  /**
   * Count `failure` (a 401) against the request's client and throw it, or,
   * past the threshold, throw 429 `rate_limited` with `Retry-After` set.
   */
  async refuse(ctx: AppCtx, failure: BazaarError): Promise<never> {
    const decision = await this.#limiter.check(clientAddress(ctx.req, this.#trusted), { limit: this.#perMinute });
    if (decision.allowed) throw failure;
    this.#metrics?.limitRefused('auth_failures');
    ctx.set('Retry-After', String(decision.retryAfterSeconds));
    throw new BazaarError('rate_limited', `Too many failed authentications from this address; retry in ${decision.retryAfterSeconds} s.`);
  }

  /** Run `authenticate`; a 401 it throws is counted (and may become a 429), anything else passes through. */
  async guard<T>(ctx: AppCtx, authenticate: () => Promise<T>): Promise<T> {
    try {
      return await authenticate();
    } catch (err) {
      if (isBazaarError(err) && err.code === 'unauthorized') return this.refuse(ctx, err);
      throw err;
    }
  }
}

/** The host's throttle, on its limits and settings. */
export function authFailureThrottle(deps: { readonly limits: Limits; readonly config: Config; readonly metrics: HostMetrics }): AuthFailureThrottle {
  return new AuthFailureThrottle({
    limiter: deps.limits.authFailures,
    perMinute: deps.config.edge.authFailuresPerMinute,
    trustedProxies: deps.config.edge.trustedProxies,
    metrics: deps.metrics,
  });
}
