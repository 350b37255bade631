/**
 * Kept execution logs: beside the usage ledger, for a limited time, the logs
 * and full error of the executions the host keeps them for (failed ones by
 * default). A side table, not columns of `usage_records`: the ledger stays
 * written once and narrow for the usage and billing scans, and retention
 * deletes rows here without touching it.
 *
 * - execution_id is the ledger's key (same type and collation); no foreign
 *   key, as in the ledger: the row is written in the same statement anyway;
 * - tenant_id repeats the ledger's, so a read can never cross tenants even
 *   if it looked here alone;
 * - logs and error are JSON as text: jsonb cannot hold U+0000, which a
 *   plugin may log; JSON text escapes it;
 * - finished_at is the execution's, indexed for the retention sweep.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('execution_logs', (t) => {
    t.specificType('execution_id', 'text COLLATE "C"').primary();
    t.uuid('tenant_id').notNullable();
    t.text('logs').notNullable();
    t.text('error').nullable();
    t.timestamp('finished_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['finished_at'], 'execution_logs_finished_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('execution_logs');
}
