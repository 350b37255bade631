/**
 * Closing billing periods (POST /v1/billing/close-period and the scheduler):
 * for every subscription whose period has ended, finalize the period's
 * invoice and start the next period; then mark `past_due` the subscriptions
 * with an open invoice unpaid past the grace period.
 *
 * Exactly once across host processes: each subscription is claimed with
 * `FOR UPDATE SKIP LOCKED` and closed in its own transaction (the claim's
 * WHERE is re-checked on the locked row, so a period another process just
 * closed is not due any more); UNIQUE (tenant_id, period_start) on invoices
 * and the finalize-only-drafts update are the backstop.
 */
import { effectiveLimits } from '../foundation/tenant-settings.js';
import { periodOf, DAY_MS } from '../foundation/billing-period.js';
import { type BillingDeps, openDraft, record, subscriptionAudit, subscriptionEvent, type SubscriptionChange } from './billing-core.js';
import type { Invoice } from './invoice.js';
import { usageLines } from './invoice-lines.js';
import { taxCents } from './money.js';
import type { Subscription, SubscriptionStatus } from './subscription.js';
import type { TierName } from '../foundation/tiers.js';
import type { Transaction } from '../foundation/transaction.js';

export interface ClosedPeriod {
  readonly tenantId: string;
  readonly invoiceId: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly totalCents: number;
}

export interface CloseReport {
  readonly closed: ClosedPeriod[];
  /** Tenants whose subscription became `past_due` in this run. */
  readonly pastDue: string[];
}

export class PeriodCloser {
  readonly #deps: BillingDeps;

  constructor(deps: BillingDeps) {
    this.#deps = deps;
  }

