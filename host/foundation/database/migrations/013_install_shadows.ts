/**
 * Shadow runs of an install: a sample of its executions also runs on a
 * candidate version, never answered nor billed, and the two are compared
 * (host/installs/shadow-service.ts, host/executions/shadow-runner.ts).
 *
 * - shadow_version/sample_rate/started_at on the install are all set or all
 *   null (a CHECK), like the rollout's columns;
 * - install_shadow_comparisons holds one row per compared run, tagged with
 *   the shadow it belongs to (version and start), so the report is one SQL
 *   query over rows written by any host process, and a replaced shadow's
 *   late rows are never counted in the new report. Outputs are kept only on
 *   the few rows of the report's sample (`sampled`); the rows per install are
 *   bounded by the writer (the newest 1,000 are kept).
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installs', (t) => {
    t.text('shadow_version').nullable();
    t.double('shadow_sample_rate').nullable();
    t.timestamp('shadow_started_at', { useTz: true, precision: 3 }).nullable();
  });
  await knex.raw(`
    ALTER TABLE installs ADD CONSTRAINT installs_shadow_whole CHECK (
      (shadow_version IS NULL AND shadow_sample_rate IS NULL AND shadow_started_at IS NULL)
      OR (shadow_version IS NOT NULL AND shadow_sample_rate >= 0 AND shadow_sample_rate <= 1 AND shadow_started_at IS NOT NULL))`);
  await knex.schema.createTable('install_shadow_comparisons', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('install_id').notNullable().references('id').inTable('installs').onDelete('CASCADE');
    t.text('shadow_version').notNullable();
    t.timestamp('shadow_started_at', { useTz: true, precision: 3 }).notNullable();
    t.uuid('execution_id').notNullable();
    t.text('outcome').notNullable();
    t.boolean('current_succeeded').notNullable();
    t.boolean('candidate_succeeded').notNullable();
    t.double('current_cpu_ms').notNullable();
    t.double('candidate_cpu_ms').notNullable();
    t.jsonb('denied').notNullable();
    t.boolean('sampled').notNullable().defaultTo(false);
    t.jsonb('output').nullable();
    t.jsonb('candidate_output').nullable();
    t.timestamp('created_at', { useTz: true, precision: 3 }).notNullable();
    t.index(['install_id', 'id']);
  });
  await knex.raw(`
    ALTER TABLE install_shadow_comparisons ADD CONSTRAINT install_shadow_comparisons_outcome
      CHECK (outcome IN ('identical', 'different', 'candidate_failed'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('install_shadow_comparisons');
  await knex.raw('ALTER TABLE installs DROP CONSTRAINT IF EXISTS installs_shadow_whole');
  await knex.schema.alterTable('installs', (t) => {
    t.dropColumns('shadow_version', 'shadow_sample_rate', 'shadow_started_at');
  });
}
