/**
 * Billing tables (docs/http-api.md "Billing, usage and analytics"): one
 * subscription per tenant, invoices with their lines, payments, the plugin
 * authors' revenue ledger and the append-only billing audit log. Runs unchanged
 * on PostgreSQL and PGlite.
 *
 * Integrity lives in the schema, so it holds across many host processes:
 * - UNIQUE (tenant_id, period_start) on invoices: a period is invoiced once,
 *   whichever process closes it;
 * - UNIQUE invoice_id on payments: an invoice is paid once;
 * - a trigger freezes an invoice once it leaves `draft`: only the status may
 *   move on (open → paid | void) with its timestamp; amounts, periods and lines
 *   never change again (corrections are new documents, never edits);
 * - a trigger makes billing_audit_log append-only, as marketplace_audit_log.
 *
 * Tenants that exist before this migration get an `active` subscription on
 * their tier from now on (the operator tenant is never billed).
 */
import type { Knex } from 'knex';
import { makeAppendOnly } from '../append-only.js';

const MS = { useTz: true, precision: 3 } as const;
const TIERS = ['free', 'pro', 'team', 'enterprise'];

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('subscriptions', (t) => {
    t.uuid('tenant_id').primary().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('tier').notNullable().checkIn(TIERS, 'subscriptions_tier_check');
    t.text('status').notNullable().checkIn(['trialing', 'active', 'past_due', 'canceled'], 'subscriptions_status_check');
    // Monthly periods are computed from the anchor (never from the previous end), so Jan 31 → Feb 28 → Mar 31.
    t.timestamp('billing_anchor', MS).notNullable();
    // 0: the trial (created → anchor); n ≥ 1: [anchor + (n-1) months, anchor + n months).
    t.integer('period_number').notNullable();
    t.timestamp('current_period_start', MS).notNullable();
    t.timestamp('current_period_end', MS).notNullable();
    t.timestamp('trial_ends_at', MS).nullable();
    t.boolean('cancel_at_period_end').notNullable().defaultTo(false);
    // A downgrade waits here for the period end.
    t.text('pending_tier').nullable().checkIn(TIERS, 'subscriptions_pending_tier_check');
    t.timestamp('canceled_at', MS).nullable();
    t.timestamp('created_at', MS).notNullable();
    t.timestamp('updated_at', MS).notNullable();
    t.index(['current_period_end'], 'subscriptions_period_end_idx');
  });

  await knex.schema.createTable('invoices', (t) => {
    t.uuid('id').primary();
    t.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE');
    t.text('status').notNullable().checkIn(['draft', 'open', 'paid', 'void'], 'invoices_status_check');
    t.text('currency').notNullable().defaultTo('usd');
    t.timestamp('period_start', MS).notNullable();
    t.timestamp('period_end', MS).notNullable();
    // Filled at finalization; null while draft.
    t.bigInteger('subtotal_cents').nullable();
    t.integer('tax_rate_bps').nullable();
    t.bigInteger('tax_cents').nullable();
    t.bigInteger('total_cents').nullable();
    t.timestamp('finalized_at', MS).nullable();
    t.timestamp('due_at', MS).nullable();
    t.timestamp('paid_at', MS).nullable();
    t.timestamp('voided_at', MS).nullable();
    t.timestamp('created_at', MS).notNullable();
    t.timestamp('updated_at', MS).notNullable();
    t.unique(['tenant_id', 'period_start'], { indexName: 'invoices_tenant_period_unique' });
    t.index(['tenant_id', 'period_start', 'id'], 'invoices_tenant_list_idx');
    t.index(['status', 'due_at'], 'invoices_status_due_idx');
  });

  await knex.schema.createTable('invoice_lines', (t) => {
    t.uuid('id').primary();
    t.uuid('invoice_id').notNullable().references('id').inTable('invoices').onDelete('CASCADE');
    // Order of the lines on the invoice.
    t.integer('position').notNullable();
    t.text('kind').notNullable().checkIn(['subscription', 'proration', 'overage', 'plugin_fee'], 'invoice_lines_kind_check');
    t.text('description').notNullable();
    t.text('plugin_name').nullable();
    t.bigInteger('quantity').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('created_at', MS).notNullable();
    t.unique(['invoice_id', 'position'], { indexName: 'invoice_lines_position_unique' });
  });

  await knex.schema.createTable('payments', (t) => {
    t.uuid('id').primary();
    t.uuid('invoice_id').notNullable().unique().references('id').inTable('invoices');
    t.uuid('tenant_id').notNullable();
    t.text('provider').notNullable();
    t.text('reference').notNullable();
    t.bigInteger('amount_cents').notNullable();
    t.timestamp('created_at', MS).notNullable();
  });

  await knex.schema.createTable('plugin_revenue_ledger', (t) => {
    t.increments('id').primary();
    t.uuid('invoice_id').notNullable().references('id').inTable('invoices');
    t.uuid('payer_tenant_id').notNullable();
    t.text('plugin_name').notNullable();
    // Null when the plugin row is unknown (should not happen: versions are never deleted).
    t.uuid('author_tenant_id').nullable();
    t.bigInteger('executions').notNullable();
    t.bigInteger('gross_cents').notNullable();
    t.integer('share_bps').notNullable();
    t.bigInteger('author_cents').notNullable();
    t.timestamp('created_at', MS).notNullable();
    t.unique(['invoice_id', 'plugin_name'], { indexName: 'plugin_revenue_ledger_invoice_plugin_unique' });
    t.index(['author_tenant_id', 'created_at'], 'plugin_revenue_ledger_author_idx');
  });

  await knex.schema.createTable('billing_audit_log', (t) => {
    t.increments('id').primary();
    t.timestamp('at', MS).notNullable();
    t.uuid('tenant_id').notNullable();
    t.text('entity').notNullable().checkIn(['subscription', 'invoice', 'payment'], 'billing_audit_entity_check');
    t.text('entity_id').notNullable();
    t.text('action').notNullable();
    t.text('actor_type').notNullable().checkIn(['key', 'system'], 'billing_audit_actor_check');
    t.uuid('actor_key_id').nullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.index(['tenant_id', 'id'], 'billing_audit_tenant_idx');
  });

  await makeAppendOnly(knex, 'billing_audit_log');

  // Everything but the status and its timestamps is compared, so a column added later is frozen too.
  await knex.raw(`
    CREATE FUNCTION invoices_finalized_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'an invoice is never deleted' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.status = 'draft' THEN
        RETURN NEW;
      END IF;
      IF NOT (OLD.status = 'open' AND NEW.status IN ('open', 'paid', 'void')) THEN
        RAISE EXCEPTION 'a % invoice is final', OLD.status USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF (to_jsonb(NEW) - 'status' - 'paid_at' - 'voided_at' - 'updated_at')
         IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'paid_at' - 'voided_at' - 'updated_at') THEN
        RAISE EXCEPTION 'a finalized invoice is immutable' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER invoices_finalized_immutable BEFORE UPDATE OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_finalized_immutable()`);
  await knex.raw(`CREATE TRIGGER invoices_no_truncate BEFORE TRUNCATE ON invoices
    FOR EACH STATEMENT EXECUTE FUNCTION billing_audit_log_append_only()`);

  // Lines are written only while their invoice is a draft.
  await knex.raw(`
    CREATE FUNCTION invoice_lines_of_drafts_only() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      invoice_status text;
    BEGIN
      SELECT status INTO invoice_status FROM invoices
        WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
      IF TG_OP = 'UPDATE' OR TG_OP = 'DELETE' OR invoice_status IS DISTINCT FROM 'draft' THEN
        RAISE EXCEPTION 'invoice lines are added to drafts only, never changed' USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`);
  await knex.raw(`CREATE TRIGGER invoice_lines_of_drafts_only BEFORE INSERT OR UPDATE OR DELETE ON invoice_lines
    FOR EACH ROW EXECUTE FUNCTION invoice_lines_of_drafts_only()`);

  await makeAppendOnly(knex, 'payments');

  // Existing tenants: active on their tier from now, monthly from now (whole seconds, as every anchor).
  await knex.raw(`
    INSERT INTO subscriptions (tenant_id, tier, status, billing_anchor, period_number, current_period_start,
      current_period_end, created_at, updated_at)
    SELECT id, tier, 'active', date_trunc('second', now()), 1, date_trunc('second', now()),
      date_trunc('second', now()) + interval '1 month', now(), now()
    FROM tenants WHERE slug <> 'operator'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('billing_audit_log');
  await knex.schema.dropTableIfExists('plugin_revenue_ledger');
  await knex.schema.dropTableIfExists('payments');
  await knex.schema.dropTableIfExists('invoice_lines');
  await knex.schema.dropTableIfExists('invoices');
  await knex.schema.dropTableIfExists('subscriptions');
  for (const fn of ['billing_audit_log_append_only', 'invoices_finalized_immutable', 'invoice_lines_of_drafts_only', 'payments_append_only']) {
    await knex.raw(`DROP FUNCTION IF EXISTS ${fn}()`);
  }
}
