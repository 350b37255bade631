/**
 * The quota counts the subscription's billing period, on every backend: a
 * tenant subscribed mid-month (Jan 15, 12:00) keeps its used-up quota over
 * the 1st of the next month and gets it back at the anchor (Feb 15, 12:00),
 * even before the scheduler closed the period; a host with empty counters
 * rebuilds them from the ledger over the same period; and `GET /v1/usage`'s
 * quota agrees with the invoice's included/overage split.
 */
import assert from 'node:assert/strict';
import type { TestHost } from '../../support/test-host.js';
import { execute, installOk, packageOf, publishApproved, putSettings } from '../executions/execution-host.js';
import { backends, useDatabase } from '../../support/database-backends.js';
import { type BillingHost, bearer, closePeriods, createBillingTenant, FakeClock, setTime, startBillingHost } from './billing-host.js';

const ANCHOR = '2033-01-15T12:00:00.000Z';
const NEXT = '2033-02-15T12:00:00.000Z';
const INCLUDED = 2;
const SOURCE = 'export function hello() { return { ok: true }; }\n';

interface Runner {
  readonly id: string;
  /** billing:read + billing:write */
  readonly billingKey: string;
  /** plugins:install + plugins:execute */
  readonly key: string;
  installId: string;
}

for (const backend of backends) {
  describe(`quota period = billing period (${backend.name})`, () => {
    const database = useDatabase(backend, { BAZAAR_BILLING_TRIAL_DAYS: '0' });
    let host: BillingHost;
    let free: Runner;
    let pro: Runner;

    /** A tenant on `tier` with INCLUDED executions a period and a install of the test plugin. */
    async function runner(slug: string, tier: string): Promise<Runner> {
      const tenant = await createBillingTenant(host, slug, tier);
      await putSettings(host as unknown as TestHost, tenant.id, { limits: { executionsPerMonth: INCLUDED } });
      const res = await host.http().post(`/v1/tenants/${tenant.id}/api-keys`).set(bearer(host.adminKey)).send({ name: 'run', scopes: ['plugins:install', 'plugins:execute'] });
      const key = res.body.key as string;
      const installId = await installOk(host as unknown as TestHost, key, { plugin: '@examples/tick' });
      return { id: tenant.id, billingKey: tenant.key, key, installId };
    }
    const run = (on: BillingHost, r: Runner) => execute(on as unknown as TestHost, r.key, r.installId, { input: {} });
    const quota = async (r: Runner) => (await host.http().get('/v1/usage').set(bearer(r.billingKey)).expect(200)).body.quota;

    before(async () => {
      host = await startBillingHost(database.current, { clock: new FakeClock(new Date('2033-01-01T00:00:00Z')) });
      const publisher = await createBillingTenant(host, 'examples', 'free');
      const pubKey = (await host.http().post(`/v1/tenants/${publisher.id}/api-keys`).set(bearer(host.adminKey)).send({ name: 'p', scopes: ['plugins:publish'] })).body.key;
      await publishApproved(host as unknown as TestHost, { key: pubKey, tenantId: publisher.id }, packageOf({ name: '@examples/tick' }, { 'index.js': SOURCE }));
      setTime(host, ANCHOR);
      free = await runner('free-co', 'free');
      pro = await runner('pro-co', 'pro');
    });
    after(() => host.close());

    it('should report the billing period, not the calendar month, as the quota period', async () => {
      setTime(host, '2033-01-20T00:00:00Z');
      const q = await quota(free);
      assert.equal(q.periodStart, ANCHOR);
      assert.equal(q.periodEnd, NEXT);
      assert.equal(q.period, `${ANCHOR}/${NEXT}`);
      assert.deepEqual([q.included, q.used, q.remaining], [INCLUDED, 0, INCLUDED]);
    });

    it('should keep a used-up quota over the 1st and give it back at the anchor', async () => {
      setTime(host, '2033-01-20T00:00:00Z');
      for (let i = 0; i < INCLUDED; i++) await run(host, free).expect(200);
      const refused = await run(host, free).expect(402);
      assert.equal(refused.body.error.code, 'quota_exceeded');

      setTime(host, '2033-02-01T00:00:01Z'); // a new calendar month: not a new billing period
      assert.equal((await run(host, free).expect(402)).body.error.code, 'quota_exceeded');
      assert.deepEqual(await quota(free).then((q) => [q.periodStart, q.used, q.remaining]), [ANCHOR, INCLUDED, 0]);

      setTime(host, '2033-02-15T11:59:59Z');
      await run(host, free).expect(402);

      // The anchor: a new period, whether or not the scheduler has closed the last one yet.
      setTime(host, NEXT);
      await run(host, free).expect(200);
      const q = await quota(free);
      assert.deepEqual([q.periodStart, q.used, q.remaining], [NEXT, 1, INCLUDED - 1]);
    });

    it('should rebuild empty counters from the ledger over the billing period', async () => {
      // A second host process with its own (in-process: empty) counters on the same database.
      const other = await startBillingHost(database.current, { clock: new FakeClock(new Date(NEXT)), db: await database.current.openAnother() });
      try {
        setTime(other, '2033-03-01T00:00:00Z'); // calendar March: the ledger has nothing there, the billing period has 1
        await run(other, free).expect(200); // 2 of 2
        assert.equal((await run(other, free).expect(402)).body.error.code, 'quota_exceeded');
      } finally {
        await other.close();
      }
    });

    it("should agree with the invoice's included/overage split", async () => {
      // 2 executions in January and 3 in February: one billing period, over two calendar months.
      setTime(host, '2033-01-25T00:00:00Z');
      // (The clock went forward in the tests above; this tenant's executions go in by time, not order.)
      for (let i = 0; i < 2; i++) await run(host, pro).expect(200);
      setTime(host, '2033-02-10T00:00:00Z');
      for (let i = 0; i < 3; i++) await run(host, pro).expect(200);
      const q = await quota(pro);
      assert.deepEqual([q.periodStart, q.periodEnd, q.included, q.used, q.remaining], [ANCHOR, NEXT, INCLUDED, 5, 0]);

      setTime(host, NEXT);
      const closed = (await closePeriods(host)).closed.find((c) => c.tenantId === pro.id);
      assert.ok(closed);
      assert.equal(closed.periodStart, q.periodStart);
      assert.equal(closed.periodEnd, q.periodEnd);
      const invoice = (await host.http().get(`/v1/invoices/${closed.invoiceId}`).set(bearer(pro.billingKey)).expect(200)).body;
      const overage = invoice.lines.filter((l: { kind: string }) => l.kind === 'overage');
      assert.equal(overage.reduce((n: number, l: { quantity: number }) => n + l.quantity, 0), q.used - q.included);
      assert.deepEqual(overage.map((l: { plugin: string }) => l.plugin), ['@examples/tick']);

      // The new period starts empty.
      assert.deepEqual(await quota(pro).then((p) => [p.periodStart, p.used]), [NEXT, 0]);
    });
  });
}
