/**
 * Webhooks (docs/http-api.md "Webhooks"): subscriptions, and the durable outbox
 * shared by every host process. Runs unchanged on PostgreSQL and embedded
 * PGlite.
 *
 * - `webhooks`: a tenant's subscription. `secret` is stored in clear because
 *   every delivery is signed with it (HMAC needs the key itself; a hash would
 *   not do). It is shown to the client once, at creation, and never listed.
 * - `webhook_events`: each published domain event, once. `dedupe_key` is
 *   UNIQUE per tenant (NULLs never conflict), so an event that must happen
 *   once (a quota threshold per period) is recorded once even when several
 *   processes publish it at the same moment.
 * - `webhook_deliveries`: one row per (event, subscription): the outbox. The
 *   dispatcher claims due rows (`status = 'pending' AND next_attempt_at <= now`)
 *   with FOR UPDATE SKIP LOCKED, leasing them by moving `next_attempt_at`
 *   forward and setting `claim_token`, so a process that dies mid-send only
 *   delays the row until the lease ends (at-least-once).
 * - `webhook_delivery_attempts`: every attempt, with its status code or error.
 */
import type { Knex } from 'knex';

const MS = { useTz: true, precision: 3 } as const;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhooks', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('url').notNullable();
    // A JSON array of event types (jsonb: the same on pg and PGlite, and `@>` finds subscribers).
    t.jsonb('events').notNullable();
    t.text('secret').notNullable();
    t.timestamp('created_at', MS).notNullable().defaultTo(knex.fn.now());
    t.index(['tenant_id', 'created_at', 'id'], 'webhooks_tenant_created_idx');
  });
  await knex.raw('ALTER TABLE webhooks ADD CONSTRAINT webhooks_url_length CHECK (char_length(url) <= 2048)');

  await knex.schema.createTable('webhook_events', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('type').notNullable();
    t.jsonb('data').notNullable();
    t.text('dedupe_key').nullable();
    t.timestamp('created_at', MS).notNullable();
    t.unique(['tenant_id', 'dedupe_key'], { indexName: 'webhook_events_dedupe_key' });
  });

  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('id').primary();
    t.uuid('webhook_id').notNullable().references('id').inTable('webhooks').onDelete('CASCADE');
    t.uuid('event_id').notNullable().references('id').inTable('webhook_events').onDelete('CASCADE');
    t.uuid('tenant_id').notNullable();
    t.text('status').notNullable().checkIn(['pending', 'delivered', 'failed'], 'webhook_deliveries_status_check');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', MS).nullable();
    t.uuid('claim_token').nullable();
    t.integer('last_status_code').nullable();
    t.text('last_error').nullable();
    t.uuid('redelivery_of').nullable();
    t.timestamp('created_at', MS).notNullable();
    t.timestamp('updated_at', MS).notNullable();
    t.timestamp('delivered_at', MS).nullable();
    t.index(['webhook_id', 'created_at', 'id'], 'webhook_deliveries_webhook_created_idx');
  });
  // The dispatcher's scan: only pending rows, in due order.
  await knex.raw(`CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending'`);
  await knex.raw(`ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_pending_has_due
    CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL))`);

  await knex.schema.createTable('webhook_delivery_attempts', (t) => {
    t.uuid('id').primary();
    t.uuid('delivery_id').notNullable().references('id').inTable('webhook_deliveries').onDelete('CASCADE');
    t.integer('attempt').notNullable();
    t.timestamp('started_at', MS).notNullable();
    t.integer('duration_ms').notNullable();
    t.integer('status_code').nullable();
    t.text('error').nullable();
    t.index(['delivery_id', 'attempt'], 'webhook_delivery_attempts_delivery_idx');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('webhook_delivery_attempts');
  await knex.schema.dropTableIfExists('webhook_deliveries');
  await knex.schema.dropTableIfExists('webhook_events');
  await knex.schema.dropTableIfExists('webhooks');
}
