/**
 * The billing audit log (`billing_audit_log`, append-only by trigger): every
 * change to a subscription, an invoice or a payment, written in the
 * transaction that made the change.
 */
import type { Knex } from 'knex';

export interface BillingAuditEntry {
  readonly tenantId: string;
  readonly entity: 'subscription' | 'invoice' | 'payment';
  readonly entityId: string;
  readonly action: string;
  /** The API key that asked for it; `null` for the scheduler and other system work. */
  readonly actorKeyId: string | null;
  readonly data?: Readonly<Record<string, unknown>>;
}

export class BillingAuditRepository {
  async append(entries: readonly BillingAuditEntry[], at: Date, trx: Knex): Promise<void> {
    if (entries.length === 0) return;
    await trx('billing_audit_log').insert(
      entries.map((e) => ({
        at,
        tenant_id: e.tenantId,
        entity: e.entity,
        entity_id: e.entityId,
        action: e.action,
        actor_type: e.actorKeyId === null ? 'system' : 'key',
        actor_key_id: e.actorKeyId,
        data: JSON.stringify(e.data ?? {}),
      })),
    );
  }
}
