/**
 * The webhook resources of the API (docs/http-api.md "Webhooks"): a
 * subscription and its deliveries, as services see them, and their JSON.
 */
import type { EventType } from './domain-events.js';

/** A tenant's subscription. The secret is never part of it: it is shown once, at creation. */
export interface Webhook {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly events: EventType[];
  readonly createdAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One try to deliver: an HTTP status, or the error that stopped it (timeout, refused address...). */
export interface DeliveryAttempt {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly durationMs: number;
  readonly statusCode: number | null;
  readonly error: string | null;
}

/** One event to one subscription, with its attempts so far. */
export interface Delivery {
  readonly id: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly status: DeliveryStatus;
  readonly attemptCount: number;
  /** When the next attempt is due (while pending); `null` once delivered or given up. */
  readonly nextAttemptAt: Date | null;
  readonly lastStatusCode: number | null;
  readonly lastError: string | null;
  readonly redeliveryOf: string | null;
  readonly createdAt: Date;
  readonly deliveredAt: Date | null;
  readonly attempts: DeliveryAttempt[];
}

export function webhookToJson(w: Webhook): Record<string, unknown> {
  return { id: w.id, url: w.url, events: w.events, createdAt: w.createdAt.toISOString() };
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function deliveryToJson(d: Delivery): Record<string, unknown> {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attemptCount: d.attemptCount,
    nextAttemptAt: iso(d.nextAttemptAt),
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    redeliveryOf: d.redeliveryOf,
    createdAt: d.createdAt.toISOString(),
    deliveredAt: iso(d.deliveredAt),
    attempts: d.attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.startedAt.toISOString(),
      durationMs: a.durationMs,
      statusCode: a.statusCode,
      error: a.error,
    })),
  };
}
