/**
 * Webhooks (docs/http-api.md "Webhooks", scope `webhooks:write`):
 * webhooks/webhook-routes.ts, answers as host/webhooks/webhook.ts shapes them.
 * Delivery itself happens in host/events (signed, retried, durable outbox).
 */
import { EVENT_TYPES } from './domain-events.js';
import { parseCreateWebhook } from './webhook-schemas.js';
import { PAGINATION } from '../foundation/openapi/common-components.js';
import { oneOfScopes, type OperationSpec } from '../foundation/openapi/operation.js';
import { dateTime, exact, nonNegativeInteger, nullableDateTime, nullableString, oneOfStrings, page, ref, uuid, type Schema } from '../foundation/openapi/schema-kit.js';

const webhookProperties: Record<string, Schema> = {
  id: uuid,
  url: { type: 'string' },
  events: { type: 'array', items: ref('WebhookEvent') },
  createdAt: dateTime,
};

export const webhookSchemas: Record<string, Schema> = {
  WebhookEvent: oneOfStrings(EVENT_TYPES),
  CreateWebhook: parseCreateWebhook.schema,
  Webhook: exact(webhookProperties),
  WebhookCreated: exact({ ...webhookProperties, secret: { type: 'string', description: 'The signing secret, shown once.' } }),
  WebhookDelivery: exact({
    id: uuid,
    webhookId: uuid,
    eventId: { type: 'string' },
    eventType: ref('WebhookEvent'),
    status: oneOfStrings(['pending', 'delivered', 'failed']),
    attemptCount: nonNegativeInteger,
    nextAttemptAt: { ...nullableDateTime, description: 'When the next attempt is due; null once delivered or given up.' },
    lastStatusCode: { type: ['integer', 'null'] },
    lastError: nullableString,
    redeliveryOf: { type: ['string', 'null'] },
    createdAt: dateTime,
    deliveredAt: nullableDateTime,
    attempts: {
      type: 'array',
      items: exact({
        attempt: { type: 'integer', minimum: 1 },
        startedAt: dateTime,
        durationMs: { type: 'number', minimum: 0 },
        statusCode: { type: ['integer', 'null'] },
        error: nullableString,
      }),
    },
  }),
};

const scope = oneOfScopes('webhooks:write');

export const webhookOperations: OperationSpec[] = [
  {
    method: 'post', path: '/v1/webhooks', operationId: 'createWebhook', tag: 'webhooks', summary: 'Subscribe a URL to events',
    description:
      'Each delivery is signed: `Bazaar-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`; ' +
      'retried with exponential backoff on non-2xx or timeout for at least 24 h. A URL naming a private or reserved address, ' +
      'or a tenant over its webhook count, is 400 `invalid_request`. A replay with the same `Idempotency-Key` answers the same secret.',
    access: scope, body: ref('CreateWebhook'), idempotent: true,
    answers: { 201: { description: 'Subscribed; `secret` is in this answer only.', json: ref('WebhookCreated') } },
  },
  {
    method: 'get', path: '/v1/webhooks', operationId: 'listWebhooks', tag: 'webhooks', summary: "The tenant's webhooks",
    access: scope, parameters: PAGINATION,
    answers: { 200: { description: 'A page of webhooks (no secrets).', json: page(ref('Webhook')) } }, errors: ['invalid_request'],
  },
  {
    method: 'delete', path: '/v1/webhooks/{id}', operationId: 'deleteWebhook', tag: 'webhooks', summary: 'Delete a webhook',
    access: scope, answers: { 204: { description: 'Deleted.' } },
  },
  {
    method: 'get', path: '/v1/webhooks/{id}/deliveries', operationId: 'listDeliveries', tag: 'webhooks', summary: "A webhook's deliveries",
    description: 'Attempts, status codes, next retry.',
    access: scope, parameters: PAGINATION,
    answers: { 200: { description: 'A page of deliveries.', json: page(ref('WebhookDelivery')) } }, errors: ['invalid_request'],
  },
  {
    method: 'post', path: '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver', operationId: 'redeliver', tag: 'webhooks', summary: 'Deliver an event again',
    description: 'A new delivery of the same event (`redeliveryOf` names the original), due now: 202, the dispatcher sends it.',
    access: scope, answers: { 202: { description: 'The new delivery.', json: ref('WebhookDelivery') } },
  },
];
