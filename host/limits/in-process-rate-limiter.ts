/**
 * The rate limiter of the embedded default (no `REDIS_URL`), and the fallback
 * of the Redis one while Redis is unreachable. Limits are per process.
 */
import type { Clock } from '../foundation/clock.js';
import { gcraStep, normalisePolicy, toRateLimitResult } from './gcra.js';
import type { RateLimitPolicy, RateLimitResult, RateLimiter } from './ports.js';

/** Sweep idle tenants every this many checks, so the map does not grow with every tenant ever seen. */
const SWEEP_EVERY = 1_000;

export class InProcessRateLimiter implements RateLimiter {
  readonly #clock: Clock;
  /** Tenant id → TAT in microseconds. A Map key is any string, so hostile ids cannot collide. */
  readonly #tats = new Map<string, number>();
  #checks = 0;

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  async check(tenantId: string, policy: RateLimitPolicy): Promise<RateLimitResult> {
    const { limit, windowMs } = normalisePolicy(policy);
    const nowUs = this.#clock.now().getTime() * 1000;
    const outcome = gcraStep(this.#tats.get(tenantId) ?? 0, nowUs, limit, windowMs * 1000);
    if (outcome.allowed) this.#tats.set(tenantId, outcome.tat);
    if (++this.#checks % SWEEP_EVERY === 0) this.#sweep(nowUs);
    return toRateLimitResult(limit, outcome);
  }

  /** A TAT in the past means a full bucket: the same as no entry. */
  #sweep(nowUs: number): void {
    for (const [tenantId, tat] of this.#tats) if (tat <= nowUs) this.#tats.delete(tenantId);
  }
}
