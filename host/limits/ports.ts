import type { CpuBudgetState } from './cpu-budget.js';

/**
 * The ports of the execution path's shared counters: rate limit, monthly
 * quota and concurrency cap. Each has two implementations with the same
 * behaviour: Redis (many host processes, exact across them) and in-process
 * (the embedded default). Middleware and services depend on these interfaces
 * only; `createLimits` (index.ts) picks the implementation.
 */

/** The rate limit applied to one tenant: the tier's value or the tenant's override. */
export interface RateLimitPolicy {
  /** Requests allowed per window (`requestsPerMinute`); a positive integer. */
  readonly limit: number;
  /** Window length; default one minute. Small windows make tests fast. */
  readonly windowMs?: number;
}

/** One rate-limit decision, with what the HTTP contract's headers need. */
export interface RateLimitResult {
  readonly allowed: boolean;
  /** `X-RateLimit-Limit`. */
  readonly limit: number;
  /** `X-RateLimit-Remaining`: requests still allowed right now, after this one. */
  readonly remaining: number;
  /** `X-RateLimit-Reset`: whole seconds until the full limit is available again. */
  readonly resetSeconds: number;
  /** `Retry-After` when refused (at least 1); 0 when allowed. */
  readonly retryAfterSeconds: number;
  /** The shared cache generation, read in the same round trip (Redis only; absent in process or in fallback). */
  readonly generation?: string;
}

/** Per-tenant request rate limiting (GCRA: a smooth sliding window, no burst at window edges). */
export interface RateLimiter {
  /** Count one request of `tenantId` and say whether it may proceed. */
  check(tenantId: string, policy: RateLimitPolicy): Promise<RateLimitResult>;
}

/** A tenant's monthly execution allowance. */
export interface QuotaPolicy {
  /** Executions included per period; `null` = unlimited (enterprise). */
  readonly included: number | null;
  /** Hard-limited tiers (free) refuse once `included` is used; the others count overage. */
  readonly hardLimit: boolean;
}

/** The answer to one reservation. */
export interface QuotaReservation {
  /** `false` only on a hard-limited tier with the quota used up: answer 402 `quota_exceeded`. */
  readonly allowed: boolean;
  /** Executions counted in the period, including this one when allowed. */
  readonly used: number;
  readonly included: number | null;
  /** How many of `used` are over `included` (0 when unlimited or within the quota). */
  readonly overage: number;
}

/**
 * The monthly execution counter, keyed by tenant and period: the tenant's
 * billing period (`<start>/<end>`, ISO-8601 UTC instants) or, for a tenant
 * without a subscription, the calendar month (`YYYY-MM`, UTC); see
 * quota-period.ts.
 *
 * Protocol for the execution path:
 * 1. `reserve()` before the sandbox runs. Refused → 402, nothing ran.
 * 2. The sandbox runs. From here the reservation is NEVER given back: a failed
 *    execution (timeout, plugin error, ...) is still an execution and counts.
 * 3. `release()` only when a refusal happens after the reservation but before
 *    the sandbox (a later gate such as the trust policy or input validation
 *    stopped the request): that was not an execution (docs/http-api.md "Executions":
 *    refusals before the sandbox are not executions).
 *
 * The counter is a fast, shared copy; the durable truth is the usage records
 * in PostgreSQL. `seed()` rebuilds a lost counter from them.
 */
export interface QuotaCounter {
  /**
   * Atomically count one execution of `tenantId` in `period` (the current one:
   * `quotaPeriodFor(cycle, now)`), unless a hard limit refuses it. A counter lives until a
   * week after its period; reserving in an older period counts nothing lasting.
   */
  reserve(tenantId: string, period: string, policy: QuotaPolicy): Promise<QuotaReservation>;
  /**
   * Give back one reservation (never below 0). See the protocol above for when.
   * Never throws (Redis down: logged, answers `false`). Answers whether one was given back.
   */
  release(tenantId: string, period: string): Promise<boolean>;
  /** Set the counter to `used` only if it does not exist yet (after Redis lost data). Answers whether it was set. */
  seed(tenantId: string, period: string, used: number): Promise<boolean>;
  /** The current count (0 when absent), for `GET /v1/usage`. */
  used(tenantId: string, period: string): Promise<number>;
}

