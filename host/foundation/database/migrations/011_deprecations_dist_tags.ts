/**
 * Deprecations and dist-tags.
 *
 * - A deprecation is a message on a version, not a status: a deprecated
 *   version still installs and runs. Two nullable columns, set and cleared
 *   together (the check keeps them so); the immutability trigger of 002
 *   does not cover them, so they may change.
 * - A dist-tag names one version of a plugin (`beta` → 2.0.0-beta.1). One row
 *   per (plugin, tag); `latest` is stored only when set explicitly (otherwise
 *   it is derived: the newest approved version). The version is kept as
 *   published (exact text) and checked against plugin_versions by the writer,
 *   under the plugin's row lock.
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('plugin_versions', (t) => {
    t.text('deprecated_message').nullable();
    t.timestamp('deprecated_at', MS).nullable();
    t.check('(deprecated_message IS NULL) = (deprecated_at IS NULL)', [], 'plugin_versions_deprecated_check');
  });

  await knex.schema.createTable('plugin_dist_tags', (t) => {
    t.text('plugin_name').notNullable().references('name').inTable('plugins');
    t.text('tag').notNullable();
    t.text('version').notNullable();
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.primary(['plugin_name', 'tag']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('plugin_dist_tags');
  await knex.schema.alterTable('plugin_versions', (t) => {
    t.dropChecks(['plugin_versions_deprecated_check']);
    t.dropColumn('deprecated_message');
    t.dropColumn('deprecated_at');
  });
}
