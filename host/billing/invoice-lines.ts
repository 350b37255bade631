/**
 * The usage lines of a closing period, from the usage ledger: overage per
 * plugin and paid-plugin fees per plugin, plus the authors' ledger entries.
 * Rounding rules are in money.ts.
 */
import type { Tier } from '../foundation/tiers.js';
import type { Transaction } from '../foundation/transaction.js';
import type { BillingUsageStore, LedgerEntry } from './ports.js';
import type { NewLine } from './invoice.js';
import { microsToCents, overageCents, shareCents } from './money.js';

export interface UsageLines {
  readonly lines: NewLine[];
  /** Ledger entries without their invoice id (the caller knows it). */
  readonly ledger: Omit<LedgerEntry, 'invoiceId'>[];
}

export interface UsageLineInput {
  readonly tenantId: string;
  readonly period: { start: Date; end: Date };
  readonly tier: Tier;
  /** The effective included executions (tier, or the operator's override); `null`: unlimited. */
  readonly includedExecutions: number | null;
  readonly authorShareBps: number;
}

export async function usageLines(usage: BillingUsageStore, tx: Transaction, input: UsageLineInput): Promise<UsageLines> {
  const lines: NewLine[] = [];
  const ledger: Omit<LedgerEntry, 'invoiceId'>[] = [];
  const rate = input.tier.overagePer1000Cents;
  if (rate !== null && input.includedExecutions !== null) {
    for (const p of await usage.executionsByPlugin(input.tenantId, input.period, input.includedExecutions, tx)) {
      if (p.overageExecutions === 0) continue;
      lines.push({
        kind: 'overage',
        description: `${p.pluginName}: ${p.overageExecutions} executions beyond the ${input.includedExecutions} included, at ${rate} cents per 1,000`,
        pluginName: p.pluginName,
        quantity: p.overageExecutions,
        amountCents: overageCents(p.overageExecutions, rate),
        data: { includedExecutions: input.includedExecutions, centsPer1000: rate, pluginExecutions: p.executions },
      });
    }
  }

  // One fee line per plugin, summed in micro-dollars over its versions before the one rounding to cents.
  const byPlugin = new Map<string, { micros: bigint; executions: number; author: string | null; versions: object[] }>();
  for (const u of await usage.paidPluginUsage(input.tenantId, input.period, tx)) {
    const entry = byPlugin.get(u.pluginName) ?? { micros: 0n, executions: 0, author: u.authorTenantId, versions: [] };
    entry.micros += BigInt(u.executions) * BigInt(u.perExecutionMicros);
    entry.executions += u.executions;
    entry.versions.push({ version: u.pluginVersion, executions: u.executions, perExecutionMicros: u.perExecutionMicros });
    byPlugin.set(u.pluginName, entry);
  }
  for (const [pluginName, fee] of byPlugin) {
    const gross = microsToCents(fee.micros);
    lines.push({
      kind: 'plugin_fee',
      description: `${pluginName}: ${fee.executions} paid executions`,
      pluginName,
      quantity: fee.executions,
      amountCents: gross,
      data: { micros: fee.micros.toString(), versions: fee.versions },
    });
    ledger.push({
      payerTenantId: input.tenantId,
      pluginName,
      authorTenantId: fee.author,
      executions: fee.executions,
      grossCents: gross,
      shareBps: input.authorShareBps,
      authorCents: shareCents(gross, input.authorShareBps),
    });
  }
  return { lines, ledger };
}
