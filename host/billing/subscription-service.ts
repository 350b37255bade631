/**
 * Subscription rules (docs/http-api.md "Billing, usage and analytics"):
 *
 * - Created with the tenant, in its transaction. A paid tier starts
 *   `trialing` for `billing.trialDays` (no subscription fee during the trial;
 *   usage is billed); `free`, or any tier when trials are off, starts `active`.
 *   Monthly periods then run from the trial's end (or the creation instant).
 * - Upgrade: effective at once, in the same transaction as `tenants.tier`
 *   (so the new limits apply at once), with a proration line on the period's
 *   draft invoice: (new − old monthly price) × whole seconds remaining /
 *   seconds in the period, rounded half away from zero. No proration during a
 *   trial (nothing was charged for it).
 * - Downgrade: scheduled for the period end (no refund for the current period).
 * - Cancel: at the period end, or now; either way the tenant falls back to
 *   `free` when the cancellation takes effect. Cancelling now closes the
 *   current period's invoice at once over the usage so far (no refund of the
 *   subscription fee already on it).
 */
import { BazaarError } from '../../manifests/errors.js';
import type { Tenant } from '../foundation/tenant.js';
import type { Transaction } from '../foundation/transaction.js';
import type { TierName } from '../foundation/tiers.js';
import { addMonths, DAY_MS, secondsBetween, wholeSeconds } from '../foundation/billing-period.js';
import { type BillingDeps, openDraft, record, subscriptionAudit, subscriptionEvent } from './billing-core.js';
import { prorationCents } from './money.js';
import type { PeriodCloser } from './period-closer.js';
import { type Subscription, tierRank } from './subscription.js';

/** Who asks: the API key (for the audit log) and its tenant. */
export interface BillingActor {
  readonly tenantId: string;
  readonly keyId: string;
}

export interface UpgradeResult {
  readonly subscription: Subscription;
  /** The proration charged on the current period's invoice (0 during a trial). */
  readonly prorationCents: number;
}

export class SubscriptionService {
  readonly #deps: BillingDeps;
  readonly #closer: PeriodCloser;

  constructor(deps: BillingDeps, closer: PeriodCloser) {
    this.#deps = deps;
    this.#closer = closer;
  }

