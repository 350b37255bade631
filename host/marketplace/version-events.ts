/**
 * Webhook events of version status changes, published inside the transaction
 * that changed the status (KnexMarketplaceRepository's status hook), so an
 * approval and its event commit together. marketplace/ stays free of knex and
 * of webhooks: the host adapter of its repository port does this.
 *
 * - approved / rejected / yanked go to the publisher tenant: the tenant whose
 *   slug is the plugin's scope;
 * - yanked and quarantined (the circuit breaker's verdict) go to every tenant
 *   with an install of that version (one event per tenant, naming its installs).
 *
 * Other statuses publish nothing.
 */
import type { PluginVersionRecord } from '../../marketplace/ports.js';
import type { VersionStatus } from '../../marketplace/version-status.js';
import type { Transaction } from '../foundation/transaction.js';
import type { DomainEvent, EventPublisher, EventType } from '../webhooks/domain-events.js';
import type { VersionAudience } from './ports.js';

const EVENT_OF: Partial<Record<VersionStatus, EventType>> = {
  approved: 'plugin.version.approved',
  rejected: 'plugin.version.rejected',
  yanked: 'plugin.version.yanked',
  quarantined: 'plugin.version.quarantined',
};

/** Statuses that concern the tenants running the version, not only its publisher. */
const TO_INSTALLERS: readonly VersionStatus[] = ['yanked', 'quarantined'];

/** The repository hook that publishes a version's status events through `events`, to `audience`. */
export function versionStatusPublisher(events: EventPublisher, audience: VersionAudience) {
  return async function publishVersionStatus(tx: Transaction, record: PluginVersionRecord, from: VersionStatus | null): Promise<void> {
    const type = EVENT_OF[record.status];
    if (type === undefined) return;
    const recipients = new Map<string, string[]>(); // tenant id → its installs of this version
    if (record.status !== 'quarantined') {
      const publisher = await audience.publisherOf(record.scope, tx);
      if (publisher !== null) recipients.set(publisher, []);
    }
    if (TO_INSTALLERS.includes(record.status)) {
      for (const i of await audience.installsOf(record.name, record.version, tx)) recipients.set(i.tenantId, [...(recipients.get(i.tenantId) ?? []), i.id]);
    }
    const base = { plugin: record.name, version: record.version, status: record.status, previousStatus: from, reason: record.statusReason };
    const out: DomainEvent[] = [...recipients].map(([tenantId, installIds]) => ({
      type,
      tenantId,
      data: TO_INSTALLERS.includes(record.status) ? { ...base, installIds } : base,
    }));
    await events.publish(out, tx);
  };
}
