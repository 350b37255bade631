/**
 * Gradual rollouts of an install: a share of its executions runs another
 * approved version of the same plugin until the rollout is promoted or
 * aborted (host/installs/rollout-service.ts).
 *
 * - rollout_version/percent/started_at/config/permissions are all set or all
 *   null (a CHECK), so a half-written rollout cannot exist;
 * - rollout_config is the install's config resolved against the new version,
 *   rollout_permissions what the new version asks for (all granted when the
 *   rollout started): promotion moves them in as they are;
 * - rollout_aborted keeps why the last rollout was aborted (by the circuit
 *   breaker or the tenant), for the install view.
 */
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('installs', (t) => {
    t.text('rollout_version').nullable();
    t.smallint('rollout_percent').nullable();
    t.timestamp('rollout_started_at', { useTz: true, precision: 3 }).nullable();
    t.jsonb('rollout_config').nullable();
    t.jsonb('rollout_permissions').nullable();
    t.jsonb('rollout_aborted').nullable();
  });
  await knex.raw(`
    ALTER TABLE installs ADD CONSTRAINT installs_rollout_whole CHECK (
      (rollout_version IS NULL AND rollout_percent IS NULL AND rollout_started_at IS NULL AND rollout_config IS NULL AND rollout_permissions IS NULL)
      OR (rollout_version IS NOT NULL AND rollout_percent BETWEEN 1 AND 99 AND rollout_started_at IS NOT NULL
          AND rollout_config IS NOT NULL AND rollout_permissions IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE installs DROP CONSTRAINT IF EXISTS installs_rollout_whole');
  await knex.schema.alterTable('installs', (t) => {
    t.dropColumns('rollout_version', 'rollout_percent', 'rollout_started_at', 'rollout_config', 'rollout_permissions', 'rollout_aborted');
  });
}