  /** Close every due period (a subscription behind by several periods is closed period by period). */
  async closeDue(actorKeyId: string | null = null): Promise<CloseReport> {
    const now = this.#deps.clock.now();
    const closed: ClosedPeriod[] = [];
    for (;;) {
      const done = await this.#deps.db.transaction(async (tx) => {
        const sub = await this.#deps.subscriptions.claimDue(now, tx);
        if (sub === null) return null;
        const invoice = await this.#finalize(sub, sub.currentPeriodEnd, now, actorKeyId, tx);
        await this.#advance(sub, now, actorKeyId, tx);
        return closedPeriod(invoice);
      });
      if (done === null) break;
      closed.push(done);
    }
    const pastDue: string[] = [];
    for (;;) {
      const tenantId = await this.#deps.db.transaction(async (tx) => {
        const sub = await this.#deps.subscriptions.claimOverdue(now, tx);
        if (sub === null) return null;
        await this.#setStatus(sub, 'past_due', 'past_due', now, actorKeyId, tx);
        return sub.tenantId;
      });
      if (tenantId === null) break;
      pastDue.push(tenantId);
    }
    return { closed, pastDue };
  }

  /** Close the current period early (an immediate cancellation), in the caller's transaction. */
  async closeNow(sub: Subscription, now: Date, actorKeyId: string | null, tx: Transaction): Promise<Invoice> {
    const end = now < sub.currentPeriodEnd ? now : sub.currentPeriodEnd;
    return this.#finalize(sub, end, now, actorKeyId, tx);
  }

  /** `active` again after a payment, in the payment's transaction, when nothing else is overdue. */
  async reactivateIfSettled(tenantId: string, now: Date, actorKeyId: string | null, tx: Transaction): Promise<void> {
    const sub = await this.#deps.subscriptions.find(tenantId, tx, true);
    if (sub === null || sub.status !== 'past_due') return;
    if (await this.#deps.invoices.hasOverdue(tenantId, now, tx)) return;
    await this.#setStatus(sub, 'active', 'reactivated', now, actorKeyId, tx);
  }

  async #setStatus(sub: Subscription, status: SubscriptionStatus, reason: SubscriptionChange, now: Date, actorKeyId: string | null, tx: Transaction): Promise<void> {
    const after = await this.#deps.subscriptions.update(sub.tenantId, { status }, now, tx);
    await record(this.#deps, tx, now, [subscriptionAudit(after, reason, actorKeyId)], [subscriptionEvent(after, reason, sub)]);
  }

  /** Usage lines, tax and totals onto the period's draft; `open`, or `paid` when there is nothing to pay. */
  async #finalize(sub: Subscription, end: Date, now: Date, actorKeyId: string | null, tx: Transaction): Promise<Invoice> {
    const deps = this.#deps;
    let draft = await openDraft(deps, sub, now, tx);
    if (end.getTime() !== draft.periodEnd.getTime()) draft = await deps.invoices.shortenDraft(draft.id, end, now, tx);
    const tenant = await deps.tenantRepository.findById(sub.tenantId, tx);
    if (tenant === null) throw new Error(`tenant ${sub.tenantId} vanished`);
    const usage = await usageLines(deps.usage, tx, {
      tenantId: sub.tenantId,
      period: { start: draft.periodStart, end },
      tier: deps.tiers[sub.tier],
      includedExecutions: effectiveLimits({ ...tenant, tier: sub.tier }, deps.tiers).executionsPerMonth,
      authorShareBps: deps.config.authorRevenueShareBps,
    });
    await deps.invoices.addLines(draft.id, usage.lines, now, tx);
    const subtotal = draft.lines.reduce((sum, l) => sum + l.amountCents, 0) + usage.lines.reduce((sum, l) => sum + l.amountCents, 0);
    const rate = deps.config.taxRateBps;
    const tax = taxCents(subtotal, rate);
    const total = subtotal + tax;
    const invoice = await deps.invoices.finalize(
      draft.id,
      {
        status: total > 0 ? 'open' : 'paid',
        subtotalCents: subtotal,
        taxRateBps: rate,
        taxCents: tax,
        totalCents: total,
        finalizedAt: now,
        // The grace period runs from the period's end, whenever the closing ran.
        dueAt: new Date(end.getTime() + deps.config.gracePeriodDays * DAY_MS),
        paidAt: total > 0 ? null : now,
      },
      tx,
    );
    await deps.usage.insertRevenueLedger(usage.ledger.map((e) => ({ ...e, invoiceId: invoice.id })), now, tx);
    await record(
      deps,
      tx,
      now,
      [{ tenantId: sub.tenantId, entity: 'invoice', entityId: invoice.id, action: 'finalized', actorKeyId, data: { status: invoice.status, totalCents: total } }],
      [
        {
          type: 'invoice.finalized',
          tenantId: sub.tenantId,
          data: {
            invoiceId: invoice.id,
            status: invoice.status,
            periodStart: invoice.periodStart.toISOString(),
            periodEnd: invoice.periodEnd.toISOString(),
            subtotalCents: subtotal,
            taxCents: tax,
            totalCents: total,
            dueAt: invoice.dueAt?.toISOString() ?? null,
          },
        },
      ],
    );
    return invoice;
  }

  /** The next period: the trial ends, a scheduled downgrade or cancellation takes effect, or it renews. */
  async #advance(before: Subscription, now: Date, actorKeyId: string | null, tx: Transaction): Promise<void> {
    const deps = this.#deps;
    let tier: TierName = before.pendingTier ?? before.tier;
    let reason: SubscriptionChange;
    let sub: Subscription;
    if (before.cancelAtPeriodEnd) {
      tier = 'free';
      reason = 'canceled';
      sub = await deps.subscriptions.update(
        before.tenantId,
        { status: 'canceled', canceledAt: before.currentPeriodEnd, tier, pendingTier: null, cancelAtPeriodEnd: false },
        now,
        tx,
      );
    } else {
      const next = before.periodNumber + 1;
      const period = periodOf(before.billingAnchor, next);
      const status: SubscriptionStatus = before.status === 'trialing' ? 'active' : before.status;
      reason = before.status === 'trialing' ? 'trial_ended' : tier !== before.tier ? 'downgraded' : 'renewed';
      sub = await deps.subscriptions.update(
        before.tenantId,
        { tier, status, pendingTier: null, periodNumber: next, currentPeriodStart: period.start, currentPeriodEnd: period.end },
        now,
        tx,
      );
      await openDraft(deps, sub, now, tx);
    }
    if (tier !== before.tier) await deps.tenantService.changeTier(before.tenantId, tier, tx);
    await record(deps, tx, now, [subscriptionAudit(sub, reason, actorKeyId, { fromTier: before.tier })], [subscriptionEvent(sub, reason, before)]);
  }
}

function closedPeriod(invoice: Invoice): ClosedPeriod {
  return {
    tenantId: invoice.tenantId,
    invoiceId: invoice.id,
    periodStart: invoice.periodStart.toISOString(),
    periodEnd: invoice.periodEnd.toISOString(),
    totalCents: invoice.totalCents ?? 0,
  };
}
