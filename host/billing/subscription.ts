/**
 * The subscription: one per tenant (the operator tenant has none), its tier and
 * status (docs/product.md "Tiers": trialing, active, past_due, canceled) and
 * the current billing period. `tenants.tier` always equals `tier` here: both
 * are written in one transaction (host/billing/subscription-service.ts).
 */
import type { TierName } from '../foundation/tiers.js';

export const SUBSCRIPTION_STATUSES = ['trialing', 'active', 'past_due', 'canceled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Subscription {
  readonly tenantId: string;
  readonly tier: TierName;
  readonly status: SubscriptionStatus;
  readonly billingAnchor: Date;
  /** 0 during the trial; n ≥ 1 is the n-th monthly period from the anchor. */
  readonly periodNumber: number;
  readonly currentPeriodStart: Date;
  readonly currentPeriodEnd: Date;
  readonly trialEndsAt: Date | null;
  readonly cancelAtPeriodEnd: boolean;
  /** A downgrade scheduled for the period end. */
  readonly pendingTier: TierName | null;
  readonly canceledAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** The tier order: an upgrade goes right, a downgrade left. */
const RANK: Readonly<Record<TierName, number>> = { free: 0, pro: 1, team: 2, enterprise: 3 };

export function tierRank(tier: TierName): number {
  return RANK[tier];
}

/** GET /v1/subscription (docs/http-api.md "Billing, usage and analytics"), plus `pendingTier` and `canceledAt`. */
export function subscriptionToJson(s: Subscription) {
  return {
    tier: s.tier,
    status: s.status,
    currentPeriodStart: s.currentPeriodStart.toISOString(),
    currentPeriodEnd: s.currentPeriodEnd.toISOString(),
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    trialEndsAt: s.trialEndsAt?.toISOString() ?? null,
    pendingTier: s.pendingTier,
    canceledAt: s.canceledAt?.toISOString() ?? null,
  };
}
