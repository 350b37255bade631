/**
 * Closing periods with several host processes on one database: two hosts
 * close concurrently and every due period is invoiced exactly once; a
 * subscription several periods behind is caught up period by period; the
 * in-host scheduler closes due periods by itself and stops cleanly.
 */
import assert from 'node:assert/strict';
import { PeriodicTask } from '../../../host/foundation/periodic-task.js';
import { createLogger } from '../../../host/foundation/logger.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { type BillingHost, bearer, createBillingTenant, FakeClock, setTime, startBillingHost } from './billing-host.js';

for (const backend of backends) {
  describe(`closing periods (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let a: BillingHost;
    let b: BillingHost;
    const tenants: string[] = [];

    before(async () => {
      const start = new Date('2032-01-31T12:00:00Z');
      a = await startBillingHost(database.current, { clock: new FakeClock(start) });
      b = await startBillingHost(database.current, { clock: new FakeClock(start), db: await database.current.openAnother() });
      for (let i = 0; i < 8; i++) tenants.push((await createBillingTenant(a, `t${i}`, i % 2 === 0 ? 'pro' : 'free')).id);
    });
    after(async () => {
      await a?.close();
      await b?.close();
    });

    const close = (host: BillingHost) => host.http().post('/v1/billing/close-period').set(bearer(host.adminKey)).expect(200);

    it('should invoice each period exactly once when two hosts close at the same time', async () => {
      setTime(a, '2032-02-29T12:00:00Z');
      setTime(b, '2032-02-29T12:00:00Z');
      const [ra, rb] = await Promise.all([close(a), close(b), close(a), close(b)]);
      const all = [...ra.body.closed, ...rb.body.closed];
      // Together (with the two extra runs) the hosts closed each tenant's period once.
      const rows = await a.deps.db('invoices').whereIn('tenant_id', tenants).where({ period_start: new Date('2032-01-31T12:00:00Z') });
      assert.equal(rows.length, tenants.length);
      assert.ok(rows.every((r) => r.status !== 'draft'));
      assert.ok(all.length <= tenants.length);
      const finalized = a.events.of('invoice.finalized').length + b.events.of('invoice.finalized').length;
      assert.equal(finalized, tenants.length, 'one invoice.finalized per period');
      const audits = await a.deps.db('billing_audit_log').whereIn('tenant_id', tenants).where({ entity: 'invoice', action: 'finalized' });
      assert.equal(audits.length, tenants.length);
      // Each got its next period (Mar 31: the anchor's day) and one new draft.
      const subs = await a.deps.db('subscriptions').whereIn('tenant_id', tenants);
      assert.ok(subs.every((s) => s.current_period_end.toISOString() === '2032-03-31T12:00:00.000Z'));
      const drafts = await a.deps.db('invoices').whereIn('tenant_id', tenants).where({ status: 'draft' });
      assert.equal(drafts.length, tenants.length);
    });

    it('should catch up a subscription several periods behind, one invoice per period', async () => {
      setTime(a, '2032-06-01T00:00:00Z');
      const res = await close(a);
      const [first] = tenants;
      const periods = res.body.closed.filter((c: { tenantId: string }) => c.tenantId === first).map((c: { periodEnd: string }) => c.periodEnd);
      assert.deepEqual(periods, ['2032-03-31T12:00:00.000Z', '2032-04-30T12:00:00.000Z', '2032-05-31T12:00:00.000Z']);
    });

    it('should close due periods from the in-host scheduler, and stop cleanly', async () => {
      setTime(a, '2032-07-01T00:00:00Z');
      // The real scheduler's period is at least a second: drive one built on the same closer with a short one.
      const scheduler = new PeriodicTask({ name: 'billing', run: () => a.deps.billing.periods.closeDue(), logger: createLogger({ level: 'silent' }), intervalMs: 5 });
      scheduler.start();
      try {
        for (let i = 0; i < 400; i++) {
          const sub = await a.deps.db('subscriptions').where({ tenant_id: tenants[0] }).first();
          if (sub.current_period_end.toISOString() === '2032-07-31T12:00:00.000Z') break;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      } finally {
        await scheduler.stop();
      }
      const sub = await a.deps.db('subscriptions').where({ tenant_id: tenants[0] }).first();
      assert.equal(sub.current_period_end.toISOString(), '2032-07-31T12:00:00.000Z');
    });
  });
}
