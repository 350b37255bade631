/**
 * `ExecutionAdmission` from a quota counter and a concurrency limiter called
 * one after the other: the in-process implementation (both counters live in
 * this process, so there is no round trip to save), and the reference the
 * Redis script (redis-execution-admission.ts) must behave like. One
 * difference under concurrency: here a reservation is taken before the lease
 * is asked for and given back when the lease is refused, so a concurrent
 * admission at a hard quota's edge may briefly see it as used up (as the
 * separate calls always did); the script takes both or nothing.
 */
import type { InProcessCpuBudget } from './cpu-budget.js';
import type { Admission, AdmissionRequest, ConcurrencyLimiter, CpuCharge, ExecutionAdmission, QuotaCounter } from './ports.js';

export class ComposedAdmission implements ExecutionAdmission {
  readonly #quota: QuotaCounter;
  readonly #concurrency: ConcurrencyLimiter;
  readonly #cpu: InProcessCpuBudget;

  constructor(options: { quota: QuotaCounter; concurrency: ConcurrencyLimiter; cpu: InProcessCpuBudget }) {
    this.#quota = options.quota;
    this.#concurrency = options.concurrency;
    this.#cpu = options.cpu;
  }

  async admit(request: AdmissionRequest): Promise<Admission> {
    const { tenantId, period } = request;
    const budgetMs = request.cpuBudgetMs ?? null;
    const cpu = budgetMs === null ? null : this.#cpu.check(tenantId, budgetMs);
    if (cpu !== null && !cpu.allowed) {
      return { admitted: false, refusal: 'cpu_budget_spent', cpuBudget: { limitMs: cpu.limitMs, remainingMs: 0 }, retryAfterSeconds: cpu.retryAfterSeconds };
    }
    const reservation = await this.#quota.reserve(tenantId, period, request.quota);
    if (!reservation.allowed) return { admitted: false, refusal: 'quota_exceeded', reservation };
    let slot;
    try {
      slot = await this.#concurrency.acquire(tenantId, request.maxConcurrent, request.leaseMs);
    } catch (err) {
      await this.#quota.release(tenantId, period);
      throw err;
    }
    if (!slot.acquired) {
      await this.#quota.release(tenantId, period);
      return { admitted: false, refusal: 'concurrency_limited', active: slot.active };
    }
    const cpuBudget = cpu === null ? null : { limitMs: cpu.limitMs, remainingMs: cpu.remainingMs };
    return { admitted: true, reservation, token: slot.token, cpuBudget };
  }

  async finish(token: string, charge: CpuCharge): Promise<void> {
    await this.#concurrency.release(token);
    if (charge.cpuBudgetMs !== null) this.#cpu.charge(charge.tenantId, charge.cpuBudgetMs, charge.cpuMs);
  }
}
