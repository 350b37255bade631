/**
 * `subscriptions` in SQL (migration 006). Every method takes the transaction
 * it runs in: billing changes always move a subscription, its invoice, the
 * tenant's tier, the audit log and the events together.
 */
import type { Knex } from 'knex';
import type { CacheGeneration } from '../foundation/cache-generation.js';
import type { Subscription, SubscriptionStatus } from './subscription.js';
import type { TierName } from '../foundation/tiers.js';
import { afterCommit } from '../foundation/database/database.js';
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { SubscriptionChanges, SubscriptionStore } from './ports.js';

interface SubscriptionRow {
  tenant_id: string;
  tier: TierName;
  status: SubscriptionStatus;
  billing_anchor: Date;
  period_number: number;
  current_period_start: Date;
  current_period_end: Date;
  trial_ends_at: Date | null;
  cancel_at_period_end: boolean;
  pending_tier: TierName | null;
  canceled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** The fields cached with the tenant (ApiKeyRepository.findCredential): changing one bumps the cache generation. */
const CACHED_FIELDS = ['billingAnchor', 'currentPeriodStart'] as const;

export class SubscriptionRepository implements SubscriptionStore {
  readonly #db: Knex;
  readonly #generation: Pick<CacheGeneration, 'bump'>;

  /**
   * `generation`: the tenant's billing cycle is cached with its API keys, so
   * a write that moves the period bumps it after commit (foundation/cache-generation.ts).
   */
  constructor(db: Knex, generation: Pick<CacheGeneration, 'bump'>) {
    this.#db = db;
    this.#generation = generation;
  }

  async insert(sub: Subscription, tx: Transaction): Promise<void> {
    await knexOf(tx)('subscriptions').insert(toRow(sub));
  }

  /** The tenant's subscription; `lock` takes its row lock until the transaction ends. */
  async find(tenantId: string, tx?: Transaction, lock = false): Promise<Subscription | null> {
    const query = knexOf(tx, this.#db)<SubscriptionRow>('subscriptions').where({ tenant_id: tenantId }).first();
    const row = await (lock ? query.forUpdate() : query);
    return row === undefined ? null : toSubscription(row);
  }

  async update(tenantId: string, changes: SubscriptionChanges, now: Date, tx: Transaction): Promise<Subscription> {
    const trx = knexOf(tx);
    const patch: Record<string, unknown> = { updated_at: now };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = changes[field as keyof SubscriptionChanges];
      if (value !== undefined) patch[column] = value;
    }
    const [row] = await trx('subscriptions').where({ tenant_id: tenantId }).update(patch).returning('*');
    if (row === undefined) throw new Error(`subscription of ${tenantId} vanished`);
    if (CACHED_FIELDS.some((field) => changes[field] !== undefined)) await afterCommit(trx, () => this.#generation.bump());
    return toSubscription(row as SubscriptionRow);
  }

  /**
   * One subscription whose period has ended, locked; rows another process is
   * closing right now are skipped (SKIP LOCKED), so each is closed once.
   */
  async claimDue(now: Date, tx: Transaction): Promise<Subscription | null> {
    const row = await knexOf(tx)<SubscriptionRow>('subscriptions')
      .where('current_period_end', '<=', now)
      .whereNot('status', 'canceled')
      .orderBy('current_period_end')
      .first()
      .forUpdate()
      .skipLocked();
    return row === undefined ? null : toSubscription(row);
  }

  /** One `active` subscription with an open invoice due before `now`, locked (SKIP LOCKED). */
  async claimOverdue(now: Date, tx: Transaction): Promise<Subscription | null> {
    const trx = knexOf(tx);
    const row = await trx<SubscriptionRow>('subscriptions')
      .where({ status: 'active' })
      .whereExists((q) =>
        q.select(trx.raw('1')).from('invoices')
          .whereRaw('invoices.tenant_id = subscriptions.tenant_id')
          .where('invoices.status', 'open')
          .where('invoices.due_at', '<=', now),
      )
      .first()
      .forUpdate()
      .skipLocked();
    return row === undefined ? null : toSubscription(row);
  }
}

/** Changeable fields → columns (`null` is a value to write; `undefined` means unchanged). */
const COLUMNS: Readonly<Record<keyof SubscriptionChanges, string>> = {
  tier: 'tier',
  status: 'status',
  billingAnchor: 'billing_anchor',
  periodNumber: 'period_number',
  currentPeriodStart: 'current_period_start',
  currentPeriodEnd: 'current_period_end',
  trialEndsAt: 'trial_ends_at',
  cancelAtPeriodEnd: 'cancel_at_period_end',
  pendingTier: 'pending_tier',
  canceledAt: 'canceled_at',
};

function toRow(s: Subscription): SubscriptionRow {
  return {
    tenant_id: s.tenantId,
    tier: s.tier,
    status: s.status,
    billing_anchor: s.billingAnchor,
    period_number: s.periodNumber,
    current_period_start: s.currentPeriodStart,
    current_period_end: s.currentPeriodEnd,
    trial_ends_at: s.trialEndsAt,
    cancel_at_period_end: s.cancelAtPeriodEnd,
    pending_tier: s.pendingTier,
    canceled_at: s.canceledAt,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  };
}

function toSubscription(row: SubscriptionRow): Subscription {
  return {
    tenantId: row.tenant_id,
    tier: row.tier,
    status: row.status,
    billingAnchor: row.billing_anchor,
    periodNumber: row.period_number,
    currentPeriodStart: row.current_period_start,
    currentPeriodEnd: row.current_period_end,
    trialEndsAt: row.trial_ends_at,
    cancelAtPeriodEnd: row.cancel_at_period_end,
    pendingTier: row.pending_tier,
    canceledAt: row.canceled_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
