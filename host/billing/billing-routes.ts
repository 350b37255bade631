/**
 * Billing (docs/http-api.md "Billing, usage and analytics"): the caller's
 * subscription, its invoices and payments, and the operator's close-period. GET
 * /v1/usage lives in metering/usage-routes.ts.
 */
import Router from '@koa/router';
import { BazaarError } from '../../manifests/errors.js';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import type { BillingActor } from './subscription-service.js';
import { parseCancel, parseTierChange } from './billing-schemas.js';
import { invoiceToJson } from './invoice.js';
import { subscriptionToJson } from './subscription.js';
import { replayable } from '../metering/idempotent-answer.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { pathParam, uuidParam } from '../edge/params.js';
import type { Billing } from './build-billing.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';

function actorOf(ctx: { state: AppState }): BillingActor {
  const principal = principalOf(ctx);
  return { tenantId: principal.tenantId, keyId: principal.keyId };
}

export function billingRoutes(deps: { readonly billing: Billing; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1' });
  const { subscriptions, invoices, periods } = deps.billing;
  router.param('id', uuidParam);

  router.get('/subscription', requireScope('billing:read'), async function getSubscription(ctx) {
    ctx.body = subscriptionToJson(await subscriptions.get(principalOf(ctx).tenantId));
  });

  // A prorated charge: replayable, so a retried upgrade is never charged twice.
  router.post(
    '/subscription/upgrade',
    requireScope('billing:write'),
    replayable(deps.idempotency, async function upgrade(ctx) {
      const { tier } = parseTierChange(ctx.request.body);
      const result = await subscriptions.upgrade(actorOf(ctx), tier);
      return { status: 200, body: { ...subscriptionToJson(result.subscription), prorationCents: result.prorationCents } };
    }),
  );

  router.post('/subscription/downgrade', requireScope('billing:write'), async function downgrade(ctx) {
    const { tier } = parseTierChange(ctx.request.body);
    ctx.body = subscriptionToJson(await subscriptions.downgrade(actorOf(ctx), tier));
  });

  router.post('/subscription/cancel', requireScope('billing:write'), async function cancel(ctx) {
    const { atPeriodEnd } = parseCancel(ctx.request.body);
    ctx.body = subscriptionToJson(await subscriptions.cancel(actorOf(ctx), atPeriodEnd));
  });

  router.get('/invoices', requireScope('billing:read'), async function listInvoices(ctx) {
    const page = await invoices.list(principalOf(ctx).tenantId, parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(invoiceToJson), nextCursor: page.nextCursor };
  });

  router.get('/invoices/:id', requireScope('billing:read'), async function getInvoice(ctx) {
    ctx.body = invoiceToJson(await invoices.get(principalOf(ctx), pathParam(ctx, 'id')));
  });

  router.post(
    '/invoices/:id/pay',
    requireScope('billing:write'),
    replayable(deps.idempotency, async function payInvoice(ctx) {
      if (ctx.request.body === undefined) throw new BazaarError('invalid_request', 'A JSON body (Content-Type: application/json) is required.');
      const { invoice, payment } = await invoices.pay(principalOf(ctx), pathParam(ctx, 'id'), ctx.request.body);
      return { status: 200, body: { ...invoiceToJson(invoice), payment } };
    }),
  );

  // Normally the scheduler's job; the operator can run it (idempotent: closes only what is due).
  router.post('/billing/close-period', requireScope('admin'), async function closePeriod(ctx) {
    ctx.body = await periods.closeDue(principalOf(ctx).keyId);
  });

  return router;
}
