/**
 * Invoices, their lines and payments in SQL (migration 006). Writes take the
 * caller's transaction; the triggers of 006 refuse any change to a finalized
 * invoice or its lines, whatever the code above does.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Invoice, InvoiceLine, InvoiceStatus, LineKind, NewLine } from './invoice.js';
import { knexOf } from '../foundation/database/knex-transaction.js';
import type { Transaction } from '../foundation/transaction.js';
import type { Finalization, InvoiceStore, NewPayment } from './ports.js';
import { type Page, type PageRequest, parseTimeIdCursor, toPage } from '../foundation/pagination.js';

interface InvoiceRow {
  id: string;
  tenant_id: string;
  status: InvoiceStatus;
  currency: string;
  period_start: Date;
  period_end: Date;
  subtotal_cents: string | number | null;
  tax_rate_bps: number | null;
  tax_cents: string | number | null;
  total_cents: string | number | null;
  finalized_at: Date | null;
  due_at: Date | null;
  paid_at: Date | null;
  created_at: Date;
}

interface LineRow {
  id: string;
  invoice_id: string;
  position: number;
  kind: LineKind;
  description: string;
  plugin_name: string | null;
  quantity: string | number;
  amount_cents: string | number;
  data: Record<string, unknown>;
}

export class InvoiceRepository implements InvoiceStore {
  readonly #db: Knex;

  constructor(db: Knex) {
    this.#db = db;
  }

  /** The draft of a period, created if absent (UNIQUE (tenant_id, period_start) makes it one). */
  async ensureDraft(tenantId: string, period: { start: Date; end: Date }, now: Date, tx: Transaction): Promise<{ invoice: Invoice; created: boolean }> {
    const trx = knexOf(tx);
    const inserted = await trx('invoices')
      .insert({
        id: randomUUID(),
        tenant_id: tenantId,
        status: 'draft',
        period_start: period.start,
        period_end: period.end,
        created_at: now,
        updated_at: now,
      })
      .onConflict(['tenant_id', 'period_start'])
      .ignore()
      .returning('id');
    const row = await trx<InvoiceRow>('invoices').where({ tenant_id: tenantId, period_start: period.start }).first().forUpdate();
    if (row === undefined) throw new Error('draft invoice vanished');
    return { invoice: await this.#withLines(row, trx), created: inserted.length > 0 };
  }

  /** End a draft's period early (an immediate cancellation); only drafts may change. */
  async shortenDraft(invoiceId: string, end: Date, now: Date, tx: Transaction): Promise<Invoice> {
    const trx = knexOf(tx);
    const [row] = await trx('invoices').where({ id: invoiceId, status: 'draft' }).update({ period_end: end, updated_at: now }).returning('*');
    if (row === undefined) throw new Error(`invoice ${invoiceId} is not a draft`);
    return this.#withLines(row as InvoiceRow, trx);
  }

  /** Append lines to a draft (the trigger refuses any other invoice). */
  async addLines(invoiceId: string, lines: readonly NewLine[], now: Date, tx: Transaction): Promise<void> {
    const trx = knexOf(tx);
    if (lines.length === 0) return;
    const last = await trx('invoice_lines').where({ invoice_id: invoiceId }).max({ p: 'position' }).first();
    const start = Number((last as { p: number | null } | undefined)?.p ?? 0);
    await trx('invoice_lines').insert(
      lines.map((l, i) => ({
        id: randomUUID(),
        invoice_id: invoiceId,
        position: start + i + 1,
        kind: l.kind,
        description: l.description,
        plugin_name: l.pluginName ?? null,
        quantity: l.quantity,
        amount_cents: l.amountCents,
        data: JSON.stringify(l.data ?? {}),
        created_at: now,
      })),
    );
  }

  async finalize(invoiceId: string, f: Finalization, tx: Transaction): Promise<Invoice> {
    const trx = knexOf(tx);
    const [row] = await trx('invoices')
      .where({ id: invoiceId, status: 'draft' })
      .update({
        status: f.status,
        subtotal_cents: f.subtotalCents,
        tax_rate_bps: f.taxRateBps,
        tax_cents: f.taxCents,
        total_cents: f.totalCents,
        finalized_at: f.finalizedAt,
        due_at: f.dueAt,
        paid_at: f.paidAt,
        updated_at: f.finalizedAt,
      })
      .returning('*');
    if (row === undefined) throw new Error(`invoice ${invoiceId} is not a draft`);
    return this.#withLines(row as InvoiceRow, trx);
  }

  /** One invoice of `tenantId` (null for another tenant's); `lock` holds its row until commit. */
  async find(tenantId: string | null, id: string, tx?: Transaction, lock = false): Promise<Invoice | null> {
    const trx = knexOf(tx, this.#db);
    const query = trx<InvoiceRow>('invoices').where({ id }).first();
    if (tenantId !== null) query.where({ tenant_id: tenantId });
    const row = await (lock ? query.forUpdate() : query);
    return row === undefined ? null : this.#withLines(row, trx);
  }

  /** A tenant's invoices, newest period first, keyset-paginated on (period_start, id). */
  async list(tenantId: string, page: PageRequest): Promise<Page<Invoice>> {
    const query = this.#db<InvoiceRow>('invoices').where({ tenant_id: tenantId });
    if (page.after !== null) {
      const { createdAt, id } = parseTimeIdCursor(page.after);
      query.where((q) => q.where('period_start', '<', createdAt).orWhere((q2) => q2.where('period_start', createdAt).where('id', '<', id)));
    }
    const rows = await query.orderBy([{ column: 'period_start', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(page.limit + 1);
    const lines = await this.#linesOf(rows.slice(0, page.limit).map((r) => r.id), this.#db);
    return toPage(rows, page.limit, (r) => [r.period_start.toISOString(), r.id], (r) => toInvoice(r, lines.get(r.id) ?? []));
  }

  async markPaid(invoiceId: string, paidAt: Date, tx: Transaction): Promise<Invoice> {
    const trx = knexOf(tx);
    const [row] = await trx('invoices').where({ id: invoiceId, status: 'open' }).update({ status: 'paid', paid_at: paidAt, updated_at: paidAt }).returning('*');
    if (row === undefined) throw new Error(`invoice ${invoiceId} is not open`);
    return this.#withLines(row as InvoiceRow, trx);
  }

  /** Whether the tenant has an open invoice due at or before `now`. */
  async hasOverdue(tenantId: string, now: Date, tx: Transaction): Promise<boolean> {
    const trx = knexOf(tx);
    const row = await trx('invoices').where({ tenant_id: tenantId, status: 'open' }).where('due_at', '<=', now).first('id');
    return row !== undefined;
  }

  /** Record a payment; the unique invoice_id refuses a second one. */
  async insertPayment(p: NewPayment, tx: Transaction): Promise<string> {
    const trx = knexOf(tx);
    const id = randomUUID();
    await trx('payments').insert({
      id,
      invoice_id: p.invoiceId,
      tenant_id: p.tenantId,
      provider: p.provider,
      reference: p.reference,
      amount_cents: p.amountCents,
      created_at: p.createdAt,
    });
    return id;
  }

  async #withLines(row: InvoiceRow, trx: Knex): Promise<Invoice> {
    const lines = await this.#linesOf([row.id], trx);
    return toInvoice(row, lines.get(row.id) ?? []);
  }

  async #linesOf(invoiceIds: readonly string[], trx: Knex): Promise<Map<string, InvoiceLine[]>> {
    const byInvoice = new Map<string, InvoiceLine[]>();
    if (invoiceIds.length === 0) return byInvoice;
    const rows = await trx<LineRow>('invoice_lines').whereIn('invoice_id', invoiceIds).orderBy(['invoice_id', 'position']);
    for (const r of rows) {
      const list = byInvoice.get(r.invoice_id) ?? [];
      list.push({
        id: r.id,
        kind: r.kind,
        description: r.description,
        pluginName: r.plugin_name,
        quantity: Number(r.quantity),
        amountCents: Number(r.amount_cents),
        data: r.data ?? {},
      });
      byInvoice.set(r.invoice_id, list);
    }
    return byInvoice;
  }
}

const num = (v: string | number | null) => (v === null ? null : Number(v));

function toInvoice(row: InvoiceRow, lines: readonly InvoiceLine[]): Invoice {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    status: row.status,
    currency: row.currency,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    lines,
    subtotalCents: num(row.subtotal_cents),
    taxRateBps: row.tax_rate_bps,
    taxCents: num(row.tax_cents),
    totalCents: num(row.total_cents),
    finalizedAt: row.finalized_at,
    dueAt: row.due_at,
    paidAt: row.paid_at,
    createdAt: row.created_at,
  };
}
