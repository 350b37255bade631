/**
 * Invoices for their tenant (another tenant's are 404, never 403; the
 * operator sees any) and paying them through the PaymentProvider.
 */
import { BazaarError } from '../../manifests/errors.js';
import { canAccessTenant, isOperator, type Principal } from '../foundation/principal.js';
import type { Page, PageRequest } from '../foundation/pagination.js';
import { type BillingDeps, record } from './billing-core.js';
import type { Invoice } from './invoice.js';
import type { PaymentProvider } from './payment-provider.js';
import type { PeriodCloser } from './period-closer.js';

export interface PaidInvoice {
  readonly invoice: Invoice;
  readonly payment: { readonly id: string; readonly provider: string; readonly reference: string; readonly amountCents: number };
}

export class InvoiceService {
  readonly #deps: BillingDeps;
  readonly #closer: PeriodCloser;
  readonly #provider: PaymentProvider;

  constructor(deps: BillingDeps, closer: PeriodCloser, provider: PaymentProvider) {
    this.#deps = deps;
    this.#closer = closer;
    this.#provider = provider;
  }

  list(tenantId: string, page: PageRequest): Promise<Page<Invoice>> {
    return this.#deps.invoices.list(tenantId, page);
  }

  async get(principal: Principal, id: string): Promise<Invoice> {
    const invoice = await this.#deps.invoices.find(isOperator(principal) ? null : principal.tenantId, id);
    if (invoice === null || !canAccessTenant(principal, invoice.tenantId)) throw new BazaarError('not_found', 'No such invoice.');
    return invoice;
  }

  /**
   * Pay an open invoice in full. Locks the subscription, then the invoice (the
   * order every billing transaction takes), so two payments of one invoice
   * serialize and the second gets 409 `conflict`.
   */
  async pay(principal: Principal, id: string, input: unknown): Promise<PaidInvoice> {
    const seen = await this.get(principal, id);
    return this.#deps.db.transaction(async (tx) => {
      await this.#deps.subscriptions.find(seen.tenantId, tx, true);
      const invoice = await this.#deps.invoices.find(seen.tenantId, id, tx, true);
      if (invoice === null) throw new BazaarError('not_found', 'No such invoice.');
      if (invoice.status !== 'open') {
        throw new BazaarError('conflict', `The invoice is ${invoice.status}; only open invoices can be paid.`, { status: invoice.status });
      }
      const settled = await this.#provider.collect({
        invoiceId: invoice.id,
        tenantId: invoice.tenantId,
        amountCents: invoice.totalCents ?? 0,
        currency: invoice.currency,
        input,
      });
      const now = this.#deps.clock.now();
      const paymentId = await this.#deps.invoices.insertPayment(
        { invoiceId: invoice.id, tenantId: invoice.tenantId, provider: this.#provider.name, ...settled, createdAt: now },
        tx,
      );
      const paid = await this.#deps.invoices.markPaid(invoice.id, now, tx);
      await record(
        this.#deps,
        tx,
        now,
        [
          { tenantId: invoice.tenantId, entity: 'payment', entityId: paymentId, action: 'recorded', actorKeyId: principal.keyId, data: { invoiceId: invoice.id, provider: this.#provider.name, ...settled } },
          { tenantId: invoice.tenantId, entity: 'invoice', entityId: invoice.id, action: 'paid', actorKeyId: principal.keyId, data: { paymentId } },
        ],
        [],
      );
      await this.#closer.reactivateIfSettled(invoice.tenantId, now, principal.keyId, tx);
      return { invoice: paid, payment: { id: paymentId, provider: this.#provider.name, ...settled } };
    });
  }
}
