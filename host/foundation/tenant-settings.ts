/**
 * Effective tenant settings: the tier's defaults with the tenant's overrides on
 * top. Rate limits, quotas and the sandbox read limits through this function
 * so that a tier change or an override takes effect everywhere at once.
 */
import { LIMIT_NAMES, type TierLimits, type TierTable } from './tiers.js';
import type { EffectiveSettings, LimitOverrides, Tenant } from './tenant.js';

/** The limits in force for a tenant. */
export function effectiveLimits(tenant: Tenant, tiers: TierTable): TierLimits {
  const limits: Record<string, number | null> = { ...tiers[tenant.tier].limits };
  const overrides = tenant.settings.limits ?? {};
  for (const name of LIMIT_NAMES) {
    const value = overrides[name];
    if (value !== undefined) limits[name] = value;
  }
  return limits as unknown as TierLimits;
}

/** What GET /v1/tenants/:id/settings answers. */
export function effectiveSettings(tenant: Tenant, tiers: TierTable): EffectiveSettings {
  const overrides: LimitOverrides = { ...(tenant.settings.limits ?? {}) };
  return {
    limits: effectiveLimits(tenant, tiers),
    limitOverrides: overrides,
    features: tenant.settings.features ?? {},
    minTrustScore: tenant.settings.minTrustScore ?? null,
    allowedPlugins: tenant.settings.allowedPlugins ?? null,
  };
}
