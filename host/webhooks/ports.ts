/**
 * The storage port of webhooks: subscriptions, the outbox of events and
 * their deliveries. The services, the outbox and the dispatcher take it;
 * webhook-repository.ts implements it in SQL.
 */
import type { Page, PageRequest } from '../foundation/pagination.js';
import type { Transaction } from '../foundation/transaction.js';
import type { DomainEvent, EventType } from './domain-events.js';
import type { Delivery, DeliveryAttempt, DeliveryStatus, Webhook } from './webhook.js';

/** A delivery the dispatcher has leased, with what it needs to send it. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly claimToken: string;
  /** Attempts made before this one. */
  readonly attempts: number;
  readonly url: string;
  readonly secret: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly eventData: Record<string, unknown>;
  readonly eventCreatedAt: Date;
}

/** What one attempt ended in, and what the row becomes. */
export interface AttemptOutcome {
  readonly attempt: Omit<DeliveryAttempt, 'attempt'>;
  readonly status: DeliveryStatus;
  readonly nextAttemptAt: Date | null;
}

/** An event to record: the publisher's event plus its id, creation time and optional dedupe key. */
export interface OutboxEvent extends Omit<DomainEvent, 'dedupeKey'> {
  readonly id: string;
  readonly createdAt: Date;
  readonly dedupeKey: string | null;
}

export interface WebhookStore {
  /** Insert a subscription unless the tenant already has `max` (exact across processes); `null`: over the limit. */
  insertWithinLimit(webhook: Webhook & { secret: string }, max: number): Promise<Webhook | null>;
  list(tenantId: string, page: PageRequest): Promise<Page<Webhook>>;
  find(tenantId: string, id: string): Promise<Webhook | null>;
  /** Delete a subscription and its pending deliveries; false when there was none. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Deliveries of one subscription, newest first, each with its attempts. */
  listDeliveries(webhookId: string, page: PageRequest): Promise<Page<Delivery>>;
  findDelivery(webhookId: string, id: string): Promise<Delivery | null>;
  /** A new delivery (id `id`) of the same event to the same subscription, due now; `null`: no such delivery. */
  redeliver(webhookId: string, deliveryId: string, id: string, now: Date): Promise<Delivery | null>;
  /**
   * Record each event once (a repeated dedupe key is ignored) with one pending
   * delivery per subscription listening to it, in `tx` when given.
   */
  insertEvents(events: readonly OutboxEvent[], tx?: Transaction): Promise<void>;
  /** Deliveries due now and not yet sent, across every host process. */
  dueCount(now: Date): Promise<number>;
  /** Lease up to `limit` due deliveries until `leaseUntil` under `token`; others' leased rows are skipped. */
  claimDue(now: Date, leaseUntil: Date, limit: number, token: string): Promise<ClaimedDelivery[]>;
  /** Record an attempt and the delivery's next state while the lease holds; false (nothing written) once lost. */
  recordAttempt(claimed: ClaimedDelivery, outcome: AttemptOutcome, now: Date): Promise<boolean>;
}
