/**
 * The tenant: an organisation using Bazaar (docs/product.md "Who uses it"),
 * with its tier, status and settings. Domain objects use camelCase and `Date`;
 * the repository maps rows, and `tenantToJson` maps to the contract's JSON.
 */
import type { BillingCycle } from './quota-period.js';
import type { TierLimits, TierName } from './tiers.js';

/** The tenant statuses of docs/product.md "Tiers". New tenants start `active`; trials are billing's business. */
export const TENANT_STATUSES = ['pending', 'trial', 'active', 'suspended', 'churned'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** The operator's own tenant, created at first start; it holds the `admin` keys. */
export const OPERATOR_SLUG = 'operator';

export type LimitOverrides = { -readonly [K in keyof TierLimits]?: TierLimits[K] };

/** What is stored: only the tenant's overrides and choices, never the tier's defaults. */
export interface TenantSettings {
  readonly limits?: LimitOverrides;
  readonly features?: Readonly<Record<string, boolean | number | string>>;
  readonly minTrustScore?: number | null;
  readonly allowedPlugins?: readonly string[] | null;
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly ownerEmail: string;
  readonly tier: TierName;
  readonly status: TenantStatus;
  readonly settings: TenantSettings;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/**
 * The tenant as an API key loads it (the same query, cached with the key):
 * with its subscription's billing cycle, which picks the quota period of
 * every execution without another round trip (foundation/quota-period.ts).
 */
export interface AuthenticatedTenant extends Tenant {
  /** `null`: no subscription (the operator), whose quota counts calendar months. */
  readonly billingCycle: BillingCycle | null;
}

/** The settings a GET answers: tier defaults merged with the tenant's overrides. */
export interface EffectiveSettings {
  readonly limits: TierLimits;
  /** Only the overridden limits, so an operator can tell them from the tier's. */
  readonly limitOverrides: LimitOverrides;
  readonly features: Readonly<Record<string, boolean | number | string>>;
  readonly minTrustScore: number | null;
  readonly allowedPlugins: readonly string[] | null;
}

/** The contract's tenant JSON (docs/http-api.md "Tenants and API keys"), plus `updatedAt`. */
export function tenantToJson(t: Tenant) {
  return {
    id: t.id,
    name: t.name,
    slug: t.slug,
    ownerEmail: t.ownerEmail,
    tier: t.tier,
    status: t.status,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
