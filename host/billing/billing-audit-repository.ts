/**
 * The billing audit log (`billing_audit_log`, append-only by trigger): every
 * change to a subscription, an invoice or a payment, written in the
 * transaction that made the change.
 */
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { BillingAuditEntry, BillingAuditLog } from './ports.js';

export class BillingAuditRepository implements BillingAuditLog {
  async append(entries: readonly BillingAuditEntry[], at: Date, tx: Transaction): Promise<void> {
    if (entries.length === 0) return;
    await knexOf(tx)('billing_audit_log').insert(
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
