/**
 * Metering tables: the usage ledger (one row per execution) and the idempotency
 * keys of POSTs that create or execute (docs/http-api.md "Idempotency"). Runs
 * unchanged on PostgreSQL and embedded PGlite.
 *
 * `usage_records` is the durable truth for quotas, usage pages and billing:
 * - PRIMARY KEY execution_id makes recording idempotent (the recorder inserts
 *   with ON CONFLICT DO NOTHING), so a retried flush never counts twice;
 * - no foreign keys: the ledger outlives the installs it names (an uninstall
 *   must not erase what was billed), and a per-row FK check would cost on the
 *   hottest write path for an invariant the execute route already holds;
 * - CHECKs keep each row self-consistent (a failure always has its code).
 *
 * `idempotency_keys` is keyed (tenant_id, key): the same key from two tenants
 * is two requests. A row is claimed before the work and completed after it.
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('usage_records', (t) => {
    // Text, not uuid: the execution id's format is the execute route's choice. Byte order ("C"), so
    // keyset pages order the same on every server whatever its locale.
    t.specificType('execution_id', 'text COLLATE "C"').primary();
    t.uuid('tenant_id').notNullable();
    t.uuid('install_id').notNullable();
    t.text('plugin_name').notNullable();
    t.text('plugin_version').notNullable();
    t.text('action').notNullable();
    t.text('status').notNullable().checkIn(['succeeded', 'failed'], 'usage_records_status_check');
    t.text('error_code').nullable();
    // Fractional milliseconds: isolates report nanoseconds, and sub-millisecond plugins are common.
    t.double('cpu_ms').notNullable();
    t.double('wall_ms').notNullable();
    t.bigInteger('memory_bytes').notNullable();
    t.bigInteger('input_bytes').notNullable();
    t.bigInteger('output_bytes').notNullable();
    t.timestamp('started_at', MS).notNullable();
    t.timestamp('finished_at', MS).notNullable();
    t.timestamp('recorded_at', MS).notNullable().defaultTo(knex.fn.now());
    // execution_id last: the keyset tie-breaker of GET /v1/executions, newest first.
    t.index(['tenant_id', 'started_at', 'execution_id'], 'usage_records_tenant_started_idx');
    t.index(['install_id', 'started_at', 'execution_id'], 'usage_records_install_started_idx');
    t.index(['plugin_name', 'plugin_version', 'started_at'], 'usage_records_plugin_started_idx');
  });
  await knex.raw(`ALTER TABLE usage_records ADD CONSTRAINT usage_records_error_code_check
    CHECK ((status = 'failed') = (error_code IS NOT NULL))`);
  await knex.raw(`ALTER TABLE usage_records ADD CONSTRAINT usage_records_amounts_check
    CHECK (cpu_ms >= 0 AND wall_ms >= 0 AND memory_bytes >= 0 AND input_bytes >= 0 AND output_bytes >= 0)`);

  await knex.schema.createTable('idempotency_keys', (t) => {
    t.uuid('tenant_id').notNullable();
    t.text('key').notNullable();
    // SHA-256 of method, path and body: the same key with another request is a client bug.
    t.text('fingerprint').notNullable();
    // Null while the first request is in progress.
    t.integer('response_status').nullable();
    t.jsonb('response_body').nullable();
    // jsonb cannot hold U+0000, which a plugin's output may contain: such bodies are kept as JSON text.
    t.text('response_body_text').nullable();
    t.timestamp('created_at', MS).notNullable();
    t.primary(['tenant_id', 'key']);
    t.index(['created_at'], 'idempotency_keys_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('idempotency_keys');
  await knex.schema.dropTableIfExists('usage_records');
}
