/**
 * Core tables: tenants and their API keys. Runs unchanged on PostgreSQL and on
 * embedded PGlite. Never edit a released migration: add `00N_<area>.ts` instead.
 *
 * Timestamps have millisecond precision so that a JS `Date` round-trips exactly:
 * list cursors carry them, and a microsecond the client never saw would make
 * keyset pagination skip or repeat rows.
 */
import type { Knex } from 'knex';

const TIERS = ['free', 'pro', 'team', 'enterprise'];
const TENANT_STATUSES = ['pending', 'trial', 'active', 'suspended', 'churned'];
const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (t) => {
    t.uuid('id').primary();
    t.text('name').notNullable();
    t.text('slug').notNullable().unique();
    t.text('owner_email').notNullable();
    t.text('tier').notNullable().checkIn(TIERS, 'tenants_tier_check');
    t.text('status').notNullable().checkIn(TENANT_STATUSES, 'tenants_status_check');
    // {limits, features, minTrustScore, allowedPlugins}: overrides only; tier defaults are in config.
    t.jsonb('settings').notNullable().defaultTo('{}');
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', MS).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'id'], 'tenants_created_at_id_idx');
  });

  await knex.schema.createTable('api_keys', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('name').notNullable();
    // First characters of the key, shown in lists so people can tell keys apart.
    t.text('prefix').notNullable();
    // SHA-256 hex of the whole key; the key itself is never stored.
    t.text('key_hash').notNullable().unique();
    t.specificType('scopes', 'text[]').notNullable();
    t.timestamp('expires_at', MS).nullable();
    t.timestamp('last_used_at', MS).nullable();
    t.timestamp('revoked_at', MS).nullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id', 'created_at', 'id'], 'api_keys_tenant_created_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('api_keys');
  await knex.schema.dropTableIfExists('tenants');
}
