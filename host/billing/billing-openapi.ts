/** Billing (docs/http-api.md "Billing, usage and analytics"): billing-routes.ts. */
import { parseExternalPayment } from './payment-provider.js';
import { parseCancel, parseTierChange } from './billing-schemas.js';
import { INVOICE_STATUSES, LINE_KINDS } from './invoice.js';
import { SUBSCRIPTION_STATUSES } from './subscription.js';
import { TIER_NAMES } from '../foundation/tiers.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type AnswerSpec, type OperationSpec } from '../foundation/openapi/operation.js';
import {
  cents, dateTime, exact, nullableDateTime, nullableString, oneOfStrings, page, ref, uuid, type Schema,
} from '../foundation/openapi/schema-kit.js';

const subscriptionProperties: Record<string, Schema> = {
  tier: oneOfStrings(TIER_NAMES),
  status: oneOfStrings(SUBSCRIPTION_STATUSES),
  currentPeriodStart: dateTime,
  currentPeriodEnd: dateTime,
  cancelAtPeriodEnd: { type: 'boolean' },
  trialEndsAt: nullableDateTime,
  pendingTier: { type: ['string', 'null'], enum: [...TIER_NAMES, null], description: 'A downgrade scheduled for the period end.' },
  canceledAt: nullableDateTime,
};

const invoiceProperties: Record<string, Schema> = {
  id: uuid,
  tenantId: uuid,
  status: oneOfStrings(INVOICE_STATUSES),
  currency: { type: 'string' },
  periodStart: dateTime,
  periodEnd: dateTime,
  lines: {
    type: 'array',
    items: exact({
      id: uuid,
      kind: oneOfStrings(LINE_KINDS),
      description: { type: 'string' },
      plugin: nullableString,
      quantity: { type: 'number' },
      amountCents: cents,
    }),
  },
  subtotalCents: { ...cents, description: "A draft's running sum of its lines." },
  taxRateBps: { type: ['integer', 'null'] },
  taxCents: { type: ['integer', 'null'], description: 'Null while draft.' },
  totalCents: { type: ['integer', 'null'], description: 'Null while draft.' },
  finalizedAt: nullableDateTime,
  dueAt: nullableDateTime,
  paidAt: nullableDateTime,
  createdAt: dateTime,
};

export const billingSchemas: Record<string, Schema> = {
  Subscription: exact(subscriptionProperties),
  SubscriptionUpgraded: exact({ ...subscriptionProperties, prorationCents: cents }),
  Invoice: exact(invoiceProperties),
  PaidInvoice: exact({
    ...invoiceProperties,
    payment: exact({ id: uuid, provider: { type: 'string' }, reference: { type: 'string' }, amountCents: cents }),
  }),
  CloseReport: exact({
    closed: {
      type: 'array',
      items: exact({ tenantId: uuid, invoiceId: uuid, periodStart: dateTime, periodEnd: dateTime, totalCents: cents }),
    },
    pastDue: { type: 'array', items: uuid, description: 'Tenants whose subscription became `past_due` in this run.' },
  }),
};

const subscription: AnswerSpec = { description: 'The subscription.', json: ref('Subscription') };

export const billingOperations: OperationSpec[] = [
  {
    method: 'get', path: '/v1/subscription', operationId: 'getSubscription', tag: 'billing', summary: "The tenant's subscription",
    description: 'A tenant without a subscription (the operator) gets 404.',
    access: oneOfScopes('billing:read'), answers: { 200: subscription }, errors: ['not_found'],
  },
  {
    method: 'post', path: '/v1/subscription/upgrade', operationId: 'upgradeSubscription', tag: 'billing', summary: 'Upgrade now, with a prorated charge',
    description: 'Not to a higher tier, or while past due: 409 `conflict`.',
    access: oneOfScopes('billing:write'), body: parseTierChange.schema, idempotent: true,
    answers: { 200: { description: 'The subscription and the prorated charge.', json: ref('SubscriptionUpgraded') } },
    errors: ['not_found', 'conflict'],
  },
  {
    method: 'post', path: '/v1/subscription/downgrade', operationId: 'downgradeSubscription', tag: 'billing', summary: 'Downgrade at the period end',
    access: oneOfScopes('billing:write'), body: parseTierChange.schema, answers: { 200: subscription }, errors: ['not_found', 'conflict'],
  },
  {
    method: 'post', path: '/v1/subscription/cancel', operationId: 'cancelSubscription', tag: 'billing', summary: 'Cancel, now or at the period end',
    access: oneOfScopes('billing:write'), body: parseCancel.schema, answers: { 200: subscription }, errors: ['not_found', 'conflict'],
  },
  {
    method: 'get', path: '/v1/invoices', operationId: 'listInvoices', tag: 'billing', summary: "The tenant's invoices",
    access: oneOfScopes('billing:read'), parameters: PAGINATION,
    answers: { 200: { description: 'A page of invoices with their lines.', json: page(ref('Invoice')) } }, errors: ['invalid_request'],
  },
  {
    method: 'get', path: '/v1/invoices/{id}', operationId: 'getInvoice', tag: 'billing', summary: 'One invoice',
    access: oneOfScopes('billing:read'), answers: { 200: { description: 'The invoice.', json: ref('Invoice') } },
  },
  {
    method: 'post', path: '/v1/invoices/{id}/pay', operationId: 'payInvoice', tag: 'billing', summary: 'Record the payment of an open invoice',
    description:
      'The body is read by the payment provider; the built-in `external` provider records a payment made outside Bazaar ' +
      '(this schema). An invoice that is not `open` is 409 `conflict`.',
    access: oneOfScopes('billing:write'), body: parseExternalPayment.schema, idempotent: true,
    answers: { 200: { description: 'The paid invoice and the payment.', json: ref('PaidInvoice') } }, errors: ['conflict'],
  },
  {
    method: 'post', path: '/v1/billing/close-period', operationId: 'closePeriods', tag: 'billing', summary: 'Close due billing periods',
    description: 'Finalizes the invoices of every period that is due (idempotent); normally the built-in scheduler does it.',
    access: oneOfScopes('admin'), answers: { 200: { description: 'What was closed.', json: ref('CloseReport') } },
  },
];
