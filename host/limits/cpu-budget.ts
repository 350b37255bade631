/**
 * The CPU budget: plugin CPU milliseconds per tenant per minute, by tier.
 * Requests per minute cap how often a tenant may ask; the budget caps what
 * its executions cost, so a tenant whose plugin spins at its CPU limit spends
 * its minute in a few requests instead of holding the sandboxes for all of it.
 *
 * Arithmetic: a leaky bucket holding at most one minute of the tenant's CPU.
 * One number of state per tenant, the time (ms) at which the bucket would be
 * empty again (`drainAt`): each CPU ms used pushes it `60,000 / budget` ms
 * further. An execution is admitted while the bucket is not full; what it
 * used is charged when it ends, so the last admitted execution of a minute
 * may overshoot by its own CPU limit at most (admission cannot know in
 * advance what a plugin will use). The Redis admission runs the same steps in
 * Lua (redis-execution-admission.ts); the in-process store below is the
 * embedded default.
 */
import type { Clock } from '../foundation/clock.js';
import { tenantDigest } from './limit-keys.js';

/** The budget refills over one minute. */
export const CPU_BUDGET_WINDOW_MS = 60_000;

/** What `X-CpuBudget-Limit` / `X-CpuBudget-Remaining` report. */
export interface CpuBudgetState {
  /** CPU ms per minute. */
  readonly limitMs: number;
  /** CPU ms still available right now. */
  readonly remainingMs: number;
}

export interface CpuBudgetCheck extends CpuBudgetState {
  readonly allowed: boolean;
  /** `Retry-After` when refused (≥ 1); 0 when allowed. */
  readonly retryAfterSeconds: number;
}

/** Whether an execution may start, given the stored drain time (0 when none). */
export function cpuBudgetCheck(drainAt: number, now: number, limitMs: number): CpuBudgetCheck {
  const cost = CPU_BUDGET_WINDOW_MS / limitMs; // ms of refill time per CPU ms
  const debt = Math.max(0, drainAt - now);
  const remainingMs = Math.max(0, Math.floor((CPU_BUDGET_WINDOW_MS - debt) / cost));
  if (remainingMs > 0) return { allowed: true, limitMs, remainingMs, retryAfterSeconds: 0 };
  // Until one CPU ms is available again.
  const waitMs = debt - CPU_BUDGET_WINDOW_MS + cost;
  return { allowed: false, limitMs, remainingMs: 0, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
}

/** The drain time after charging `cpuMs`. */
export function cpuBudgetCharge(drainAt: number, now: number, limitMs: number, cpuMs: number): number {
  return Math.max(drainAt, now) + (cpuMs * CPU_BUDGET_WINDOW_MS) / limitMs;
}

/** The embedded default's budget store: drain times in this process. */
export class InProcessCpuBudget {
  readonly #clock: Clock;
  /** Tenant digest → drain time (ms). Entries in the past are dropped as they are met. */
  readonly #drainAt = new Map<string, number>();

  constructor(options: { clock: Clock }) {
    this.#clock = options.clock;
  }

  check(tenantId: string, limitMs: number): CpuBudgetCheck {
    const digest = tenantDigest(tenantId);
    const now = this.#clock.now().getTime();
    const drainAt = this.#drainAt.get(digest) ?? 0;
    if (drainAt <= now) this.#drainAt.delete(digest);
    return cpuBudgetCheck(drainAt, now, limitMs);
  }

  charge(tenantId: string, limitMs: number, cpuMs: number): void {
    if (cpuMs <= 0) return;
    const digest = tenantDigest(tenantId);
    const now = this.#clock.now().getTime();
    this.#drainAt.set(digest, cpuBudgetCharge(this.#drainAt.get(digest) ?? 0, now, limitMs, cpuMs));
  }
}
