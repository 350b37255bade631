/**
 * The billing tests' host: the real dependency graph and app (as
 * test/support/test-host.ts builds them) with a recording EventPublisher, a
 * clock the test moves through months, and helpers for the billing API.
 */
import type { Knex } from 'knex';
import type { TestDatabase } from '../../support/database-backends.js';
import { RecordingEvents } from '../../support/recording-events.js';
import { bearer, FakeClock, startTestHost, type TestHost } from '../../support/test-host.js';

export { bearer, FakeClock, RecordingEvents };

/** A test host whose domain events are recorded (as the outbox would keep them: on commit). */
export interface BillingHost extends TestHost {
  readonly events: RecordingEvents;
}

export async function startBillingHost(database: TestDatabase, options: { clock: FakeClock; db?: Knex }): Promise<BillingHost> {
  const events = new RecordingEvents();
  const host = await startTestHost(database, { clock: options.clock, events, ...(options.db === undefined ? {} : { db: options.db }) });
  return { ...host, events };
}

export interface BillingTenant {
  readonly id: string;
  /** billing:read + billing:write */
  readonly key: string;
  /** billing:read only */
  readonly readKey: string;
}

/** A tenant created now (the host's clock), with billing keys. */
export async function createBillingTenant(host: BillingHost, slug: string, tier: string): Promise<BillingTenant> {
  const admin = bearer(host.adminKey);
  const created = await host.http().post('/v1/tenants').set(admin).send({ name: slug, slug, ownerEmail: `o@${slug}.example`, tier });
  if (created.status !== 201) throw new Error(`create tenant: ${created.status} ${JSON.stringify(created.body)}`);
  const key = async (scopes: string[]) => {
    const res = await host.http().post(`/v1/tenants/${created.body.id}/api-keys`).set(admin).send({ name: 'k', scopes });
    if (res.status !== 201) throw new Error(`create key: ${res.status}`);
    return res.body.key as string;
  };
  return { id: created.body.id as string, key: await key(['billing:read', 'billing:write']), readKey: await key(['billing:read']) };
}

/** Move the clock to `iso`. */
export function setTime(host: { clock: FakeClock }, iso: string): void {
  host.clock.advance(new Date(iso).getTime() - host.clock.now().getTime());
}

/** POST /v1/billing/close-period as the operator; answers the report. */
export async function closePeriods(host: BillingHost): Promise<{ closed: { tenantId: string; invoiceId: string; periodStart: string; periodEnd: string; totalCents: number }[]; pastDue: string[] }> {
  const res = await host.http().post('/v1/billing/close-period').set(bearer(host.adminKey));
  if (res.status !== 200) throw new Error(`close-period: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
