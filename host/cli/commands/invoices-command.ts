/**
 * `bazaar invoices [list] | show <id> | pay <id>` (API.md "Billing, usage,
 * analytics": GET /v1/invoices, GET /v1/invoices/:id with billing:read; POST
 * /v1/invoices/:id/pay with billing:write). Money is integer cents.
 */
import { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { formatCents, printFields, printTable } from '../cli-table.js';
import { connect, emit, remoteCommand, withSettingsHelp, type RemoteFlags } from '../remote-command.js';
import type { Page } from '../tenant-ref.js';

/** What API.md promises (line items, subtotal, tax, total, status); other fields print in --json only. */
interface InvoiceJson {
  id: string;
  status: string;
  currency?: string;
  periodStart?: string;
  periodEnd?: string;
  subtotalCents?: number;
  taxCents?: number;
  totalCents?: number;
  dueAt?: string;
  paidAt?: string | null;
  lineItems?: { description?: string; kind?: string; type?: string; plugin?: string; quantity?: number; amountCents?: number }[];
}

const period = (i: InvoiceJson) => (i.periodStart === undefined ? undefined : `${i.periodStart.slice(0, 10)}..${(i.periodEnd ?? '').slice(0, 10)}`);

function printInvoice(cli: CliContext, i: InvoiceJson): void {
  printFields(cli.io, [['invoice', i.id], ['status', i.status], ['period', period(i)], ['paid', i.paidAt]]);
  cli.io.out('\n');
  printTable(cli.io, i.lineItems ?? [], [
    { header: 'ITEM', value: (l) => l.description ?? [l.kind ?? l.type, l.plugin].filter(Boolean).join(' ') },
    { header: 'QTY', value: (l) => l.quantity, align: 'right' },
    { header: 'AMOUNT', value: (l) => formatCents(l.amountCents, i.currency), align: 'right' },
  ], '(no line items)');
  cli.io.out('\n');
  printFields(cli.io, [['subtotal', formatCents(i.subtotalCents, i.currency)], ['tax', formatCents(i.taxCents, i.currency)], ['total', formatCents(i.totalCents, i.currency)]]);
}

function listCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('list', "the key's tenant's invoices (GET /v1/invoices)")
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
        { header: 'TOTAL', value: (i) => formatCents(i.totalCents, i.currency), align: 'right' },
      ], '(no invoices)');
      if (body.nextCursor) cli.io.out(`more: --cursor ${body.nextCursor}\n`);
    });
  });
}

function showCommand(cli: CliContext): Command {
  return withSettingsHelp(remoteCommand('show', 'one invoice with its line items').argument('<id>', 'invoice id')).action(
    async (id: string, flags: RemoteFlags) => {
      const client = await connect(flags);
      const { body } = await client.get<InvoiceJson>(`/v1/invoices/${encodeURIComponent(id)}`);
      emit(cli, flags, body, () => printInvoice(cli, body));
    },
  );
}

function payCommand(cli: CliContext): Command {
  return withSettingsHelp(
    remoteCommand('pay', 'pay an open invoice through the payment provider (scope billing:write)')
      .argument('<id>', 'invoice id')
      .option('--idempotency-key <key>', 'a replay with the same key is not a second payment'),
  ).action(async (id: string, flags: RemoteFlags & { idempotencyKey?: string }) => {
    const client = await connect(flags);
    const { body } = await client.post<InvoiceJson>(`/v1/invoices/${encodeURIComponent(id)}/pay`, {
      timeoutMs: 60_000,
      ...(flags.idempotencyKey ? { idempotencyKey: flags.idempotencyKey } : {}),
    });
    emit(cli, flags, body, () => cli.io.out(`invoice ${body.id ?? id}: ${body.status ?? 'paid'} (${formatCents(body.totalCents, body.currency)})\n`));
  });
}

export function invoicesCommand(cli: CliContext): Command {
  return new Command('invoices')
    .description("list, show and pay the key's tenant's invoices (default: list)")
    .addCommand(listCommand(cli), { isDefault: true })
    .addCommand(showCommand(cli))
    .addCommand(payCommand(cli));
}
