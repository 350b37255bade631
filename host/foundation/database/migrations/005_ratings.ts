/**
 * Plugin ratings (`POST /v1/plugins/:name/ratings`,
 * docs/http-api.md "Packages, plugins and versions"): one row per tenant and
 * plugin, replaced by the tenant's next rating. Runs unchanged on PostgreSQL
 * and embedded PGlite.
 *
 * Integrity lives in the schema, so it holds across host processes:
 * - PRIMARY KEY (tenant_id, plugin_name): one rating per tenant and plugin,
 *   even when two processes rate at the same moment (the upsert settles it);
 * - CHECK constraints repeat the API's bounds (stars 1..5, comment ≤ 1000),
 *   so no other writer can store what the community factor cannot read.
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('plugin_ratings', (t) => {
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('plugin_name').notNullable().references('name').inTable('plugins');
    t.smallint('stars').notNullable();
    t.text('comment').nullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.primary(['tenant_id', 'plugin_name']);
    // The community factor aggregates by plugin.
    t.index(['plugin_name'], 'plugin_ratings_plugin_idx');
  });
  await knex.raw('ALTER TABLE plugin_ratings ADD CONSTRAINT plugin_ratings_stars_range CHECK (stars BETWEEN 1 AND 5)');
  await knex.raw('ALTER TABLE plugin_ratings ADD CONSTRAINT plugin_ratings_comment_length CHECK (comment IS NULL OR char_length(comment) <= 1000)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('plugin_ratings');
}
