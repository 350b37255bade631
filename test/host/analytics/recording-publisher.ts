/**
 * An EventPublisher that keeps what it is given, for asserting on domain
 * events until the durable outbox is wired in (host/events/domain-events.ts).
 */
import type { DomainEvent, EventPublisher } from '../../../host/events/domain-events.js';

export class RecordingPublisher implements EventPublisher {
  readonly events: DomainEvent[] = [];

  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.events.push(...events);
  }
}
