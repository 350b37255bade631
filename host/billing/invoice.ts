/**
 * Invoices: one per tenant and billing period. A period's invoice is a
 * `draft` while the period runs (its subscription line is written at the
 * period start, prorations as they happen); closing the period adds the usage
 * lines, tax and totals and makes it `open` (or `paid` when there is nothing
 * to pay). From then on it never changes but for its status (a database
 * trigger enforces it): `open` → `paid` | `void`.
 */
export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const LINE_KINDS = ['subscription', 'proration', 'overage', 'plugin_fee'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface InvoiceLine {
  readonly id: string;
  readonly kind: LineKind;
  readonly description: string;
  /** The plugin of an overage or plugin-fee line. */
  readonly pluginName: string | null;
  /** Executions for usage lines; 1 for a subscription fee; seconds for a proration. */
  readonly quantity: number;
  readonly amountCents: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface Invoice {
  readonly id: string;
  readonly tenantId: string;
  readonly status: InvoiceStatus;
  readonly currency: string;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly lines: readonly InvoiceLine[];
  /** Null while draft. */
  readonly subtotalCents: number | null;
  readonly taxRateBps: number | null;
  readonly taxCents: number | null;
  readonly totalCents: number | null;
  readonly finalizedAt: Date | null;
  readonly dueAt: Date | null;
  readonly paidAt: Date | null;
  readonly createdAt: Date;
}

/** A line to add to a draft. */
export interface NewLine {
  readonly kind: LineKind;
  readonly description: string;
  readonly pluginName?: string | null;
  readonly quantity: number;
  readonly amountCents: number;
  readonly data?: Readonly<Record<string, unknown>>;
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/**
 * GET /v1/invoices(/:id). A draft's subtotal is the running sum of its lines
 * so far; its tax and total stay null until the period closes.
 */
export function invoiceToJson(inv: Invoice) {
  return {
    id: inv.id,
    tenantId: inv.tenantId,
    status: inv.status,
    currency: inv.currency,
    periodStart: inv.periodStart.toISOString(),
    periodEnd: inv.periodEnd.toISOString(),
    lines: inv.lines.map((l) => ({
      id: l.id,
      kind: l.kind,
      description: l.description,
      plugin: l.pluginName,
      quantity: l.quantity,
      amountCents: l.amountCents,
    })),
    subtotalCents: inv.subtotalCents ?? inv.lines.reduce((sum, l) => sum + l.amountCents, 0),
    taxRateBps: inv.taxRateBps,
    taxCents: inv.taxCents,
    totalCents: inv.totalCents,
    finalizedAt: iso(inv.finalizedAt),
    dueAt: iso(inv.dueAt),
    paidAt: iso(inv.paidAt),
    createdAt: inv.createdAt.toISOString(),
  };
}
