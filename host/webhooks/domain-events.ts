/**
 * Domain events: what happened, for whom. The webhook outbox (docs/http-api.md
 * "Webhooks") turns each event into signed deliveries to the subscriptions of
 * `tenantId` that listen to its `type`.
 *
 * Services that change state publish events through `EventPublisher`; they
 * never know about webhooks. An event that concerns several tenants (a
 * quarantined version and every tenant that installed it) is published once
 * per tenant.
 */
import type { Transaction } from '../foundation/transaction.js';

/** The events of the contract, and nothing else. */
export const EVENT_TYPES = [
  'execution.failed',
  'quota.threshold',
  'install.rollout.aborted',
  'plugin.version.approved',
  'plugin.version.rejected',
  'plugin.version.yanked',
  'plugin.version.quarantined',
  'install.upgraded',
  'invoice.finalized',
  'subscription.updated',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface DomainEvent {
  readonly type: EventType;
  /** The tenant whose webhooks receive it. */
  readonly tenantId: string;
  /** The event's payload: plain JSON, camelCase, ids and names rather than whole rows. */
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * Set for events that must happen once (a quota threshold per tenant and
   * period): a second event of the same tenant with the same key is dropped,
   * even when two processes publish it at the same moment.
   */
  readonly dedupeKey?: string;
}

export interface EventPublisher {
  /**
   * Record events durably. Pass the transaction that made the change when
   * there is one, so the events commit (or roll back) with it; without one
   * they are written on their own right away.
   */
  publish(events: readonly DomainEvent[], tx?: Transaction): Promise<void>;
}
