/**
 * GCRA (generic cell rate algorithm): the rate-limit arithmetic. The in-process
 * limiter calls `gcraStep`; the Redis limiter runs the same steps in Lua
 * (redis-rate-limiter.ts), so the two behave alike.
 *
 * Why GCRA: one number of state per tenant (the "theoretical arrival time",
 * TAT), a sliding window without the double burst of fixed windows, and
 * exact integer arithmetic. All times are integer microseconds.
 *
 * With `limit` requests per `window`, each request costs `interval =
 * ceil(window / limit)` (rounded up, so the rate never exceeds the limit) and
 * the bucket holds `capacity = interval × limit`. A request is allowed when,
 * after adding its cost, the TAT is at most `capacity` ahead of now; so a full
 * bucket allows exactly `limit` requests at once and then one per `interval`.
 */
import { assertInteger } from './limit-keys.js';
import type { RateLimitPolicy, RateLimitResult } from './ports.js';

/**
 * Default window: requests per minute
 * (docs/http-api.md "Limits on every request"; the figures per tier:
 * docs/product.md "Tiers").
 */
export const DEFAULT_WINDOW_MS = 60_000;

/** The outcome of one step, in microseconds, as the Lua script also answers it. */
export interface GcraOutcome {
  readonly allowed: boolean;
  /** The TAT to store (unchanged when refused). */
  readonly tat: number;
  readonly remaining: number;
  /** Until the bucket is full again. */
  readonly resetUs: number;
  /** Until a request would be allowed (0 when allowed). */
  readonly retryUs: number;
}

/** Validate a policy and fill its default window. */
export function normalisePolicy(policy: RateLimitPolicy): { limit: number; windowMs: number } {
  const windowMs = policy.windowMs ?? DEFAULT_WINDOW_MS;
  assertInteger('limit', policy.limit, 1);
  assertInteger('windowMs', windowMs, 1);
  return { limit: policy.limit, windowMs };
}

/** One request at `nowUs` against a stored TAT (0 when none). */
export function gcraStep(storedTat: number, nowUs: number, limit: number, windowUs: number): GcraOutcome {
  const interval = Math.ceil(windowUs / limit);
  const capacity = interval * limit;
  const tat = Math.max(storedTat, nowUs);
  const newTat = tat + interval;
  if (newTat - nowUs > capacity) {
    return { allowed: false, tat, remaining: 0, resetUs: tat - nowUs, retryUs: newTat - nowUs - capacity };
  }
  const remaining = Math.floor((capacity - (newTat - nowUs)) / interval);
  return { allowed: true, tat: newTat, remaining, resetUs: newTat - nowUs, retryUs: 0 };
}

/** Microseconds → the contract's whole seconds, rounded up so a client never retries too early. */
export function toRateLimitResult(limit: number, outcome: Omit<GcraOutcome, 'tat'>): RateLimitResult {
  return {
    allowed: outcome.allowed,
    limit,
    remaining: outcome.remaining,
    resetSeconds: Math.ceil(outcome.resetUs / 1e6),
    retryAfterSeconds: outcome.allowed ? 0 : Math.max(1, Math.ceil(outcome.retryUs / 1e6)),
  };
}
