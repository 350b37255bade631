/** Webhooks as one area of the host's lifecycle: their routes, and this process's outbox dispatcher. */
import type { Area } from '../foundation/lifecycle.js';
import type { IdempotencyStore } from '../metering/idempotency-store.js';
import type { WebhookDispatcher } from './dispatcher.js';
import { webhookRoutes } from './webhook-routes.js';
import type { WebhookService } from './webhook-service.js';

export function webhooksArea(deps: { readonly webhooks: WebhookService; readonly webhookDispatcher: WebhookDispatcher; readonly idempotency: IdempotencyStore }): Area {
  return {
    name: 'webhooks',
    routes: () => [webhookRoutes(deps)],
    start: () => deps.webhookDispatcher.start(),
    // A round in flight records its attempts first.
    close: () => deps.webhookDispatcher.stop(),
  };
}
