/**
 * Analytics (docs/http-api.md "Billing, usage and analytics"): hourly
 * aggregates per plugin version, rolled up from the usage ledger, and the
 * rollup's watermark. Runs unchanged on PostgreSQL and embedded PGlite.
 *
 * - `plugin_usage_hourly` is derived data: the rollup recomputes recent hours
 *   from `usage_records` and upserts them, so any number of host processes may
 *   run it at once without coordination (the PRIMARY KEY settles races).
 * - `analytics_rollup_state` holds one row: every hour before `rolled_before`
 *   has been rolled up at least once after it ended (readers that need exact
 *   figures, such as the trust factor, read the ledger from there on).
 * - A BRIN index on `usage_records.started_at`: the rollup and the circuit
 *   breaker scan recent time ranges across all plugins. Rows arrive in time
 *   order, so a block-range index answers that at almost no cost to the
 *   ledger's hot insert path (a B-tree would add a page write per execution).
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugin_usage_hourly', (t) => {
    t.text('plugin_name').notNullable();
    t.text('plugin_version').notNullable();
    /** Start of the UTC hour. */
    t.timestamp('hour', MS).notNullable();
    t.integer('executions').notNullable();
    t.integer('succeeded').notNullable();
    t.integer('failed').notNullable();
    t.integer('timeouts').notNullable();
    t.integer('memory_limit_hits').notNullable();
    t.integer('plugin_errors').notNullable();
    // The caller's fault, not the plugin's: the trust factor and the breaker leave these out.
    t.integer('invalid_inputs').notNullable();
    t.double('cpu_ms_sum').notNullable();
    t.double('wall_ms_sum').notNullable();
    t.double('cpu_ms_p50').notNullable();
    t.double('cpu_ms_p95').notNullable();
    t.double('wall_ms_p50').notNullable();
    t.double('wall_ms_p95').notNullable();
    t.timestamp('computed_at', MS).notNullable();
    t.primary(['plugin_name', 'plugin_version', 'hour']);
    t.index(['plugin_name', 'hour'], 'plugin_usage_hourly_plugin_hour_idx');
  });

  await knex.schema.createTable('analytics_rollup_state', (t) => {
    t.integer('id').primary();
    t.timestamp('rolled_before', MS).notNullable();
  });
  await knex.raw('ALTER TABLE analytics_rollup_state ADD CONSTRAINT analytics_rollup_state_one_row CHECK (id = 1)');

  await knex.raw('CREATE INDEX usage_records_started_brin ON usage_records USING brin (started_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS usage_records_started_brin');
  await knex.schema.dropTableIfExists('analytics_rollup_state');
  await knex.schema.dropTableIfExists('plugin_usage_hourly');
}
