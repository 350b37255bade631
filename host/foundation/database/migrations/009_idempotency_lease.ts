/**
 * Idempotency claims get a lease and the execution they stand for, so a key
 * whose owner crashed mid-request is not stuck `in_progress` for 24 h: once
 * the lease has expired another request with the key may take it over,
 * unless the usage ledger shows the execution ran (idempotency-store.ts).
 * Rows claimed before this migration have no lease and keep the old rule.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.timestamp('lease_expires_at', { useTz: true, precision: 3 }).nullable();
    // Text like usage_records.execution_id, which it is looked up in.
    t.specificType('execution_id', 'text COLLATE "C"').nullable();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('idempotency_keys', (t) => {
    t.dropColumn('execution_id');
    t.dropColumn('lease_expires_at');
  });
}
