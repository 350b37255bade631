/**
 * Webhooks (docs/http-api.md "Webhooks", scope `webhooks:write`), for the
 * tenant's own subscriptions: another tenant's is 404. The rules live in
 * host/webhooks/webhook-service.ts; delivery happens in host/events.
 *
 * POST /v1/webhooks answers the secret once and is not replayed by
 * Idempotency-Key (as for API keys: a stored answer would keep the secret).
 */
import Router from '@koa/router';
import { type AppContext, type AppRouter, type AppState, principalOf, requireScope } from '../foundation/app-state.js';
import { replayable } from '../metering/idempotent-answer.js';
import { parsePageQuery } from '../foundation/pagination.js';
import { deliveryToJson, webhookToJson } from './webhook.js';
import { parseCreateWebhook } from './webhook-schemas.js';
import { pathParam, uuidParam } from '../edge/params.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { WebhookService } from './webhook-service.js';

export function webhookRoutes(deps: { readonly webhooks: WebhookService; readonly idempotency: IdempotencyStore }): AppRouter {
  const router = new Router<AppState, AppContext>({ prefix: '/v1/webhooks' });
  const { webhooks } = deps;
  router.param('id', uuidParam);
  router.param('deliveryId', uuidParam);
  const scope = requireScope('webhooks:write');

  // Replayable: the stored answer holds the signing secret, which the webhooks table keeps too.
  router.post(
    '/',
    scope,
    replayable(deps.idempotency, async function createWebhook(ctx) {
      const created = await webhooks.create(principalOf(ctx).tenantId, parseCreateWebhook(ctx.request.body));
      return { status: 201, body: { ...webhookToJson(created), secret: created.secret } };
    }),
  );

  router.get('/', scope, async function listWebhooks(ctx) {
    const page = await webhooks.list(principalOf(ctx).tenantId, parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(webhookToJson), nextCursor: page.nextCursor };
  });

  router.delete('/:id', scope, async function deleteWebhook(ctx) {
    await webhooks.delete(principalOf(ctx).tenantId, pathParam(ctx, 'id'));
    ctx.status = 204;
  });

  router.get('/:id/deliveries', scope, async function listDeliveries(ctx) {
    const page = await webhooks.deliveries(principalOf(ctx).tenantId, pathParam(ctx, 'id'), parsePageQuery(ctx.query));
    ctx.body = { items: page.items.map(deliveryToJson), nextCursor: page.nextCursor };
  });

  // A new delivery of the same event, due now: 202, it is sent by the dispatcher.
  router.post('/:id/deliveries/:deliveryId/redeliver', scope, async function redeliver(ctx) {
    const delivery = await webhooks.redeliver(principalOf(ctx).tenantId, pathParam(ctx, 'id'), pathParam(ctx, 'deliveryId'));
    ctx.status = 202;
    ctx.body = deliveryToJson(delivery);
  });

  return router;
}
