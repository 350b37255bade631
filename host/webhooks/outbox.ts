/**
 * The EventPublisher of the host: the durable webhook outbox. `publish`
 * writes each event and one pending delivery per matching subscription, in
 * the caller's transaction when there is one (the event commits or rolls back
 * with the change it reports). The dispatchers of every host process then
 * deliver from the same tables (dispatcher.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../foundation/clock.js';
import type { Transaction } from '../foundation/transaction.js';
import type { WebhookStore } from './ports.js';
import type { DomainEvent, EventPublisher } from './domain-events.js';

export class WebhookOutbox implements EventPublisher {
  readonly #repository: Pick<WebhookStore, 'insertEvents'>;
  readonly #clock: Clock;

  constructor(deps: { repository: Pick<WebhookStore, 'insertEvents'>; clock: Clock }) {
    this.#repository = deps.repository;
    this.#clock = deps.clock;
  }

  async publish(events: readonly DomainEvent[], tx?: Transaction): Promise<void> {
    if (events.length === 0) return;
    const createdAt = this.#clock.now();
    await this.#repository.insertEvents(
      events.map((e) => ({ ...e, id: randomUUID(), createdAt, dedupeKey: e.dedupeKey ?? null })),
      tx,
    );
  }
}
