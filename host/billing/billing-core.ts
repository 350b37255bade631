/**
 * What every billing service shares: its dependencies, opening a period's
 * draft invoice, and recording a change (audit rows + domain events) in the
 * transaction that made it.
 */
import type { Clock } from '../foundation/clock.js';
import type { BillingConfig } from '../foundation/config.js';
import type { Transaction, Transactor } from '../foundation/transaction.js';
import type { DomainEvent, EventPublisher } from '../webhooks/domain-events.js';
import type { BillingAuditEntry, BillingAuditLog, BillingUsageStore, InvoiceStore, SubscriptionStore } from './ports.js';
import type { TenantStore } from '../tenants/ports.js';
import type { TenantService } from '../tenants/tenant-service.js';
import type { TierTable } from '../foundation/tiers.js';
import type { Invoice } from './invoice.js';
import { type Subscription, subscriptionToJson } from './subscription.js';

export interface BillingDeps {
  readonly db: Transactor;
  readonly clock: Clock;
  readonly tiers: TierTable;
  readonly config: BillingConfig;
  readonly subscriptions: SubscriptionStore;
  readonly invoices: InvoiceStore;
  readonly audit: BillingAuditLog;
  readonly usage: BillingUsageStore;
  /** Reads (effective limits); the tier is written only through `tenantService.changeTier`. */
  readonly tenantRepository: Pick<TenantStore, 'findById'>;
  readonly tenantService: Pick<TenantService, 'changeTier'>;
  readonly events: EventPublisher;
}

/** The draft invoice of the subscription's current period, with its subscription line when new. */
export async function openDraft(deps: BillingDeps, sub: Subscription, now: Date, tx: Transaction): Promise<Invoice> {
  const period = { start: sub.currentPeriodStart, end: sub.currentPeriodEnd };
  const { invoice, created } = await deps.invoices.ensureDraft(sub.tenantId, period, now, tx);
  if (!created) return invoice;
  const trial = sub.periodNumber === 0;
  const price = trial ? 0 : deps.tiers[sub.tier].monthlyPriceCents;
  const span = `${period.start.toISOString()} to ${period.end.toISOString()}`;
  await deps.invoices.addLines(
    invoice.id,
    [
      {
        kind: 'subscription',
        description: trial ? `${sub.tier} tier, free trial, ${span}` : `${sub.tier} tier, ${span}`,
        quantity: 1,
        amountCents: price,
        data: { tier: sub.tier, trial },
      },
    ],
    now,
    tx,
  );
  return invoice;
}

/** Why a subscription changed (the `reason` of `subscription.updated`). */
export type SubscriptionChange =
  | 'created'
  | 'upgraded'
  | 'downgrade_scheduled'
  | 'cancel_scheduled'
  | 'canceled'
  | 'renewed'
  | 'trial_ended'
  | 'downgraded'
  | 'past_due'
  | 'reactivated';

/** `subscription.updated`, with the state after the change and what it was before. */
export function subscriptionEvent(sub: Subscription, reason: SubscriptionChange, before: Subscription | null): DomainEvent {
  return {
    type: 'subscription.updated',
    tenantId: sub.tenantId,
    data: {
      reason,
      ...subscriptionToJson(sub),
      previousTier: before?.tier ?? null,
      previousStatus: before?.status ?? null,
    },
  };
}

/** Audit rows and events of one change, in its transaction. */
export async function record(
  deps: BillingDeps,
  tx: Transaction,
  now: Date,
  audit: readonly BillingAuditEntry[],
  events: readonly DomainEvent[],
): Promise<void> {
  await deps.audit.append(audit, now, tx);
  if (events.length > 0) await deps.events.publish(events, tx);
}

/** The audit row of a subscription change. */
export function subscriptionAudit(sub: Subscription, action: SubscriptionChange, actorKeyId: string | null, data: Record<string, unknown> = {}): BillingAuditEntry {
  return {
    tenantId: sub.tenantId,
    entity: 'subscription',
    entityId: sub.tenantId,
    action,
    actorKeyId,
    data: { tier: sub.tier, status: sub.status, ...data },
  };
}
