/**
 * When a failed webhook delivery is tried again: exponential backoff without
 * jitter. After failed attempt n (1-based) the next one waits
 * `min(backoffBaseMs * 2^(n-1), backoffMaxMs)`; after `maxAttempts` attempts
 * the delivery is given up (`failed`).
 *
 * With the defaults (30 s base, 3 h cap, 17 attempts) the waits are
 * 30 s, 1, 2, 4, 8, 16, 32, 64, 128 min, then 3 h seven times: the last
 * attempt happens about 25 h 16 min after the first, past the contract's
 * "at least 24 h" (config.ts refuses a schedule shorter than that).
 *
 * No jitter, on purpose: deliveries are spread by their own creation times
 * already, the dispatcher sends a bounded batch per poll, and a deterministic
 * schedule is one a receiver (and a test driving the clock) can predict.
 */
/** The retry part of the webhook settings (config.ts `WebhookConfig`). */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** The wait after failed attempt `attempt` (1-based), or `null` when it was the last one. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number | null {
  if (attempt >= policy.maxAttempts) return null;
  // 2^(n-1) overflows nothing that matters: the cap applies long before.
  return Math.min(policy.backoffBaseMs * 2 ** Math.min(attempt - 1, 40), policy.backoffMaxMs);
}

/** From the first attempt to the last, if every attempt fails. */
export function retrySpanMs(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += retryDelayMs(policy, attempt) ?? 0;
  return total;
}
