/**
 * An EventPublisher for tests that keeps what it is given, as an outbox would:
 * events published in a transaction count only once it commits (a rolled-back
 * change publishes nothing).
 */
import type { Knex } from 'knex';
import type { DomainEvent, EventPublisher, EventType } from '../../host/webhooks/domain-events.js';

export class RecordingEvents implements EventPublisher {
  readonly committed: DomainEvent[] = [];
  /** Events published without a transaction (billing never should). */
  readonly untransacted: DomainEvent[] = [];

  async publish(events: readonly DomainEvent[], trx?: Knex.Transaction): Promise<void> {
    if (trx === undefined) {
      this.untransacted.push(...events);
      this.committed.push(...events);
      return;
    }
    trx.executionPromise.then(
      () => this.committed.push(...events),
      () => undefined,
    );
  }

  of(type: EventType, tenantId?: string): DomainEvent[] {
    return this.committed.filter((e) => e.type === type && (tenantId === undefined || e.tenantId === tenantId));
  }
}
