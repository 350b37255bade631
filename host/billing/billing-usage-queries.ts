/**
 * What an invoice charges for, read from the usage ledger (`usage_records`)
 * of one tenant over one billing period [start, end) by `started_at`.
 */
import type { Knex } from 'knex';
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { BillingUsageStore, LedgerEntry, PaidPluginUsage, PluginExecutions } from './ports.js';

/** The usage ledger's figures for invoices, and the revenue ledger, in the caller's transaction. */
export class BillingUsageQueries implements BillingUsageStore {
  executionsByPlugin(tenantId: string, period: { start: Date; end: Date }, included: number | null, tx: Transaction): Promise<PluginExecutions[]> {
    return executionsByPlugin(knexOf(tx), tenantId, period, included);
  }

  paidPluginUsage(tenantId: string, period: { start: Date; end: Date }, tx: Transaction): Promise<PaidPluginUsage[]> {
    return paidPluginUsage(knexOf(tx), tenantId, period);
  }

  insertRevenueLedger(entries: readonly LedgerEntry[], at: Date, tx: Transaction): Promise<void> {
    return insertRevenueLedger(knexOf(tx), entries, at);
  }
}

/**
 * Executions per plugin. The included quota is spent in the order executions
 * started (ties by execution id): the first `included` are included, each one
 * after that is overage and belongs to its own plugin. `null`: unlimited.
 */
async function executionsByPlugin(
  trx: Knex,
  tenantId: string,
  period: { start: Date; end: Date },
  included: number | null,
): Promise<PluginExecutions[]> {
  const rows = await trx
    .select('plugin_name')
    .count({ executions: '*' })
    .select(trx.raw('count(*) filter (where rn > ?) as overage', [included ?? Number.MAX_SAFE_INTEGER]))
    .from(
      trx('usage_records')
        .select('plugin_name', trx.raw('row_number() over (order by started_at, execution_id) as rn'))
        .where({ tenant_id: tenantId })
        .where('started_at', '>=', period.start)
        .where('started_at', '<', period.end)
        .as('u'),
    )
    .groupBy('plugin_name')
    .orderBy('plugin_name');
  return (rows as { plugin_name: string; executions: string | number; overage: string | number }[]).map((r) => ({
    pluginName: r.plugin_name,
    executions: Number(r.executions),
    overageExecutions: Number(r.overage),
  }));
}

/**
 * Paid-plugin usage: succeeded executions per plugin version, priced by that
 * version's manifest (`pricing.perExecutionMicros`). A failed execution is
 * counted against the quota but earns its author nothing.
 */
async function paidPluginUsage(trx: Knex, tenantId: string, period: { start: Date; end: Date }): Promise<PaidPluginUsage[]> {
  const rows = await trx('usage_records as u')
    .leftJoin('plugin_versions as v', (j) => j.on('v.plugin_name', 'u.plugin_name').andOn('v.version', 'u.plugin_version'))
    .leftJoin('plugins as p', 'p.name', 'u.plugin_name')
    .where('u.tenant_id', tenantId)
    .where('u.status', 'succeeded')
    .where('u.started_at', '>=', period.start)
    .where('u.started_at', '<', period.end)
    .select('u.plugin_name', 'u.plugin_version', 'p.publisher_tenant_id')
    .select(trx.raw(`coalesce((v.manifest->'pricing'->>'perExecutionMicros')::bigint, 0) as micros`))
    .count({ executions: '*' })
    .groupByRaw('1, 2, 3, 4')
    .orderByRaw('1, 2');
  return (
    rows as { plugin_name: string; plugin_version: string; publisher_tenant_id: string | null; micros: string | number; executions: string | number }[]
  )
    .map((r) => ({
      pluginName: r.plugin_name,
      pluginVersion: r.plugin_version,
      executions: Number(r.executions),
      perExecutionMicros: Number(r.micros),
      authorTenantId: r.publisher_tenant_id,
    }))
    .filter((r) => r.perExecutionMicros > 0);
}

/** The authors' share of paid-plugin fees, one row per invoice and plugin. */
async function insertRevenueLedger(trx: Knex, entries: readonly LedgerEntry[], at: Date): Promise<void> {
  if (entries.length === 0) return;
  await trx('plugin_revenue_ledger').insert(
    entries.map((e) => ({
      invoice_id: e.invoiceId,
      payer_tenant_id: e.payerTenantId,
      plugin_name: e.pluginName,
      author_tenant_id: e.authorTenantId,
      executions: e.executions,
      gross_cents: e.grossCents,
      share_bps: e.shareBps,
      author_cents: e.authorCents,
      created_at: at,
    })),
  );
}
