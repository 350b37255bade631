/**
 * The tier table of docs/product.md "Tiers", as data. It is the default of
 * `Config.tiers`; an operator will be able to override it through config, so
 * nothing else hard-codes a tier's numbers: read them from the frozen config.
 */

/** The four tiers a tenant can be on. */
export const TIER_NAMES = ['free', 'pro', 'team', 'enterprise'] as const;
export type TierName = (typeof TIER_NAMES)[number];

/**
 * The per-tenant limits of a tier. These are also the keys a tenant's
 * `settings.limits` may override (docs/http-api.md "Tenants and API keys").
 * `null` means unlimited.
 */
export interface TierLimits {
  readonly requestsPerMinute: number;
  readonly executionsPerMonth: number | null;
  readonly maxInstalls: number | null;
  /** CPU time per execution. */
  readonly cpuMs: number;
  /** Sandbox heap per execution. */
  readonly memoryMb: number;
  /**
   * Not in the documented tier table: our own defaults, scaled with the tier,
   * until product says otherwise.
   */
  readonly maxConcurrentExecutions: number;
}

/** The names of the overridable limits, in one place for schemas and merges. */
export const LIMIT_NAMES = [
  'requestsPerMinute',
  'executionsPerMonth',
  'maxInstalls',
  'cpuMs',
  'memoryMb',
  'maxConcurrentExecutions',
] as const satisfies readonly (keyof TierLimits)[];

/** A tier: its limits plus its price. Money is integer cents (docs/product.md "Tiers"). */
export interface Tier {
  readonly limits: TierLimits;
  readonly monthlyPriceCents: number;
  /** Price of 1,000 executions over the quota; `null` when there is no overage. */
  readonly overagePer1000Cents: number | null;
  /** Hard-limited tiers refuse executions over the quota (402 quota_exceeded). */
  readonly hardLimit: boolean;
  /** Plugin CPU ms per minute across all hosts (limits/cpu-budget.ts); `null`: no budget. */
  readonly cpuBudgetMsPerMinute: number | null;
  /**
   * Share of the sandboxes when they are saturated, relative to other tiers
   * (runtime/fair-scheduler.ts): revenue-aware, so a paying tier is served
   * first in proportion, and every tier is served.
   */
  readonly schedulingWeight: number;
}

export type TierTable = Readonly<Record<TierName, Tier>>;

/** The table of docs/product.md "Tiers", verbatim. */
export const DEFAULT_TIERS: TierTable = {
  free: {
    limits: {
      requestsPerMinute: 60,
      executionsPerMonth: 1_000,
      maxInstalls: 3,
      cpuMs: 50,
      memoryMb: 32,
      maxConcurrentExecutions: 2,
    },
    monthlyPriceCents: 0,
    overagePer1000Cents: null,
    hardLimit: true,
    cpuBudgetMsPerMinute: 3_000,
    schedulingWeight: 1,
  },
  pro: {
    limits: {
      requestsPerMinute: 300,
      executionsPerMonth: 50_000,
      maxInstalls: 25,
      cpuMs: 200,
      memoryMb: 64,
      maxConcurrentExecutions: 10,
    },
    monthlyPriceCents: 4_900,
    overagePer1000Cents: 50,
    hardLimit: false,
    cpuBudgetMsPerMinute: 30_000,
    schedulingWeight: 4,
  },
  team: {
    limits: {
      requestsPerMinute: 1_000,
      executionsPerMonth: 500_000,
      maxInstalls: 100,
      cpuMs: 1_000,
      memoryMb: 128,
      maxConcurrentExecutions: 25,
    },
    monthlyPriceCents: 19_900,
    overagePer1000Cents: 40,
    hardLimit: false,
    cpuBudgetMsPerMinute: 120_000,
    schedulingWeight: 8,
  },
  enterprise: {
    limits: {
      requestsPerMinute: 10_000,
      executionsPerMonth: null,
      maxInstalls: null,
      cpuMs: 5_000,
      memoryMb: 256,
      maxConcurrentExecutions: 100,
    },
    monthlyPriceCents: 99_900,
    overagePer1000Cents: null,
    hardLimit: false,
    cpuBudgetMsPerMinute: 600_000,
    schedulingWeight: 16,
  },
};
