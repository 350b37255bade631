/**
 * `bazaar invoices [list] | show <id> | pay <id> --reference <ref>`
 * (docs/http-api.md "Billing, usage and analytics": GET /v1/invoices, GET
 * /v1/invoices/:id with billing:read; POST /v1/invoices/:id/pay with
 * billing:write). The shapes are the host's (host/billing/invoice.ts
 * `invoiceToJson`). Money is integer cents.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { integerFlag } from '../cli-flags.js';
import { formatCents, printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import type { Page } from '../tenant-ref.js';

/** One line of an invoice: `kind` is subscription, proration, overage or plugin_fee. */
export interface InvoiceLineJson {
  id: string;
  kind: string;
  description: string;
  /** The plugin of an overage or plugin-fee line, else null. */
  plugin: string | null;
  /** Executions for usage lines, 1 for the subscription, seconds for a proration. */
  quantity: number;
  amountCents: number;
}

/** GET /v1/invoices/:id. A draft's tax and total are null until its period closes. */
export interface InvoiceJson {
  id: string;
  tenantId: string;
  status: 'draft' | 'open' | 'paid' | 'void';
  currency: string;
  periodStart: string;
  periodEnd: string;
  lines: InvoiceLineJson[];
  subtotalCents: number;
  taxRateBps: number | null;
  taxCents: number | null;
  totalCents: number | null;
  finalizedAt: string | null;
  dueAt: string | null;
  paidAt: string | null;
  createdAt: string;
}

/** POST /v1/invoices/:id/pay: the paid invoice and the payment recorded. */
interface PaidJson extends InvoiceJson {
  payment: { id: string; provider: string; reference: string; amountCents: number };
}

const period = (i: InvoiceJson) => `${i.periodStart.slice(0, 10)}..${i.periodEnd.slice(0, 10)}`;
const percent = (bps: number | null) => (bps === null ? undefined : `${bps / 100}%`);

function printInvoice(cli: CliContext, i: InvoiceJson): void {
  printFields(cli.io, [
    ['invoice', i.id],
    ['status', i.status],
    ['period', `${i.periodStart} .. ${i.periodEnd}`],
    ['due', i.dueAt],
    ['paid', i.paidAt],
  ]);
  cli.io.out('\n');
  printTable(cli.io, i.lines, [
    { header: 'KIND', value: (l) => l.kind },
    { header: 'PLUGIN', value: (l) => l.plugin },
    { header: 'QTY', value: (l) => l.quantity, align: 'right' },
    { header: 'AMOUNT', value: (l) => formatCents(l.amountCents, i.currency), align: 'right' },
    { header: 'DESCRIPTION', value: (l) => l.description },
  ], '(no lines)');
  cli.io.out('\n');
  printFields(cli.io, [
    ['subtotal', formatCents(i.subtotalCents, i.currency)],
    [i.taxRateBps === null ? 'tax' : `tax (${percent(i.taxRateBps)})`, i.status === 'draft' ? '(when the period closes)' : formatCents(i.taxCents, i.currency)],
    ['total', i.status === 'draft' ? '(when the period closes)' : formatCents(i.totalCents, i.currency)],
  ]);
}

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', "the key's tenant's invoices, newest period first (GET /v1/invoices)")
      .option('--limit <n>', 'page size (1-200)', '50')
      .option('--cursor <cursor>', 'the nextCursor of a previous page'),
  ).action(async (flags: RemoteFlags & { limit: string; cursor?: string }) => {
    const client = await connect(flags);
    const { body } = await client.get<Page<InvoiceJson>>('/v1/invoices', { query: { limit: flags.limit, cursor: flags.cursor } });
    emit(cli, flags, body, () => {
      printTable(cli.io, body.items, [
        { header: 'ID', value: (i) => i.id },
        { header: 'PERIOD', value: period },
        { header: 'STATUS', value: (i) => i.status },
        { header: 'LINES', value: (i) => i.lines.length, align: 'right' },
        { header: 'SUBTOTAL', value: (i) => formatCents(i.subtotalCents, i.currency), align: 'right' },
        { header: 'TOTAL', value: (i) => formatCents(i.totalCents, i.currency), align: 'right' },
        { header: 'DUE', value: (i) => i.dueAt?.slice(0, 10) },
      ], '(no invoices)');
      if (body.nextCursor) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function showCommand(cli: CliContext): Command {
  return withSettingsHelp(remoteCommand('show', 'one invoice with its lines, subtotal, tax and total').argument('<id>', 'invoice id')).action(
    async (id: string, flags: RemoteFlags) => {
      const client = await connect(flags);
      const { body } = await client.get<InvoiceJson>(`/v1/invoices/${encodeURIComponent(id)}`);
      emit(cli, flags, body, () => printInvoice(cli, body));
    },
  );
}

function payCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('pay', 'record the payment of an open invoice (scope billing:write)')
      .argument('<id>', 'invoice id')
      .requiredOption('--reference <ref>', "the payment's reference (bank transfer, PSP payment id)")
      .option('--amount-cents <cents>', "the amount paid, in cents (default: the invoice's total; it must equal it)", integerFlag(0, 1_000_000_000_000))
      .option('--idempotency-key <key>', 'a replay with the same key is not a second payment'),
    '\nThe host\'s built-in provider records payments made outside Bazaar.\nExample:\n  bazaar invoices pay <id> --reference wire-2024-05-001\n',
  ).action(async (id: string, flags: RemoteFlags & { reference: string; amountCents?: number; idempotencyKey?: string }) => {
    const client = await connect(flags);
    const path = `/v1/invoices/${encodeURIComponent(id)}`;
    const amountCents = flags.amountCents ?? (await client.get<InvoiceJson>(path)).body.totalCents ?? 0;
    const { body } = await client.post<PaidJson>(`${path}/pay`, {
      json: { reference: flags.reference, amountCents },
      timeoutMs: 60_000,
      ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
    });
    emit(cli, flags, body, () => {
      cli.io.out(`invoice ${body.id}: ${body.status}, ${formatCents(body.payment.amountCents, body.currency)} recorded\n`);
      printFields(cli.io, [['payment', body.payment.id], ['provider', body.payment.provider], ['reference', body.payment.reference], ['paid at', body.paidAt]]);
    });
  });
}

export function invoicesCommand(cli: CliContext): Command {
  return new Command('invoices')
    .description("list, show and pay the key's tenant's invoices (default: list)")
    .addCommand(listCommand(cli), { isDefault: true })
    .addCommand(showCommand(cli))
    .addCommand(payCommand(cli));
}
