/**
 * Marketplace tables: package blobs, plugins (the denormalised listing, with a
 * full-text search column), plugin versions and the append-only audit log.
 * Runs unchanged on PostgreSQL and on embedded PGlite (real Postgres, so
 * tsvector, generated columns and PL/pgSQL triggers work on both).
 *
 * Integrity lives in the schema, so it holds across many host processes:
 * - UNIQUE (plugin_name, version_key): of two concurrent publishes of one
 *   version exactly one commits; build metadata does not make a new version.
 * - a trigger keeps a published version's identity and content immutable and
 *   refuses to delete it (a yank is a status, never a removal);
 * - a trigger refuses UPDATE, DELETE and TRUNCATE on the audit log.
 */
import type { Knex } from 'knex';
import { makeAppendOnly } from '../append-only.js';

const MS = { useTz: true, precision: 3 } as const;
const VERSION_STATUSES = ['pending_review', 'approved', 'rejected', 'yanked', 'quarantined'];

/** Name parts, description and keywords, stemmed as English: `@acme/slug-ify` is found by "slug". */
const SEARCH_DOCUMENT =
  "to_tsvector('english', regexp_replace(name, '[@/._-]+', ' ', 'g') || ' ' || coalesce(description, '') || ' ' || keywords)";

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('package_blobs', (t) => {
    t.text('sha256').primary();
    t.binary('bytes').notNullable();
    t.integer('size').notNullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('plugins', (t) => {
    t.text('name').primary();
    t.text('scope').notNullable();
    t.uuid('publisher_tenant_id').notNullable();
    // Listing columns: null until a version is approved (then the plugin is listed).
    t.text('latest_version').nullable();
    t.text('description').nullable();
    t.text('keywords').notNullable().defaultTo('');
    t.text('homepage').nullable();
    t.integer('trust_score').nullable();
    t.text('risk').nullable();
    // Distinct installing tenants; maintained by the installs issue.
    t.integer('install_count').notNullable().defaultTo(0);
    t.timestamp('latest_published_at', MS).nullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.specificType('search', `tsvector GENERATED ALWAYS AS (${SEARCH_DOCUMENT}) STORED`);
    t.index(['trust_score', 'name'], 'plugins_trust_idx');
    t.index(['latest_published_at', 'name'], 'plugins_recent_idx');
    t.index(['install_count', 'name'], 'plugins_installs_idx');
  });
  await knex.raw('CREATE INDEX plugins_search_idx ON plugins USING gin (search)');

  await knex.schema.createTable('plugin_versions', (t) => {
    t.increments('id').primary();
    t.text('plugin_name').notNullable().references('name').inTable('plugins');
    t.text('version').notNullable();
    t.text('version_key').notNullable();
    t.text('status').notNullable().checkIn(VERSION_STATUSES, 'plugin_versions_status_check');
    t.text('status_reason').nullable();
    t.text('sha256').notNullable().references('sha256').inTable('package_blobs');
    t.integer('compressed_bytes').notNullable();
    t.integer('unpacked_bytes').notNullable();
    t.jsonb('manifest').notNullable();
    t.jsonb('analysis').notNullable();
    t.jsonb('trust').notNullable();
    t.integer('trust_score').notNullable();
    t.text('trust_risk').notNullable();
    t.uuid('publisher_tenant_id').notNullable();
    t.uuid('publisher_key_id').nullable();
    t.timestamp('published_at', MS).notNullable();
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.unique(['plugin_name', 'version_key'], { indexName: 'plugin_versions_name_version_unique' });
    t.index(['status', 'trust_score', 'id'], 'plugin_versions_queue_idx');
  });

  await knex.schema.createTable('marketplace_audit_log', (t) => {
    t.increments('id').primary();
    t.timestamp('at', MS).notNullable().defaultTo(knex.fn.now());
    t.text('action').notNullable();
    t.text('actor_type').notNullable().checkIn(['key', 'system'], 'marketplace_audit_actor_check');
    t.uuid('actor_key_id').nullable();
    t.uuid('actor_tenant_id').nullable();
    t.text('plugin_name').notNullable();
    t.text('version').notNullable();
    t.text('from_status').nullable();
    t.text('to_status').nullable();
    t.text('notes').nullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.index(['plugin_name', 'id'], 'marketplace_audit_plugin_idx');
  });

  await makeAppendOnly(knex, 'marketplace_audit_log');

  await knex.raw(`
    CREATE FUNCTION plugin_versions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'a published version is never deleted' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.plugin_name <> OLD.plugin_name OR NEW.version <> OLD.version OR NEW.version_key <> OLD.version_key
         OR NEW.sha256 <> OLD.sha256 OR NEW.manifest <> OLD.manifest OR NEW.published_at <> OLD.published_at THEN
        RAISE EXCEPTION 'a published version is immutable' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER plugin_versions_immutable BEFORE UPDATE OR DELETE ON plugin_versions
    FOR EACH ROW EXECUTE FUNCTION plugin_versions_immutable()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('marketplace_audit_log');
  await knex.schema.dropTableIfExists('plugin_versions');
  await knex.schema.dropTableIfExists('plugins');
  await knex.schema.dropTableIfExists('package_blobs');
  await knex.raw('DROP FUNCTION IF EXISTS marketplace_audit_log_append_only()');
  await knex.raw('DROP FUNCTION IF EXISTS plugin_versions_immutable()');
}