/**
 * Where a lost counter is rebuilt from: the executions already recorded for a
 * tenant in a period (PostgreSQL usage records). When configured, a reservation
 * that finds no counter seeds it from here first.
 */
export interface UsageSource {
  executionsIn(tenantId: string, period: string): Promise<number>;
}

/** The answer to `acquire`. */
export type LeaseResult =
  | { readonly acquired: true; /** Give it to `release`. */ readonly token: string; readonly active: number }
  | { readonly acquired: false; readonly active: number };

/**
 * Per-tenant cap on executions running at once. A lease expires by itself
 * after `leaseMs`, so a host process that dies mid-execution (SIGKILL) frees
 * its slots without anyone releasing them. Choose `leaseMs` above the longest
 * possible execution (wall-clock limit plus margin).
 */
export interface ConcurrencyLimiter {
  /** Take a slot if fewer than `max` unexpired leases are held; refused → 429 `concurrency_limited`. */
  acquire(tenantId: string, max: number, leaseMs: number): Promise<LeaseResult>;
  /**
   * Give a slot back. Never throws: if Redis is unreachable it logs and
   * answers `false`, and the lease simply expires. Answers whether it was held.
   */
  release(token: string): Promise<boolean>;
}

/** What one execution asks of the counters: a quota reservation, then a concurrency lease. */
export interface AdmissionRequest {
  readonly tenantId: string;
  /** The current quota period (`quotaPeriod(now)`). */
  readonly period: string;
  readonly quota: QuotaPolicy;
  /** Leases held at once at most. */
  readonly maxConcurrent: number;
  /** How long the lease lives unless released (above the execution's own time limit). */
  readonly leaseMs: number;
  /** Plugin CPU ms per minute (cpu-budget.ts); absent or `null`: no budget. */
  readonly cpuBudgetMs?: number | null;
}

/** The answer to `admit`. */
export type Admission =
  /**
   * Both taken: the reservation counts, and the lease must be given back with
   * `admission.finish(token, …)`. `cpuBudget`: the budget as it stood (null without one).
   */
  | { readonly admitted: true; readonly reservation: QuotaReservation; readonly token: string; readonly cpuBudget: CpuBudgetState | null }
  /** 429 `rate_limited`: the tenant's CPU budget of the minute is spent; nothing was taken. */
  | { readonly admitted: false; readonly refusal: 'cpu_budget_spent'; readonly cpuBudget: CpuBudgetState; readonly retryAfterSeconds: number }
  /** 402: the hard quota is used up; nothing was taken. */
  | { readonly admitted: false; readonly refusal: 'quota_exceeded'; readonly reservation: QuotaReservation }
  /** 429: `maxConcurrent` leases are held; nothing was taken (no reservation either). */
  | { readonly admitted: false; readonly refusal: 'concurrency_limited'; readonly active: number };

/**
 * Quota reservation and concurrency lease in one step (Redis: one script, so
 * one round trip per execution instead of two). The same decisions as
 * `QuotaCounter.reserve` followed by `ConcurrencyLimiter.acquire`, and a
 * refused lease leaves the quota untouched, as reserve + release would.
 * Protocol after it, as for `reserve`: give the reservation back with
 * `QuotaCounter.release` only when a later gate refuses before the sandbox.
 */
export interface ExecutionAdmission {
  /** Throws `dependency_unavailable` when the counters' store does not answer. */
  admit(request: AdmissionRequest): Promise<Admission>;
  /**
   * The admitted execution has ended: give its lease back and charge the CPU it
   * used to the tenant's budget (one step; one round trip on Redis). Never
   * throws: if the store does not answer it logs, the lease expires by itself,
   * and the CPU goes uncharged.
   */
  finish(token: string, charge: CpuCharge): Promise<void>;
}

/** What an ended execution cost, for its tenant's CPU budget. */
export interface CpuCharge {
  readonly tenantId: string;
  readonly cpuMs: number;
  /** The budget it was admitted under; `null`: nothing to charge. */
  readonly cpuBudgetMs: number | null;
}