  /** Start the subscription of a new tenant (TenantService's `onCreated`, in its transaction). */
  async start(tenant: Tenant, tx: Transaction): Promise<Subscription> {
    const now = wholeSeconds(this.#deps.clock.now());
    const { trialDays } = this.#deps.config;
    const trial = this.#deps.tiers[tenant.tier].monthlyPriceCents > 0 && trialDays > 0;
    const trialEndsAt = trial ? new Date(now.getTime() + trialDays * DAY_MS) : null;
    const sub: Subscription = {
      tenantId: tenant.id,
      tier: tenant.tier,
      status: trial ? 'trialing' : 'active',
      billingAnchor: trialEndsAt ?? now,
      periodNumber: trial ? 0 : 1,
      currentPeriodStart: now,
      currentPeriodEnd: trialEndsAt ?? addMonths(now, 1),
      trialEndsAt,
      cancelAtPeriodEnd: false,
      pendingTier: null,
      canceledAt: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.#deps.subscriptions.insert(sub, tx);
    await openDraft(this.#deps, sub, now, tx);
    await record(this.#deps, tx, now, [subscriptionAudit(sub, 'created', null)], [subscriptionEvent(sub, 'created', null)]);
    return sub;
  }

  async get(tenantId: string): Promise<Subscription> {
    const sub = await this.#deps.subscriptions.find(tenantId);
    if (sub === null) throw new BazaarError('not_found', 'This tenant has no subscription.');
    return sub;
  }

  async upgrade(actor: BillingActor, tier: TierName): Promise<UpgradeResult> {
    return this.#deps.db.transaction(async (tx) => {
      const before = await this.#lockChangeable(actor.tenantId, tx);
      if (before.status === 'past_due') {
        throw new BazaarError('conflict', 'Pay the overdue invoice before upgrading.', { status: before.status });
      }
      if (tierRank(tier) <= tierRank(before.tier)) {
        throw new BazaarError('conflict', `An upgrade must go to a higher tier than ${before.tier}; use downgrade.`, {
          currentTier: before.tier,
          requestedTier: tier,
        });
      }
      const now = this.#deps.clock.now();
      let proration = 0;
      if (before.status !== 'trialing') {
        const oldPrice = this.#deps.tiers[before.tier].monthlyPriceCents;
        const newPrice = this.#deps.tiers[tier].monthlyPriceCents;
        const remaining = secondsBetween(now, before.currentPeriodEnd);
        const periodSeconds = secondsBetween(before.currentPeriodStart, before.currentPeriodEnd);
        proration = prorationCents(oldPrice, newPrice, remaining, periodSeconds);
        const draft = await openDraft(this.#deps, before, now, tx);
        await this.#deps.invoices.addLines(
          draft.id,
          [
            {
              kind: 'proration',
              description: `Upgrade ${before.tier} → ${tier} for ${remaining} of ${periodSeconds} seconds`,
              quantity: remaining,
              amountCents: proration,
              data: { fromTier: before.tier, toTier: tier, secondsRemaining: remaining, periodSeconds, oldPriceCents: oldPrice, newPriceCents: newPrice },
            },
          ],
          now,
          tx,
        );
      }
      const sub = await this.#deps.subscriptions.update(actor.tenantId, { tier, pendingTier: null }, now, tx);
      await this.#deps.tenantService.changeTier(actor.tenantId, tier, tx);
      await record(
        this.#deps,
        tx,
        now,
        [subscriptionAudit(sub, 'upgraded', actor.keyId, { fromTier: before.tier, prorationCents: proration })],
        [subscriptionEvent(sub, 'upgraded', before)],
      );
      return { subscription: sub, prorationCents: proration };
    });
  }

  async downgrade(actor: BillingActor, tier: TierName): Promise<Subscription> {
    return this.#deps.db.transaction(async (tx) => {
      const before = await this.#lockChangeable(actor.tenantId, tx);
      if (tierRank(tier) >= tierRank(before.tier)) {
        throw new BazaarError('conflict', `A downgrade must go to a lower tier than ${before.tier}; use upgrade.`, {
          currentTier: before.tier,
          requestedTier: tier,
        });
      }
      const now = this.#deps.clock.now();
      const sub = await this.#deps.subscriptions.update(actor.tenantId, { pendingTier: tier }, now, tx);
      await record(
        this.#deps,
        tx,
        now,
        [subscriptionAudit(sub, 'downgrade_scheduled', actor.keyId, { toTier: tier, effectiveAt: sub.currentPeriodEnd.toISOString() })],
        [subscriptionEvent(sub, 'downgrade_scheduled', before)],
      );
      return sub;
    });
  }

  async cancel(actor: BillingActor, atPeriodEnd: boolean): Promise<Subscription> {
    return this.#deps.db.transaction(async (tx) => {
      const before = await this.#lockChangeable(actor.tenantId, tx);
      const now = this.#deps.clock.now();
      if (atPeriodEnd) {
        const sub = await this.#deps.subscriptions.update(actor.tenantId, { cancelAtPeriodEnd: true }, now, tx);
        await record(this.#deps, tx, now, [subscriptionAudit(sub, 'cancel_scheduled', actor.keyId)], [subscriptionEvent(sub, 'cancel_scheduled', before)]);
        return sub;
      }
      await this.#closer.closeNow(before, now, actor.keyId, tx);
      const sub = await this.#deps.subscriptions.update(
        actor.tenantId,
        { status: 'canceled', canceledAt: now, tier: 'free', pendingTier: null, cancelAtPeriodEnd: false, currentPeriodEnd: now },
        now,
        tx,
      );
      if (before.tier !== 'free') await this.#deps.tenantService.changeTier(actor.tenantId, 'free', tx);
      await record(this.#deps, tx, now, [subscriptionAudit(sub, 'canceled', actor.keyId, { fromTier: before.tier })], [subscriptionEvent(sub, 'canceled', before)]);
      return sub;
    });
  }

  /** The caller's subscription, locked; a canceled one cannot change any more. */
  async #lockChangeable(tenantId: string, tx: Transaction): Promise<Subscription> {
    const sub = await this.#deps.subscriptions.find(tenantId, tx, true);
    if (sub === null) throw new BazaarError('not_found', 'This tenant has no subscription.');
    if (sub.status === 'canceled') throw new BazaarError('conflict', 'The subscription is canceled.', { status: sub.status });
    return sub;
  }
}
