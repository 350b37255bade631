/**
 * Installs (docs/http-api.md "Installs") and their private key-value store
 * (`ctx.kv`, docs/plugins.md "The code contract"). Runs unchanged on PostgreSQL
 * and embedded PGlite.
 *
 * Integrity lives in the schema, so it holds across many host processes:
 * - UNIQUE (tenant_id, plugin_name): one install per tenant and plugin, even
 *   when two processes install at the same moment;
 * - install_kv rows go with their install (ON DELETE CASCADE), so an
 *   uninstall cannot leave a plugin's data behind;
 * - an install's version is a published version of its plugin: the service
 *   checks it (plugin_versions is unique on version_key, not on the version
 *   text, so there is no foreign key to point at); versions are never deleted.
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('installs', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('plugin_name').notNullable().references('name').inTable('plugins');
    // The exact version executed (a plugin_versions.version of plugin_name).
    t.text('version').notNullable();
    // {kv: boolean, network: {hosts: [...]}}: what the tenant granted and the current version uses.
    t.jsonb('permissions').notNullable();
    // Validated against the version's config schema, defaults applied.
    t.jsonb('config').notNullable();
    // Permission re-consent: an upgrade that asks for new permissions waits here until they are granted.
    t.text('pending_version').nullable();
    t.jsonb('pending_config').nullable();
    // What the pending version asks for that is not granted yet (shown to the tenant).
    t.jsonb('pending_permissions').nullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.unique(['tenant_id', 'plugin_name'], { indexName: 'installs_tenant_plugin_unique' });
    t.index(['tenant_id', 'created_at', 'id'], 'installs_tenant_created_idx');
    t.index(['plugin_name'], 'installs_plugin_idx');
  });

  await knex.schema.createTable('install_kv', (t) => {
    t.uuid('install_id').notNullable().references('id').inTable('installs').onDelete('CASCADE');
    t.text('key').notNullable();
    t.jsonb('value').notNullable();
    // Serialized size, so the per-install bounds are checked without re-serializing.
    t.integer('bytes').notNullable();
    t.primary(['install_id', 'key']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('install_kv');
  await knex.schema.dropTableIfExists('installs');
}
