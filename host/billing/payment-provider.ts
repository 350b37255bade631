/**
 * How an invoice gets paid. The host never processes cards itself: a provider
 * turns a payment request into a settled payment or refuses it. The built-in
 * `external` provider records a payment made outside Bazaar (a bank transfer,
 * a PSP's dashboard): the caller states its reference and amount.
 *
 * A provider that calls a remote service should use `invoiceId` as its
 * idempotency key: `collect` runs while the invoice row is locked, and a
 * transaction that fails after it will be retried by the client.
 */
import { BazaarError } from '../../manifests/errors.js';
import { compileBodyValidator } from '../foundation/validation.js';

export interface PaymentRequest {
  readonly invoiceId: string;
  readonly tenantId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The request body of POST /v1/invoices/:id/pay, for the provider to read and validate. */
  readonly input: unknown;
}

export interface SettledPayment {
  readonly reference: string;
  readonly amountCents: number;
}

export interface PaymentProvider {
  readonly name: string;
  /** Settle the whole amount or throw a `BazaarError` (nothing is recorded then). */
  collect(request: PaymentRequest): Promise<SettledPayment>;
}

interface ExternalPaymentInput {
  reference: string;
  amountCents: number;
}

export const parseExternalPayment = compileBodyValidator<ExternalPaymentInput>({
  type: 'object',
  additionalProperties: false,
  required: ['reference', 'amountCents'],
  properties: {
    reference: { type: 'string', minLength: 1, maxLength: 200, pattern: '\\S' },
    amountCents: { type: 'integer', minimum: 0, maximum: 1_000_000_000_000 },
  },
});

/** Records payments made outside; the amount must be the invoice's total (no partial payments). */
export class ExternalPaymentProvider implements PaymentProvider {
  readonly name = 'external';

  async collect(request: PaymentRequest): Promise<SettledPayment> {
    const input = parseExternalPayment(request.input);
    if (input.amountCents !== request.amountCents) {
      throw new BazaarError('invalid_request', 'amountCents must equal the invoice total.', {
        expectedCents: request.amountCents,
      });
    }
    return { reference: input.reference, amountCents: input.amountCents };
  }
}
